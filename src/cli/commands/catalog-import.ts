import {
  importCatalogReference,
  readClassOverrides,
  readReferenceFile,
} from '../../modules/catalog/catalog.service.ts';
import { loadConfig } from '../../platform/config.ts';
import { createLogger } from '../../platform/log.ts';
import { inSystemTransaction, openConfiguredDatabase } from '../../platform/runtime.ts';
import { CLASSES_CSV } from '../../seed/demo.ts';
import { printCliError } from '../progress.ts';

/**
 * `traslado catalog import FILE`: the vendor's product and service-plan reference, each product
 * classified (segment, purpose, family, add-on bases, seat cap; SPEC §11); idempotent.
 */
async function runCatalogImportCommand(file: string, opts: { data?: string }) {
  const config = loadConfig(process.env, opts.data ? { dataDir: opts.data } : {});
  const rows = await readReferenceFile(file);
  // The classes come from documented rules plus the reviewed override file the project ships.
  const overrides = await readClassOverrides(CLASSES_CSV);
  const handle = await openConfiguredDatabase(config);
  try {
    const r = await inSystemTransaction(handle, config, createLogger('warn'), (ctx) =>
      importCatalogReference(ctx, rows, overrides),
    );
    console.log(
      `${r.products} products (${r.productsCreated} new, ${r.productsUpdated} refreshed), ${r.offersCreated} offers created (no price or market yet), ${r.rowsSkipped} rows skipped`,
    );
  } finally {
    await handle.close();
  }
}

export const catalogImportCommand = (file: string, opts: Parameters<typeof runCatalogImportCommand>[1]) =>
  runCatalogImportCommand(file, opts).catch(printCliError);
