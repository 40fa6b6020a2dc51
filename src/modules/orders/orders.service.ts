import { randomUUID } from 'node:crypto';
import { checkOrder } from '../../domain/orders.ts';
import { regionMismatch } from '../../domain/regions.ts';
import type { Db } from '../../platform/db/database.ts';
import { DomainError } from '../../platform/errors.ts';
import type { Ctx } from '../../platform/http/context.ts';
import { decodeTimeCursor, toPage } from '../../platform/http/schemas.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { offersById } from '../catalog/catalog.service.ts';
import { findPartner } from '../partners/partners.repo.ts';
import { lockAcceptedRelationship } from '../relationships/relationships.repo.ts';
import {
  createOrderedSubscriptions,
  getCustomerSubscription,
  holdingsOf,
  type SubscriptionView,
} from '../subscriptions/subscriptions.service.ts';
import { findTenant } from '../tenants/tenants.repo.ts';
import { findOrder, insertOrder, listOrderRows, type OrderRow } from './orders.repo.ts';

function toOrderView(o: OrderRow, subscriptions?: SubscriptionView[]) {
  return {
    id: o.id,
    tenantId: o.tenant_id,
    partnerId: o.partner_id,
    status: o.status,
    lineItems: o.line_items,
    createdAt: o.created_at.toISOString(),
    ...(subscriptions ? { subscriptions } : {}),
  };
}

export interface PlaceOrderInput {
  tenantId: string;
  lineItems: { offerId: string; quantity: number }[];
}

/**
 * A partner orders offers for a customer: relationship accepted, same region, offers available in
 * the tenant's market, within their limits; each line becomes a partner-channel subscription.
 * Retries under the same Idempotency-Key replay the first answer (runInTransaction).
 */
export async function placeOrder(ctx: Ctx, input: PlaceOrderInput) {
  const partnerId = ctx.actor.partnerId;
  if (!partnerId) throw new DomainError('forbidden', { action: 'orders.create' });
  const tenant = await findTenant(ctx.db, input.tenantId);
  const partner = await findPartner(ctx.db, partnerId);
  if (!tenant || !partner) throw new DomainError('tenant_not_found');
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
  const planned = lines.map((l) => ({ ...l, id: randomUUID() }));
  const lineItems = planned.map((l) => ({ offerId: l.offer.id, quantity: l.quantity, subscriptionId: l.id }));
  await insertOrder(ctx.db, { id, tenantId: tenant.id, partnerId, userId: ctx.actor.userId, lineItems, now });
  const subscriptions = await createOrderedSubscriptions(ctx, {
    tenantId: tenant.id,
    partnerId,
    orderId: id,
    lines: planned,
  });
  await recordAudit(ctx, {
    action: 'order.created',
    targetType: 'order',
    targetId: id,
    tenantId: tenant.id,
    partnerId,
    data: { lineItems },
  });
  return toOrderView((await findOrder(ctx.db, tenant.id, id))!, subscriptions);
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
  return toPage(
    rows,
    limit,
    (o) => toOrderView(o),
    (o) => [o.created_at.toISOString(), o.id],
  );
}

export async function getOrder(ctx: Ctx<Db>, input: { tenantId: string; orderId: string }) {
  const o = await findOrder(ctx.db, input.tenantId, input.orderId);
  if (!o || (ctx.actor.kind === 'partner' && o.partner_id !== ctx.actor.partnerId))
    throw new DomainError('order_not_found');
  const subscriptions = await Promise.all(
    o.line_items.map((l) => getCustomerSubscription(ctx, { tenantId: o.tenant_id, id: l.subscriptionId })),
  );
  return toOrderView(o, subscriptions);
}
