import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../paths.ts';
import type { DatabaseHandle, ExecuteSql } from './connect.ts';

export const MIGRATIONS_DIR = join(PROJECT_ROOT, 'migrations/');

export interface Migration {
  version: string;
  sql: string;
}

export async function loadMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => /^\d{4}_.+\.sql$/.test(f)).sort();
  return Promise.all(
    files.map(async (f) => ({ version: f.replace(/\.sql$/, ''), sql: await readFile(dir + f, 'utf8') })),
  );
}

/**
 * Applies pending migrations, each in its own transaction. On a server, a session advisory
 * lock on one dedicated connection makes processes starting together take turns.
 */
export async function migrate(handle: DatabaseHandle, migrations?: Migration[]): Promise<string[]> {
  const all = migrations ?? (await loadMigrations());
  if (handle.pool) {
    const client = await handle.pool.connect();
    try {
      await client.query('select pg_advisory_lock(7331001)');
      const exec: ExecuteSql = async (text, values) => {
        const res = await client.query(text, values && values.length > 0 ? values : undefined);
        const last = Array.isArray(res) ? res[res.length - 1] : res;
        return { rows: last?.rows ?? [] };
      };
      return await applyPending(exec, all);
    } finally {
      await client.query('select pg_advisory_unlock(7331001)').catch(() => {});
      client.release();
    }
  }
  return applyPending(handle.executeSql, all);
}

async function applyPending(exec: ExecuteSql, all: Migration[]): Promise<string[]> {
  await exec(
    'create table if not exists schema_migrations (version text primary key, applied_at timestamptz not null default now())',
  );
  const done = new Set(
    (await exec('select version from schema_migrations')).rows.map((r) => (r as { version: string }).version),
  );
  const applied: string[] = [];
  for (const m of all) {
    if (done.has(m.version)) continue;
    try {
      await exec(
        `begin;\n${m.sql}\n;insert into schema_migrations (version) values ('${m.version.replace(/'/g, "''")}');\ncommit;`,
      );
    } catch (err) {
      await exec('rollback').catch(() => {});
      throw new Error(`migration ${m.version} failed: ${(err as Error).message}`);
    }
    applied.push(m.version);
  }
  return applied;
}
