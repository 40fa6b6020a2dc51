import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { planBulk } from '../../src/cli/plan-report.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { openPGlite } from '../../src/platform/db/connect.ts';
import { templatePath } from '../../src/platform/db/template.ts';
import { createLogger } from '../../src/platform/log.ts';
import { openConfiguredDatabase } from '../../src/platform/runtime.ts';
import { seedScale } from '../../src/seed/scale.ts';
import { openTestDatabase, type TestDatabase, testDbKind } from '../fixtures/databases.ts';
import { databaseDigest } from '../fixtures/digest.ts';
import { EMBEDDED_NODE_FLAGS } from '../fixtures/node-flags.ts';
import { freePort, ROOT, ServerProcess } from '../fixtures/server-process.ts';

/**
 * One process per embedded data folder (issue 13, item 2). A real `traslado start` holds a fresh
 * folder; every command that opens a data folder is run against it and refused (exit 1, the
 * holder named, what to do said), and the database is as it was: its digest, read after the
 * server's clean stop, equals the one read before it started, when the last opener had closed the
 * folder. Every refused command is one that writes (a new book, a clock move, a new product, a
 * price list, a subscription, transitions, applied plans, an empty backup over the data), so any that got
 * through would change the digest, as the last step shows for one.
 * Then the server is SIGKILLed and the next opener takes the lock it left behind. On PostgreSQL
 * (DATABASE_URL) there is no lock: a command runs beside a live server.
 */
vi.setConfig({ testTimeout: 300_000, hookTimeout: 120_000 });
const run = promisify(execFile);
const kind = testDbKind();
let dir: string;
let dataDir: string;
let env: NodeJS.ProcessEnv;
let pgdb: TestDatabase | undefined;
const servers: ServerProcess[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'traslado-lock-e2e-'));
  dataDir = join(dir, 'data');
  env = {
    ...process.env,
    TRASLADO_DATA_DIR: dataDir,
    DATABASE_URL: '',
    TRASLADO_CLOCK: 'unlocked',
    LOG_LEVEL: 'warn',
    TRASLADO_ARGON2_MEMORY_KIB: '1024',
    TRASLADO_ARGON2_TIME_COST: '1',
  };
  if (kind === 'postgres') {
    pgdb = await openTestDatabase('postgres');
    env.DATABASE_URL = (
      pgdb.handle.pool as unknown as { options: { connectionString: string } }
    ).options.connectionString;
    await pgdb.handle.close();
  }
});

afterAll(async () => {
  for (const s of servers) await s.kill();
  rmSync(dir, { recursive: true, force: true });
  await pgdb?.drop();
});

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

/** `traslado start` on this test's database; without the demo, so that a start writes nothing. */
async function startServer(): Promise<ServerProcess> {
  const server = new ServerProcess(env.DATABASE_URL ?? '', await freePort(), { TRASLADO_DATA_DIR: dataDir }, [
    '--no-demo',
    ...(kind === 'pglite' ? ['--data', dataDir] : []),
  ]);
  servers.push(server);
  await server.start();
  return server;
}

/** SIGTERM: the server closes the database (and so releases the folder) and exits. */
async function stopServer(server: ServerProcess) {
  server.child!.kill('SIGTERM');
  await server.exited;
  expect(server.child!.exitCode).toBe(0);
}

async function digest() {
  const h = await openPGlite({ dataDir });
  try {
    return await databaseDigest(h.db);
  } finally {
    await h.close();
  }
}

const lockFile = () => `${dataDir}.lock`;
const log = createLogger('silent');

if (kind === 'pglite')
  it('refuses every command that opens the data folder a live server holds, and changes nothing; after a SIGKILL the next opener takes the lock', async () => {
    // Before: a synthetic book and a plan with ready customers, made in this process, which then
    // closes the folder and so releases it; then a server run.
    const config = loadConfig(env);
    const handle = await openConfiguredDatabase(config);
    expect(JSON.parse(readFileSync(lockFile(), 'utf8')).pid).toBe(process.pid);
    const report = join(dir, 'plan.jsonl');
    let scalePartner: string;
    let tenantId: string;
    let offerId: string;
    try {
      scalePartner = (await seedScale(handle.db, { customers: 4, seed: 4, config })).partnerId;
      const planned = await planBulk(handle, { partnerId: scalePartner, out: report, config, log });
      expect(planned.counts.ready).toBeGreaterThan(0); // so `apply` would buy something
      tenantId = (await handle.db.selectFrom('tenants').select('id').executeTakeFirstOrThrow()).id;
      offerId = (
        await handle.db
          .selectFrom('offers')
          .select('id')
          .where('unit_price', 'is not', null)
          .executeTakeFirstOrThrow()
      ).id;
    } finally {
      await handle.close();
    }
    expect(existsSync(lockFile())).toBe(false); // released on close
    // A first start writes (its generated secret): the digest to compare with is the one after a
    // run of the server, stopped cleanly.
    await stopServer(await startServer());
    expect(existsSync(lockFile())).toBe(false); // released on a clean stop
    const atStop = await digest();
    expect(Number(atStop.tenants!.split(':')[0])).toBeGreaterThanOrEqual(4);
    // A backup of an empty install (the migrated template is one): restoring it would empty the database.
    const emptyBackup = await templatePath();
    expect(existsSync(emptyBackup)).toBe(true);

    const catalogCsv = join(dir, 'catalog.csv');
    writeFileSync(
      catalogCsv,
      'Product_Display_Name,String_Id,GUID,Service_Plan_Name,Service_Plan_Id,Service_Plans_Included_Friendly_Names\n' +
        'Lock Test Suite,LOCK_TEST,7b1f0c55-3c3a-4f1e-9d7e-2f4d1b6a9c01,EXCHANGE_S_FOUNDATION,113feb6c-3fe4-4440-bddc-54d774bf0318,Exchange Foundation\n',
    );
    const subsCsv = join(dir, 'subs.csv');
    writeFileSync(
      subsCsv,
      'tenantId,offerId,quantity,channel,purchasedVia,billingCycle,termStart,termEnd,autoRenew\n' +
        `${tenantId},${offerId},7,volume,,annual,2026-01-01T00:00:00Z,2027-01-01T00:00:00Z,false\n`,
    );

    const pricesCsv = join(dir, 'prices.csv');
    writeFileSync(
      pricesCsv,
      `offerId,market,currency,term,billingPlan,unitPrice\n${offerId},PT,EUR,P1Y,annual,12.00\n`,
    );

    // The server holds the folder. Every command that opens a data folder (prepare-template builds
    // its own folders in .cache), with arguments that would write.
    const server = await startServer();
    const pid = server.child!.pid!;
    const holder = JSON.parse(readFileSync(lockFile(), 'utf8'));
    expect(holder).toMatchObject({ pid, command: expect.stringContaining('traslado.js start') });
    const refusedBackup = join(dir, 'while-held.tar.gz');
    const refusedReport = join(dir, 'while-held.jsonl');
    const commands: string[][] = [
      ['start', '--port', String(await freePort()), '--data', dataDir],
      ['seed', '--scale', 'customers=2', '--seed', '9'],
      ['clock', '--advance-days', '1'],
      ['catalog', 'import', catalogCsv],
      ['prices', 'import', pricesCsv],
      ['import', subsCsv],
      ['plan', '--partner', scalePartner, '--all', '--out', refusedReport],
      ['apply', report],
      ['backup', '--out', refusedBackup],
      ['restore', emptyBackup, '--force'],
    ];
    // All at once: one server for all, and openers that race each other as well as the holder.
    const results = await Promise.all(commands.map((args) => cli(...args)));
    for (const [i, args] of commands.entries()) {
      const r = results[i]!;
      const what = `traslado ${args.join(' ')}: ${r.stdout}${r.stderr}`;
      expect(r.code, what).toBe(1);
      expect(r.stderr, what).toContain(`in use by process ${pid} (`);
      expect(r.stderr, what).toContain('traslado.js start');
      expect(r.stderr, what).toContain(`since ${holder.since}`);
      expect(r.stderr, what).toMatch(/stop that process/);
      expect(r.stderr, what).toMatch(/DATABASE_URL/);
      // Refused before any work: no report, no backup file, nothing restored or kept aside.
      expect(r.stdout, what).not.toMatch(/planned|applied|seeded|moved|recorded|imported|backed up|restored/);
    }
    expect(existsSync(refusedReport)).toBe(false);
    expect(existsSync(refusedBackup)).toBe(false);
    expect(readdirSync(dir).filter((f) => /^data\.(before-)?restore-/.test(f))).toEqual([]);
    // The lock is still the server's, and the server still serves.
    expect(JSON.parse(readFileSync(lockFile(), 'utf8')).token).toBe(holder.token);
    expect((await fetch(`http://127.0.0.1:${server.port}/healthz`)).ok).toBe(true);
    await stopServer(server);
    expect(existsSync(lockFile())).toBe(false); // released on a clean stop
    expect(await digest()).toEqual(atStop);

    // A holder killed outright leaves its lock behind; the next opener finds it stale and takes it.
    const killed = await startServer();
    await killed.kill();
    expect(JSON.parse(readFileSync(lockFile(), 'utf8')).pid).toBe(killed.child!.pid);
    const moved = await cli('clock', '--advance-days', '1');
    expect(moved.code, moved.stderr).toBe(0);
    expect(moved.stdout).toMatch(/platform clock moved to/);
    expect(existsSync(lockFile())).toBe(false);
    // One command that got through shows in the digest.
    expect(await digest()).not.toEqual(atStop);
  });

if (kind === 'postgres')
  it('takes no lock on a PostgreSQL server: a command runs beside a live server', async () => {
    const server = await startServer();
    const r = await cli('clock', '--advance-days', '1');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/platform clock moved to/);
    expect(existsSync(lockFile())).toBe(false);
    expect(existsSync(dataDir)).toBe(false);
    expect((await fetch(`http://127.0.0.1:${server.port}/healthz`)).ok).toBe(true);
    await stopServer(server);
  });
