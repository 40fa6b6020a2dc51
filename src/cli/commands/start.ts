import { readdir } from 'node:fs/promises';
import { buildApp } from '../../app.ts';
import { loadConfig } from '../../platform/config.ts';
import { DataFolderBusyError } from '../../platform/db/data-folder-lock.ts';
import { createLogger } from '../../platform/log.ts';
import { startQueue } from '../../platform/queue/queue.ts';
import { inSystemTransaction, openConfiguredDatabase } from '../../platform/runtime.ts';
import { shutDown } from '../../platform/shutdown.ts';
import { DEMO_LOGINS, DEMO_PASSWORD } from '../../seed/demo.ts';
import { findDemoTemplateDir } from '../../seed/demo-template.ts';
import { demoPartnerId, isSeeded, seedDemoOnce } from '../../seed/seed-once.ts';

export async function startCommand(opts: { port?: number; host?: string; data?: string; demo?: boolean }) {
  const t0 = performance.now();
  const mark = (label: string) => log.debug({ ms: Math.round(performance.now() - t0) }, label);
  const config = loadConfig(process.env, {
    ...(opts.port !== undefined ? { port: opts.port } : {}),
    ...(opts.host ? { host: opts.host } : {}),
    ...(opts.data ? { dataDir: opts.data } : {}),
  });
  const log = createLogger(config.logLevel);
  // An empty embedded folder starts as a copy of the ready-made demo when this code has one.
  const demoTemplate = opts.demo !== false && !config.databaseUrl ? await findDemoTemplateDir() : null;
  const fromDemoTemplate = !!demoTemplate && (await isEmptyDir(config.dataDir));
  mark(demoTemplate ? 'demo template found' : 'no demo template for this code');
  const handle = await openConfiguredDatabase(
    config,
    demoTemplate ? { templateDir: demoTemplate } : {},
  ).catch((err: unknown) => {
    if (!(err instanceof DataFolderBusyError)) throw err;
    console.error(`error: ${err.message}`);
    process.exit(1);
  });
  mark('database open');
  log.info({ database: handle.describe }, `database: ${handle.describe}`);
  let seeded = fromDemoTemplate;
  if (opts.demo !== false && !seeded && !(await isSeeded(handle.db))) {
    seeded = !!(await inSystemTransaction(handle, config, log, seedDemoOnce));
  }
  mark('seeded');
  const queue = await startQueue(handle, log);
  mark('queue started');
  const { app } = await buildApp({ handle, config, log, queue });
  mark('app built');
  let address: string;
  try {
    address = await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    console.error(
      code === 'EADDRINUSE'
        ? `Port ${config.port} on ${config.host} is already in use: stop the other server or pass --port.`
        : `Could not listen on ${config.host}:${config.port}: ${(err as Error).message}`,
    );
    await shutDown({
      app,
      queue,
      closeDatabase: () => handle.close(),
      timeoutMs: config.shutdownTimeoutMs,
      log,
    });
    process.exit(1);
  }
  const ms = Math.round(performance.now() - t0);
  // Plain lines on stdout for people and for scripts that wait for "listening on".
  console.log(`Traslado listening on ${address} (${handle.describe}) in ${ms} ms`);
  console.log(`  API reference: ${address}/docs   OpenAPI: ${address}/openapi.json`);
  if (opts.demo !== false) {
    console.log(
      `${seeded ? 'Demo data seeded.' : 'Demo data present.'} Demo logins (password "${DEMO_PASSWORD}"):`,
    );
    for (const l of DEMO_LOGINS) console.log(`  ${l.email.padEnd(30)} ${l.who}`);
    const partnerId = await demoPartnerId(handle.db);
    if (partnerId) console.log(`Demo partner id (for traslado plan --partner): ${partnerId}`);
  }
  let stopping = false;
  const stop = (signal: string) => {
    // A second signal does not cut the shutdown short: under `npm start`, Ctrl-C reaches this
    // process twice (from the terminal and forwarded by npm). The bounds below end it anyway.
    if (stopping) return log.info({ signal }, 'already shutting down');
    stopping = true;
    log.info({ signal, timeoutMs: config.shutdownTimeoutMs }, 'shutting down');
    // Each step is bounded; this is the backstop should one hang regardless.
    setTimeout(
      () => {
        log.error('shutdown did not finish in time; exiting');
        process.exit(1);
      },
      2 * config.shutdownTimeoutMs + 5000,
    ).unref();
    shutDown({ app, queue, closeDatabase: () => handle.close(), timeoutMs: config.shutdownTimeoutMs, log })
      .then(() => process.exit(0))
      .catch((err) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  // `npm start` runs this through `sh -c`, and Debian's sh (dash) neither execs it nor passes a
  // signal on: a SIGTERM to npm ends npm and the shell and left this server running, orphaned.
  // Under an npm script, losing the parent is therefore a stop signal too. (`exec` in the script
  // would do on POSIX shells only; npm on Windows runs scripts in cmd.exe.)
  if (process.env.npm_lifecycle_event) {
    const parent = process.ppid;
    const watch = setInterval(() => {
      if (process.ppid === parent) return;
      clearInterval(watch);
      stop('parent exited');
    }, 250).unref();
  }
}

async function isEmptyDir(dir: string): Promise<boolean> {
  return (await readdir(dir).catch(() => [] as string[])).length === 0;
}
