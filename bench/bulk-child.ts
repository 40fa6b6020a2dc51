import { applyBulk, planBulk } from '../src/cli/plan-report.ts';
import { openPostgres } from '../src/platform/db/connect.ts';
import { createLogger } from '../src/platform/log.ts';

/**
 * Runs one bulk operation in its own process, so its peak RSS is its own and not the bench's:
 * `node --import tsx bench/bulk-child.ts plan '{"partnerId":…,"out":…}'` or `… apply '{"report":…}'`.
 * Prints one line `RESULT <json>` with the wall time (ms) and the peak RSS (bytes).
 */
const [op, json] = process.argv.slice(2);
const args = JSON.parse(json ?? '{}') as Record<string, unknown>;
const handle = openPostgres(process.env.DATABASE_URL!, { max: 10 });
const log = createLogger('warn');
const startRssBytes = process.memoryUsage().rss;
try {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let result: unknown;
  if (op === 'plan') {
    // Buy at once: the bench measures applying every step, not waiting for dated ones.
    result = await planBulk(handle, {
      partnerId: String(args.partnerId),
      out: String(args.out),
      log,
      options: { provision: 'now' },
      ...(typeof args.workers === 'number' ? { workers: args.workers } : {}),
    });
  } else if (op === 'apply') {
    result = await applyBulk(handle, {
      report: String(args.report),
      ...(typeof args.concurrency === 'number' ? { concurrency: args.concurrency } : {}),
      log,
    });
  } else throw new Error(`unknown operation ${op}`);
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  console.log(
    `RESULT ${JSON.stringify({ wallMs, cpuMs: (cpu.user + cpu.system) / 1000, systemCpuMs: cpu.system / 1000, startRssBytes, peakRssBytes: process.resourceUsage().maxRSS * 1024, result })}`,
  );
} finally {
  await handle.close();
}
