import { loadConfig } from '../../platform/config.ts';
import { createLogger } from '../../platform/log.ts';
import { inSystemTransaction, openConfiguredDatabase } from '../../platform/runtime.ts';
import { demoPartnerId, isSeeded, seedDemoOnce } from '../../seed/seed-once.ts';

export async function seedCommand(opts: { demo?: boolean; data?: string }) {
  const config = loadConfig(process.env, opts.data ? { dataDir: opts.data } : {});
  const log = createLogger('warn');
  const handle = await openConfiguredDatabase(config);
  try {
    if (!opts.demo) {
      console.error('nothing to do: pass --demo');
      process.exitCode = 2;
      return;
    }
    if (await isSeeded(handle.db)) {
      console.log('demo data already present; nothing changed');
      return;
    }
    await inSystemTransaction(handle, config, log, seedDemoOnce);
    console.log(`demo data seeded on ${handle.describe}; demo partner id: ${await demoPartnerId(handle.db)}`);
  } finally {
    await handle.close();
  }
}
