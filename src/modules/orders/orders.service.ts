import { randomUUID } from 'node:crypto';
import { checkOrder } from '../../domain/orders.ts';
import { regionMismatch } from '../../domain/regions.ts';
import type { Db, PartnerRow, Trx } from '../../platform/db/database.ts';
import { DomainError } from '../../platform/errors.ts';
import type { Ctx } from '../../platform/http/context.ts';
import { decodeTimeCursor, toPage } from '../../platform/http/schemas.ts';
import { recordAudit } from '../audit/index.ts';
import { orderChargeRows } from '../billing/index.ts';
import { type OfferView, offersById } from '../catalog/index.ts';
import { assignedSeatsBySku } from '../licenses/index.ts';
import { findPartner, isIndirectlyLinked } from '../partners/index.ts';
import {
  createOrderedSubscriptionsMany,
  getCustomerSubscription,
  holdingsOfTenants,
  type SubscriptionView,
  subscriptionViewsOf,
} from '../subscriptions/index.ts';
import { lockAcceptedRelationship, lockAcceptedRelationships, tenantsByIds } from '../tenants/index.ts';
import { findOrder, insertOrders, listOrderRows, type OrderRow } from './orders.repo.ts';

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

/** What an order bought: its id and its subscriptions, one per line in line order. */
export interface PlacedOrder {
  id: string;
  subscriptionIds: string[];
}

/**
 * The orders of a batch of transitions' provision steps. A reseller's transition buys through the
 * provider it reached the customer with (SPEC §7): the order is the provider's, the reseller its
 * partner of record; any other partner orders as itself. Per order the checks of an order,
 * read for all of them at once (partner, tenants, relationships, offers, holdings); then every
 * accepted order, its subscriptions and their billing lines in one statement each. Answers per
 * order what it bought or its refusal; a refused order writes nothing.
 */
export async function placeTransitionOrders(
  ctx: Ctx,
  inputs: PlaceOrderInput[],
): Promise<(PlacedOrder | DomainError)[]> {
  const refuse = (err: DomainError) => inputs.map(() => err);
  if (!ctx.actor.partnerId) return refuse(new DomainError('forbidden', { action: 'orders.create' }));
  const partner = await findPartner(ctx.db, ctx.actor.partnerId);
  if (!partner) return refuse(new DomainError('tenant_not_found'));
  if (partner.kind !== 'indirect-reseller') return writeOrders(ctx, partner, inputs);
  // The reseller's provider per customer (the one it reached the customer with), then the orders
  // of each provider together.
  const out: (PlacedOrder | DomainError)[] = inputs.map(() => new DomainError('tenant_not_found'));
  const byProvider = new Map<string, number[]>();
  for (const [i, input] of inputs.entries()) {
    const rel = await lockAcceptedRelationship(ctx.db, partner.id, input.tenantId);
    const providerId = rel?.indirect_provider_id;
    if (!providerId || !(await isIndirectlyLinked(ctx, providerId, partner.id)))
      out[i] = new DomainError('indirect_provider_missing', { resellerId: partner.id });
    else byProvider.set(providerId, [...(byProvider.get(providerId) ?? []), i]);
  }
  for (const [providerId, at] of byProvider) {
    const provider = (await findPartner(ctx.db, providerId))!;
    const placed = await writeOrders(
      ctx,
      provider,
      at.map((i) => ({ ...inputs[i]!, partnerOnRecordId: partner.id })),
    );
    for (const [n, i] of at.entries()) out[i] = placed[n]!;
  }
  return out;
}

/** Places the order and answers its view (what the order routes return). */
async function orderAs(ctx: Ctx, partner: PartnerRow, input: PlaceOrderInput) {
  const [placed] = await writeOrders(ctx, partner, [input]);
  if (placed instanceof DomainError) throw placed;
  const order = (await findOrder(ctx.db, input.tenantId, placed!.id))!;
  const subscriptions = await subscriptionViewsOf(
    { ...ctx, assignedSeatsBySku },
    input.tenantId,
    placed!.subscriptionIds,
  );
  return toOrderView(order, subscriptions, await orderExtras(ctx.db, [order]));
}

/**
 * Orders as `partner`, each checked in turn (tenant, relationship locked, region, offers priced in
 * the tenant's market, the order's rules against what the tenant holds, an order before it
 * included); then the accepted ones written together.
 */
async function writeOrders(
  ctx: Ctx,
  partner: PartnerRow,
  inputs: PlaceOrderInput[],
): Promise<(PlacedOrder | DomainError)[]> {
  const partnerId = partner.id;
  const now = ctx.clock.now();
  const tenantIds = [...new Set(inputs.map((i) => i.tenantId))];
  const tenants = new Map((await tenantsByIds(ctx.db, tenantIds)).map((t) => [t.id, t]));
  // Held until commit, so the relationship cannot be removed under these orders (see the lock).
  const related = await lockAcceptedRelationships(ctx.db, partnerId, [...tenants.keys()]);
  // Priced in the tenant's market (its country): no price there, not orderable there (SPEC §11).
  const offersIn = new Map<string, Awaited<ReturnType<typeof offersById>>>();
  for (const market of new Set([...tenants.values()].map((t) => t.country)))
    offersIn.set(
      market,
      await offersById(
        ctx.db,
        inputs
          .filter((i) => tenants.get(i.tenantId)?.country === market)
          .flatMap((i) => i.lineItems.map((l) => l.offerId)),
        { market, at: now },
      ),
    );
  const holdings = await holdingsOfTenants(
    ctx,
    tenantIds.filter((t) => related.has(t)),
  );
  const orders: {
    id: string;
    input: PlaceOrderInput;
    lines: { id: string; offer: OfferView; quantity: number }[];
  }[] = [];
  const out = inputs.map((input): PlacedOrder | DomainError => {
    const tenant = tenants.get(input.tenantId);
    if (!tenant) return new DomainError('tenant_not_found');
    if (!related.has(tenant.id)) return new DomainError('relationship_not_found');
    if (partner.region !== tenant.region)
      return new DomainError('region_mismatch', regionMismatch(partner.region, tenant.region));
    const offers = offersIn.get(tenant.country)!;
    const missing = input.lineItems.find((l) => !offers.get(l.offerId));
    if (missing) return new DomainError('offer_not_found', { offerId: missing.offerId });
    const lines = input.lineItems.map((l) => ({ offer: offers.get(l.offerId)!, quantity: l.quantity }));
    const held = holdings.get(tenant.id)!;
    const problem = checkOrder(
      lines.map((l) => ({ ...l, offer: { ...l.offer, successorOfferId: l.offer.successorOfferId ?? null } })),
      { market: tenant.country, ...held },
    );
    if (problem) return new DomainError(problem.code, problem.params);
    // A later order of the same tenant in this batch sees this one's purchases.
    for (const l of lines) {
      held.heldSkus.add(l.offer.skuId);
      if (l.offer.kind === 'base') held.heldBaseOfferIds.add(l.offer.id);
    }
    const order = { id: randomUUID(), input, lines: lines.map((l) => ({ ...l, id: randomUUID() })) };
    orders.push(order);
    return { id: order.id, subscriptionIds: order.lines.map((l) => l.id) };
  });
  if (orders.length === 0) return out;

  const lineItemsOf = (o: (typeof orders)[number]) =>
    o.lines.map((l) => ({ offerId: l.offer.id, quantity: l.quantity, subscriptionId: l.id }));
  await insertOrders(
    ctx.db,
    orders.map((o) => ({
      id: o.id,
      tenantId: o.input.tenantId,
      partnerId,
      userId: ctx.actor.userId,
      lineItems: lineItemsOf(o),
      partnerOnRecordId: o.input.partnerOnRecordId ?? null,
      now,
    })),
  );
  await createOrderedSubscriptionsMany(
    { ...ctx, assignedSeatsBySku },
    orders.map((o) => ({
      tenantId: o.input.tenantId,
      partnerId,
      partnerOnRecordId: o.input.partnerOnRecordId ?? null,
      orderId: o.id,
      lines: o.lines,
    })),
  );
  for (const o of orders) {
    const onRecord = o.input.partnerOnRecordId ?? null;
    const lineItems = lineItemsOf(o);
    // The provider's trail (it transacted) and, for a reseller's order, the reseller's (it is on record).
    for (const p of onRecord && onRecord !== ctx.actor.partnerId ? [partnerId, onRecord] : [partnerId])
      await recordAudit(ctx, {
        action: 'order.created',
        targetType: 'order',
        targetId: o.id,
        tenantId: o.input.tenantId,
        partnerId: p,
        data: { lineItems, ...(onRecord ? { partnerOnRecordId: onRecord, providerId: partnerId } : {}) },
      });
  }
  return out;
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
