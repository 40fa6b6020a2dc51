import pg from 'pg';
import { type DatabaseHandle, openPostgres } from '../src/platform/db/connect.ts';
import { prepareSchema } from '../src/platform/db/template.ts';

/** The server the bench runs on: DATABASE_URL, TEST_DATABASE_URL, or the local one. */
export function serverUrl(): string {
  return (
    process.env.DATABASE_URL || process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres'
  );
}

export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export interface BenchDatabase {
  name: string;
  url: string;
  handle: DatabaseHandle;
  serverVersion: string;
  drop(): Promise<void>;
}

/** A throwaway database `traslado_bench_<pid>`, migrated; `drop()` removes it whatever happened. */
export async function createBenchDatabase(): Promise<BenchDatabase> {
  const name = `traslado_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: serverUrl() });
  await admin.connect();
  let serverVersion = '';
  try {
    serverVersion = (await admin.query<{ server_version: string }>('show server_version')).rows[0]!
      .server_version;
    await admin.query(`drop database if exists ${name}`);
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(serverUrl(), name);
  const handle = openPostgres(url, { max: 10 });
  await prepareSchema(handle);
  let dropped = false;
  return {
    name,
    url,
    handle,
    serverVersion,
    drop: async () => {
      if (dropped) return;
      dropped = true;
      await handle.close().catch(() => {});
      const a = new pg.Client({ connectionString: serverUrl() });
      await a.connect();
      try {
        await a
          .query(`drop database if exists ${name} with (force)`)
          .catch(() => a.query(`drop database if exists ${name}`));
      } finally {
        await a.end();
      }
    },
  };
}
