import { randomUUID } from 'node:crypto';
import { checkOrder } from '../../domain/orders.ts';
import { regionMismatch } from '../../domain/regions.ts';
import type { Db, PartnerRow, Trx } from '../../platform/db/database.ts';
import { DomainError } from '../../platform/errors.ts';
import type { Ctx } from '../../platform/http/context.ts';
import { decodeTimeCursor, toPage } from '../../platform/http/schemas.ts';
import { recordAudit } from '../audit/index.ts';
import { orderChargeRows } from '../billing/index.ts';
import { offersById } from '../catalog/index.ts';
import { assignedSeatsBySku } from '../licenses/index.ts';
import { findPartner, isIndirectlyLinked } from '../partners/index.ts';
import {
  createOrderedSubscriptions,
  getCustomerSubscription,
  holdingsOf,
  type SubscriptionView,
  subscriptionViewsOf,
} from '../subscriptions/index.ts';
import { findTenant, lockAcceptedRelationship } from '../tenants/index.ts';
import { findOrder, insertOrder, listOrderRows, type OrderRow } from './orders.repo.ts';

type OrderExtras = Awaited<ReturnType<typeof orderExtras>>;

/** Offer names and what each line charged, for a batch of orders (two reads for the whole batch). */
async function orderExtras(db: Db | Trx, orders: OrderRow[]) {
  const [offers, charges] = await Promise.all([
    offersById(
      db,
      orders.flatMap((o) => o.line_items.map((l) => l.offerId)),
    ),
    orderChargeRows(
      db,
      orders.map((o) => o.id),
    ),
  ]);
  const bySub = new Map(
    charges.map((c) => [c.subscription_id, { amount: Number(c.amount), currency: c.currency }]),
  );
  return { offers, bySub };
}

function toOrderView(o: OrderRow, subscriptions?: SubscriptionView[], extras?: OrderExtras) {
  const lineItems = o.line_items.map((l) => {
    const name = extras?.offers.get(l.offerId)?.name;
    const charge = extras?.bySub.get(l.subscriptionId);
    return {
      ...l,
      ...(name ? { offerName: name } : {}),
      ...(charge ? { amount: charge.amount, currency: charge.currency } : {}),
    };
  });
  const totals = new Map<string, number>();
  for (const l of lineItems)
    if (l.currency) totals.set(l.currency, (totals.get(l.currency) ?? 0) + (l.amount ?? 0));
  return {
    id: o.id,
    tenantId: o.tenant_id,
    partnerId: o.partner_id,
    partnerOnRecordId: o.partner_on_record_id,
    status: o.status,
    lineItems,
    ...(extras ? { totals: [...totals].map(([currency, amount]) => ({ amount, currency })) } : {}),
    createdAt: o.created_at.toISOString(),
    ...(subscriptions ? { subscriptions } : {}),
  };
}

export interface PlaceOrderInput {
  tenantId: string;
  lineItems: { offerId: string; quantity: number }[];
  /** An indirect provider ordering for one of its resellers (SPEC §7). */
  partnerOnRecordId?: string | undefined;
}

/**
 * A partner orders offers for a customer: relationship accepted, same region, offers available in
 * the tenant's market, within their limits; each line becomes a partner-channel subscription.
 * An indirect reseller never transacts (403); its provider orders for it, naming it partner of record.
 * Retries under the same Idempotency-Key replay the first answer (runInTransaction).
 */
export async function placeOrder(ctx: Ctx, input: PlaceOrderInput) {
  const partnerId = ctx.actor.partnerId;
  if (!partnerId) throw new DomainError('forbidden', { action: 'orders.create' });
  const partner = await findPartner(ctx.db, partnerId);
  if (!partner) throw new DomainError('tenant_not_found');
  if (partner.kind === 'indirect-reseller') throw new DomainError('indirect_reseller_cannot_transact');
  if (input.partnerOnRecordId) {
    if (
      partner.kind !== 'indirect-provider' ||
      !(await isIndirectlyLinked(ctx, partnerId, input.partnerOnRecordId))
    )
      throw new DomainError('partner_on_record_invalid', { partnerOnRecordId: input.partnerOnRecordId });
    if (!(await lockAcceptedRelationship(ctx.db, input.partnerOnRecordId, input.tenantId)))
      throw new DomainError('partner_on_record_invalid', { partnerOnRecordId: input.partnerOnRecordId });
  }
  return orderAs(ctx, partner, input);
}

/**
 * A reseller's transition buys through the provider it reached the customer with (SPEC §7): the
 * order is the provider's, the reseller its partner of record. Any other partner orders as itself.
 * The step needs only what was bought, not the order's view: `{ id, subscriptionIds }`.
 */
export async function placeTransitionOrder(ctx: Ctx, input: PlaceOrderInput) {
  if (!ctx.actor.partnerId) throw new DomainError('forbidden', { action: 'orders.create' });
  const partner = await findPartner(ctx.db, ctx.actor.partnerId);
  if (!partner) throw new DomainError('tenant_not_found');
  if (partner.kind !== 'indirect-reseller') return writeOrder(ctx, partner, input);
  const rel = await lockAcceptedRelationship(ctx.db, partner.id, input.tenantId);
  const providerId = rel?.indirect_provider_id;
  if (!providerId || !(await isIndirectlyLinked(ctx, providerId, partner.id)))
    throw new DomainError('indirect_provider_missing', { resellerId: partner.id });
  const provider = (await findPartner(ctx.db, providerId))!;
  return writeOrder(ctx, provider, { ...input, partnerOnRecordId: partner.id });
}

/** Places the order and answers its view (what the order routes return). */
async function orderAs(ctx: Ctx, partner: PartnerRow, input: PlaceOrderInput) {
  const placed = await writeOrder(ctx, partner, input);
  const order = (await findOrder(ctx.db, input.tenantId, placed.id))!;
  const subscriptions = await subscriptionViewsOf(
    { ...ctx, assignedSeatsBySku },
    input.tenantId,
    placed.subscriptionIds,
  );
  return toOrderView(order, subscriptions, await orderExtras(ctx.db, [order]));
}

async function writeOrder(ctx: Ctx, partner: PartnerRow, input: PlaceOrderInput) {
  const partnerId = partner.id;
  const tenant = await findTenant(ctx.db, input.tenantId);
  if (!tenant) throw new DomainError('tenant_not_found');
  // Held until commit, so the relationship cannot be removed under this order (see the lock).
  if (!(await lockAcceptedRelationship(ctx.db, partnerId, tenant.id)))
    throw new DomainError('relationship_not_found');
  if (partner.region !== tenant.region) {
    throw new DomainError('region_mismatch', regionMismatch(partner.region, tenant.region));
  }
  // Priced in the tenant's market (its country): no price there, not orderable there (SPEC §11).
  const offers = await offersById(
    ctx.db,
    input.lineItems.map((l) => l.offerId),
    { market: tenant.country, at: ctx.clock.now() },
  );
  const lines = input.lineItems.map((l) => {
    const offer = offers.get(l.offerId);
    if (!offer) throw new DomainError('offer_not_found', { offerId: l.offerId });
    return { offer, quantity: l.quantity };
  });
  const holdings = await holdingsOf(ctx, tenant.id);
  const problem = checkOrder(
    lines.map((l) => ({ ...l, offer: { ...l.offer, successorOfferId: l.offer.successorOfferId ?? null } })),
    { market: tenant.country, ...holdings },
  );
  if (problem) throw new DomainError(problem.code, problem.params);

  const id = randomUUID();
  const now = ctx.clock.now();
  const onRecord = input.partnerOnRecordId ?? null;
  const planned = lines.map((l) => ({ ...l, id: randomUUID() }));
  const lineItems = planned.map((l) => ({ offerId: l.offer.id, quantity: l.quantity, subscriptionId: l.id }));
  await insertOrder(ctx.db, {
    id,
    tenantId: tenant.id,
    partnerId,
    userId: ctx.actor.userId,
    lineItems,
    partnerOnRecordId: onRecord,
    now,
  });
  const subscriptionIds = await createOrderedSubscriptions(
    { ...ctx, assignedSeatsBySku },
    {
      tenantId: tenant.id,
      partnerId,
      partnerOnRecordId: onRecord,
      orderId: id,
      lines: planned,
    },
  );
  // The provider's trail (it transacted) and, for a reseller's order, the reseller's (it is on record).
  for (const p of onRecord && onRecord !== ctx.actor.partnerId ? [partnerId, onRecord] : [partnerId])
    await recordAudit(ctx, {
      action: 'order.created',
      targetType: 'order',
      targetId: id,
      tenantId: tenant.id,
      partnerId: p,
      data: { lineItems, ...(onRecord ? { partnerOnRecordId: onRecord, providerId: partnerId } : {}) },
    });
  return { id, subscriptionIds };
}

export async function listOrders(ctx: Ctx<Db>, input: { tenantId: string; cursor?: string; limit?: number }) {
  const limit = input.limit ?? 50;
  const before = decodeTimeCursor(input.cursor);
  const rows = await listOrderRows(ctx.db, {
    tenantId: input.tenantId,
    ...(ctx.actor.kind === 'partner' ? { partnerId: ctx.actor.partnerId! } : {}),
    ...(before ? { before } : {}),
    limit,
  });
  const extras = await orderExtras(ctx.db, rows.slice(0, limit));
  return toPage(
    rows,
    limit,
    (o) => toOrderView(o, undefined, extras),
    (o) => [o.created_at.toISOString(), o.id],
  );
}

export async function getOrder(ctx: Ctx<Db>, input: { tenantId: string; orderId: string }) {
  const o = await findOrder(ctx.db, input.tenantId, input.orderId);
  if (
    !o ||
    (ctx.actor.kind === 'partner' &&
      o.partner_id !== ctx.actor.partnerId &&
      o.partner_on_record_id !== ctx.actor.partnerId)
  )
    throw new DomainError('order_not_found');
  const subscriptions = await Promise.all(
    o.line_items.map((l) =>
      getCustomerSubscription(
        { ...ctx, assignedSeatsBySku },
        { tenantId: o.tenant_id, id: l.subscriptionId },
      ),
    ),
  );
  return toOrderView(o, subscriptions, await orderExtras(ctx.db, [o]));
}
