import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installQueueSchema } from '../queue/queue.ts';
import { type DatabaseHandle, openPGlite } from './connect.ts';
import { loadMigrations, migrate } from './migrate.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
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
