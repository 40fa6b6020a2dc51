import { sql } from 'kysely';
import type { Db, Trx } from '../../platform/db/database.ts';

// Dates as the UTC day text, quantities as exact decimal text: no driver turns them into floats.
const LINE_COLUMNS = [
  'id',
  'source_key',
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
  'invoice_id',
] as const;

/** A UTC day (YYYY-MM-DD) as a date parameter. */
const asDate = (d: string) => sql<Date>`cast(${d} as date)`;

function lineSelect(db: Db | Trx) {
  return db
    .selectFrom('billing_lines')
    .select(LINE_COLUMNS)
    .select([
      sql<string>`quantity::text`.as('quantity'),
      sql<string>`billable_quantity::text`.as('billable_quantity'),
      sql<string>`charge_start::text`.as('charge_start'),
      sql<string>`charge_end::text`.as('charge_end'),
      sql<string>`billing_month::text`.as('billing_month'),
    ]);
}
export type BillingLineView = Awaited<ReturnType<ReturnType<typeof lineSelect>['execute']>>[number];

/** The partner's lines no invoice holds yet, oldest first, keyset-paged on (occurred_at, id). */
export async function unbilledLineRows(
  db: Db | Trx,
  input: { partnerId: string; after?: [string, string]; limit: number },
) {
  let q = lineSelect(db).where('partner_id', '=', input.partnerId).where('invoice_id', 'is', null);
  if (input.after) {
    const [at, id] = input.after;
    q = q.where((eb) =>
      eb.or([
        eb('occurred_at', '>', new Date(at)),
        eb.and([eb('occurred_at', '=', new Date(at)), eb('id', '>', id)]),
      ]),
    );
  }
  return q
    .orderBy('occurred_at')
    .orderBy('id')
    .limit(input.limit + 1)
    .execute();
}

/** One customer's lines of one billing month for a partner (a statement). */
export async function customerMonthLineRows(
  db: Db | Trx,
  partnerId: string,
  tenantId: string,
  month: string,
) {
  return lineSelect(db)
    .where('partner_id', '=', partnerId)
    .where('tenant_id', '=', tenantId)
    .where('billing_month', '=', asDate(month))
    .orderBy('occurred_at')
    .orderBy('id')
    .execute();
}

/** The partner's recurring lines whose charge period covers `day` (what runs at that day). */
export async function linesCoveringDay(db: Db | Trx, partnerId: string, day: string, types: string[]) {
  return lineSelect(db)
    .where('partner_id', '=', partnerId)
    .where('charge_type', 'in', types as never[])
    .where('charge_start', '<=', asDate(day))
    .where('charge_end', '>=', asDate(day))
    .execute();
}

/** The partner's lines of one billing month, summed per customer and currency. */
export async function monthTotalsPerCustomer(db: Db | Trx, partnerId: string, month: string) {
  return db
    .selectFrom('billing_lines')
    .select(['tenant_id', 'currency'])
    .select([
      sql<string>`sum(subtotal)::text`.as('cost'),
      sql<string>`sum(customer_subtotal)::text`.as('revenue'),
    ])
    .where('partner_id', '=', partnerId)
    .where('billing_month', '=', asDate(month))
    .groupBy(['tenant_id', 'currency'])
    .execute();
}

/** The partner's totals per billing month and currency from `fromMonth` on. */
export async function monthTotals(db: Db | Trx, partnerId: string, fromMonth: string) {
  return db
    .selectFrom('billing_lines')
    .select([sql<string>`billing_month::text`.as('billing_month'), 'currency'])
    .select([
      sql<string>`sum(subtotal)::text`.as('cost'),
      sql<string>`sum(customer_subtotal)::text`.as('revenue'),
    ])
    .where('partner_id', '=', partnerId)
    .where('billing_month', '>=', asDate(fromMonth))
    .groupBy(['billing_month', 'currency'])
    .orderBy('billing_month')
    .orderBy('currency')
    .execute();
}

/** What each order's purchase lines charged (its `new` lines), per subscription, for order lists. */
export async function orderChargeRows(db: Db | Trx, orderIds: string[]) {
  if (orderIds.length === 0) return [];
  return db
    .selectFrom('billing_lines')
    .select(['order_id', 'subscription_id', 'currency', (eb) => eb.fn.sum<string>('subtotal').as('amount')])
    .where('order_id', 'in', orderIds)
    .where('charge_type', '=', 'new')
    .groupBy(['order_id', 'subscription_id', 'currency'])
    .execute();
}
