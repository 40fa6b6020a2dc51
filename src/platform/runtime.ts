import type { Logger } from 'pino';
import { fixedClock, PlatformClock } from './clock.ts';
import type { Config } from './config.ts';
import { type DatabaseHandle, openPGlite, openPostgres } from './db/connect.ts';
import { migrate } from './db/migrate.ts';
import { prepareSchema, seedDataDirFromTemplate } from './db/template.ts';
import { type Ctx, systemActor } from './http/context.ts';

/**
 * Opens the database the config names: PostgreSQL when DATABASE_URL is set, else the embedded
 * PGlite data folder, created from the migrated template when empty. Pending migrations run.
 */
export async function openConfiguredDatabase(config: Config): Promise<DatabaseHandle> {
  if (config.databaseUrl) {
    const handle = openPostgres(config.databaseUrl);
    await prepareSchema(handle);
    return handle;
  }
  await seedDataDirFromTemplate(config.dataDir);
  const handle = await openPGlite({ dataDir: config.dataDir });
  await migrate(handle);
  return handle;
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
  const now = clock.now();
  return handle.db.transaction().execute((trx) =>
    fn({
      db: trx,
      clock: fixedClock(now),
      actor: systemActor(),
      requestId: `cli-${process.pid}-${Date.now()}`,
      log,
      config,
    }),
  );
}
