import { randomUUID } from 'node:crypto';
import { AZURE_DELETE_AFTER_DAYS, azureCurrencyOf, type OwnKind } from '../../domain/azure.ts';
import { addDaysUtc } from '../../domain/calendar.ts';
import { regionOf } from '../../domain/regions.ts';
import type { Db, Trx } from '../../platform/db/database.ts';
import { DomainError } from '../../platform/errors.ts';
import type { Ctx } from '../../platform/http/context.ts';
import { decodeTimeCursor, toPage } from '../../platform/http/schemas.ts';
import { recordAudit } from '../audit/index.ts';
import { findPartner } from '../partners/index.ts';
import { findTenant, lockAcceptedRelationship } from '../tenants/index.ts';
import {
  type AzurePlanRow,
  type AzureResourceRow,
  type AzureSubscriptionRow,
  findPlan,
  findSubscriptions,
  insertPlanOnce,
  insertResources,
  insertSubscription,
  listSubscriptionRows,
  lockDueDeletions,
  lockSubscriptions,
  resourcesOf,
  setSubscriptionStatus,
} from './azure.repo.ts';

export function toPlanView(p: AzurePlanRow) {
  return {
    id: p.id,
    tenantId: p.tenant_id,
    partnerId: p.partner_id,
    offerId: 'azure-plan',
    billingKind: 'usage' as const,
    currency: p.currency,
    status: 'active' as const,
    createdAt: p.created_at.toISOString(),
  };
}

export function toSubscriptionView(s: AzureSubscriptionRow, resources: AzureResourceRow[]) {
  return {
    id: s.id,
    tenantId: s.tenant_id,
    kind: s.kind,
    friendlyName: s.friendly_name,
    status: s.status,
    partnerId: s.partner_id,
    planId: s.plan_id,
    currency: s.currency,
    billingCountry: s.billing_country,
    billingAccountId: s.billing_account_id,
    originKind: s.origin_kind,
    partnerSince: s.partner_since?.toISOString() ?? null,
    movedFromSubscriptionId: s.moved_from_subscription_id,
    disabledAt: s.disabled_at?.toISOString() ?? null,
    /** A disabled subscription is deleted on this date unless re-enabled first. */
    deletesAt:
      s.status === 'disabled' && s.disabled_at
        ? addDaysUtc(s.disabled_at, AZURE_DELETE_AFTER_DAYS).toISOString()
        : null,
    deletedAt: s.deleted_at?.toISOString() ?? null,
    createdAt: s.created_at.toISOString(),
    resources: resources
      .filter((r) => r.subscription_id === s.id)
      .map((r) => ({
        resourceId: r.resource_id,
        resourceType: r.resource_type,
        isClassic: r.is_classic,
        hasReservation: r.has_reservation,
        isMarketplace: r.is_marketplace,
        movedFromSubscriptionId: r.moved_from_subscription_id,
      })),
  };
}

export async function subscriptionViews(ctx: Pick<Ctx<Db | Trx>, 'db'>, rows: AzureSubscriptionRow[]) {
  const resources = await resourcesOf(
    ctx.db,
    rows.map((r) => r.id),
  );
  return rows.map((r) => toSubscriptionView(r, resources));
}

/** The partner acts for a tenant it has an accepted relationship with, in its own region. */
async function partnerAndTenant(ctx: Ctx, tenantId: string) {
  const partnerId = ctx.actor.partnerId!;
  if (!(await lockAcceptedRelationship(ctx.db, partnerId, tenantId)))
    throw new DomainError('relationship_required');
  const [partner, tenant] = await Promise.all([findPartner(ctx.db, partnerId), findTenant(ctx.db, tenantId)]);
  if (!partner || !tenant) throw new DomainError('tenant_not_found');
  if (partner.region !== tenant.region)
    throw new DomainError('region_mismatch', { partnerRegion: partner.region, tenantRegion: tenant.region });
  return { partner, tenant };
}

/**
 * The customer's Azure plan with this partner (SPEC §9): one per customer and partner, usage-based.
 * Asking again answers the plan there is.
 */
export async function createAzurePlan(ctx: Ctx, input: { tenantId: string }) {
  const { partner, tenant } = await partnerAndTenant(ctx, input.tenantId);
  const id = randomUUID();
  const created = await insertPlanOnce(ctx.db, {
    id,
    tenantId: tenant.id,
    partnerId: partner.id,
    currency: azureCurrencyOf(partner.country),
    userId: ctx.actor.userId === 'system' ? null : ctx.actor.userId,
    now: ctx.clock.now(),
  });
  const plan = (await findPlan(ctx.db, partner.id, tenant.id))!;
  await recordAudit(ctx, {
    action: created ? 'azure-plan.created' : 'azure-plan.requested-again',
    targetType: 'azure-plan',
    targetId: plan.id,
    tenantId: tenant.id,
    partnerId: partner.id,
    data: { currency: plan.currency },
  });
  return toPlanView(plan);
}

export async function getAzurePlan(ctx: Ctx<Db>, input: { tenantId: string }) {
  const plan = await findPlan(ctx.db, ctx.actor.partnerId ?? '', input.tenantId);
  if (!plan) throw new DomainError('azure_plan_not_found');
  return toPlanView(plan);
}

/** A new Azure subscription under the partner's plan, active at once. */
export async function createAzureSubscription(ctx: Ctx, input: { tenantId: string; friendlyName: string }) {
  const { partner, tenant } = await partnerAndTenant(ctx, input.tenantId);
  const plan = await findPlan(ctx.db, partner.id, tenant.id);
  if (!plan) throw new DomainError('azure_plan_required');
  const id = randomUUID();
  await insertSubscription(ctx.db, {
    id,
    tenantId: tenant.id,
    kind: 'azure-plan',
    partnerId: partner.id,
    planId: plan.id,
    friendlyName: input.friendlyName,
    status: 'active',
    currency: plan.currency,
    billingCountry: tenant.country,
    billingAccountId: null,
    movedFrom: null,
    now: ctx.clock.now(),
  });
  await recordAudit(ctx, {
    action: 'azure-subscription.created',
    targetType: 'azure-subscription',
    targetId: id,
    tenantId: tenant.id,
    partnerId: partner.id,
    data: { friendlyName: input.friendlyName, planId: plan.id },
  });
  return (await subscriptionViews(ctx, await findSubscriptions(ctx.db, [id])))[0]!;
}

/**
 * The real lifecycle: the partner disables a subscription (it stops running, usage stops), may
 * enable it again, and 90 days after it was disabled it is deleted for good (the lifecycle job).
 */
export async function updateAzureSubscription(
  ctx: Ctx,
  input: {
    tenantId: string;
    id: string;
    status?: 'active' | 'disabled' | undefined;
    friendlyName?: string | undefined;
  },
) {
  const [s] = await lockSubscriptions(ctx.db, input.tenantId, [input.id]);
  if (!s) throw new DomainError('azure_subscription_not_found');
  if (s.partner_id !== ctx.actor.partnerId) throw new DomainError('azure_subscription_not_yours');
  if (s.status === 'deleted') throw new DomainError('azure_subscription_deleted');
  const status = input.status ?? s.status;
  const now = ctx.clock.now();
  if (status !== s.status || input.friendlyName)
    await setSubscriptionStatus(ctx.db, s.id, { status, friendlyName: input.friendlyName, now });
  await recordAudit(ctx, {
    action:
      status === s.status
        ? 'azure-subscription.updated'
        : `azure-subscription.${status === 'active' ? 'enabled' : 'disabled'}`,
    targetType: 'azure-subscription',
    targetId: s.id,
    tenantId: s.tenant_id,
    partnerId: s.partner_id,
    data: { from: s.status, to: status, ...(input.friendlyName ? { friendlyName: input.friendlyName } : {}) },
  });
  return (await subscriptionViews(ctx, await findSubscriptions(ctx.db, [s.id])))[0]!;
}

/** Deletes subscriptions disabled 90 days ago or more (platform clock), audited as the system. */
export async function deleteExpiredDisabled(ctx: Ctx): Promise<number> {
  const now = ctx.clock.now();
  const due = await lockDueDeletions(ctx.db, addDaysUtc(now, -AZURE_DELETE_AFTER_DAYS), 500);
  for (const s of due) {
    await setSubscriptionStatus(ctx.db, s.id, { status: 'deleted', now });
    await recordAudit(ctx, {
      action: 'azure-subscription.deleted',
      targetType: 'azure-subscription',
      targetId: s.id,
      tenantId: s.tenant_id,
      partnerId: s.partner_id,
      data: { disabledAt: s.disabled_at?.toISOString() ?? null },
    });
  }
  return due.length;
}

export interface OwnSubscriptionInput {
  tenantId: string;
  kind: OwnKind;
  friendlyName: string;
  /** Default: the tenant's country's Azure currency. */
  currency?: string | undefined;
  /** The billing account's country (default: the tenant's). */
  billingCountry?: string | undefined;
  billingAccountId?: string | undefined;
  status?: 'active' | 'disabled' | 'deleted' | undefined;
  resources?:
    | {
        resourceId: string;
        resourceType: string;
        isClassic?: boolean | undefined;
        hasReservation?: boolean | undefined;
        isMarketplace?: boolean | undefined;
      }[]
    | undefined;
}

/**
 * The operator records an Azure subscription the customer holds on its own (pay-as-you-go, an
 * enterprise agreement, a customer agreement): how Azure bought elsewhere arrives, like the
 * license subscriptions of POST /api/admin/tenants/{id}/subscriptions.
 */
export async function recordOwnAzureSubscription(ctx: Ctx, input: OwnSubscriptionInput) {
  const tenant = await findTenant(ctx.db, input.tenantId);
  if (!tenant) throw new DomainError('tenant_not_found');
  const billingCountry = (input.billingCountry ?? tenant.country).toUpperCase();
  if (!regionOf(billingCountry)) throw new DomainError('unknown_country', { country: billingCountry });
  const id = randomUUID();
  const now = ctx.clock.now();
  await insertSubscription(ctx.db, {
    id,
    tenantId: tenant.id,
    kind: input.kind,
    partnerId: null,
    planId: null,
    friendlyName: input.friendlyName,
    status: input.status ?? 'active',
    currency: (input.currency ?? azureCurrencyOf(billingCountry)).toUpperCase(),
    billingCountry,
    billingAccountId: input.billingAccountId ?? null,
    movedFrom: null,
    now,
  });
  const seen = new Set<string>();
  const resources = (input.resources ?? []).filter((r) => !seen.has(r.resourceId) && seen.add(r.resourceId));
  await insertResources(ctx.db, id, resources, now);
  await recordAudit(ctx, {
    action: 'azure-subscription.recorded',
    targetType: 'azure-subscription',
    targetId: id,
    tenantId: tenant.id,
    partnerId: null,
    data: { kind: input.kind, resources: resources.length },
  });
  return (await subscriptionViews(ctx, await findSubscriptions(ctx.db, [id])))[0]!;
}

/**
 * A tenant's Azure subscriptions: for a partner, those under its plan and the customer's own
 * (which it may move in); for the customer's admin, all of them.
 */
export async function listAzureSubscriptions(
  ctx: Ctx<Db>,
  input: { tenantId?: string; cursor?: string | undefined; limit?: number | undefined },
) {
  const limit = input.limit ?? 50;
  const after = decodeTimeCursor(input.cursor);
  const tenantId = ctx.actor.kind === 'customer' ? ctx.actor.tenantId! : input.tenantId!;
  const rows = await listSubscriptionRows(ctx.db, {
    tenantId,
    ...(ctx.actor.kind === 'partner' ? { partnerId: ctx.actor.partnerId! } : {}),
    ...(after ? { after } : {}),
    limit,
  });
  const page = toPage(
    rows,
    limit,
    (r) => r,
    (r) => [r.created_at.toISOString(), r.id],
  );
  return { items: await subscriptionViews(ctx, page.items), nextCursor: page.nextCursor };
}
