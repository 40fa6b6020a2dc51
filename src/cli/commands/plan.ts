import { loadConfig } from '../../platform/config.ts';
import { createLogger } from '../../platform/log.ts';
import { openConfiguredDatabase } from '../../platform/runtime.ts';
import { planBulk, readCustomerIds } from '../plan-report.ts';
import { peakRssLine, printCliError, startProgress } from '../progress.ts';

/**
 * Plans a partner's customers (dry runs, saved as transitions) streaming from the database, and
 * writes the report: JSON lines (a header, then one line per customer) and `<out>.summary.csv`.
 */
async function runPlanCommand(opts: {
  partner: string;
  customers?: string;
  all?: boolean;
  out: string;
  batchSize?: number;
  workers?: number;
  provision?: 'now' | 'before-end';
  data?: string;
}) {
  if (!opts.all && !opts.customers) {
    console.error('pass --all or --customers FILE');
    process.exitCode = 2;
    return;
  }
  const config = loadConfig(process.env, opts.data ? { dataDir: opts.data } : {});
  const log = createLogger('warn');
  const tenantIds = opts.customers ? await readCustomerIds(opts.customers) : undefined;
  const handle = await openConfiguredDatabase(config);
  const started = Date.now();
  const progress = startProgress('planning');
  try {
    const result = await planBulk(handle, {
      partnerId: opts.partner,
      ...(tenantIds ? { tenantIds } : {}),
      out: opts.out,
      ...(opts.batchSize ? { batchSize: opts.batchSize } : {}),
      ...(opts.workers !== undefined ? { workers: opts.workers } : {}),
      ...(opts.provision ? { options: { provision: opts.provision } } : {}),
      config,
      log,
      onProgress: (done, total) => progress.update(done, total),
    });
    progress.stop();
    const counts = Object.entries(result.counts)
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `${n} ${k}`)
      .join(', ');
    console.log(
      `planned ${result.customers} customers in ${((Date.now() - started) / 1000).toFixed(1)} s: ${counts || 'nothing to plan'}`,
    );
    console.log(
      `wrote ${result.report} (JSON lines) and ${result.summaryCsv}; ${peakRssLine(result.peakRssBytes)}`,
    );
  } finally {
    progress.stop();
    await handle.close();
  }
}

export const planCommand = (opts: Parameters<typeof runPlanCommand>[0]) =>
  runPlanCommand(opts).catch(printCliError);
