import { createHash } from 'node:crypto';
import { access, cp, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PROJECT_ROOT } from '../paths.ts';
import { installQueueSchema } from '../queue/queue.ts';
import { type DatabaseHandle, openPGlite } from './connect.ts';
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
  const p = await PGlite.create({ dataDir: tmp, loadDataDir: blob });
  await p.close();
  await rename(tmp, dir).catch(async () => rm(tmp, { recursive: true, force: true }));
  return dir;
}

/** Fills an empty (or missing) data folder from the unpacked template; leaves a used one alone. */
export async function seedDataDirFromTemplate(dataDir: string): Promise<boolean> {
  const entries = await readdir(dataDir).catch(() => [] as string[]);
  if (entries.length > 0) return false;
  await mkdir(dataDir, { recursive: true });
  await cp(await ensurePGliteTemplateDir(), dataDir, { recursive: true });
  return true;
}
