import { seatLine } from '../../domain/billing/lines.ts';
import { periodAt } from '../../domain/billing/proration.ts';
import type { Db, Trx } from '../../platform/db/database.ts';
import { DomainError } from '../../platform/errors.ts';
import type { Ctx } from '../../platform/http/context.ts';
import { recordAudit } from '../audit/index.ts';
import { baseOffersOf, type OfferView, offersById } from '../catalog/index.ts';
import { findTenant, lockAcceptedRelationship } from '../tenants/index.ts';
import { billConvert, billDueCharges } from './subscriptions.billing.ts';
import {
  findSubscription,
  lockSubscription,
  type SubscriptionRow,
  updateSubscriptionRow,
} from './subscriptions.repo.ts';
import {
  getCustomerSubscription,
  lifecycleSettings,
  type PoolCtx,
  partnerMayChange,
  stateOf,
} from './subscriptions.service.ts';

/**
 * Upgrades (SPEC §3, new commerce): a subscription converts to a higher base offer of the same
 * family and segment, at the same term and billing cycle, sold and priced in the customer's market.
 * The term is kept; the assigned licenses follow to the new SKU in the same transaction; billing
 * pays back the rest of the old price and charges the rest of the new one (two `convert` lines).
 */

/** Moves `count` license assignments from one SKU to another (the licenses module's, handed in). */
export type MoveSkuAssignments = (
  db: Trx,
  input: { tenantId: string; fromSkuId: string; toSkuId: string; count: number; now: Date },
) => Promise<string[]>;

export type UpgradeCtx = PoolCtx & { moveSkuAssignments: MoveSkuAssignments };

type Reason =
  | 'same'
  | 'family'
  | 'segment'
  | 'term'
  | 'cycle'
  | 'market'
  | 'price'
  | 'end-of-sale'
  | 'not-base';

/** Why `target` is not an upgrade of `row` (whose offer is `current`), or null when it is one. */
function ineligibility(
  row: SubscriptionRow,
  current: OfferView | undefined,
  target: OfferView,
  market: string,
): Reason | null {
  if (target.id === row.offer_id || target.skuId === row.sku_id) return 'same';
  if (target.kind !== 'base') return 'not-base';
  if (target.status !== 'available') return 'end-of-sale';
  if (current && target.family !== current.family) return 'family';
  if (current && target.segment !== current.segment) return 'segment';
  if (target.term !== row.term) return 'term';
  if (target.billingCycle !== row.billing_cycle) return 'cycle';
  if (
    !target.markets.some((m) => m.toUpperCase() === market.toUpperCase()) ||
    target.unitPrice === null ||
    (row.currency !== null && target.currency !== row.currency)
  )
    return 'market';
  if (!(target.unitPrice > row.unit_price)) return 'price';
  return null;
}

/** What converting `quantity` seats at `now` costs: the old rest paid back, the new rest charged. */
function estimate(row: SubscriptionRow, termStart: Date, newPrice: number, quantity: number, now: Date) {
  const oldPeriod = periodAt(termStart, row.term, row.billing_cycle, row.unit_price, now);
  const newPeriod = periodAt(termStart, row.term, row.billing_cycle, newPrice, now);
  const credit =
    row.quantity > 0 ? -seatLine('convert', oldPeriod, row.quantity, now, { refund: true }).subtotal : 0;
  const charge = seatLine('convert', newPeriod, quantity, now).subtotal;
  return { credit, charge, net: charge - credit };
}

async function marketOf(ctx: Ctx<Db | Trx>, tenantId: string) {
  const tenant = await findTenant(ctx.db, tenantId);
  if (!tenant) throw new DomainError('tenant_not_found');
  return tenant.country;
}

/** The higher offers this subscription may convert to, with what converting it today costs. */
export async function upgradeOptions(ctx: PoolCtx<Db>, input: { tenantId: string; id: string }) {
  const row = await findSubscription(ctx.db, input.tenantId, input.id);
  if (!row) throw new DomainError('subscription_not_found');
  const market = await marketOf(ctx, input.tenantId);
  const now = ctx.clock.now();
  const st = stateOf(row, now, lifecycleSettings(ctx));
  const current = (await offersById(ctx.db, [row.offer_id], { at: now })).get(row.offer_id);
  const candidates = await baseOffersOf(
    ctx.db,
    { term: row.term, billingCycle: row.billing_cycle },
    { market, at: now },
  );
  const items = candidates
    .filter((o) => ineligibility(row, current, o, market) === null)
    .sort((a, b) => a.unitPrice! - b.unitPrice! || a.name.localeCompare(b.name))
    .map((o) => ({
      offerId: o.id,
      name: o.name,
      skuId: o.skuId,
      skuPartNumber: o.skuPartNumber,
      family: o.family,
      segment: o.segment,
      term: o.term,
      billingCycle: o.billingCycle,
      unitPrice: o.unitPrice!,
      currency: o.currency,
      minQuantity: o.minQuantity,
      maxQuantity: o.maxQuantity,
      // What converting today costs at the current seats (partner-channel subscriptions only).
      estimate: estimate(row, st.termStart, o.unitPrice!, row.quantity, now),
    }));
  return {
    subscriptionId: row.id,
    offerId: row.offer_id,
    family: current?.family ?? null,
    segment: current?.segment ?? null,
    market,
    items,
  };
}

/** The partner of record converts its subscription to a higher offer (idempotent by the route's key). */
export async function upgradeSubscription(
  ctx: UpgradeCtx,
  input: { tenantId: string; id: string; targetOfferId: string; quantity?: number },
) {
  if (
    ctx.actor.kind === 'partner' &&
    !(await lockAcceptedRelationship(ctx.db, ctx.actor.partnerId!, input.tenantId))
  )
    throw new DomainError('relationship_not_found');
  const row = await lockSubscription(ctx.db, input.tenantId, input.id);
  if (!row) throw new DomainError('subscription_not_found');
  if (!partnerMayChange(ctx, row))
    throw new DomainError('subscription_not_changeable', {
      channel: row.channel,
      ...(row.partner_id ? { partnerId: row.partner_id } : {}),
    });
  if (row.transfer_id)
    throw new DomainError('subscription_transfer_pending', { transferId: row.transfer_id });
  const now = ctx.clock.now();
  const st = stateOf(row, now, lifecycleSettings(ctx));
  if (st.state !== 'active') throw new DomainError('subscription_not_active', { state: st.state });
  const market = await marketOf(ctx, input.tenantId);
  const offers = await offersById(ctx.db, [row.offer_id, input.targetOfferId], { market, at: now });
  const target = offers.get(input.targetOfferId);
  if (!target) throw new DomainError('offer_not_found', { offerId: input.targetOfferId });
  const current = (await offersById(ctx.db, [row.offer_id], { at: now })).get(row.offer_id);
  const reason = ineligibility(row, current, target, market);
  if (reason)
    throw new DomainError('subscription_upgrade_not_eligible', {
      offerId: target.id,
      offerName: target.name,
      reason,
      market,
    });
  const quantity = input.quantity ?? row.quantity;
  if (quantity < row.quantity)
    throw new DomainError('subscription_upgrade_quantity', { quantity, current: row.quantity });
  if (quantity < target.minQuantity || quantity > target.maxQuantity)
    throw new DomainError('quantity_out_of_range', {
      offerId: target.id,
      quantity,
      minQuantity: target.minQuantity,
      maxQuantity: target.maxQuantity,
    });

  // The seats this subscription's users hold now (its share of the SKU's pool) follow it.
  const before = await getCustomerSubscription(ctx, { tenantId: row.tenant_id, id: row.id });
  // Dues before the conversion are billed at the old offer.
  await billDueCharges(ctx, row, now);
  const amounts = estimate(row, st.termStart, target.unitPrice!, quantity, now);
  await billConvert(ctx, row, {
    termStart: st.termStart,
    now,
    to: { offerId: target.id, offerName: target.name, skuId: target.skuId, unitPrice: target.unitPrice! },
    quantity,
  });
  await updateSubscriptionRow(ctx.db, row.id, {
    offer_id: target.id,
    sku_id: target.skuId,
    unit_price: target.unitPrice!,
    currency: target.currency,
    refund_window_hours: target.refundWindowHours,
    quantity,
    term_start: st.termStart,
    term_end: st.termEnd,
    updated_at: now,
  });
  const moved = await ctx.moveSkuAssignments(ctx.db, {
    tenantId: row.tenant_id,
    fromSkuId: row.sku_id,
    toSkuId: target.skuId,
    count: before.assignedSeats,
    now,
  });
  await recordAudit(ctx, {
    action: 'subscription.upgraded',
    targetType: 'subscription',
    targetId: row.id,
    tenantId: row.tenant_id,
    partnerId: row.partner_id,
    data: {
      from: { offerId: row.offer_id, skuId: row.sku_id, quantity: row.quantity, unitPrice: row.unit_price },
      change: { offerId: target.id, skuId: target.skuId, quantity, unitPrice: target.unitPrice },
      licensesMoved: moved.length,
      amountCredited: amounts.credit,
      amountCharged: amounts.charge,
    },
  });
  const view = await getCustomerSubscription(ctx, { tenantId: row.tenant_id, id: row.id });
  return {
    ...view,
    upgrade: {
      fromOfferId: row.offer_id,
      fromSkuId: row.sku_id,
      licensesMoved: moved.length,
      amountCredited: amounts.credit,
      amountCharged: amounts.charge,
    },
  };
}
