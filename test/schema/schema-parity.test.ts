import { sql } from 'kysely';
import { expect, it } from 'vitest';
import type { Db } from '../../src/platform/db/database.ts';
import { ensurePGliteTemplate } from '../../src/platform/db/template.ts';
import { ensurePostgresTemplate, openTestDatabase } from '../fixtures/databases.ts';

/** The same migrations must yield the same schema on embedded PGlite and on the PostgreSQL server. */
async function schemaDump(db: Db) {
  const columns = await sql<{ t: string; c: string; type: string; nullable: string; def: string | null }>`
    select table_name as t, column_name as c, data_type as type, is_nullable as nullable, column_default as def
    from information_schema.columns where table_schema = 'public' order by table_name, column_name`.execute(
    db,
  );
  const indexes = await sql<{ indexdef: string }>`
    select indexdef from pg_indexes where schemaname = 'public' order by indexname`.execute(db);
  // PostgreSQL 18 (PGlite) also lists NOT NULL as constraints (contype 'n'); columns already say that.
  const constraints = await sql<{ name: string; def: string }>`
    select conname as name, pg_get_constraintdef(oid) as def from pg_constraint
    where connamespace = 'public'::regnamespace and contype <> 'n' order by conname`.execute(db);
  const queueTables = await sql<{ n: number }>`
    select count(*)::int as n from information_schema.tables where table_schema = 'pgboss'`.execute(db);
  return {
    columns: columns.rows,
    indexes: indexes.rows,
    constraints: constraints.rows,
    queueTables: queueTables.rows[0]?.n,
  };
}

/** A fresh copy of each database for `fn` (either project may run this file alone: both templates made). */
async function onBoth(fn: (lite: Db, server: Db) => Promise<void>) {
  await ensurePGliteTemplate();
  await ensurePostgresTemplate();
  const lite = await openTestDatabase('pglite');
  const server = await openTestDatabase('postgres');
  try {
    await fn(lite.handle.db, server.handle.db);
  } finally {
    await lite.drop();
    await server.drop();
  }
}

it('migrates PGlite and PostgreSQL to the same schema', () =>
  onBoth(async (lite, server) => {
    const a = await schemaDump(lite);
    const b = await schemaDump(server);
    expect(a.columns.length).toBeGreaterThan(40);
    expect(a.queueTables).toBeGreaterThan(0);
    expect(a).toEqual(b);
  }));

/** How a column's long values are compressed: 'l' lz4, 'p' pglz, '' the server's default (pglz). */
async function compressionOf(db: Db, table: string, column: string) {
  const r = await sql<{ c: string }>`
    select attcompression::text as c from pg_attribute
    where attrelid = ${table}::regclass and attname = ${column}`.execute(db);
  return r.rows[0]?.c;
}

it('compresses plans with lz4 on the server, and leaves PGlite (built without lz4) on its default', () =>
  onBoth(async (lite, server) => {
    expect(await compressionOf(server, 'transitions', 'plan')).toBe('l');
    expect(await compressionOf(lite, 'transitions', 'plan')).toBe('');
  }));
