import { importPriceList, readPriceFile } from '../../modules/catalog/catalog.service.ts';
import { loadConfig } from '../../platform/config.ts';
import { isDomainError } from '../../platform/errors.ts';
import { createLogger } from '../../platform/log.ts';
import { inSystemTransaction, openConfiguredDatabase } from '../../platform/runtime.ts';
import { printCliError } from '../progress.ts';

/**
 * `traslado prices import FILE.csv`: price lists (SPEC §11). Each offer the file names gets the
 * file's rows as its whole list, in one transaction: a bad row refuses the whole file, every bad
 * line reported by number, nothing imported.
 */
async function runPricesImportCommand(file: string, opts: { data?: string }) {
  const config = loadConfig(process.env, opts.data ? { dataDir: opts.data } : {});
  const parsed = await readPriceFile(file);
  // Opening the embedded folder takes its lock, as every other command does.
  const handle = await openConfiguredDatabase(config);
  try {
    const r = await inSystemTransaction(handle, config, createLogger('warn'), (ctx) =>
      importPriceList(ctx, parsed),
    );
    console.log(`${r.rows} prices for ${r.offers} offers imported (markets: ${r.markets.join(', ')})`);
  } catch (err) {
    if (isDomainError(err) && err.code === 'price_list_invalid') {
      const problems = (err.params?.problems ?? []) as { line: number; message: string }[];
      console.error(`error: price_list_invalid: ${file} was not imported (nothing changed)`);
      for (const p of problems) console.error(`  line ${p.line}: ${p.message}`);
      process.exitCode = 1;
      return;
    }
    throw err;
  } finally {
    await handle.close();
  }
}

export const pricesImportCommand = (file: string, opts: Parameters<typeof runPricesImportCommand>[1]) =>
  runPricesImportCommand(file, opts).catch(printCliError);
