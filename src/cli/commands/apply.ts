import { access } from 'node:fs/promises';
import { loadConfig } from '../../platform/config.ts';
import { createLogger } from '../../platform/log.ts';
import { openConfiguredDatabase } from '../../platform/runtime.ts';
import { applyBulk } from '../plan-report.ts';
import { peakRssLine, printCliError, startProgress } from '../progress.ts';

/**
 * Applies every ready plan of a report through the job queue. Ctrl-C stops sending new work, lets
 * the work under way finish for a while and prints the summary so far (exit 130); a second Ctrl-C
 * quits at once. Killed or interrupted, running it again resumes: nothing is done twice.
 */
async function runApplyCommand(file: string, opts: { concurrency?: number; data?: string }) {
  await access(file); // a mistyped name fails before the database is opened
  const config = loadConfig(process.env, opts.data ? { dataDir: opts.data } : {});
  const log = createLogger('warn');
  const handle = await openConfiguredDatabase(config);
  const abort = new AbortController();
  const onSigint = () => {
    if (abort.signal.aborted) {
      console.error('interrupted again: quitting now; run the same command again to resume');
      process.exit(130);
    }
    console.error('\nstopping: no new work; letting the work under way finish (Ctrl-C again to quit now)');
    abort.abort();
  };
  process.on('SIGINT', onSigint);
  const started = Date.now();
  const progress = startProgress('applying');
  try {
    const s = await applyBulk(handle, {
      report: file,
      concurrency: opts.concurrency ?? 4,
      signal: abort.signal,
      config,
      log,
      onProgress: (done, total) => progress.update(done, total),
    });
    progress.stop();
    console.log(
      `${s.interrupted ? 'interrupted' : 'done'} in ${((Date.now() - started) / 1000).toFixed(1)} s: ${s.applied} applied, ${s.waiting} waiting (dated steps or the customer's tasks remain), ${s.failed.length} failed, ${s.skipped} skipped (not ready), ${s.inProgress.length} already under way (another transition moves them)${s.underway > 0 ? `, ${s.underway} under way` : ''}${s.notStarted > 0 ? `, ${s.notStarted} not started` : ''}${s.underway + s.notStarted > 0 ? ' (run the same command again to resume)' : ''}; ${peakRssLine(s.peakRssBytes)}`,
    );
    for (const f of s.failed) console.log(`  failed ${f.tenantId}: ${f.reason}`);
    if (s.interrupted) process.exitCode = 130;
    else if (s.failed.length > 0 || s.underway > 0) process.exitCode = 1;
  } finally {
    progress.stop();
    process.off('SIGINT', onSigint);
    await handle.close();
  }
}

export const applyCommand = (file: string, opts: Parameters<typeof runApplyCommand>[1]) =>
  runApplyCommand(file, opts).catch(printCliError);
