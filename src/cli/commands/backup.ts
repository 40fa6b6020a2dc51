import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { Command } from 'commander';
import { type Config, loadConfig } from '../../platform/config.ts';
import { startParamsFor } from '../../platform/db/connect.ts';
import {
  acquireDataFolderLock,
  DataFolderBusyError,
  type DataFolderLock,
} from '../../platform/db/data-folder-lock.ts';

/**
 * `traslado backup --out FILE` and `traslado restore FILE` (restore.ts), for both databases:
 * - embedded PGlite: the data folder as PGlite's own `dumpDataDir` tarball (gzip). PGlite is one
 *   process's database, so the server must be stopped: the folder is opened under its lock
 *   (data-folder-lock.ts), and a folder another process holds is refused.
 * - PostgreSQL server (DATABASE_URL): `pg_dump --format=custom`, a consistent snapshot taken while
 *   servers keep running; `pg_restore` reads it.
 * The file appears under its name only when complete (written aside, then renamed).
 */
export type BackupKind = 'pglite' | 'postgres';

export class BackupError extends Error {}

/** The lock of an embedded data folder, or a BackupError naming the process that holds it. */
export async function lockForBackup(dataDir: string): Promise<DataFolderLock> {
  return acquireDataFolderLock(dataDir).catch((err: unknown) => {
    throw err instanceof DataFolderBusyError ? new BackupError(err.message) : err;
  });
}

/**
 * A PostgreSQL client program: TRASLADO_PG_BIN_DIR, else the newest /usr/lib/postgresql/<v>/bin
 * (Debian's layout; a newer pg_dump reads an older server, never the reverse), else PATH.
 */
export async function pgProgram(name: 'pg_dump' | 'pg_restore', env = process.env): Promise<string> {
  const dirs: string[] = [];
  if (env.TRASLADO_PG_BIN_DIR) dirs.push(env.TRASLADO_PG_BIN_DIR);
  const versions = await readdir('/usr/lib/postgresql').catch(() => [] as string[]);
  for (const v of versions.filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a))) {
    dirs.push(`/usr/lib/postgresql/${v}/bin`);
  }
  dirs.push(...(env.PATH ?? '').split(delimiter).filter(Boolean));
  for (const dir of dirs) {
    const path = join(dir, name);
    if (
      await access(path, constants.X_OK).then(
        () => true,
        () => false,
      )
    )
      return path;
  }
  throw new BackupError(
    `${name} was not found (looked in TRASLADO_PG_BIN_DIR, /usr/lib/postgresql/*/bin and PATH): ` +
      'install the PostgreSQL client tools (e.g. apt install postgresql-client), or set TRASLADO_PG_BIN_DIR.',
  );
}

/**
 * The connection for a client program: the password goes in PGPASSWORD, not on the command line,
 * where `ps` would show it to every user of the machine.
 */
export function pgConnection(databaseUrl: string): { url: string; env: NodeJS.ProcessEnv } {
  const u = new URL(databaseUrl);
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (u.password) {
    env.PGPASSWORD = decodeURIComponent(u.password);
    u.password = '';
  }
  return { url: u.toString(), env };
}

/** Runs a client program; resolves with its stderr, rejects with it when the exit code is not 0. */
export function runProgram(path: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(path, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr = (stderr + String(d)).slice(-8000);
    });
    child.once('error', (err) => reject(new BackupError(`${path}: ${err.message}`)));
    child.once('exit', (code, signal) => {
      if (code === 0) resolve(stderr);
      else reject(new BackupError(`${path} failed (${signal ?? `exit ${code}`}): ${stderr.trim()}`));
    });
  });
}

export async function backupDatabase(
  config: Config,
  out: string,
): Promise<{ kind: BackupKind; bytes: number }> {
  const partial = `${out}.partial-${process.pid}`;
  try {
    let kind: BackupKind;
    if (config.databaseUrl) {
      kind = 'postgres';
      const { url, env } = pgConnection(config.databaseUrl);
      await runProgram(
        await pgProgram('pg_dump'),
        ['--format=custom', `--file=${partial}`, `--dbname=${url}`],
        env,
      );
    } else {
      kind = 'pglite';
      const dir = config.dataDir;
      if (
        !(await access(join(dir, 'PG_VERSION')).then(
          () => true,
          () => false,
        ))
      ) {
        throw new BackupError(`there is no embedded database at ${dir} (set --data or TRASLADO_DATA_DIR)`);
      }
      const lock = await lockForBackup(dir);
      try {
        const pglite = await PGlite.create({ dataDir: dir, ...startParamsFor(false) });
        try {
          const blob = await pglite.dumpDataDir('gzip');
          await writeFile(partial, Buffer.from(await blob.arrayBuffer()));
        } finally {
          await pglite.close();
        }
      } finally {
        lock.release();
      }
    }
    await rename(partial, out);
    return { kind, bytes: (await stat(out)).size };
  } finally {
    await rm(partial, { force: true });
  }
}

export async function backupCommand(opts: { out: string; data?: string }) {
  const config = loadConfig(process.env, opts.data ? { dataDir: opts.data } : {});
  const t0 = performance.now();
  try {
    const { kind, bytes } = await backupDatabase(config, opts.out);
    const what = kind === 'pglite' ? `embedded database ${config.dataDir}` : 'PostgreSQL database';
    console.log(
      `backed up the ${what} to ${opts.out} (${(bytes / 1_048_576).toFixed(1)} MiB in ${Math.round(performance.now() - t0)} ms)`,
    );
  } catch (err) {
    if (!(err instanceof BackupError)) throw err;
    console.error(`backup failed: ${err.message}`);
    process.exitCode = 1;
  }
}

/** The two commands, for src/cli/main.ts. */
export function registerBackupCommands(program: Command) {
  program
    .command('backup')
    .description(
      'back up the database to a file: the embedded data folder (stop the server first) or, with DATABASE_URL, a pg_dump custom-format dump',
    )
    .requiredOption('--out <file>', 'the backup file to write')
    .option('--data <dir>', 'embedded database folder')
    .action(backupCommand);
  program
    .command('restore')
    .description(
      'restore a backup made by traslado backup; refuses a database that holds data unless --force, and never leaves it half restored',
    )
    .argument('<file>', 'a file written by traslado backup')
    .option('--data <dir>', 'embedded database folder')
    .option('--force', 'replace a database that is not empty')
    // Loaded on use: restore.ts builds on this file's helpers.
    .action(async (file: string, opts: { data?: string; force?: boolean }) =>
      (await import('./restore.ts')).restoreCommand(file, opts),
    );
}
