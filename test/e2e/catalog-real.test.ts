import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDaysUtc } from '../../src/domain/calendar.ts';
import {
  importCatalogReference,
  readClassOverrides,
  readReferenceFile,
} from '../../src/modules/catalog/catalog.service.ts';
import { createLogger } from '../../src/platform/log.ts';
import { inSystemTransaction } from '../../src/platform/runtime.ts';
import { CLASSES_CSV, REFERENCE_CSV } from '../../src/seed/demo.ts';
import { startTestApp, type TestApp } from '../fixtures/app.ts';
import { product } from '../fixtures/reference.ts';
import { platformNow } from '../fixtures/transition-case.ts';

/**
 * The real catalog as a partner would trust it (SPEC §11, issue 15): the WHOLE reference imported
 * (569 products, classified), with prices set for the offers each case needs. An offer has one
 * price today (price lists per market are issue 15 item 2), so each case uses its own market of
 * the Europe region to decide what is orderable for its tenant; Spain carries the main case and the
 * traps (cheap education, government, unattended, developer, trial and free offers, and unpriced
 * ones that would cover).
 */
let t: TestApp;
const sku = (part: string) => product(part).skuId;

async function price(part: string, unitPrice: number | null, markets: string[], extra: object = {}) {
  await t.expectOk({
    method: 'PATCH',
    url: `/api/admin/offers/${sku(part)}`,
    token: t.operatorToken,
    body: { unitPrice, currency: unitPrice === null ? null : 'EUR', markets, ...extra },
  });
}

beforeAll(async () => {
  t = await startTestApp();
  const [rows, overrides] = await Promise.all([
    readReferenceFile(REFERENCE_CSV),
    readClassOverrides(CLASSES_CSV),
  ]);
  const r = await inSystemTransaction(t.handle, t.config, createLogger('silent'), (ctx) =>
    importCatalogReference(ctx, rows, overrides),
  );
  expect(r.offersCreated).toBe(569);

  // Spain: the suites a partner sells, and the traps.
  await price('STANDARDPACK', 12_000, ['ES', 'PT'], { status: 'end-of-sale' });
  await price('ENTERPRISEPACK', 27_600, ['ES'], { status: 'end-of-sale' });
  await price('Office_365_w/o_Teams_Bundle_E1', 9_600, ['ES']);
  await price('O365_w/o_Teams_Bundle_E3', 24_000, ['ES']);
  await price('Microsoft_Teams_EEA_New', 6_000, ['ES']);
  await price('O365_BUSINESS_ESSENTIALS', 7_200, ['ES', 'PT']);
  await price('O365_BUSINESS_PREMIUM', 15_000, ['ES', 'FR', 'NL']);
  await price('SPE_E3', 43_200, ['ES', 'IT']);
  // Traps: far cheaper, and each would cover (or was once picked) — never a target for people.
  for (const part of [
    'ENTERPRISEPACKPLUS_STUDENT', // Office 365 A3 for students
    'STANDARDWOFFPACK_STUDENT', // Office 365 A1 for students
    'ENTERPRISEPACK_GOV', // Office 365 G3 GCC
    'STANDARDPACK_GOV', // Office 365 G1 GCC
    'SPE_E3_RPA1', // Microsoft 365 E3 - Unattended License
    'DEVELOPERPACK', // Office 365 E3 Developer
    'DEVELOPERPACK_E5',
    'Microsoft_365_Business_Premium_Donation_(Non_Profit_Pricing)',
  ])
    await price(part, 100, ['ES', 'PT', 'FR', 'IT', 'DE', 'NL']);
  // Unpriced but sold in every market: the old loader read no price as 0, the cheapest of all.
  for (const part of ['SMB_BUSINESS_ESSENTIALS', 'SMB_BUSINESS_PREMIUM', 'SPE_E5', 'M365_F1', 'SPB'])
    await price(part, null, ['ES', 'PT', 'FR', 'IT', 'DE', 'NL']);

  await price('SPB', 26_400, ['FR'], { status: 'end-of-sale' });
  await price('SPE_E5', 68_400, ['IT'], { status: 'end-of-sale' });
  await price('SPE_F1', 9_600, ['DE'], { status: 'end-of-sale' });
  await price('M365_F1_COMM', 2_700, ['DE']);
});
afterAll(async () => t?.close());

/** A customer in `country` with a direct subscription of `part` and `assigned` licensed users. */
async function customer(
  country: string,
  part: string,
  opts: { assigned?: number; channel?: string; quantity?: number } = {},
) {
  const p = await t.newPartner();
  const c = await t.newTenant({ partnerToken: p.tokens['account-admin'], users: 0, country });
  const now = await platformNow(t);
  const trial = opts.channel === 'trial';
  const source = await t.expectOk(
    {
      method: 'POST',
      url: `/api/admin/tenants/${c.tenant.id}/subscriptions`,
      token: t.operatorToken,
      body: {
        offerId: sku(part),
        quantity: opts.quantity ?? 10,
        channel: opts.channel ?? 'direct',
        ...(trial ? {} : { purchasedVia: 'admin-center' }),
        billingCycle: trial ? 'monthly' : 'annual',
        termStart: addDaysUtc(now, trial ? -10 : -300).toISOString(),
        termEnd: addDaysUtc(now, trial ? 20 : 65).toISOString(),
        autoRenew: !trial,
      },
    },
    201,
  );
  for (let i = 0; i < (opts.assigned ?? 3); i++) {
    await t.expectOk(
      {
        method: 'POST',
        url: `/api/admin/tenants/${c.tenant.id}/users`,
        token: t.operatorToken,
        body: {
          userPrincipalName: `u${i}@${c.domain}`,
          displayName: `U ${i}`,
          licenses: [{ skuId: sku(part) }],
        },
      },
      201,
    );
  }
  const plan = await t.expectOk(
    {
      method: 'POST',
      url: `/api/customers/${c.tenant.id}/transitions`,
      token: p.tokens['sales-agent'],
      body: {},
    },
    201,
  );
  return { plan, line: plan.lines[0], token: p.tokens['sales-agent'], source };
}

const offer = (id: string) => t.expectOk({ url: `/api/offers/${id}`, token: t.operatorToken });

describe('the whole reference, classified and served', () => {
  it('GET /api/offers shows segment, purpose, family and the bases an add-on needs', async () => {
    expect(await offer(sku('O365_BUSINESS_ESSENTIALS'))).toMatchObject({
      segment: 'commercial',
      purpose: 'user',
      family: 'Microsoft 365 Business',
      kind: 'base',
      requiresBaseSkuIds: [],
      maxQuantity: 300,
      refundWindowHours: 168,
    });
    const teams = await offer(sku('Microsoft_Teams_EEA_New'));
    expect(teams).toMatchObject({ kind: 'add-on', family: 'Teams', segment: 'commercial' });
    expect(teams.requiresBaseSkuIds).toContain(sku('Office_365_w/o_Teams_Bundle_E1'));
    expect(teams.requiresBaseSkuIds).not.toContain(sku('STANDARDPACK'));
    expect(await offer(sku('ENTERPRISEPACKPLUS_STUDENT'))).toMatchObject({
      segment: 'education',
      purpose: 'user',
    });
    expect(await offer(sku('SPE_E3_RPA1'))).toMatchObject({ segment: 'commercial', purpose: 'unattended' });
    const page = await t.expectOk({ url: '/api/offers?market=ES&limit=200', token: t.operatorToken });
    expect(page.items.length).toBeGreaterThan(5);
    for (const o of page.items) expect(o).toHaveProperty('family');
  });
});

describe('target choice on real data (SPEC §3.1)', () => {
  const forPeople = async (line: { targetOfferId: string | null; addOnOfferIds: string[] }) => {
    expect(line.targetOfferId).not.toBeNull();
    for (const id of [line.targetOfferId!, ...line.addOnOfferIds]) {
      const o = await offer(id);
      expect(o, o.name).toMatchObject({ segment: 'commercial', purpose: 'user' });
      expect(o.unitPrice, o.name).not.toBeNull();
    }
  };

  it('Office 365 E1, discontinued without successor, stays in its family: E1 (no Teams) + Teams EEA', async () => {
    const { line } = await customer('ES', 'STANDARDPACK');
    await forPeople(line);
    expect([line.targetOfferId, ...line.addOnOfferIds]).toEqual([
      sku('Office_365_w/o_Teams_Bundle_E1'),
      sku('Microsoft_Teams_EEA_New'),
    ]);
    expect(line.verdict).toBe('ready');
  });

  it('Office 365 E3, discontinued without successor, never maps to an education, government, unattended or developer offer', async () => {
    const { line } = await customer('ES', 'ENTERPRISEPACK');
    await forPeople(line);
    expect([line.targetOfferId, ...line.addOnOfferIds]).toEqual([
      sku('O365_w/o_Teams_Bundle_E3'),
      sku('Microsoft_Teams_EEA_New'),
    ]);
    expect(line.verdict).toBe('ready');
  });

  it('Office 365 E1 → Business Basic covers where no Office 365 offer is sold; the unpriced twin is never the target', async () => {
    const { line, plan } = await customer('PT', 'STANDARDPACK');
    await forPeople(line);
    expect(line.targetOfferId).toBe(sku('O365_BUSINESS_ESSENTIALS'));
    expect(line.targetOfferId).not.toBe(sku('SMB_BUSINESS_ESSENTIALS'));
    expect(line).toMatchObject({ verdict: 'ready', workloadsAtRisk: [], lowerTier: [] });
    expect(plan.verdict).toBe('ready');
  });

  it('Microsoft 365 E5 → E3 needs acknowledgment, naming the paid capabilities lost', async () => {
    const { line } = await customer('IT', 'SPE_E5');
    await forPeople(line);
    expect(line.targetOfferId).toBe(sku('SPE_E3'));
    expect(line.verdict).toBe('needs-acknowledgment');
    expect(line.workloadsAtRisk).toEqual([]);
    const paid = line.reasons.filter((r: { code: string }) => r.code === 'line.paid-capability-lost');
    const names = paid.flatMap((r: { params: { names: string[] } }) => r.params.names);
    expect(names).toEqual(expect.arrayContaining(['Teams Phone', 'Audio Conferencing', 'Power BI Pro']));
    expect(paid.map((r: { text: string }) => r.text).join(' ')).toContain('Teams Phone');
  });

  it('Business Premium → Business Standard is a lower archive tier, not a missing archive', async () => {
    const { line } = await customer('FR', 'SPB');
    await forPeople(line);
    expect(line.targetOfferId).toBe(sku('O365_BUSINESS_PREMIUM'));
    expect(line.verdict).toBe('needs-acknowledgment');
    expect(line.workloadsAtRisk).toEqual([]);
    expect(line.lowerTier).toEqual([
      expect.objectContaining({ workload: 'archive', quotaFrom: '1.5 TB', quotaTo: '50 GB' }),
    ]);
  });

  it('Microsoft 365 F3 → F1 blocks on the mailbox, named in words, never by plan id', async () => {
    const { line } = await customer('DE', 'SPE_F1');
    expect(line.verdict).toBe('blocked');
    expect(line.workloadsAtRisk).toContain('mailbox');
    const atRisk = line.reasons.find((r: { code: string }) => r.code === 'line.data-at-risk');
    expect(atRisk.text).toContain('the mailbox');
    expect(atRisk.text).toContain('Microsoft 365 F3');
    expect(atRisk.textEs).toContain('el buzón de correo');
    for (const plan of line.plansAtRisk as string[]) {
      expect(atRisk.text).not.toContain(plan);
      expect(atRisk.textEs).not.toContain(plan);
    }
  });

  it('a trial source has no loss and is planned by the seats its users hold', async () => {
    const { line } = await customer('NL', 'O365_BUSINESS_PREMIUM', {
      channel: 'trial',
      quantity: 25,
      assigned: 3,
    });
    expect(line.targetOfferId).toBe(sku('O365_BUSINESS_PREMIUM'));
    expect(line).toMatchObject({ quantity: 3, lossIfCancelledNow: 0, channel: 'trial' });
    expect(line.reasons.map((r: { code: string }) => r.code)).not.toContain('line.loss-if-cancelled');
  });
});
