import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { access, cp, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'kysely';
import { PROJECT_ROOT } from '../paths.ts';
import { installQueueSchema } from '../queue/queue.ts';
import { type DatabaseHandle, openPGlite, startParamsFor } from './connect.ts';
import type { Db, Trx } from './database.ts';
import { loadMigrations, migrate } from './migrate.ts';

const ROOT = PROJECT_ROOT;
export const CACHE_DIR = join(ROOT, '.cache');

/**
 * PGlite's initdb costs 5–8 s here, so an empty embedded database is never created on the
 * request path: a migrated template (schema + queue schema) is dumped once per migration set,
 * at install time, and every new data folder or test database starts from a copy of it.
 */
export async function templateKey(): Promise<string> {
  const migrations = await loadMigrations();
  const pkg = await readFile(join(ROOT, 'node_modules/pg-boss/package.json'), 'utf8').catch(() => '');
  const h = createHash('sha256');
  for (const m of migrations) h.update(m.version).update(m.sql);
  h.update(pkg);
  return h.digest('hex').slice(0, 16);
}

export async function templatePath(): Promise<string> {
  return join(CACHE_DIR, `pglite-template-${await templateKey()}.tar.gz`);
}

/** Returns the template tarball, building it first if this migration set has none yet. */
export async function ensurePGliteTemplate(): Promise<Blob> {
  const path = await templatePath();
  try {
    return new Blob([await readFile(path)]);
  } catch {
    // build below
  }
  const handle = await openPGlite();
  try {
    await prepareSchema(handle);
    const blob = await handle.pglite!.dumpDataDir('gzip');
    await mkdir(dirname(path), { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, Buffer.from(await blob.arrayBuffer()));
    await rename(tmp, path);
    return blob;
  } finally {
    await handle.close();
  }
}

/** Migrations plus the job queue's own schema. */
export async function prepareSchema(handle: DatabaseHandle): Promise<void> {
  await migrate(handle);
  await installQueueSchema(handle);
}

/**
 * The template unpacked as a data folder. Copying it and opening the copy costs about half of
 * loading the tarball into a new folder, which is what makes the first `traslado start` quick.
 */
export async function ensurePGliteTemplateDir(): Promise<string> {
  const dir = (await templatePath()).replace(/\.tar\.gz$/, '.d');
  try {
    await access(join(dir, 'PG_VERSION'));
    return dir;
  } catch {
    // build below
  }
  const blob = await ensurePGliteTemplate();
  const tmp = `${dir}.${process.pid}.tmp`;
  await rm(tmp, { recursive: true, force: true });
  const p = await PGlite.create({ dataDir: tmp, loadDataDir: blob, ...startParamsFor(false) });
  await p.close();
  await rename(tmp, dir).catch(async () => rm(tmp, { recursive: true, force: true }));
  return dir;
}

/** Whether an unpacked template folder is complete (folders are renamed into place when whole). */
export async function isTemplateDir(dir: string): Promise<boolean> {
  return access(join(dir, 'PG_VERSION')).then(
    () => true,
    () => false,
  );
}

const run = promisify(execFile);

/**
 * Copies a data folder. Node's `fs.cp` walks the ~1,100 files of a PostgreSQL folder one at a
 * time (0.7–1 s here); the system `cp` does it in ~60 ms, so it is used where there is one.
 */
export async function copyDataDir(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true });
  if (process.platform !== 'win32') {
    try {
      await run('cp', ['-R', `${from}/.`, to]);
      return;
    } catch {
      // no usable cp: fall back to Node's copy below
    }
  }
  await cp(from, to, { recursive: true });
}

/**
 * Fills an empty (or missing) data folder from an unpacked template (by default the migrated
 * schema template); leaves a used one alone. True when it copied.
 */
export async function seedDataDirFromTemplate(dataDir: string, templateDir?: string): Promise<boolean> {
  const entries = await readdir(dataDir).catch(() => [] as string[]);
  if (entries.length > 0) return false;
  await copyDataDir(templateDir ?? (await ensurePGliteTemplateDir()), dataDir);
  return true;
}

/**
 * A template may carry data made when it was built (the demo). Its dates are relative to that
 * moment, so a folder made from it is moved to the present on first open: every timestamptz of
 * every public table holding rows (the migration log aside) moves by the time since the build, in
 * one transaction that also removes the marker, as if the data had been made just now.
 */
export const TEMPLATE_DATA_MARKER = 'template-data';

interface TemplateDataMarker {
  madeAt: string;
  /** The tables holding rows when the template was built, with their timestamptz columns. */
  tables?: Record<string, string[]>;
}

async function timestampColumns(db: Db | Trx): Promise<Record<string, string[]>> {
  const cols = await sql<{ table: string; column: string }>`
    select c.relname as table, a.attname as column
      from pg_attribute a
      join pg_class c on c.oid = a.attrelid
      join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition
       and a.attnum > 0 and not a.attisdropped and a.atttypid = 'timestamptz'::regtype
       and c.relname <> 'schema_migrations'
     order by 1, 2`.execute(db);
  const byTable: Record<string, string[]> = {};
  for (const { table, column } of cols.rows) byTable[table] = [...(byTable[table] ?? []), column];
  return byTable;
}

/** Marks the data in a template being built as made at `madeAt` (call it last, in the same transaction). */
export async function markTemplateData(db: Db | Trx, madeAt: Date): Promise<void> {
  const tables: Record<string, string[]> = {};
  for (const [table, columns] of Object.entries(await timestampColumns(db))) {
    const any = await sql`select 1 from ${sql.table(table)} limit 1`.execute(db);
    if (any.rows.length > 0) tables[table] = columns;
  }
  const marker: TemplateDataMarker = { madeAt: madeAt.toISOString(), tables };
  await db
    .insertInto('platform_settings')
    .values({ key: TEMPLATE_DATA_MARKER, value: JSON.stringify(marker) })
    .execute();
}

export async function adoptTemplateData(db: Db, now: Date): Promise<boolean> {
  const row = await db
    .selectFrom('platform_settings')
    .select('value')
    .where('key', '=', TEMPLATE_DATA_MARKER)
    .executeTakeFirst();
  if (!row) return false;
  const marker = row.value as TemplateDataMarker;
  const deltaMs = now.getTime() - new Date(marker.madeAt).getTime();
  await db.transaction().execute(async (trx) => {
    // Only dates change, no key: no foreign key needs checking, and nothing has signed in to be
    // told of a change (the sign-in cache starts later). Skipping the triggers for this transaction
    // (foreign-key checks and migration 0027's notices) made it 2-5× faster on PGlite.
    await sql`set local session_replication_role = replica`.execute(trx);
    // The build listed the tables with rows: a first start updates those only (~0.3 s less on PGlite).
    const tables = marker.tables ?? (await timestampColumns(trx));
    for (const [table, columns] of Object.entries(tables)) {
      const sets = columns.map(
        (c) => sql`${sql.ref(c)} = ${sql.ref(c)} + ${deltaMs}::float8 * interval '1 millisecond'`,
      );
      await sql`update ${sql.table(table)} set ${sql.join(sets)}`.execute(trx);
    }
    await trx.deleteFrom('platform_settings').where('key', '=', TEMPLATE_DATA_MARKER).execute();
  });
  return true;
}
