import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../fixtures/databases.ts';

/** The operator's command line on the database of this project run: seed, clock, plan, apply. */
const run = promisify(execFile);
const ROOT = new URL('../../', import.meta.url).pathname;
let dir: string;
let db: TestDatabase | undefined;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'traslado-cli-'));
  env = {
    ...process.env,
    TRASLADO_DATA_DIR: join(dir, 'data'),
    TRASLADO_CLOCK: 'unlocked',
    DATABASE_URL: '',
  };
  if (process.env.TRASLADO_TEST_DB === 'postgres') {
    db = await openTestDatabase('postgres');
    env.DATABASE_URL = (
      db.handle.pool as unknown as { options: { connectionString: string } }
    ).options.connectionString;
    await db.handle.close();
  }
}, 120_000);
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await db?.drop();
});

const cli = (...args: string[]) =>
  run(process.execPath, ['bin/traslado.js', ...args], { cwd: ROOT, env, timeout: 120_000 });

it('seeds the demo once, moves the clock, plans every customer of the partner and applies what is ready', async () => {
  const first = await cli('seed', '--demo');
  const partnerId = /demo partner id: ([0-9a-f-]{36})/.exec(first.stdout)?.[1];
  expect(partnerId).toBeDefined();
  expect((await cli('seed', '--demo')).stdout).toMatch(/already present; nothing changed/);

  // Subscriptions bought elsewhere arrive by CSV; importing the same file twice records them once.
  const csv = join(dir, 'subs.csv');
  writeFileSync(
    csv,
    'tenantDomain,offerId,quantity,channel,purchasedVia,billingCycle,termStart,termEnd,autoRenew\n' +
      'tailspin.demo,demo-m365-business-basic,7,volume,,annual,2026-01-01T00:00:00Z,2027-01-01T00:00:00Z,false\n',
  );
  expect((await cli('import', csv)).stdout).toMatch(/1 subscriptions recorded, 0 already there/);
  expect((await cli('import', csv)).stdout).toMatch(/0 subscriptions recorded, 1 already there/);

  const clock = await cli('clock', '--advance-days', '1');
  expect(clock.stdout).toMatch(/platform clock moved to/);

  const out = join(dir, 'plan.json');
  const plan = await cli('plan', '--partner', partnerId!, '--all', '--out', out);
  expect(plan.stdout).toMatch(/planned 1\/1/);
  const file = JSON.parse(readFileSync(out, 'utf8'));
  // Northwind is the demo partner's only customer; its Project Online source blocks the plan.
  expect(file.transitions).toHaveLength(1);
  expect(file.transitions[0].verdict).toBe('blocked');

  const applied = await cli('apply', out);
  expect(applied.stdout).toMatch(/0 applied, 0 waiting .*, 0 failed, 1 skipped/);
}, 240_000);
