import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { BackupError, backupDatabase } from '../../src/cli/commands/backup.ts';
import { restoreDatabase } from '../../src/cli/commands/restore.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { type DatabaseHandle, openPGlite, openPostgres } from '../../src/platform/db/connect.ts';
import { openTestDatabase, type TestDatabase, testDbKind } from '../fixtures/databases.ts';
import { databaseDigest } from '../fixtures/digest.ts';
import { EMBEDDED_NODE_FLAGS } from '../fixtures/node-flags.ts';

/**
 * `traslado backup` / `traslado restore` on the database of this project run (embedded PGlite data
 * folder, or a PostgreSQL database): the demo is seeded, backed up, changed, and restored; the
 * database digest after the restore equals the one at backup time. A damaged backup or a
 * non-empty target without --force changes nothing.
 */
// The projects in vitest.config.ts do not inherit the root's timeouts; a loaded machine needs them.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 120_000 });
const run = promisify(execFile);
const ROOT = new URL('../../', import.meta.url).pathname;
const kind = testDbKind();
let dir: string;
let dataDir: string;
let url = '';
let pgdb: TestDatabase | undefined;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'traslado-backup-'));
  dataDir = join(dir, 'data');
  env = { ...process.env, TRASLADO_DATA_DIR: dataDir, DATABASE_URL: '' };
  if (kind === 'postgres') {
    pgdb = await openTestDatabase('postgres');
    url = (pgdb.handle.pool as unknown as { options: { connectionString: string } }).options.connectionString;
    await pgdb.handle.close();
    env.DATABASE_URL = url;
  }
  await cli('seed', '--demo');
}, 180_000);

afterAll(async () => {
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

async function withDb<T>(fn: (h: DatabaseHandle) => Promise<T>): Promise<T> {
  const h = kind === 'postgres' ? openPostgres(url, { max: 2 }) : await openPGlite({ dataDir });
  try {
    return await fn(h);
  } finally {
    await h.close();
  }
}

const digest = () => withDb((h) => databaseDigest(h.db));
const config = () => loadConfig(env);

it('backs up, and restores exactly the backed-up state over a changed database (--force)', async () => {
  const atBackup = await digest();
  expect(Number(atBackup.tenants?.split(':')[0])).toBeGreaterThanOrEqual(3); // the demo is there

  const file = join(dir, kind === 'postgres' ? 'traslado.dump' : 'traslado.tar.gz');
  const t0 = performance.now();
  const backup = await cli('backup', '--out', file);
  const backupMs = performance.now() - t0;
  expect(backup.code, backup.stderr).toBe(0);
  expect(backup.stdout).toMatch(/backed up the/);
  expect(readdirSync(dir).filter((f) => f.includes('.partial-'))).toEqual([]);

  // Changes after the backup: an edit, a deletion and an insertion.
  await withDb(async (h) => {
    await h.db.updateTable('tenants').set({ company_name: 'Changed after backup' }).execute();
    await h.db.deleteFrom('user_roles').where('role', '=', 'billing-agent').execute();
    await h.db
      .insertInto('platform_settings')
      .values({ key: 'after-backup', value: JSON.stringify({ x: 1 }) })
      .execute();
  });
  const changed = await digest();
  expect(changed).not.toEqual(atBackup);

  // A database that holds data is not replaced without --force, and is left as it was.
  const refused = await cli('restore', file);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toMatch(/pass --force/);
  expect(await digest()).toEqual(changed);

  const t1 = performance.now();
  const restored = await cli('restore', file, '--force');
  const restoreMs = performance.now() - t1;
  expect(restored.code, restored.stderr).toBe(0);
  expect(await digest()).toEqual(atBackup);
  if (kind === 'pglite') {
    // The replaced folder is kept aside, and no staging folder is left.
    const siblings = readdirSync(dir);
    expect(siblings.filter((f) => f.startsWith('data.before-restore-'))).toHaveLength(1);
    expect(siblings.filter((f) => f.startsWith('data.restore-'))).toEqual([]);
  }
  console.log(
    `[backup ${kind}] ${Object.keys(atBackup).length} tables, backup ${(statSync(file).size / 1024).toFixed(0)} KiB ` +
      `in ${backupMs.toFixed(0)} ms (CLI), restore in ${restoreMs.toFixed(0)} ms (CLI); digest after restore = digest at backup`,
  );
}, 300_000);

it('never leaves a half-restored database: a damaged backup changes nothing', async () => {
  const file = join(dir, 'good');
  await backupDatabase(config(), file);
  await withDb((h) => h.db.updateTable('tenants').set({ country: 'PT' }).execute());
  const before = await digest();

  // Cut in the middle: for PostgreSQL the dump's table of contents is whole and the restore starts
  // dropping and recreating objects before it runs out of data, inside its one transaction.
  const bytes = readFileSync(file);
  const damaged = join(dir, 'damaged');
  writeFileSync(damaged, bytes.subarray(0, Math.floor(bytes.length * 0.75)));
  await expect(restoreDatabase(config(), damaged, { force: true })).rejects.toThrow(/nothing was changed/i);
  expect(await digest()).toEqual(before);

  // Not a backup at all, or one of the other database kind: refused before anything is touched.
  const text = join(dir, 'text');
  writeFileSync(text, 'hello');
  await expect(restoreDatabase(config(), text, { force: true })).rejects.toThrow(/not a backup/);
  const other = join(dir, 'other');
  writeFileSync(other, kind === 'postgres' ? gzipSync('not a data folder') : 'PGDMP not really');
  await expect(restoreDatabase(config(), other, { force: true })).rejects.toThrow(
    kind === 'postgres' ? /embedded database: unset DATABASE_URL/ : /PostgreSQL dump: set DATABASE_URL/,
  );
  if (kind === 'pglite') {
    // A well-formed archive that holds no Traslado database is refused after unpacking, aside.
    const foreign = join(dir, 'foreign.tar.gz');
    const p = await PGlite.create();
    writeFileSync(foreign, Buffer.from(await (await p.dumpDataDir('gzip')).arrayBuffer()));
    await p.close();
    await expect(restoreDatabase(config(), foreign, { force: true })).rejects.toThrow(/no Traslado database/);
    expect(readdirSync(dir).filter((f) => f.startsWith('data.restore-'))).toEqual([]);
  }
  expect(await digest()).toEqual(before);
}, 300_000);

// Each database has a case of its own (declared only in its project's run).
if (kind === 'pglite')
  it('refuses to back up an embedded folder a process has open', async () => {
    const h = await openPGlite({ dataDir });
    try {
      await expect(backupDatabase(config(), join(dir, 'while-open'))).rejects.toThrow(BackupError);
      await expect(backupDatabase(config(), join(dir, 'while-open'))).rejects.toThrow(
        new RegExp(`in use by process ${process.pid} .*stop that process`, 's'),
      );
    } finally {
      await h.close();
    }
    expect(readdirSync(dir).filter((f) => f.startsWith('while-open'))).toEqual([]);
  });

if (kind === 'postgres')
  it('restores into an empty database without --force', async () => {
    const file = join(dir, 'for-empty.dump');
    await backupDatabase(config(), file);
    const source = await digest();
    const empty = await openTestDatabase('postgres');
    const emptyUrl = (empty.handle.pool as unknown as { options: { connectionString: string } }).options
      .connectionString;
    try {
      // The test clone is migrated: empty it to the state of a new database first.
      await empty.handle.db.schema.dropSchema('public').cascade().execute();
      await empty.handle.db.schema.dropSchema('pgboss').ifExists().cascade().execute();
      await empty.handle.db.schema.createSchema('public').execute();
      await restoreDatabase({ ...config(), databaseUrl: emptyUrl }, file);
      expect(await databaseDigest(empty.handle.db)).toEqual(source);
    } finally {
      await empty.drop();
    }
  });
