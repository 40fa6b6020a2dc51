import { importUsage, readUsageFile } from '../../modules/azure/index.ts';
import { loadConfig } from '../../platform/config.ts';
import { createLogger } from '../../platform/log.ts';
import { inSystemTransaction, openConfiguredDatabase } from '../../platform/runtime.ts';
import { printCliError } from '../progress.ts';

/**
 * `traslado usage import FILE.csv`: daily rated Azure usage (SPEC §9). Unlike a price list, each
 * row stands alone: bad rows are refused and listed by line, the good ones imported, and a row
 * already imported is left as it was (a second run changes nothing). Exit code 1 when any row was
 * refused, after importing the rest.
 */
async function runUsageImportCommand(file: string, opts: { data?: string }) {
  const config = loadConfig(process.env, opts.data ? { dataDir: opts.data } : {});
  const rows = await readUsageFile(file);
  // Opening the embedded folder takes its lock, as every other command does.
  const handle = await openConfiguredDatabase(config);
  try {
    const r = await inSystemTransaction(handle, config, createLogger('warn'), (ctx) =>
      importUsage(ctx, rows, `cli:${file}`),
    );
    console.log(
      `${r.received} usage rows: ${r.imported} imported, ${r.unchanged} already there, ${r.refused.length} refused`,
    );
    if (r.refused.length > 0) {
      console.error(`error: ${r.refused.length} rows of ${file} were refused (the others were imported):`);
      for (const p of r.refused)
        console.error(`  line ${p.line}: ${p.problem}${p.detail ? ` (${p.detail})` : ''}`);
      process.exitCode = 1;
    }
  } finally {
    await handle.close();
  }
}

export const usageImportCommand = (file: string, opts: Parameters<typeof runUsageImportCommand>[1]) =>
  runUsageImportCommand(file, opts).catch(printCliError);
