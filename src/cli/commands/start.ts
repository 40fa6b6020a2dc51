import { buildApp } from '../../app.ts';
import { loadConfig } from '../../platform/config.ts';
import { createLogger } from '../../platform/log.ts';
import { inSystemTransaction, openConfiguredDatabase } from '../../platform/runtime.ts';
import { DEMO_LOGINS, DEMO_PASSWORD } from '../../seed/demo.ts';
import { isSeeded, seedDemoOnce } from '../../seed/seed-once.ts';

export async function startCommand(opts: { port?: number; host?: string; data?: string; demo?: boolean }) {
  const t0 = performance.now();
  const config = loadConfig(process.env, {
    ...(opts.port !== undefined ? { port: opts.port } : {}),
    ...(opts.host ? { host: opts.host } : {}),
    ...(opts.data ? { dataDir: opts.data } : {}),
  });
  const log = createLogger(config.logLevel);
  const handle = await openConfiguredDatabase(config);
  log.info({ database: handle.describe }, `database: ${handle.describe}`);
  let seeded = false;
  if (opts.demo !== false && !(await isSeeded(handle.db))) {
    seeded = !!(await inSystemTransaction(handle, config, log, seedDemoOnce));
  }
  const { app } = await buildApp({ handle, config, log });
  const address = await app.listen({ port: config.port, host: config.host });
  const ms = Math.round(performance.now() - t0);
  // Plain lines on stdout for people and for scripts that wait for "listening on".
  console.log(`Traslado listening on ${address} (${handle.describe}) in ${ms} ms`);
  console.log(`  API reference: ${address}/docs   OpenAPI: ${address}/openapi.json`);
  if (opts.demo !== false) {
    console.log(
      `${seeded ? 'Demo data seeded.' : 'Demo data present.'} Demo logins (password "${DEMO_PASSWORD}"):`,
    );
    for (const l of DEMO_LOGINS) console.log(`  ${l.email.padEnd(30)} ${l.who}`);
  }
  const stop = async (signal: string) => {
    log.info({ signal }, 'shutting down');
    await app.close();
    await handle.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}
