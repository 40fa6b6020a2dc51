import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { findPrices } from '../../src/modules/catalog/catalog.repo.ts';
import { readReferenceFile, seedDemoCatalog } from '../../src/modules/catalog/catalog.service.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { createLogger } from '../../src/platform/log.ts';
import { inSystemTransaction, openConfiguredDatabase } from '../../src/platform/runtime.ts';
import { REFERENCE_CSV } from '../../src/seed/demo.ts';
import { openTestDatabase, type TestDatabase, testDbKind } from '../fixtures/databases.ts';
import { EMBEDDED_NODE_FLAGS } from '../fixtures/node-flags.ts';

/**
 * `traslado prices import FILE.csv` (SPEC §11): a price-list CSV, by offer id or by SKU; a file with
 * a bad row is refused whole, every bad line named, and nothing of it is imported.
 */
vi.setConfig({ testTimeout: 180_000, hookTimeout: 120_000 });
const run = promisify(execFile);
const ROOT = new URL('../../', import.meta.url).pathname;
let dir: string;
let env: NodeJS.ProcessEnv;
let pgdb: TestDatabase | undefined;

const BASIC = 'demo-m365-business-basic';
const BASIC_SKU = '3b555118-da6a-4418-894f-7df1e2096870';
const STANDARD = 'demo-m365-business-standard';
const STANDARD_MONTHLY = 'demo-m365-business-standard-monthly';
const STANDARD_SKU = 'f245ecc8-75af-4f8e-b61f-27d8114de5f3';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'traslado-prices-'));
  env = {
    ...process.env,
    TRASLADO_DATA_DIR: join(dir, 'data'),
    TRASLADO_CLOCK: 'unlocked',
    DATABASE_URL: '',
  };
  if (testDbKind() === 'postgres') {
    pgdb = await openTestDatabase('postgres');
    env.DATABASE_URL = (
      pgdb.handle.pool as unknown as { options: { connectionString: string } }
    ).options.connectionString;
    await pgdb.handle.close();
  }
  // The demo catalog, written in this process, which then closes the database (and the folder).
  await withDb(async (handle, config) => {
    const rows = await readReferenceFile(REFERENCE_CSV);
    await inSystemTransaction(handle, config, createLogger('silent'), (ctx) => seedDemoCatalog(ctx, rows));
  });
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await pgdb?.drop();
});

async function withDb<T>(
  f: (
    handle: Awaited<ReturnType<typeof openConfiguredDatabase>>,
    config: ReturnType<typeof loadConfig>,
  ) => Promise<T>,
) {
  const config = loadConfig(env);
  const handle = await openConfiguredDatabase(config);
  try {
    return await f(handle, config);
  } finally {
    await handle.close();
  }
}

const prices = () =>
  withDb(async (h) => Object.fromEntries(await findPrices(h.db, [BASIC, STANDARD, STANDARD_MONTHLY])));

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [...EMBEDDED_NODE_FLAGS, 'bin/traslado.js', ...args], {
      cwd: ROOT,
      env,
      timeout: 120_000,
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

const HEADER =
  'ProductTitle,SkuId,OfferId,Market,Currency,Segment,TermDuration,BillingPlan,UnitPrice,EffectiveStartDate,EffectiveEndDate';

it('imports a price list by SKU and by offer id: each offer named gets the rows as its whole list', async () => {
  const file = join(dir, 'good.csv');
  writeFileSync(
    file,
    [
      HEADER,
      // By SKU: every offer of that SKU with that term and billing plan (the annual Standard, not the monthly).
      `Microsoft 365 Business Standard,${STANDARD_SKU},,ES,EUR,Commercial,P1Y,Annual,150.00,2026-01-01T00:00:00Z,`,
      `Microsoft 365 Business Standard,${STANDARD_SKU},,BR,BRL,Commercial,P1Y,Annual,825.50,,`,
      `"Microsoft 365 Business Standard, monthly",,${STANDARD_MONTHLY},MX,MXN,Commercial,P1M,Monthly,300,,`,
      `Microsoft 365 Business Basic,${BASIC_SKU},,US,USD,Commercial,P1Y,Annual,79.20,,2030-01-01`,
      `Microsoft 365 Business Basic,${BASIC_SKU},,US,USD,Commercial,P1Y,Annual,85,2030-01-01,`,
    ].join('\n'),
  );
  const r = await cli('prices', 'import', file);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toMatch(/5 prices for 3 offers imported \(markets: BR, ES, MX, US\)/);
  const after = await prices();
  const common = { term: 'P1Y', billingCycle: 'annual', effectiveTo: null };
  expect(after[STANDARD]).toEqual([
    { ...common, market: 'BR', currency: 'BRL', unitPrice: 82_550, effectiveFrom: '2000-01-01' },
    { ...common, market: 'ES', currency: 'EUR', unitPrice: 15_000, effectiveFrom: '2026-01-01' },
  ]);
  expect(after[STANDARD_MONTHLY]).toEqual([
    {
      market: 'MX',
      currency: 'MXN',
      term: 'P1M',
      billingCycle: 'monthly',
      unitPrice: 30_000,
      effectiveFrom: '2000-01-01',
      effectiveTo: null,
    },
  ]);
  expect(after[BASIC]).toEqual([
    {
      ...common,
      market: 'US',
      currency: 'USD',
      unitPrice: 7_920,
      effectiveFrom: '2000-01-01',
      effectiveTo: '2030-01-01',
    },
    { ...common, market: 'US', currency: 'USD', unitPrice: 8_500, effectiveFrom: '2030-01-01' },
  ]);
  // The same file again changes nothing.
  expect((await cli('prices', 'import', file)).code).toBe(0);
  expect(await prices()).toEqual(after);
});

it('refuses a file with bad rows, naming every bad line, and imports none of it', async () => {
  const before = await prices();
  const file = join(dir, 'bad.csv');
  writeFileSync(
    file,
    [
      HEADER,
      `Microsoft 365 Business Standard,${STANDARD_SKU},,PT,EUR,Commercial,P1Y,Annual,150.00,,`, // good
      `Microsoft 365 Business Standard,${STANDARD_SKU},,Spain,EUR,Commercial,P1Y,Annual,150.00,,`, // line 3
      `Microsoft 365 Business Basic,${BASIC_SKU},,ES,EUR,Commercial,P1Y,Annual,7.123,,`, // line 4
      `Nothing,,no-such-offer,ES,EUR,Commercial,P1Y,Annual,1,,`, // line 5
      `Microsoft 365 Business Basic,${BASIC_SKU},,FR,EUR,Commercial,P3Y,Annual,1,,`, // line 6: no such offer
      `Microsoft 365 Business Basic,${BASIC_SKU},,IT,EUR,Commercial,P1Y,Annual,72,,`, // good
      `Microsoft 365 Business Basic,${BASIC_SKU},,IT,USD,Commercial,P1Y,Annual,80,,`, // line 8: two currencies
    ].join('\n'),
  );
  const r = await cli('prices', 'import', file);
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/price_list_invalid/);
  expect(r.stderr).toMatch(/nothing changed/);
  const lines = [...r.stderr.matchAll(/line (\d+):/g)].map((m) => Number(m[1]));
  expect(lines).toEqual([3, 4, 5, 6, 8]);
  expect(r.stderr).toMatch(/line 3: market "Spain"/);
  expect(r.stderr).toMatch(/line 4: unit price "7.123"/);
  expect(r.stderr).toMatch(/line 5: no offer no-such-offer/);
  expect(r.stderr).toMatch(/line 8: .*two currencies/);
  expect(await prices()).toEqual(before);
});
