import { afterAll, beforeAll, expect, it } from 'vitest';
import { importCatalogReference, readReferenceFile } from '../../src/modules/catalog/catalog.service.ts';
import { createLogger } from '../../src/platform/log.ts';
import { inSystemTransaction } from '../../src/platform/runtime.ts';
import { REFERENCE_CSV } from '../../src/seed/demo.ts';
import { startTestApp, type TestApp } from '../fixtures/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.close());

it('imports the reference once: a second run refreshes products and creates nothing; offers carry no price or market', async () => {
  const rows = await readReferenceFile(REFERENCE_CSV);
  const run = () =>
    inSystemTransaction(t.handle, t.config, createLogger('silent'), (ctx) =>
      importCatalogReference(ctx, rows),
    );
  const first = await run();
  expect(first.products).toBeGreaterThan(500);
  expect(first.productsCreated).toBe(first.products);
  expect(first.offersCreated).toBe(first.products);
  const offers = await t.handle.db.selectFrom('offers').select(['id']).execute();
  const second = await run();
  expect(second).toMatchObject({ productsCreated: 0, productsUpdated: first.products, offersCreated: 0 });
  expect(await t.handle.db.selectFrom('offers').select(['id']).execute()).toHaveLength(offers.length);

  const e3 = await t.expectOk({
    url: '/api/offers/6fd2c87f-b296-42f0-b197-1e91e994b900',
    token: t.operatorToken,
  });
  expect(e3).toMatchObject({
    name: 'Office 365 E3',
    skuPartNumber: 'ENTERPRISEPACK',
    unitPrice: null,
    markets: [],
  });
  expect(e3.servicePlans.find((p: { name: string }) => p.name === 'EXCHANGE_S_ENTERPRISE')).toMatchObject({
    workload: 'mailbox',
    holdsUserData: true,
    quotaLabel: '100 GB',
  });
  const { tokens } = await t.newPartner();
  const es = await t.expectOk({ url: '/api/offers?market=ES', token: tokens['sales-agent'] });
  expect(es.items).toEqual([]);
});
