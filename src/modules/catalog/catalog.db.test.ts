import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ModuleDb, openModuleDb } from '../../../test/fixtures/module-db.ts';
import { countStatements } from '../../../test/fixtures/statements.ts';
import { systemActor } from '../../platform/http/context.ts';
import { offersById, setOfferPrices, updateOffer } from './catalog.service.ts';

/**
 * A transaction reads each offer, product and price list once (an order's lines, its billing and
 * a transition's next steps look the same offers up again), and sees its own catalog writes.
 */
let m: ModuleDb;
let counter: ReturnType<typeof countStatements>;
let offerId: string;
beforeAll(async () => {
  m = await openModuleDb();
  counter = countStatements(m.t.handle);
  const offer = await m.db
    .selectFrom('offers')
    .select('id')
    .where('kind', '=', 'base')
    .orderBy('id')
    .executeTakeFirstOrThrow();
  offerId = offer.id;
});
afterAll(() => m?.close());

const operator = systemActor();
const catalogReads = (statements: string[]) =>
  statements.filter((s) => /from "(offers|catalog_products|offer_prices)"/.test(s));

it('reads an offer, its product and its prices once per transaction', async () => {
  const { result, statements } = await counter.during(() =>
    m.as(operator, async (ctx) => {
      const first = await offersById(ctx.db, [offerId]);
      const again = await offersById(ctx.db, [offerId, offerId]);
      return [first.get(offerId)!, again.get(offerId)!];
    }),
  );
  expect(result[0]?.id).toBe(offerId);
  expect(result[1]).toEqual(result[0]);
  // offers, catalog_products, offer_prices: once each.
  expect(catalogReads(statements)).toHaveLength(3);
});

it('reads again outside a transaction: each read sees the latest commit', async () => {
  const { statements } = await counter.during(async () => {
    await offersById(m.db, [offerId]);
    await offersById(m.db, [offerId]);
  });
  expect(catalogReads(statements)).toHaveLength(6);
});

it("sees the transaction's own writes to offers and prices", async () => {
  const seen = await m.as(operator, async (ctx) => {
    const before = (await offersById(ctx.db, [offerId])).get(offerId)!;
    await updateOffer(ctx, { offerId, name: `${before.name} (renamed)` });
    const renamed = (await offersById(ctx.db, [offerId])).get(offerId)!;
    await setOfferPrices(ctx, {
      offerId,
      prices: [
        {
          market: 'ES',
          currency: 'EUR',
          term: renamed.term,
          billingCycle: renamed.billingCycle,
          unitPrice: 1234,
          effectiveFrom: '2020-01-01',
        },
      ],
    });
    const repriced = (await offersById(ctx.db, [offerId], { market: 'ES', at: m.now })).get(offerId)!;
    return { before, renamed, repriced };
  });
  expect(seen.renamed.name).toBe(`${seen.before.name} (renamed)`);
  expect(seen.repriced.prices).toEqual([
    expect.objectContaining({ market: 'ES', currency: 'EUR', unitPrice: 1234 }),
  ]);
  expect(seen.repriced.unitPrice).toBe(1234);
});
