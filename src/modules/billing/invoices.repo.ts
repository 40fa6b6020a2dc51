import { sql } from 'kysely';
import type { Db, Trx } from '../../platform/db/database.ts';

/**
 * The invoices' side of billing: `invoices`, and the `invoice_id` of `billing_lines`. Dates are read
 * as `::text` (`YYYY-MM-DD`): both drivers would hand a `date` back as a local-midnight Date.
 */

/** A `YYYY-MM-DD` day compared with a date column. */
const day = (d: string) => sql<Date>`${d}::date`;

/**
 * Serialises closes across processes: one transaction-scoped advisory lock, held until commit or
 * rollback (a killed process's lock goes with its session). Under it a close re-reads what is
 * unbilled, so a second process finds nothing left to do; the invoice numbers come from the last
 * one issued, so they have no gaps.
 */
export async function lockInvoiceClose(trx: Trx): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended('billing:invoice-close', 0))`.execute(trx);
}

/** Partners and currencies with lines not yet invoiced from a month before `current`. */
export async function closeScopes(db: Db | Trx, current: string) {
  return db
    .selectFrom('billing_lines')
    .select(['partner_id', 'currency'])
    .distinct()
    .where('invoice_id', 'is', null)
    .where('billing_month', '<', day(current))
    .orderBy('partner_id')
    .orderBy('currency')
    .execute();
}

export async function unbilledMonths(
  trx: Trx,
  scope: { partnerId: string; currency: string; current: string },
) {
  const rows = await trx
    .selectFrom('billing_lines')
    .select(sql<string>`billing_month::text`.as('month'))
    .distinct()
    .where('partner_id', '=', scope.partnerId)
    .where('currency', '=', scope.currency)
    .where('invoice_id', 'is', null)
    .where('billing_month', '<', day(scope.current))
    .execute();
  return rows.map((r) => r.month);
}

export async function invoicedMonths(trx: Trx, scope: { partnerId: string; currency: string }) {
  const rows = await trx
    .selectFrom('invoices')
    .select(sql<string>`period_start::text`.as('month'))
    .where('partner_id', '=', scope.partnerId)
    .where('currency', '=', scope.currency)
    .execute();
  return rows.map((r) => r.month);
}

/** The last invoice number issued on this install (numbers are `TR-` and zero-padded digits). */
export async function lastInvoiceNumber(trx: Trx): Promise<string | null> {
  const row = await trx
    .selectFrom('invoices')
    .select('number')
    .orderBy(sql`length(number)`, 'desc')
    .orderBy('number', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.number ?? null;
}

export async function insertInvoice(
  trx: Trx,
  row: {
    id: string;
    number: string;
    partnerId: string;
    currency: string;
    periodStart: string;
    periodEnd: string;
    createdAt: Date;
  },
) {
  await trx
    .insertInto('invoices')
    .values({
      id: row.id,
      number: row.number,
      partner_id: row.partnerId,
      currency: row.currency,
      period_start: row.periodStart,
      period_end: row.periodEnd,
      total: 0,
      line_count: 0,
      status: 'issued',
      created_at: row.createdAt,
    })
    .execute();
}

/**
 * Puts the still-unbilled lines of these billing months on the invoice and answers what it took:
 * the count and the sum are those of the rows this statement updated, so a line committed by a
 * writer meanwhile is counted if and only if it was taken.
 */
export async function assignLines(
  trx: Trx,
  input: { invoiceId: string; partnerId: string; currency: string; months: string[] },
): Promise<{ total: number; count: number; inconsistent: number }> {
  // `inconsistent`: lines whose stored amounts disagree with SPEC §8 (a seat line's subtotal is the
  // effective unit price times the billable seats, rounded down; total = subtotal + tax). They are
  // billed as written (the line is the record) and the close logs them.
  const r = await sql<{ total: string | number; count: number; inconsistent: number }>`
    with taken as (
      update billing_lines set invoice_id = ${input.invoiceId}
       where partner_id = ${input.partnerId} and currency = ${input.currency} and invoice_id is null
         and billing_month in (${sql.join(input.months.map((m) => sql`${m}::date`))})
      returning total, subtotal, tax_total, effective_unit_price, billable_quantity, charge_type)
    select coalesce(sum(total), 0)::text as total, count(*)::int as count,
           count(*) filter (where total <> subtotal + tax_total
             or (charge_type not in ('usage', 'credit')
                 and subtotal <> floor(effective_unit_price * billable_quantity)))::int as inconsistent
      from taken`.execute(trx);
  const row = r.rows[0]!;
  return { total: Number(row.total), count: Number(row.count), inconsistent: Number(row.inconsistent) };
}

export async function setInvoiceTotals(trx: Trx, id: string, totals: { total: number; count: number }) {
  await trx
    .updateTable('invoices')
    .set({ total: totals.total, line_count: totals.count })
    .where('id', '=', id)
    .execute();
}

const invoiceColumns = [
  'id',
  'number',
  'partner_id',
  'currency',
  'total',
  'line_count',
  'status',
  'created_at',
] as const;

function selectInvoices(db: Db | Trx) {
  return db
    .selectFrom('invoices')
    .select(invoiceColumns)
    .select([
      sql<string>`period_start::text`.as('period_start'),
      sql<string>`period_end::text`.as('period_end'),
    ]);
}

export type InvoiceRow = Awaited<ReturnType<typeof findInvoice>> & {};

export async function findInvoice(db: Db | Trx, id: string) {
  return selectInvoices(db).where('id', '=', id).executeTakeFirst();
}

export async function findInvoiceByNumber(db: Db | Trx, number: string) {
  return selectInvoices(db).where('number', '=', number).executeTakeFirst();
}

/** A partner's invoices, newest period first, then by id (keyset). */
export async function listInvoiceRows(
  db: Db | Trx,
  input: { partnerId: string; currency?: string; after?: [string, string]; limit: number },
) {
  let q = selectInvoices(db).where('partner_id', '=', input.partnerId);
  if (input.currency) q = q.where('currency', '=', input.currency);
  if (input.after) {
    const [period, id] = input.after;
    q = q.where((eb) =>
      eb.or([
        eb('period_start', '<', day(period)),
        eb.and([eb('period_start', '=', day(period)), eb('id', '<', id)]),
      ]),
    );
  }
  return q
    .orderBy('period_start', 'desc')
    .orderBy('id', 'desc')
    .limit(input.limit + 1)
    .execute();
}

/** One keyset page of an invoice's lines, by id (the index `billing_lines_invoice_idx`). */
export async function invoiceLinePage(
  db: Db | Trx,
  input: { invoiceId: string; afterId?: string | undefined; limit: number },
) {
  let q = db
    .selectFrom('billing_lines')
    .select([
      'id',
      'partner_id',
      'reseller_partner_id',
      'tenant_id',
      'subscription_id',
      'order_id',
      'offer_id',
      'product_id',
      'product_name',
      'sku_id',
      'sku_name',
      'charge_type',
      'unit_price',
      'effective_unit_price',
      'unit_type',
      'subtotal',
      'tax_total',
      'total',
      'currency',
      'customer_unit_price',
      'customer_subtotal',
      'term',
      'billing_cycle',
      'reference_id',
      'credit_reason_code',
      'occurred_at',
    ])
    .select([
      sql<string>`charge_start::text`.as('charge_start'),
      sql<string>`charge_end::text`.as('charge_end'),
      sql<string>`billing_month::text`.as('billing_month'),
      sql<string>`quantity::text`.as('quantity'),
      sql<string>`billable_quantity::text`.as('billable_quantity'),
      sql<string>`to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD')`.as('occurred_on'),
    ])
    .where('invoice_id', '=', input.invoiceId);
  if (input.afterId !== undefined) q = q.where('id', '>', input.afterId);
  return q.orderBy('id').limit(input.limit).execute();
}

export type InvoiceLineRow = Awaited<ReturnType<typeof invoiceLinePage>>[number];
