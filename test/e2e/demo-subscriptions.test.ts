import { afterAll, beforeAll, expect, it } from 'vitest';
import { createLogger } from '../../src/platform/log.ts';
import { inSystemTransaction } from '../../src/platform/runtime.ts';
import { DEMO_PASSWORD } from '../../src/seed/demo.ts';
import { seedDemoOnce } from '../../src/seed/seed-once.ts';
import { startTestApp, type TestApp } from '../fixtures/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
  await inSystemTransaction(t.handle, t.config, createLogger('silent'), seedDemoOnce);
});
afterAll(async () => t?.close());

const DAY = 86_400_000;

it('seeds Fabrikam with a direct admin-center Business Standard: annual, 50 seats, 45 assigned, ending within 60 days, auto-renew on', async () => {
  const token = await t.login('admin@fabrikam.demo', DEMO_PASSWORD);
  const subs = (await t.expectOk({ url: '/api/tenant/subscriptions', token })).items;
  expect(subs).toHaveLength(1);
  const s = subs[0];
  expect(s).toMatchObject({
    offerId: 'demo-m365-business-standard',
    skuId: 'f245ecc8-75af-4f8e-b61f-27d8114de5f3',
    channel: 'direct',
    purchasedVia: 'admin-center',
    billingCycle: 'annual',
    quantity: 50,
    assignedSeats: 45,
    status: 'active',
    autoRenew: true,
  });
  const now = new Date((await t.expectOk({ url: '/api/clock', token })).now).getTime();
  const left = new Date(s.termEnd).getTime() - now;
  expect(left).toBeGreaterThan(0);
  expect(left).toBeLessThan(60 * DAY);
});

it('seeds Northwind with the demo partner subscriptions and an end-of-sale Office 365 E1 with a successor, from every channel', async () => {
  const token = await t.login('admin.agent@partner.demo', DEMO_PASSWORD);
  const customers = (await t.expectOk({ url: '/api/customers', token })).items;
  const northwind = customers.find((c: { companyName: string }) => c.companyName === 'Northwind Traders');
  const subs = (await t.expectOk({ url: `/api/customers/${northwind.id}/subscriptions`, token })).items;
  expect(new Set(subs.map((s: { channel: string }) => s.channel))).toEqual(
    new Set(['partner', 'volume', 'direct', 'trial']),
  );
  expect(subs.filter((s: { canChange: boolean }) => s.canChange).length).toBeGreaterThanOrEqual(2);
  const e1 = subs.find((s: { offerId: string }) => s.offerId === 'demo-o365-e1');
  expect(e1.assignedSeats).toBeGreaterThan(0);
  const offer = await t.expectOk({ url: '/api/offers/demo-o365-e1', token });
  expect(offer).toMatchObject({
    status: 'end-of-sale',
    successorOfferId: 'demo-o365-e1-eea-no-teams',
    successorAddOnOfferIds: ['demo-teams-eea'],
  });
  const es = (await t.expectOk({ url: '/api/offers?market=ES&limit=200', token })).items;
  expect(es.map((o: { skuPartNumber: string }) => o.skuPartNumber)).toEqual(
    expect.arrayContaining([
      'O365_BUSINESS_ESSENTIALS',
      'O365_BUSINESS_PREMIUM',
      'SPB',
      'ENTERPRISEPACK',
      'SPE_E3',
      'STANDARDPACK',
      'EXCHANGESTANDARD',
      'O365_BUSINESS',
      'PROJECTPREMIUM',
    ]),
  );
});

it('seeds Tailspin Brasil with a direct subscription', async () => {
  const token = await t.login('admin@tailspin.demo', DEMO_PASSWORD);
  const subs = (await t.expectOk({ url: '/api/tenant/subscriptions', token })).items;
  expect(subs.some((s: { channel: string }) => s.channel === 'direct')).toBe(true);
});

it('seeds an indirect provider and its linked reseller, each signing in with its README login', async () => {
  const provider = await t.login('account.admin@provider.demo', DEMO_PASSWORD);
  const reseller = await t.login('account.admin@reseller.demo', DEMO_PASSWORD);
  const [p, r] = await Promise.all([
    t.expectOk({ url: '/api/partner', token: provider }),
    t.expectOk({ url: '/api/partner', token: reseller }),
  ]);
  expect([p.kind, r.kind]).toEqual(['indirect-provider', 'indirect-reseller']);
  const resellers = await t.expectOk({ url: '/api/indirect-resellers', token: provider });
  expect(resellers.items).toMatchObject([{ resellerId: r.id, name: 'Pyme Cloud Sevilla', status: 'active' }]);
  const providers = await t.expectOk({ url: '/api/indirect-providers', token: reseller });
  expect(providers.items).toMatchObject([
    { providerId: p.id, name: 'Distribuidora Iberia', status: 'active' },
  ]);
});
