import { open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { type Config, loadConfig } from '../../platform/config.ts';
import { startParamsFor } from '../../platform/db/connect.ts';
import {
  BackupError,
  type BackupKind,
  lockForBackup,
  pgConnection,
  pgProgram,
  runProgram,
} from './backup.ts';

/**
 * Restores a file written by `traslado backup`, refusing a target that holds a database unless
 * `--force`, and never leaving it half restored:
 * - embedded PGlite: under the folder's lock, the tarball is unpacked into a new folder beside the
 *   data folder and opened there (a damaged file fails here, the data folder untouched); only then
 *   are the folders swapped by two renames. The replaced folder is kept as `<dir>.before-restore-<time>`.
 * - PostgreSQL: `pg_restore --clean --if-exists --single-transaction`: one transaction drops and
 *   recreates every object of the dump and loads its rows; any error rolls all of it back.
 */
async function kindOf(file: string): Promise<BackupKind> {
  const fh = await open(file, 'r').catch(() => {
    throw new BackupError(`cannot read ${file}`);
  });
  try {
    const head = Buffer.alloc(5);
    await fh.read(head, 0, 5, 0);
    if (head[0] === 0x1f && head[1] === 0x8b) return 'pglite';
    if (head.toString('latin1') === 'PGDMP') return 'postgres';
  } finally {
    await fh.close();
  }
  throw new BackupError(`${file} is not a backup made by traslado backup`);
}

async function postgresHasTables(databaseUrl: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const r = await client.query<{ n: number }>(
      `select count(*)::int as n from pg_class c join pg_namespace s on s.oid = c.relnamespace
       where c.relkind in ('r', 'p') and s.nspname not in ('pg_catalog', 'information_schema')
         and s.nspname not like 'pg_toast%'`,
    );
    return r.rows[0]?.n ?? 0;
  } finally {
    await client.end();
  }
}

export async function restoreDatabase(
  config: Config,
  file: string,
  opts: { force?: boolean } = {},
): Promise<{ kind: BackupKind; keptAt?: string }> {
  const kind = await kindOf(file);
  if (kind === 'postgres') {
    if (!config.databaseUrl) {
      throw new BackupError(
        `${file} is a PostgreSQL dump: set DATABASE_URL to the database to restore it into`,
      );
    }
    const tables = await postgresHasTables(config.databaseUrl);
    if (tables > 0 && !opts.force) {
      throw new BackupError(
        `the target database is not empty (${tables} tables): pass --force to replace its contents`,
      );
    }
    const { url, env } = pgConnection(config.databaseUrl);
    // A server still connected to the database would block the drops: fail rather than hang.
    env.PGOPTIONS = `${env.PGOPTIONS ?? ''} -c lock_timeout=60000`.trim();
    await runProgram(
      await pgProgram('pg_restore'),
      [
        '--clean',
        '--if-exists',
        '--single-transaction',
        '--exit-on-error',
        '--no-owner',
        '--no-privileges',
        `--dbname=${url}`,
        file,
      ],
      env,
    ).catch((err: Error) => {
      throw new BackupError(`${err.message}\nNothing was changed: the restore ran in one transaction.`);
    });
    return { kind };
  }

  if (config.databaseUrl) {
    throw new BackupError(
      `${file} is a backup of an embedded database: unset DATABASE_URL to restore it into a data folder (--data)`,
    );
  }
  const dir = config.dataDir;
  // Held from before the folder is looked at until the new one is in place: the lock is beside
  // the folder, so it covers the swap, and a folder a live process holds is refused even with --force.
  const lock = await lockForBackup(dir);
  try {
    return await restoreDataDir(dir, file, opts);
  } finally {
    lock.release();
  }
}

async function restoreDataDir(
  dir: string,
  file: string,
  opts: { force?: boolean },
): Promise<{ kind: BackupKind; keptAt?: string }> {
  const kind: BackupKind = 'pglite';
  const entries = await readdir(dir).catch(() => [] as string[]);
  if (entries.length > 0 && !opts.force) {
    throw new BackupError(`${dir} already holds a database: pass --force to replace it`);
  }
  // Unpacked here first: a damaged file is refused before anything is touched (PGlite's own
  // gunzip would fail outside any promise and take the process down).
  const tar = await promisify(gunzip)(await readFile(file)).catch((err: Error) => {
    throw new BackupError(`${file} is damaged (${err.message}); nothing was changed`);
  });
  const staging = `${dir}.restore-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  try {
    const pglite = await PGlite.create({
      dataDir: staging,
      loadDataDir: new Blob([tar]),
      ...startParamsFor(false),
    }).catch((err: Error) => {
      throw new BackupError(`${file} could not be unpacked (${err.message}); nothing was changed`);
    });
    try {
      // A backup that unpacks but is not ours (or is damaged inside) stops here too.
      await pglite.query('select count(*) from schema_migrations');
    } catch (err) {
      throw new BackupError(
        `${file} holds no Traslado database (${(err as Error).message}); nothing was changed`,
      );
    } finally {
      await pglite.close();
    }
    let keptAt: string | undefined;
    if (entries.length > 0) {
      keptAt = `${dir}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      await rename(dir, keptAt);
    } else {
      await rm(dir, { recursive: true, force: true });
    }
    try {
      await rename(staging, dir);
    } catch (err) {
      if (keptAt) await rename(keptAt, dir);
      throw err;
    }
    return { kind, ...(keptAt ? { keptAt } : {}) };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

export async function restoreCommand(file: string, opts: { data?: string; force?: boolean }) {
  const config = loadConfig(process.env, opts.data ? { dataDir: opts.data } : {});
  const t0 = performance.now();
  try {
    const { kind, keptAt } = await restoreDatabase(config, file, opts);
    const what = kind === 'pglite' ? `the embedded database ${config.dataDir}` : 'the PostgreSQL database';
    console.log(`restored ${what} from ${file} in ${Math.round(performance.now() - t0)} ms`);
    if (keptAt) console.log(`the replaced data folder is kept at ${keptAt} (delete it when satisfied)`);
  } catch (err) {
    if (!(err instanceof BackupError)) throw err;
    console.error(`restore failed: ${err.message}`);
    process.exitCode = 1;
  }
}
