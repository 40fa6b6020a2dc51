import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { recordOwnAzureSubscription } from '../../src/modules/azure/index.ts';
import { updateUserLicenses } from '../../src/modules/licenses/index.ts';
import { createTenant } from '../../src/modules/tenants/tenants.service.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { createLogger } from '../../src/platform/log.ts';
import { inSystemTransaction, openConfiguredDatabase } from '../../src/platform/runtime.ts';
import { openTestDatabase, type TestDatabase, testDbKind } from '../fixtures/databases.ts';
import { databaseDigest } from '../fixtures/digest.ts';
import { EMBEDDED_NODE_FLAGS } from '../fixtures/node-flags.ts';

/**
 * `traslado usage import FILE.csv` (SPEC §9, issue 22 acceptance 2): importing the same file twice
 * changes nothing; a file with bad rows imports the good ones and lists the bad by line.
 */
vi.setConfig({ testTimeout: 180_000, hookTimeout: 120_000 });
const run = promisify(execFile);
const ROOT = new URL('../../', import.meta.url).pathname;
let dir: string;
let env: NodeJS.ProcessEnv;
let pgdb: TestDatabase | undefined;
let sub: string;
let today: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'traslado-usage-'));
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
  // A tenant with its own pay-as-you-go subscription, written in this process, which then closes the database.
  await withDb(async (handle, config) => {
    await inSystemTransaction(handle, config, createLogger('silent'), async (ctx) => {
      const tenant = await createTenant(
        { ...ctx, updateUserLicenses },
        {
          companyName: 'Usage Test',
          defaultDomain: 'usage-cli.test',
          country: 'ES',
          admin: { email: 'admin@usage-cli.test', password: 'correct-horse-battery' },
        },
      );
      const s = await recordOwnAzureSubscription(ctx, {
        tenantId: tenant.id,
        kind: 'pay-as-you-go',
        friendlyName: 'Usage PAYG',
      });
      sub = s.id;
      today = ctx.clock.now().toISOString().slice(0, 10);
    });
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

const usage = () =>
  withDb(async (h) => ({
    digest: (await databaseDigest(h.db)).azure_usage,
    rows: await h.db
      .selectFrom('azure_usage')
      .select(['usage_date', 'meter_id', 'amount'])
      .select((eb) => eb.cast<string>('quantity', 'text').as('quantity'))
      .orderBy('usage_date')
      .orderBy('meter_id')
      .execute(),
  }));

const HEADER =
  'Date,SubscriptionId,MeterId,MeterName,MeterCategory,Unit,Quantity,UnitPrice,Currency,ResourceId';
const day = (n: number) =>
  new Date(new Date(`${today}T00:00:00Z`).getTime() - n * 86_400_000).toISOString().slice(0, 10);
const row = (date: string, meter: string, quantity: string, price: number, currency = 'EUR', s = sub) =>
  `${date},${s},${meter},Meter ${meter},Virtual Machines,1 Hour,${quantity},${price},${currency},/subscriptions/x/vm1`;

it('imports a usage file once: the same file again changes nothing', async () => {
  const file = join(dir, 'good.csv');
  writeFileSync(
    file,
    [
      HEADER,
      row(day(3), 'vm', '24', 10),
      row(day(2), 'vm', '24', 10),
      row(day(2), 'sql', '16.5', 3),
      row(day(1), 'vm', '0.33333333', 100),
      row(day(1), 'sql', '7', 3),
    ].join('\n'),
  );
  const first = await cli('usage', 'import', file);
  expect(first.code, first.stderr).toBe(0);
  expect(first.stdout).toMatch(/5 usage rows: 5 imported, 0 already there, 0 refused/);
  const after = await usage();
  expect(after.rows).toHaveLength(5);
  // quantity × unit price, rounded down, in minor units: 16.5 × 3 = 49.5 → 49; 0.33333333 × 100 → 33.
  expect(after.rows.map((r) => r.amount)).toEqual([240, 49, 240, 21, 33]);
  expect(after.rows.find((r) => r.meter_id === 'sql' && r.amount === 49)?.quantity).toMatch(/^16\.50*$/);

  const second = await cli('usage', 'import', file);
  expect(second.code, second.stderr).toBe(0);
  expect(second.stdout).toMatch(/5 usage rows: 0 imported, 5 already there, 0 refused/);
  expect(await usage()).toEqual(after);
});

it('imports the good rows of a file with bad ones, and lists the bad by line', async () => {
  const before = await usage();
  const file = join(dir, 'mixed.csv');
  writeFileSync(
    file,
    [
      HEADER,
      row(day(5), 'vm', '24', 10), // line 2: good
      row(day(5), 'vm', '24', 10, 'EUR', 'no-such-subscription'), // line 3
      row(day(5), 'sql', '-4', 3), // line 4
      row(day(5), 'disk', '2', 5, 'USD'), // line 5
      row('2026-02-30', 'vm', '1', 10), // line 6
      row(day(4), 'vm', '12.25', 10), // line 7: good
    ].join('\n'),
  );
  const r = await cli('usage', 'import', file);
  expect(r.code).toBe(1);
  expect(r.stdout).toMatch(/6 usage rows: 2 imported, 0 already there, 4 refused/);
  expect(r.stderr).toMatch(/line 3: unknown-subscription/);
  expect(r.stderr).toMatch(/line 4: negative-quantity/);
  expect(r.stderr).toMatch(/line 5: wrong-currency/);
  expect(r.stderr).toMatch(/line 6: bad-date/);
  expect(r.stderr).not.toMatch(/line [27]:/);
  const after = await usage();
  expect(after.rows.length).toBe(before.rows.length + 2);
  expect(after.rows.filter((x) => x.usage_date.toISOString().slice(0, 10) === day(4))).toEqual([
    expect.objectContaining({ meter_id: 'vm', amount: 122 }),
  ]);
  // Again: the good rows are there already, the bad refused again; nothing changes.
  const again = await cli('usage', 'import', file);
  expect(again.stdout).toMatch(/6 usage rows: 0 imported, 2 already there, 4 refused/);
  expect(await usage()).toEqual(after);
});

it('refuses a file whose header it does not know, importing nothing', async () => {
  const before = await usage();
  const file = join(dir, 'wrong.csv');
  writeFileSync(file, ['when,what,howMuch', `${day(1)},vm,3`].join('\n'));
  const r = await cli('usage', 'import', file);
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/azure_usage_invalid/);
  expect(await usage()).toEqual(before);
});
