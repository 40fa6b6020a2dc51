import type { Logger } from 'pino';
import { registerAudit } from './modules/audit/audit.routes.ts';
import { registerAuth } from './modules/auth/auth.routes.ts';
import { registerClock } from './modules/clock/clock.routes.ts';
import { registerPartners } from './modules/partners/partners.routes.ts';
import { canSeeTenant } from './modules/relationships/relationships.scope.ts';
import { registerTenants } from './modules/tenants/tenants.routes.ts';
import { PlatformClock } from './platform/clock.ts';
import type { Config } from './platform/config.ts';
import type { DatabaseHandle } from './platform/db/connect.ts';
import { createServer, type ServerDeps } from './platform/http/server.ts';

/**
 * The composition root: the one file that knows every module. Each module exports a
 * `register…(app, deps)`; add new ones here.
 */
export async function buildApp(opts: {
  handle: DatabaseHandle;
  config: Config;
  log: Logger;
  clock?: PlatformClock;
}) {
  const clock = opts.clock ?? new PlatformClock(opts.handle.db);
  await clock.refresh(true);
  const deps: ServerDeps = { handle: opts.handle, clock, config: opts.config, log: opts.log, canSeeTenant };
  const { app, routes } = await createServer(deps);

  app.get(
    '/healthz',
    { config: { public: true }, schema: { tags: ['platform'], summary: 'Liveness', security: [] } },
    async () => ({ status: 'ok' }),
  );
  registerAuth(app, deps);
  registerPartners(app, deps);
  registerTenants(app, deps);
  registerAudit(app, deps);
  registerClock(app, deps);

  await app.ready();
  return { app, deps, routes };
}
