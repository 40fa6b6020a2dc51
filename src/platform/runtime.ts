import type { Logger } from 'pino';
import { PlatformClock } from './clock.ts';
import type { Config } from './config.ts';
import { openContext } from './context.ts';
import { type DatabaseHandle, openPGlite, openPostgres } from './db/connect.ts';
import { acquireDataFolderLock } from './db/data-folder-lock.ts';
import { migrate } from './db/migrate.ts';
import { adoptTemplateData, prepareSchema, seedDataDirFromTemplate } from './db/template.ts';
import { type Ctx, systemActor } from './http/context.ts';

/**
 * Opens the database the config names: PostgreSQL when DATABASE_URL is set, else the embedded
 * PGlite data folder, created from the migrated template when empty (or from `templateDir`, an
 * unpacked template of the same migration set, e.g. the demo one). Pending migrations run.
 * The embedded folder is locked before anything touches it and until the handle is closed: a
 * second opener throws DataFolderBusyError (PostgreSQL servers are shared, so no lock there).
 */
export async function openConfiguredDatabase(
  config: Config,
  opts: { templateDir?: string } = {},
): Promise<DatabaseHandle> {
  if (config.databaseUrl) {
    const handle = openPostgres(config.databaseUrl);
    await prepareSchema(handle);
    return handle;
  }
  const lock = await acquireDataFolderLock(config.dataDir);
  let handle: DatabaseHandle | undefined;
  try {
    const fresh = await seedDataDirFromTemplate(config.dataDir, opts.templateDir);
    handle = await openPGlite({ dataDir: config.dataDir, lock });
    // A folder just copied from a template of this migration set has nothing pending (~0.1 s saved).
    if (!fresh) await migrate(handle);
    // Data that came with the template (the demo) is dated from when the template was built.
    const clock = new PlatformClock(handle.db);
    await clock.refresh(true);
    await adoptTemplateData(handle.db, clock.now());
    return handle;
  } catch (err) {
    try {
      await handle?.close();
    } finally {
      lock.release();
    }
    throw err;
  }
}

/** A context for work outside a request (CLI, seed, jobs): the system actor, one transaction. */
export async function inSystemTransaction<T>(
  handle: DatabaseHandle,
  config: Config,
  log: Logger,
  fn: (ctx: Ctx) => Promise<T>,
): Promise<T> {
  const clock = new PlatformClock(handle.db);
  await clock.refresh(true);
  return openContext(
    {
      db: handle.db,
      clock,
      actor: systemActor(),
      requestId: `cli-${process.pid}-${Date.now()}`,
      log,
      config,
    },
    fn,
  );
}
