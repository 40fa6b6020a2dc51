import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { formatMajor } from '../../domain/invoices.ts';
import {
  closeInvoicesNow,
  findInvoice,
  findInvoiceByNumber,
  reconciliationStream,
} from '../../modules/billing/index.ts';
import { tenantSummaries } from '../../modules/tenants/index.ts';
import { loadConfig } from '../../platform/config.ts';
import { DomainError } from '../../platform/errors.ts';
import { createLogger } from '../../platform/log.ts';
import { openConfiguredDatabase } from '../../platform/runtime.ts';
import { printCliError } from '../progress.ts';

/**
 * `traslado invoices close`: closes now what the month-start job would (every month before the
 * current one on the platform clock with unbilled lines). Safe beside a running server or another
 * close: each partner and currency is one transaction under the close lock. One line per invoice
 * issued on stdout, as it commits.
 */
async function runInvoicesClose(opts: { data?: string }) {
  const config = loadConfig(process.env, opts.data ? { dataDir: opts.data } : {});
  const handle = await openConfiguredDatabase(config);
  try {
    const issued = await closeInvoicesNow({ handle, config, log: createLogger('warn') }, (batch) => {
      for (const i of batch)
        console.log(
          `issued ${i.number}: partner ${i.partnerId}, ${i.periodStart.slice(0, 7)}, ` +
            `${formatMajor(i.total, i.currency)} ${i.currency}, ${i.lineCount} lines`,
        );
    });
    console.log(`${issued.length} invoices issued`);
  } finally {
    await handle.close();
  }
}

/**
 * `traslado invoices export --invoice ID|NUMBER [--out FILE]`: the invoice's reconciliation file,
 * the same bytes as `GET /api/invoices/{id}/reconciliation` (one writer), to a file or stdout.
 */
async function runInvoicesExport(opts: { invoice: string; out?: string; data?: string }) {
  const config = loadConfig(process.env, opts.data ? { dataDir: opts.data } : {});
  const handle = await openConfiguredDatabase(config);
  try {
    const invoice =
      (await findInvoice(handle.db, opts.invoice)) ?? (await findInvoiceByNumber(handle.db, opts.invoice));
    if (!invoice) throw new DomainError('invoice_not_found', { invoice: opts.invoice });
    const csv = reconciliationStream(handle.db, invoice, (db, ids) => tenantSummaries({ db }, ids));
    if (opts.out) {
      await pipeline(csv, createWriteStream(opts.out));
      console.error(`${invoice.number}: ${invoice.line_count} lines written to ${opts.out}`);
    } else await pipeline(csv, process.stdout);
  } finally {
    await handle.close();
  }
}

export const invoicesCloseCommand = (opts: Parameters<typeof runInvoicesClose>[0]) =>
  runInvoicesClose(opts).catch(printCliError);
export const invoicesExportCommand = (opts: Parameters<typeof runInvoicesExport>[0]) =>
  runInvoicesExport(opts).catch(printCliError);
