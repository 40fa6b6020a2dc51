import { createHash } from 'node:crypto';
import { readdir, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AZURE_LIFECYCLE_QUEUE } from '../modules/azure/azure.jobs.ts';
import { INVOICE_CLOSE_QUEUE } from '../modules/billing/billing.jobs.ts';
import { REMINDERS_QUEUE } from '../modules/delegated-admin/delegated-admin.jobs.ts';
import { SEAT_GRACE_QUEUE } from '../modules/licenses/licenses.jobs.ts';
import { BILLING_SWEEP_QUEUE } from '../modules/subscriptions/subscriptions.jobs.ts';
import { TRANSFER_EXPIRY_QUEUE } from '../modules/transfers/transfers.jobs.ts';
import { RUN_QUEUE, TICK_QUEUE } from '../modules/transitions/transitions.jobs.ts';
import { EVENTS_QUEUE, EVENTS_QUEUE_OPTIONS } from '../modules/webhooks/webhooks.jobs.ts';
import { loadConfig } from '../platform/config.ts';
import { openPGlite } from '../platform/db/connect.ts';
import {
  CACHE_DIR,
  copyDataDir,
  ensurePGliteTemplateDir,
  isTemplateDir,
  markTemplateData,
  templateKey,
} from '../platform/db/template.ts';
import { createLogger } from '../platform/log.ts';
import { PROJECT_ROOT } from '../platform/paths.ts';
import { startQueue, stopQueue } from '../platform/queue/queue.ts';
import { inSystemTransaction } from '../platform/runtime.ts';
import { CLASSES_CSV, REFERENCE_CSV } from './demo.ts';
import { seedDemoOnce } from './seed-once.ts';

/**
 * The embedded demo, ready-made: the migrated template with the demo seeded and the job queues
 * created, built at install (`traslado prepare-template`). A first `traslado start` copies it
 * instead of seeding (argon2 hashes, the 1 MB catalog CSV, ~1 s) and the data is moved to the
 * present when the copy is first opened (`adoptTemplateData`).
 *
 * Its key covers the schema template, the code this process runs (the bundle when it runs from
 * dist/, else every source file) and the reference CSV: any edit may change what the seed makes,
 * so an edited checkout seeds at start until the template is rebuilt.
 */
async function codeFiles(): Promise<string[]> {
  const self = fileURLToPath(import.meta.url);
  // Hashing the one bundle costs a few ms; reading ~200 sources is ~20 ms idle, 0.2 s under load.
  if (basename(dirname(self)) === 'dist' && self.endsWith('.mjs')) return [self];
  const entries = await readdir(join(PROJECT_ROOT, 'src'), { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && !e.name.endsWith('.test.ts'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/**
 * Every queue the server creates at start (app.ts: each module's register…Jobs), with the same
 * options: one missing here is created at every first start instead (~0.4 s each on PGlite).
 * `test/e2e/template-queues.test.ts` checks the list against the queues a server creates.
 */
export const TEMPLATE_QUEUES: [string, { name: string; policy: 'stately' } | undefined][] = [
  [RUN_QUEUE, undefined],
  [TICK_QUEUE, undefined],
  [REMINDERS_QUEUE, undefined],
  [SEAT_GRACE_QUEUE, undefined],
  [INVOICE_CLOSE_QUEUE, undefined],
  [AZURE_LIFECYCLE_QUEUE, undefined],
  [TRANSFER_EXPIRY_QUEUE, undefined],
  [BILLING_SWEEP_QUEUE, undefined],
  [EVENTS_QUEUE, EVENTS_QUEUE_OPTIONS],
];

export async function demoTemplateKey(): Promise<string> {
  const h = createHash('sha256').update(await templateKey());
  const files = [...(await codeFiles()), REFERENCE_CSV, CLASSES_CSV];
  const contents = await Promise.all(files.map((f) => readFile(f)));
  files.forEach((f, i) => {
    h.update(f.slice(PROJECT_ROOT.length)).update(contents[i]!);
  });
  return h.digest('hex').slice(0, 16);
}

export async function demoTemplateDir(): Promise<string> {
  return join(CACHE_DIR, `pglite-demo-${await demoTemplateKey()}.d`);
}

/** The ready-made demo for this code, or null when it has not been built (then the start seeds). */
export async function findDemoTemplateDir(): Promise<string | null> {
  const dir = await demoTemplateDir();
  return (await isTemplateDir(dir)) ? dir : null;
}

/** Builds the demo template unless this code has one; removes demo templates of older code. */
export async function ensureDemoTemplateDir(): Promise<string> {
  const dir = await demoTemplateDir();
  if (await isTemplateDir(dir)) return dir;
  const tmp = `${dir}.${process.pid}.tmp`;
  await rm(tmp, { recursive: true, force: true });
  await copyDataDir(await ensurePGliteTemplateDir(), tmp);
  const handle = await openPGlite({ dataDir: tmp });
  try {
    const config = loadConfig(process.env, { dataDir: tmp });
    const log = createLogger('silent');
    const seededAt = await inSystemTransaction(handle, config, log, async (ctx) => {
      await seedDemoOnce(ctx);
      return ctx.clock.now();
    });
    // After the seed's commit: the marker lists the tables holding rows, and the seed's audit rows
    // are written just before its commit. (A build that stops here leaves only its .tmp folder.)
    await markTemplateData(handle.db, seededAt);
    // Creating a queue's partition costs ~0.4 s on PGlite; the server's createQueue then finds it.
    const queue = await startQueue(handle, log);
    for (const [name, options] of TEMPLATE_QUEUES) await queue.createQueue(name, options);
    await stopQueue(queue);
    // PGlite serves one database: without the template databases, a first start copies half the files.
    await handle.executeSql(
      "update pg_database set datistemplate = false where datname in ('template0', 'template1')",
    );
    for (const name of ['template0', 'template1']) await handle.executeSql(`drop database ${name}`);
  } finally {
    await handle.close();
  }
  await rename(tmp, dir).catch(async () => rm(tmp, { recursive: true, force: true }));
  const stale = (await readdir(CACHE_DIR)).filter(
    (n) => /^pglite-demo-[0-9a-f]{16}\.d$/.test(n) && join(CACHE_DIR, n) !== dir,
  );
  await Promise.all(stale.map((n) => rm(join(CACHE_DIR, n), { recursive: true, force: true })));
  return dir;
}
