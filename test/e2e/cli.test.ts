import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../fixtures/databases.ts';
import { EMBEDDED_NODE_FLAGS } from '../fixtures/node-flags.ts';

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
  run(process.execPath, [...EMBEDDED_NODE_FLAGS, 'bin/traslado.js', ...args], {
    cwd: ROOT,
    env,
    timeout: 120_000,
  });

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
  expect(plan.stdout).toMatch(/planned 1 customers in [\d.]+ s: 1 blocked/);
  expect(plan.stdout).toMatch(/peak RSS \d+ MB/);
  // The report is JSON lines: a header, then one line per customer.
  const [header, ...customers] = readFileSync(out, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  expect(header).toMatchObject({ type: 'header', partnerId });
  // Northwind is the demo partner's only customer; its Project Online source blocks the plan.
  expect(customers).toHaveLength(1);
  expect(customers[0]).toMatchObject({ customer: 'Northwind Traders', verdict: 'blocked' });
  expect(customers[0].transitionId).toMatch(/^[0-9a-f-]{36}$/);
  const summary = readFileSync(`${out}.summary.csv`, 'utf8').trim().split('\n');
  expect(summary[0]).toBe('customer,tenantId,verdict,seats,overlapCost,lossIfCancelledNow,currency,reasons');
  expect(summary[1]).toMatch(
    /^Northwind Traders,[0-9a-f-]{36},blocked,\d+,[\d.]+,[\d.]+,\w+,.*line\.data-at-risk/,
  );

  const applied = await cli('apply', out);
  expect(applied.stdout).toMatch(/0 applied, 0 waiting .*, 0 failed, 1 skipped/);
}, 240_000);

it('seeds a synthetic book, plans it in batches and applies every ready plan through the queue, once', async () => {
  const seeded = await cli('seed', '--scale', 'customers=6', '--seed', '4');
  expect(seeded.stdout).toMatch(
    /scale book seeded on .* in [\d.]+ s: 6 customers, \d+ subscriptions, \d+ users/,
  );
  const partnerId = /scale partner id: ([0-9a-f-]{36})/.exec(seeded.stdout)?.[1];
  expect(partnerId).toBeDefined();
  expect((await cli('seed', '--scale', 'customers=6', '--seed', '4')).stdout).toMatch(
    /already present; nothing changed/,
  );
  await expect(cli('seed', '--scale', 'customers=abc')).rejects.toMatchObject({
    stderr: expect.stringMatching(/expected customers=N/),
  });

  const out = join(dir, 'scale.jsonl');
  // An unknown partner or a missing file is one line on stderr, exit 1, and no report.
  await expect(cli('plan', '--partner', 'no-such-partner', '--all', '--out', out)).rejects.toMatchObject({
    code: 1,
    stderr: expect.stringMatching(/^error: partner_not_found/m),
  });
  expect(existsSync(out)).toBe(false);
  await expect(cli('apply', join(dir, 'missing.jsonl'))).rejects.toMatchObject({
    code: 1,
    stderr: expect.stringMatching(/^error: no such file/m),
  });
  const plan = await cli('plan', '--partner', partnerId!, '--all', '--out', out, '--batch-size', '4');
  expect(plan.stdout).toMatch(/planned 6 customers/);
  // Not on a terminal: plain progress lines on stderr.
  expect(plan.stderr).toMatch(/planning 6\/6/);
  const lines = readFileSync(out, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => JSON.parse(l));
  const ready = lines.filter((l) => l.verdict === 'ready').length;
  expect(ready).toBeGreaterThan(0);

  const applied = await cli('apply', out, '--concurrency', '2');
  const m = /done in [\d.]+ s: (\d+) applied, (\d+) waiting .*, 0 failed, (\d+) skipped/.exec(applied.stdout);
  expect(m).not.toBeNull();
  expect(Number(m![1]) + Number(m![2])).toBe(ready);
  expect(Number(m![3])).toBe(6 - ready);
  expect(applied.stderr).toMatch(/applying 6\/6/);
  // Again: nothing is done twice, the same summary.
  const again = await cli('apply', out);
  expect(again.stdout).toMatch(
    new RegExp(`${m![1]} applied, ${m![2]} waiting .*, 0 failed, ${m![3]} skipped`),
  );
}, 240_000);
