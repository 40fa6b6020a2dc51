import { randomUUID } from 'node:crypto';
import { addMonths, invoiceNumber, invoiceSequence, monthOf, planClose } from '../../domain/invoices.ts';
import type { Db, Trx } from '../../platform/db/database.ts';
import { DomainError } from '../../platform/errors.ts';
import type { Ctx } from '../../platform/http/context.ts';
import { decodeKeyCursor, decodePairCursor, encodeCursor, toPage } from '../../platform/http/schemas.ts';
import { recordAudit } from '../audit/index.ts';
import { recordEvent } from '../outbox/index.ts';
import {
  assignLines,
  closeScopes,
  findInvoice,
  type InvoiceLineRow,
  type InvoiceRow,
  insertInvoice,
  invoicedMonths,
  invoiceLinePage,
  lastInvoiceNumber,
  listInvoiceRows,
  lockInvoiceClose,
  setInvoiceTotals,
  unbilledMonths,
} from './invoices.repo.ts';

/** A customer as a reconciliation file names it. */
export interface CustomerDetails {
  name: string;
  domain: string;
  country: string;
}

/**
 * Reads customers in a batch. Billing imports no module that could import it back (the modules
 * whose events cost money write lines through billing's face), so the composition root hands it
 * the tenants module's reader.
 */
export type CustomerLookup = (db: Db | Trx, tenantIds: string[]) => Promise<Map<string, CustomerDetails>>;

export interface IssuedInvoice {
  id: string;
  number: string;
  partnerId: string;
  currency: string;
  periodStart: string;
  total: number;
  lineCount: number;
}

/**
 * Closes one partner's months in one currency, in the caller's transaction: under the close lock,
 * every month before `current` with unbilled lines gets one invoice (late lines go on the next
 * one, see planClose), numbered after the last issued. Run twice, or from two processes, the second
 * run finds nothing to do; killed at any point, the transaction leaves all of it or none.
 */
export async function closePartnerMonths(
  ctx: Ctx,
  scope: { partnerId: string; currency: string; current: string },
): Promise<IssuedInvoice[]> {
  await lockInvoiceClose(ctx.db);
  const plans = planClose({
    current: scope.current,
    unbilledMonths: await unbilledMonths(ctx.db, scope),
    invoicedMonths: await invoicedMonths(ctx.db, scope),
  });
  if (plans.length === 0) return [];
  const last = await lastInvoiceNumber(ctx.db);
  let sequence = last ? (invoiceSequence(last) ?? 0) : 0;
  const issued: IssuedInvoice[] = [];
  for (const plan of plans) {
    const id = randomUUID();
    const number = invoiceNumber(++sequence);
    await insertInvoice(ctx.db, {
      id,
      number,
      partnerId: scope.partnerId,
      currency: scope.currency,
      periodStart: plan.period,
      periodEnd: addMonths(plan.period, 1),
      createdAt: ctx.clock.now(),
    });
    const taken = await assignLines(ctx.db, {
      invoiceId: id,
      partnerId: scope.partnerId,
      currency: scope.currency,
      months: plan.months,
    });
    // Under the lock nothing takes these lines away, so this never happens; if it did, the
    // rollback keeps the numbers without a gap and the next run starts again.
    if (taken.count === 0) throw new DomainError('conflict');
    if (taken.inconsistent > 0)
      ctx.log.warn(
        { invoice: number, lines: taken.inconsistent },
        'invoice has lines whose subtotal or total disagree with their prices (billed as written)',
      );
    await setInvoiceTotals(ctx.db, id, taken);
    await recordAudit(ctx, {
      action: 'invoice.issued',
      targetType: 'invoice',
      targetId: id,
      partnerId: scope.partnerId,
      data: { number, period: plan.period, currency: scope.currency, total: taken.total, lines: taken.count },
    });
    // Out to the partner's billing users (an "invoice ready" notification) and its webhooks.
    await recordEvent(ctx, 'invoice.issued', {
      invoiceId: id,
      partnerId: scope.partnerId,
      number,
      currency: scope.currency,
      total: taken.total,
    });
    issued.push({
      id,
      number,
      partnerId: scope.partnerId,
      currency: scope.currency,
      periodStart: plan.period,
      total: taken.total,
      lineCount: taken.count,
    });
  }
  return issued;
}

/**
 * The month close (SPEC §8): every partner and currency with unbilled lines before the current
 * month (platform clock), one transaction each. `run` opens that transaction with a context (the
 * job and the CLI pass `inSystemTransaction`). Safe to run at any time and from several processes.
 */
export async function closeMonths(
  db: Db,
  now: Date,
  run: <T>(fn: (ctx: Ctx) => Promise<T>) => Promise<T>,
  onIssued: (invoices: IssuedInvoice[]) => void = () => {},
): Promise<IssuedInvoice[]> {
  const current = monthOf(now);
  const all: IssuedInvoice[] = [];
  for (const s of await closeScopes(db, current)) {
    const issued = await run((ctx) =>
      closePartnerMonths(ctx, { partnerId: s.partner_id, currency: s.currency, current }),
    );
    all.push(...issued);
    onIssued(issued);
  }
  return all;
}

export function toInvoiceView(r: InvoiceRow) {
  return {
    id: r.id,
    number: r.number,
    partnerId: r.partner_id,
    periodStart: r.period_start,
    periodEnd: r.period_end,
    currency: r.currency,
    total: Number(r.total),
    status: r.status,
    lineCount: r.line_count,
    createdAt: new Date(r.created_at).toISOString(),
  };
}

function toLineView(r: InvoiceLineRow, customers: Map<string, CustomerDetails>) {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    customerName: customers.get(r.tenant_id)?.name ?? '',
    resellerPartnerId: r.reseller_partner_id,
    subscriptionId: r.subscription_id,
    orderId: r.order_id,
    offerId: r.offer_id,
    productId: r.product_id,
    productName: r.product_name,
    skuId: r.sku_id,
    skuName: r.sku_name,
    chargeType: r.charge_type,
    unitPrice: Number(r.unit_price),
    effectiveUnitPrice: Number(r.effective_unit_price),
    unitType: r.unit_type,
    quantity: r.quantity,
    billableQuantity: r.billable_quantity,
    subtotal: Number(r.subtotal),
    taxTotal: Number(r.tax_total),
    total: Number(r.total),
    currency: r.currency,
    customerUnitPrice: Number(r.customer_unit_price),
    customerSubtotal: Number(r.customer_subtotal),
    chargeStartDate: r.charge_start,
    chargeEndDate: r.charge_end,
    billingMonth: r.billing_month,
    term: r.term,
    billingCycle: r.billing_cycle,
    referenceId: r.reference_id,
    creditReasonCode: r.credit_reason_code,
    occurredAt: new Date(r.occurred_at).toISOString(),
  };
}

/** The partner's own invoice; another partner's (or a missing one) is 404, existence stays private. */
export async function ownInvoice(ctx: Pick<Ctx<Db | Trx>, 'db' | 'actor'>, id: string): Promise<InvoiceRow> {
  const row = await findInvoice(ctx.db, id);
  if (!row || ctx.actor.kind !== 'partner' || row.partner_id !== ctx.actor.partnerId)
    throw new DomainError('invoice_not_found');
  return row;
}

/** A real `YYYY-MM-DD` day (a crafted cursor must not reach the database as a bad date). */
const isDay = (s: string) =>
  /^\d{4}-\d{2}-\d{2}$/.test(s) && new Date(`${s}T00:00:00.000Z`).toISOString().slice(0, 10) === s;

export async function listInvoices(
  ctx: Ctx<Db>,
  input: { cursor?: string; limit?: number; currency?: string },
) {
  const limit = input.limit ?? 50;
  const after = decodePairCursor(input.cursor);
  if (after && !isDay(after[0])) throw new DomainError('invalid_request', { detail: 'cursor is not valid' });
  const rows = await listInvoiceRows(ctx.db, {
    partnerId: ctx.actor.partnerId!,
    limit,
    ...(input.currency ? { currency: input.currency } : {}),
    ...(after ? { after } : {}),
  });
  return toPage(rows, limit, toInvoiceView, (r) => [r.period_start, r.id]);
}

export async function getInvoice(
  ctx: Ctx<Db>,
  input: { id: string; cursor?: string; limit?: number },
  customersOf: CustomerLookup,
) {
  const invoice = await ownInvoice(ctx, input.id);
  const limit = input.limit ?? 50;
  const afterId = decodeKeyCursor(input.cursor);
  const rows = await invoiceLinePage(ctx.db, { invoiceId: invoice.id, afterId, limit: limit + 1 });
  const items = rows.slice(0, limit);
  const customers = await customersOf(ctx.db, [...new Set(items.map((r) => r.tenant_id))]);
  const lastItem = items[items.length - 1];
  return {
    ...toInvoiceView(invoice),
    lines: {
      items: items.map((r) => toLineView(r, customers)),
      nextCursor: rows.length > limit && lastItem ? encodeCursor(lastItem.id) : null,
    },
  };
}
