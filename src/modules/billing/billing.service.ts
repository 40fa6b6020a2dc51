import {
  type ChargeType,
  creditLine,
  customerAmounts,
  RECURRING,
  type SeatLineAmounts,
  seatLine,
} from '../../domain/billing/lines.ts';
import { bpToPercent, markupFor, markupPercentToBp } from '../../domain/billing/markup.ts';
import { billingMonthOf, type ChargePeriod, utcDay } from '../../domain/billing/proration.ts';
import type { Db, Trx } from '../../platform/db/database.ts';
import { DomainError } from '../../platform/errors.ts';
import type { Ctx } from '../../platform/http/context.ts';
import { decodeTimeCursor, toPage } from '../../platform/http/schemas.ts';
import { recordAudit } from '../audit/index.ts';
import { insertBillingLine, insertBillingLines } from './billing.repo.ts';
import {
  type BillingLineView,
  customerMonthLineRows,
  linesCoveringDay,
  monthTotals,
  monthTotalsPerCustomer,
  unbilledLineRows,
} from './billing-lines.repo.ts';
import { applicableRules, priceRuleRows, readRulesOf, replacePriceRules } from './price-rules.repo.ts';

type WriteCtx = Pick<Ctx, 'db' | 'clock'>;

/**
 * What billing asks of the modules around it, handed in by the composition root (src/app.ts):
 * those modules write lines through billing's face, so billing may not import them back.
 */
export interface BillingPorts {
  tenantNames(ctx: Pick<Ctx<Db | Trx>, 'db'>, ids: string[]): Promise<Map<string, string>>;
  partnerReachesTenant(db: Db | Trx, partnerId: string, tenantId: string): Promise<boolean>;
}

/** What a line says about the subscription it bills (the owning module passes it in). */
export interface BilledSubscription {
  id: string;
  tenantId: string;
  /** The partner the program bills: the indirect provider for a reseller's customer. */
  partnerId: string;
  /** The indirect reseller of record, if any. */
  resellerPartnerId: string | null;
  orderId: string | null;
  offerId: string;
  productName: string | null;
  skuId: string;
  term: string;
  billingCycle: string;
  currency: string;
}

interface LineInput {
  sourceKey: string;
  type: ChargeType;
  at: Date;
  tenantId: string;
  partnerId: string;
  resellerPartnerId: string | null;
  offerId: string | null;
  currency: string;
  amounts: SeatLineAmounts;
  extra: Partial<Parameters<typeof insertBillingLine>[1]>;
}

async function write(ctx: WriteCtx, input: LineInput) {
  return insertBillingLine(ctx.db, await lineOf(ctx, input), ctx.clock.now());
}

/** The line as stored: the amounts with the customer's price by the most specific price rule. */
async function lineOf(ctx: WriteCtx, input: LineInput) {
  const rules = await applicableRules(ctx.db, input.partnerId, input.offerId, input.tenantId);
  const bp = markupFor(
    rules.map((r) => ({ offerId: r.offer_id, tenantId: r.tenant_id, markupBp: r.markup_bp })),
    input.offerId,
    input.tenantId,
  );
  const customer = customerAmounts(input.type, input.amounts, bp);
  const a = input.amounts;
  return {
    source_key: input.sourceKey,
    partner_id: input.partnerId,
    reseller_partner_id: input.resellerPartnerId,
    tenant_id: input.tenantId,
    offer_id: input.offerId,
    charge_type: input.type,
    unit_price: a.unitPrice,
    effective_unit_price: a.effectiveUnitPrice,
    quantity: a.quantity,
    billable_quantity: a.billableQuantity,
    subtotal: a.subtotal,
    tax_total: 0,
    total: a.subtotal,
    currency: input.currency,
    customer_unit_price: customer.customerUnitPrice,
    customer_subtotal: customer.customerSubtotal,
    charge_start: a.chargeStart,
    charge_end: a.chargeEnd,
    occurred_at: input.at,
    billing_month: billingMonthOf(input.at),
    ...input.extra,
  };
}

/**
 * Writes the seat line of an event, once per `sourceKey`, in the caller's transaction: the whole
 * `period` for new/renew/cycle charges, the rest of it from `at` for the others (SPEC §8,
 * docs/billing.md). The customer price is the most specific price rule's at this moment.
 * Returns whether this call wrote it.
 */
export async function recordSeatLine(ctx: WriteCtx, input: SeatLineInput): Promise<boolean> {
  if (input.seats <= 0) return false;
  return write(ctx, seatLineInput(input));
}

export interface SeatLineInput {
  sourceKey: string;
  type: ChargeType;
  subscription: BilledSubscription;
  period: ChargePeriod;
  seats: number;
  at: Date;
  /** A `convert` line that pays back (the old offer's side of an upgrade). */
  refund?: boolean;
}

/** `recordSeatLine` for many events (a batch of orders): every line in one statement. */
export async function recordSeatLines(ctx: WriteCtx, inputs: SeatLineInput[]): Promise<void> {
  const charged = inputs.filter((i) => i.seats > 0).map(seatLineInput);
  // Every customer's price rules at once (the batch spans many customers), then each line.
  await readRulesOf(
    ctx.db,
    charged.map((l) => ({ partnerId: l.partnerId, tenantId: l.tenantId })),
  );
  const lines = [];
  for (const input of charged) lines.push(await lineOf(ctx, input));
  await insertBillingLines(ctx.db, lines, ctx.clock.now());
}

function seatLineInput(input: SeatLineInput): LineInput {
  const s = input.subscription;
  return {
    sourceKey: input.sourceKey,
    type: input.type,
    at: input.at,
    tenantId: s.tenantId,
    partnerId: s.partnerId,
    resellerPartnerId: s.resellerPartnerId,
    offerId: s.offerId,
    currency: s.currency,
    amounts: seatLine(input.type, input.period, input.seats, input.at, { refund: input.refund === true }),
    extra: {
      subscription_id: s.id,
      order_id: s.orderId,
      product_id: s.offerId,
      product_name: s.productName,
      sku_id: s.skuId,
      sku_name: s.productName,
      term: s.term,
      billing_cycle: s.billingCycle,
    },
  };
}

/** An approved credit (SPEC §8): a negative line of the granted amount, passed to the customer at cost. */
export async function recordCreditLine(
  ctx: WriteCtx,
  input: {
    sourceKey: string;
    tenantId: string;
    partnerId: string;
    subscriptionId: string;
    amount: number;
    currency: string;
    reasonCode: string;
    referenceId: string;
    at: Date;
  },
): Promise<boolean> {
  return write(ctx, {
    sourceKey: input.sourceKey,
    type: 'credit',
    at: input.at,
    tenantId: input.tenantId,
    partnerId: input.partnerId,
    resellerPartnerId: null,
    offerId: null,
    currency: input.currency,
    amounts: creditLine(input.amount, utcDay(input.at)),
    extra: {
      subscription_id: input.subscriptionId,
      reference_id: input.referenceId,
      credit_reason_code: input.reasonCode,
      unit_type: 'Credit',
    },
  });
}

// --- Price rules ----------------------------------------------------------------------------------

export interface PriceRuleBody {
  offerId?: string;
  tenantId?: string;
  markupPercent: number | string;
}

function partnerOf(ctx: Ctx<Db | Trx>): string {
  const id = ctx.actor.partnerId;
  if (!id) throw new DomainError('forbidden', { action: 'billing.read' });
  return id;
}

export async function listPriceRules(ctx: Ctx<Db | Trx>) {
  const rows = await priceRuleRows(ctx.db, partnerOf(ctx));
  return {
    rules: rows.map((r) => ({
      ...(r.offer_id ? { offerId: r.offer_id } : {}),
      ...(r.tenant_id ? { tenantId: r.tenant_id } : {}),
      markupPercent: bpToPercent(r.markup_bp),
      markupBasisPoints: r.markup_bp,
    })),
  };
}

/**
 * Replaces the partner's price rules. A markup has at most two decimals (basis points); one rule
 * per scope; a customer must be one the partner reaches. Lines already written keep their prices.
 */
export async function setPriceRules(ctx: Ctx, ports: BillingPorts, input: { rules: PriceRuleBody[] }) {
  const partnerId = partnerOf(ctx);
  const seen = new Set<string>();
  const rules = input.rules.map((r, i) => {
    const bp = markupPercentToBp(r.markupPercent);
    if (bp === null)
      throw new DomainError('invalid_request', {
        detail: `rules[${i}].markupPercent must be a percent with at most two decimals, from -100 to 1000`,
      });
    const scope = `${r.offerId ?? ''}|${r.tenantId ?? ''}`;
    if (seen.has(scope)) throw new DomainError('invalid_request', { detail: `rules[${i}] repeats a scope` });
    seen.add(scope);
    return { offerId: r.offerId ?? null, tenantId: r.tenantId ?? null, markupBp: bp };
  });
  const tenants = [...new Set(rules.flatMap((r) => (r.tenantId ? [r.tenantId] : [])))];
  const reached = await Promise.all(tenants.map((t) => ports.partnerReachesTenant(ctx.db, partnerId, t)));
  const unknownTenant = tenants.find((_, i) => !reached[i]);
  if (unknownTenant)
    throw new DomainError('invalid_request', { detail: `tenant ${unknownTenant} is not a customer` });
  try {
    await replacePriceRules(ctx.db, partnerId, rules, ctx.clock.now());
  } catch (e) {
    // An unknown offer trips the foreign key.
    if ((e as { code?: string }).code === '23503')
      throw new DomainError('invalid_request', { detail: 'unknown offerId' });
    throw e;
  }
  await recordAudit(ctx, {
    action: 'price-rules.replaced',
    targetType: 'partner',
    targetId: partnerId,
    partnerId,
    data: { rules: rules.map((r) => ({ offerId: r.offerId, tenantId: r.tenantId, markupBp: r.markupBp })) },
  });
  return listPriceRules(ctx);
}

// --- Reads ----------------------------------------------------------------------------------------

function toLineView(l: BillingLineView) {
  return {
    id: l.id,
    sourceKey: l.source_key,
    chargeType: l.charge_type,
    partnerId: l.partner_id,
    resellerPartnerId: l.reseller_partner_id,
    tenantId: l.tenant_id,
    subscriptionId: l.subscription_id,
    orderId: l.order_id,
    offerId: l.offer_id,
    productName: l.product_name,
    skuId: l.sku_id,
    unitPrice: l.unit_price,
    effectiveUnitPrice: l.effective_unit_price,
    unitType: l.unit_type,
    quantity: l.quantity,
    billableQuantity: l.billable_quantity,
    subtotal: l.subtotal,
    taxTotal: l.tax_total,
    total: l.total,
    currency: l.currency,
    customerUnitPrice: l.customer_unit_price,
    customerSubtotal: l.customer_subtotal,
    chargeStart: l.charge_start,
    chargeEnd: l.charge_end,
    term: l.term,
    billingCycle: l.billing_cycle,
    referenceId: l.reference_id,
    creditReasonCode: l.credit_reason_code,
    occurredAt: l.occurred_at.toISOString(),
    billingMonth: l.billing_month.slice(0, 7),
    invoiceId: l.invoice_id,
  };
}
export type LineView = ReturnType<typeof toLineView>;

/** The partner's lines not on an invoice yet (the current month's, and a closed one's until its job runs). */
export async function listUnbilled(ctx: Ctx<Db>, input: { cursor?: string; limit?: number }) {
  const limit = input.limit ?? 50;
  const after = decodeTimeCursor(input.cursor);
  const rows = await unbilledLineRows(ctx.db, {
    partnerId: partnerOf(ctx),
    limit,
    ...(after ? { after } : {}),
  });
  return toPage(rows, limit, toLineView, (l) => [l.occurred_at.toISOString(), l.id]);
}

function sumPerCurrency<T>(items: T[], currency: (t: T) => string, amount: (t: T) => bigint) {
  const out = new Map<string, bigint>();
  for (const i of items) out.set(currency(i), (out.get(currency(i)) ?? 0n) + amount(i));
  return [...out].sort(([a], [b]) => a.localeCompare(b));
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
function monthStart(month: string): string {
  if (!MONTH.test(month)) throw new DomainError('invalid_request', { detail: 'month must be YYYY-MM' });
  return `${month}-01`;
}

/** What the customer owes the partner for one month: its lines at customer price, totals per currency. */
export async function customerStatement(ctx: Ctx<Db>, input: { tenantId: string; month: string }) {
  const rows = await customerMonthLineRows(ctx.db, partnerOf(ctx), input.tenantId, monthStart(input.month));
  return {
    tenantId: input.tenantId,
    month: input.month,
    lines: rows.map((l) => ({
      id: l.id,
      chargeType: l.charge_type,
      subscriptionId: l.subscription_id,
      offerId: l.offer_id,
      productName: l.product_name,
      quantity: l.quantity,
      billableQuantity: l.billable_quantity,
      unitPrice: l.customer_unit_price,
      subtotal: l.customer_subtotal,
      currency: l.currency,
      chargeStart: l.charge_start,
      chargeEnd: l.charge_end,
      creditReasonCode: l.credit_reason_code,
    })),
    totals: sumPerCurrency(
      rows,
      (l) => l.currency,
      (l) => BigInt(l.customer_subtotal),
    ).map(([currency, amount]) => ({
      currency,
      amount: Number(amount),
    })),
  };
}

const RECURRING_TYPES = [...RECURRING];
const TERM_MONTHS: Record<string, number> = { P1M: 1, P1Y: 12, P3Y: 36 };
const MONTHS_A_YEAR = 12n;

/**
 * How many twelfths of a year one charge period of the line lasts, to run it at a monthly rate:
 * a monthly cycle is one month; an annual cycle (or a term billed at once) its months, up to a year.
 */
function periodMonths(l: BillingLineView): bigint {
  const term = TERM_MONTHS[l.term ?? 'P1M'] ?? 1;
  return BigInt(l.billing_cycle === 'monthly' ? 1 : Math.min(term, 12));
}

function lastDayOf(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return utcDay(new Date(Date.UTC(y, m, 0)));
}

/**
 * Per customer and currency: the monthly recurring revenue (the customer price per seat of every
 * recurring line in force on the month's last day — or today, for the current month — at a monthly
 * rate, times its signed seats), its cost, and the margin; with the month's charged totals.
 */
export async function margins(ctx: Ctx<Db>, ports: BillingPorts, input: { month?: string }) {
  const partnerId = partnerOf(ctx);
  const today = utcDay(ctx.clock.now());
  const month = input.month ?? today.slice(0, 7);
  const start = monthStart(month);
  const last = lastDayOf(month);
  const day = today >= start && today < last ? today : last;
  const [running, charged] = await Promise.all([
    linesCoveringDay(ctx.db, partnerId, day, RECURRING_TYPES),
    monthTotalsPerCustomer(ctx.db, partnerId, start),
  ]);
  type Acc = {
    tenantId: string;
    currency: string;
    mrr: bigint;
    cost: bigint;
    charged: bigint;
    chargedCost: bigint;
  };
  const acc = new Map<string, Acc>();
  const get = (tenantId: string, currency: string) => {
    const k = `${tenantId}|${currency}`;
    let a = acc.get(k);
    if (!a) {
      a = { tenantId, currency, mrr: 0n, cost: 0n, charged: 0n, chargedCost: 0n };
      acc.set(k, a);
    }
    return a;
  };
  // In twelfths of a month-rate first, floored once per customer and currency.
  for (const l of running) {
    const a = get(l.tenant_id, l.currency);
    const seats = BigInt(l.billable_quantity);
    const twelfths = MONTHS_A_YEAR / periodMonths(l);
    a.mrr += BigInt(l.customer_unit_price) * seats * twelfths;
    a.cost += BigInt(l.unit_price) * seats * twelfths;
  }
  for (const c of charged) {
    const a = get(c.tenant_id, c.currency);
    a.charged = BigInt(c.revenue);
    a.chargedCost = BigInt(c.cost);
  }
  const floorDiv = (n: bigint, d: bigint) => (n >= 0n ? n / d : -((-n + d - 1n) / d));
  const names = await ports.tenantNames(ctx, [...new Set([...acc.values()].map((a) => a.tenantId))]);
  const customers = [...acc.values()]
    .map((a) => {
      const mrr = floorDiv(a.mrr, MONTHS_A_YEAR);
      const cost = floorDiv(a.cost, MONTHS_A_YEAR);
      return {
        tenantId: a.tenantId,
        companyName: names.get(a.tenantId) ?? a.tenantId,
        currency: a.currency,
        mrr: Number(mrr),
        cost: Number(cost),
        margin: Number(mrr - cost),
        charged: Number(a.charged),
        chargedCost: Number(a.chargedCost),
      };
    })
    .sort((x, y) => x.companyName.localeCompare(y.companyName) || x.currency.localeCompare(y.currency));
  const totals = [...new Set(customers.map((c) => c.currency))].sort().map((currency) => {
    const of = customers.filter((c) => c.currency === currency);
    const sum = (f: (c: (typeof of)[number]) => number) => of.reduce((s, c) => s + f(c), 0);
    return {
      currency,
      mrr: sum((c) => c.mrr),
      cost: sum((c) => c.cost),
      margin: sum((c) => c.margin),
      charged: sum((c) => c.charged),
      chargedCost: sum((c) => c.chargedCost),
    };
  });
  return { month, asOf: day, customers, totals };
}

/** The partner's charged totals per month and currency over the last `months` months (for a chart). */
export async function marginHistory(ctx: Ctx<Db>, input: { months?: number }) {
  const months = input.months ?? 12;
  const now = ctx.clock.now();
  const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - (months - 1), 1));
  const rows = await monthTotals(ctx.db, partnerOf(ctx), utcDay(from));
  return {
    from: utcDay(from).slice(0, 7),
    to: utcDay(now).slice(0, 7),
    points: rows.map((r) => {
      const revenue = BigInt(r.revenue);
      const cost = BigInt(r.cost);
      return {
        month: r.billing_month.slice(0, 7),
        currency: r.currency,
        revenue: Number(revenue),
        cost: Number(cost),
        margin: Number(revenue - cost),
      };
    }),
  };
}
