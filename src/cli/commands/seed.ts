import { InvalidArgumentError } from 'commander';
import { loadConfig } from '../../platform/config.ts';
import { createLogger } from '../../platform/log.ts';
import { inSystemTransaction, openConfiguredDatabase } from '../../platform/runtime.ts';
import { SCALE_PASSWORD, seedScale } from '../../seed/scale.ts';
import { demoPartnerId, isSeeded, seedDemoOnce } from '../../seed/seed-once.ts';
import { printCliError, startProgress } from '../progress.ts';

/** `--scale customers=N`: the only size there is today. */
export function parseScale(value: string): { customers: number } {
  const m = /^customers=(\d+)$/.exec(value.trim());
  const customers = Number(m?.[1]);
  if (!m || !Number.isInteger(customers) || customers < 1 || customers > 1_000_000)
    throw new InvalidArgumentError('expected customers=N (1 to 1,000,000)');
  return { customers };
}

async function runSeedCommand(opts: {
  demo?: boolean;
  scale?: { customers: number };
  seed?: number;
  data?: string;
}) {
  const config = loadConfig(process.env, opts.data ? { dataDir: opts.data } : {});
  const log = createLogger('warn');
  if (!opts.demo && !opts.scale) {
    console.error('nothing to do: pass --demo or --scale customers=N');
    process.exitCode = 2;
    return;
  }
  const handle = await openConfiguredDatabase(config);
  try {
    if (opts.demo) {
      if (await isSeeded(handle.db)) {
        console.log('demo data already present; nothing changed');
      } else {
        await inSystemTransaction(handle, config, log, seedDemoOnce);
        console.log(
          `demo data seeded on ${handle.describe}; demo partner id: ${await demoPartnerId(handle.db)}`,
        );
      }
    }
    if (opts.scale) {
      const started = Date.now();
      const progress = startProgress('seeding');
      const result = await seedScale(handle.db, {
        customers: opts.scale.customers,
        seed: opts.seed ?? 1,
        config,
        onProgress: (done, total) => progress.update(done, total),
      });
      progress.stop();
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      console.log(
        result.created
          ? `scale book seeded on ${handle.describe} in ${seconds} s: ${result.tenants} customers, ${result.subscriptions} subscriptions, ${result.users} users, ${result.assignments} licenses assigned`
          : `scale book of seed ${opts.seed ?? 1} already present; nothing changed (${result.tenants} customers, ${result.subscriptions} subscriptions, ${result.users} users)`,
      );
      console.log(
        `scale partner id: ${result.partnerId}; sign in as ${result.adminEmail} / ${SCALE_PASSWORD}`,
      );
    }
  } finally {
    await handle.close();
  }
}

export const seedCommand = (opts: Parameters<typeof runSeedCommand>[0]) =>
  runSeedCommand(opts).catch(printCliError);
