import { Readable } from 'node:stream';
import {
  billingFrequency,
  formatMajor,
  formatQuantity,
  RECONCILIATION_COLUMNS,
  termAndBillingCycle,
} from '../../domain/invoices.ts';
import { csvDecimal, csvRow } from '../../platform/csv.ts';
import type { Db, Trx } from '../../platform/db/database.ts';
import { type InvoiceLineRow, type InvoiceRow, invoiceLinePage } from './invoices.repo.ts';
import type { CustomerDetails, CustomerLookup } from './invoices.service.ts';

/** Lines read per keyset page: one query and one chunk written each. */
const PAGE = 2000;
/** Customers remembered between pages; beyond it the cache starts again (memory stays bounded). */
const CUSTOMER_CACHE = 20_000;

function rowOf(line: InvoiceLineRow, invoice: InvoiceRow, customer: CustomerDetails | undefined) {
  const money = (n: number) => csvDecimal(formatMajor(n, line.currency));
  return csvRow([
    line.partner_id,
    line.tenant_id,
    customer?.name ?? '',
    customer?.domain ?? '',
    customer?.country ?? '',
    invoice.number,
    // No MPN ids here: the partner's id stands for its MpnId, the reseller of record's for ResellerMpnId.
    line.partner_id,
    line.reseller_partner_id ?? '',
    line.order_id ?? '',
    line.order_id ? line.occurred_on : '',
    line.product_id ?? '',
    line.sku_id ?? '',
    line.sku_name ?? '',
    line.product_name ?? '',
    line.charge_type,
    money(Number(line.unit_price)),
    money(Number(line.effective_unit_price)),
    line.unit_type,
    csvDecimal(formatQuantity(line.quantity)),
    csvDecimal(formatQuantity(line.billable_quantity)),
    money(Number(line.subtotal)),
    money(Number(line.tax_total)),
    money(Number(line.total)),
    line.currency,
    line.charge_start,
    line.charge_end,
    line.subscription_id ?? '',
    line.sku_name ?? line.product_name ?? '',
    termAndBillingCycle(line.term, line.billing_cycle),
    billingFrequency(line.billing_cycle),
    line.reference_id ?? '',
    line.credit_reason_code ?? '',
  ]);
}

async function* reconciliationChunks(
  db: Db | Trx,
  invoice: InvoiceRow,
  customersOf: CustomerLookup,
  pageSize: number,
): AsyncGenerator<string> {
  yield csvRow([...RECONCILIATION_COLUMNS]);
  const customers = new Map<string, CustomerDetails>();
  let afterId: string | undefined;
  for (;;) {
    const lines = await invoiceLinePage(db, { invoiceId: invoice.id, afterId, limit: pageSize });
    if (lines.length === 0) return;
    const missing = [...new Set(lines.map((l) => l.tenant_id))].filter((id) => !customers.has(id));
    if (missing.length > 0) {
      if (customers.size + missing.length > CUSTOMER_CACHE) customers.clear();
      for (const [id, c] of await customersOf(db, missing)) customers.set(id, c);
    }
    let chunk = '';
    for (const line of lines) chunk += rowOf(line, invoice, customers.get(line.tenant_id));
    yield chunk;
    if (lines.length < pageSize) return;
    afterId = lines[lines.length - 1]!.id;
  }
}

/**
 * The reconciliation file of an invoice (SPEC §8) as a byte stream: the program's columns in its
 * order, money in major units, formula-safe cells. Lines are read a keyset page at a time, only
 * when the reader wants more, so 100,000 lines never sit in memory. The route and
 * `traslado invoices export` both write this, so their bytes are the same.
 */
export function reconciliationStream(
  db: Db | Trx,
  invoice: InvoiceRow,
  customersOf: CustomerLookup,
  opts: { pageSize?: number } = {},
): Readable {
  return Readable.from(reconciliationChunks(db, invoice, customersOf, opts.pageSize ?? PAGE), {
    objectMode: false,
  });
}

/** The file name a download suggests: the invoice number. */
export function reconciliationFileName(invoice: Pick<InvoiceRow, 'number'>): string {
  return `${invoice.number.replace(/[^A-Za-z0-9._-]/g, '_')}-reconciliation.csv`;
}
