import type { ChargeType } from '../../domain/billing/lines.ts';
import { type ChargePeriod, chargePeriods, periodAt } from '../../domain/billing/proration.ts';
import { addTerm, effectiveTerm } from '../../domain/lifecycle.ts';
import type { Ctx } from '../../platform/http/context.ts';
import {
  type BilledSubscription,
  recordSeatLine,
  recordSeatLines,
  type SeatLineInput,
} from '../billing/index.ts';
import {
  billableRowsAfter,
  markBilledThrough,
  offerNameFor,
  type SubscriptionRow,
} from './subscriptions.repo.ts';

/**
 * The billing lines of subscription events (SPEC §8, docs/billing.md), written in the transaction
 * of the change through the billing module's face. Only partner-channel subscriptions are the
 * partner's to pay: direct, volume and trial ones are billed elsewhere. Lines are keyed by their
 * event, so a replay writes nothing twice.
 */
type WriteCtx = Pick<Ctx, 'db' | 'clock'>;

async function billedOf(
  ctx: WriteCtx,
  row: SubscriptionRow,
  offerName?: string | null,
): Promise<BilledSubscription | null> {
  if (row.channel !== 'partner' || !row.partner_id || !row.currency) return null;
  return {
    id: row.id,
    tenantId: row.tenant_id,
    partnerId: row.partner_id,
    resellerPartnerId: row.partner_on_record_id ?? null,
    orderId: row.order_id,
    offerId: row.offer_id,
    productName: offerName !== undefined ? offerName : await offerNameFor(ctx.db, row.offer_id),
    skuId: row.sku_id,
    term: row.term,
    billingCycle: row.billing_cycle,
    currency: row.currency,
  };
}

/** The charge period in force at `at` in the row's current term (`termStart` as the change sees it). */
function currentPeriod(row: SubscriptionRow, termStart: Date, at: Date): ChargePeriod {
  return periodAt(termStart, row.term, row.billing_cycle, row.unit_price, at);
}

/** A new purchase: the first charge period, whole (the term billed at once, or its first cycle). */
export async function billPurchase(ctx: WriteCtx, row: SubscriptionRow, offerName: string | null) {
  const line = await purchaseLine(ctx, row, offerName);
  if (line) await recordSeatLine(ctx, line);
}

/** Many purchases (a batch of orders): their lines in one statement. */
export async function billPurchases(
  ctx: WriteCtx,
  bought: { row: SubscriptionRow; offerName: string | null }[],
) {
  const lines: SeatLineInput[] = [];
  for (const b of bought) {
    const line = await purchaseLine(ctx, b.row, b.offerName);
    if (line) lines.push(line);
  }
  await recordSeatLines(ctx, lines);
}

async function purchaseLine(
  ctx: WriteCtx,
  row: SubscriptionRow,
  offerName: string | null,
): Promise<SeatLineInput | null> {
  const s = await billedOf(ctx, row, offerName);
  if (!s) return null;
  const [first] = chargePeriods(row.term_start, row.term, row.billing_cycle, row.unit_price);
  return {
    sourceKey: `order:${row.order_id ?? 'none'}:${row.id}`,
    type: 'new',
    subscription: s,
    period: first!,
    seats: row.quantity,
    at: row.term_start,
  };
}

/**
 * Renewals and cycle charges due by `now`: every charge period of the stored term and of the terms
 * it renewed into that has started, except those that started before the subscription reached us
 * (a recorded one was billed elsewhere; an ordered one's first period is its `new` line) and those
 * from its cancellation on. Called before any change to the row (so the seats are those of the
 * period's start) and by the sweep after clock moves.
 */
export async function billDueCharges(
  ctx: WriteCtx,
  row: SubscriptionRow,
  now: Date,
  offerName?: string | null,
) {
  if (row.channel !== 'partner' || !row.partner_id || !row.currency) return;
  const { renewals } = effectiveTerm(
    {
      termStart: row.term_start,
      termEnd: row.term_end,
      term: row.term,
      autoRenew: row.auto_renew,
      suspendedAt: row.suspended_at,
      cancelledAt: row.cancelled_at,
    },
    now,
  );
  let s: BilledSubscription | null | undefined;
  // Periods up to the watermark are billed already (their lines exist, keyed), so skip them.
  const after = Math.max(row.created_at.getTime(), row.billed_through?.getTime() ?? 0);
  let last: Date | null = null;
  for (let i = 0; i <= renewals; i++) {
    const start = i === 0 ? row.term_start : addTerm(row.term_end, row.term, i - 1);
    for (const p of chargePeriods(start, row.term, row.billing_cycle, row.unit_price)) {
      if (p.start.getTime() > now.getTime()) break;
      if (row.cancelled_at && p.start.getTime() >= row.cancelled_at.getTime()) break;
      if (p.start.getTime() <= after) continue;
      s ??= await billedOf(ctx, row, offerName);
      if (!s) return;
      last = p.start;
      const type: ChargeType = p.index === 0 ? 'renew' : 'cycleCharge';
      await recordSeatLine(ctx, {
        sourceKey: `${type === 'renew' ? 'renew' : 'cycle'}:${row.id}:${p.start.toISOString()}`,
        type,
        subscription: s,
        period: p,
        seats: row.quantity,
        at: p.start,
      });
    }
  }
  if (last) await markBilledThrough(ctx.db, row.id, last);
}

/**
 * A seat change at `now` in the term starting `termStart`: seats added pay the rest of the charge
 * period; seats removed (only ever inside a refund window) get the rest of it back; a cancellation
 * gives back the rest of the period for every seat.
 */
export async function billSeatChange(
  ctx: WriteCtx,
  row: SubscriptionRow,
  input: { termStart: Date; from: number; to: number; cancelled: boolean; now: Date },
) {
  const s = await billedOf(ctx, row);
  if (!s) return;
  const period = currentPeriod(row, input.termStart, input.now);
  const stamp = input.now.toISOString();
  if (input.to !== input.from) {
    const added = input.to > input.from;
    await recordSeatLine(ctx, {
      sourceKey: `seats:${row.id}:${stamp}:${input.from}:${input.to}`,
      type: added ? 'addQuantity' : 'removeQuantity',
      subscription: s,
      period,
      seats: Math.abs(input.to - input.from),
      at: input.now,
    });
  }
  if (input.cancelled)
    await recordSeatLine(ctx, {
      sourceKey: `cancel:${row.id}:${stamp}`,
      type: 'cancel',
      subscription: s,
      period,
      seats: input.to,
      at: input.now,
    });
}

/**
 * A partner-to-partner transfer at `now`: the source is refunded the rest of the charge period,
 * the target charged it (the charge periods after it are the target's). Dues up to the transfer
 * are the source's, so they are written first.
 */
export async function billTransfer(
  ctx: WriteCtx,
  row: SubscriptionRow,
  input: { transferId: string; toPartnerId: string; now: Date },
) {
  const s = await billedOf(ctx, row);
  if (!s) return;
  await billDueCharges(ctx, row, input.now, s.productName);
  const { termStart } = effectiveTerm(
    {
      termStart: row.term_start,
      termEnd: row.term_end,
      term: row.term,
      autoRenew: row.auto_renew,
      suspendedAt: row.suspended_at,
      cancelledAt: row.cancelled_at,
    },
    input.now,
  );
  const period = currentPeriod(row, termStart, input.now);
  const base = { period, seats: row.quantity, at: input.now };
  await recordSeatLine(ctx, {
    ...base,
    sourceKey: `transfer:${input.transferId}:${row.id}:out`,
    type: 'transferOut',
    subscription: s,
  });
  await recordSeatLine(ctx, {
    ...base,
    sourceKey: `transfer:${input.transferId}:${row.id}:in`,
    type: 'transferIn',
    // The reseller of record was the source's; the target bills as itself.
    subscription: { ...s, partnerId: input.toPartnerId, resellerPartnerId: null },
  });
}

/**
 * The sweep: renewals and cycle charges due on up to `limit` partner subscriptions after `afterId`
 * (id order). Returns the last id seen, or null when there are no more.
 */
export async function billDueSubscriptionCharges(ctx: Ctx, input: { afterId: string; limit: number }) {
  const rows = await billableRowsAfter(ctx.db, input.afterId, input.limit);
  const now = ctx.clock.now();
  for (const { offer_name, ...row } of rows) await billDueCharges(ctx, row, now, offer_name);
  return rows.length < input.limit ? null : rows[rows.length - 1]!.id;
}

/**
 * An upgrade at `now` (docs/billing.md, `convert`): the old offer's rest of the charge period is
 * paid back for the old seats, the new offer's rest charged for the new seats, both floored the
 * same way as every other line. Keyed by the moment and the offers, so a replay writes nothing twice.
 */
export async function billConvert(
  ctx: WriteCtx,
  row: SubscriptionRow,
  input: {
    termStart: Date;
    now: Date;
    to: { offerId: string; offerName: string; skuId: string; unitPrice: number };
    quantity: number;
  },
) {
  const s = await billedOf(ctx, row);
  if (!s) return;
  const stamp = input.now.toISOString();
  const key = `convert:${row.id}:${stamp}:${row.offer_id}:${input.to.offerId}`;
  await recordSeatLine(ctx, {
    sourceKey: `${key}:out`,
    type: 'convert',
    refund: true,
    subscription: s,
    period: currentPeriod(row, input.termStart, input.now),
    seats: row.quantity,
    at: input.now,
  });
  await recordSeatLine(ctx, {
    sourceKey: `${key}:in`,
    type: 'convert',
    subscription: { ...s, offerId: input.to.offerId, productName: input.to.offerName, skuId: input.to.skuId },
    period: periodAt(input.termStart, row.term, row.billing_cycle, input.to.unitPrice, input.now),
    seats: input.quantity,
    at: input.now,
  });
}
