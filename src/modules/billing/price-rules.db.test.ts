import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ModuleDb, openModuleDb } from '../../../test/fixtures/module-db.ts';
import { countStatements } from '../../../test/fixtures/statements.ts';
import { systemActor } from '../../platform/http/context.ts';
import { applicableRules, readRulesOf, replacePriceRules } from './price-rules.repo.ts';

/**
 * A transaction reads a partner's price rules for a customer once (an order's lines each write a
 * billing line), sees its own replacement of them at once, and only the offer's and general rules.
 */
let m: ModuleDb;
let counter: ReturnType<typeof countStatements>;
let partnerId: string;
let tenantId: string;
let offers: [string, string];
beforeAll(async () => {
  m = await openModuleDb();
  counter = countStatements(m.t.handle);
  partnerId = (await m.db.selectFrom('partners').select('id').orderBy('id').executeTakeFirstOrThrow()).id;
  tenantId = await m.tenant('northwind.demo');
  const rows = await m.db.selectFrom('offers').select('id').orderBy('id').limit(2).execute();
  offers = [rows[0]!.id, rows[1]!.id];
});
afterAll(() => m?.close());

const ruleReads = (statements: string[]) => statements.filter((s) => /^select .* from "price_rules"/.test(s));

it("reads the rules once per transaction and sees the transaction's own replacement", async () => {
  const { result, statements } = await counter.during(() =>
    m.as(systemActor(), async (ctx) => {
      await replacePriceRules(
        ctx.db,
        partnerId,
        [
          { offerId: null, tenantId: null, markupBp: 1000 },
          { offerId: offers[0], tenantId, markupBp: 2500 },
        ],
        m.now,
      );
      const first = await applicableRules(ctx.db, partnerId, offers[0], tenantId);
      const other = await applicableRules(ctx.db, partnerId, offers[1], tenantId);
      const readsBefore = ruleReads(counter.sofar()).length;
      await replacePriceRules(ctx.db, partnerId, [{ offerId: null, tenantId: null, markupBp: 500 }], m.now);
      const after = await applicableRules(ctx.db, partnerId, offers[0], tenantId);
      return { first, other, after, readsBefore };
    }),
  );
  const bps = (rows: { markup_bp: number }[]) => rows.map((r) => r.markup_bp).sort((a, b) => a - b);
  expect(bps(result.first)).toEqual([1000, 2500]);
  // Another offer: the general rule only.
  expect(bps(result.other)).toEqual([1000]);
  expect(result.readsBefore).toBe(1);
  expect(bps(result.after)).toEqual([500]);
  expect(ruleReads(statements)).toHaveLength(2);
});

it("reads many customers' rules in one statement, each customer's as a read of its own would give", async () => {
  const other = await m.tenant('fabrikam.demo');
  const rules = [
    { offerId: null, tenantId: null, markupBp: 1000 },
    { offerId: offers[0], tenantId, markupBp: 2500 },
    { offerId: null, tenantId: other, markupBp: 700 },
  ];
  const bps = (rows: { markup_bp: number }[]) => rows.map((r) => r.markup_bp).sort((a, b) => a - b);
  // Each customer read on its own, in a transaction of its own.
  const alone = await m.as(systemActor(), async (ctx) => {
    await replacePriceRules(ctx.db, partnerId, rules, m.now);
    return {
      mine: bps(await applicableRules(ctx.db, partnerId, offers[0], tenantId)),
      theirs: bps(await applicableRules(ctx.db, partnerId, offers[0], other)),
    };
  });
  const { result, statements } = await counter.during(() =>
    m.as(systemActor(), async (ctx) => {
      await replacePriceRules(ctx.db, partnerId, rules, m.now);
      await readRulesOf(ctx.db, [
        { partnerId, tenantId },
        { partnerId, tenantId: other },
        { partnerId, tenantId },
      ]);
      return {
        mine: bps(await applicableRules(ctx.db, partnerId, offers[0], tenantId)),
        theirs: bps(await applicableRules(ctx.db, partnerId, offers[0], other)),
        theirsOtherOffer: bps(await applicableRules(ctx.db, partnerId, offers[1], other)),
      };
    }),
  );
  expect(alone).toEqual({ mine: [1000, 2500], theirs: [700, 1000] });
  expect(result).toEqual({ ...alone, theirsOtherOffer: [700, 1000] });
  // Both customers' rules in one statement; the lines after it read nothing.
  expect(ruleReads(statements)).toHaveLength(1);
});
