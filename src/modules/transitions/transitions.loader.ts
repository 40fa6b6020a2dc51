import { dayOf, marketPricesOn } from '../../domain/catalog/prices.ts';
import type {
  PlanInput,
  PlanOffer,
  PlanOptions,
  PlanRights,
  PlanSubscription,
  PlanUser,
  UnderWay,
} from '../../domain/planner/types.ts';
import { ACTIONS, type Action, can, PARTNER_ROLES } from '../../platform/auth/permissions.ts';
import type { Config } from '../../platform/config.ts';
import type { Db, PartnerRow, TenantRow, Trx } from '../../platform/db/database.ts';
import type { Actor, Ctx } from '../../platform/http/context.ts';
import { allOfferIds, offersById } from '../catalog/index.ts';
import { delegatedRightsOf, tenantsWithActiveGrant } from '../delegated-admin/index.ts';
import { licensesOfTenants } from '../licenses/index.ts';
import type { SubscriptionRow } from '../subscriptions/index.ts';
import { lifecycleSettings, stateOf, subscriptionsOfTenants } from '../subscriptions/index.ts';
import { directoryUserNamesOfTenants } from '../tenants/index.ts';
import { transferOutcomesFor } from '../transfers/index.ts';
import { partnersOnPlatform } from '../users/index.ts';
import {
  assemblePlanInput,
  decodeUsers,
  type PlanInputParts,
  type RawUsers,
} from './transitions.plan-batch.ts';
import { openClaimsOf } from './transitions.repo.ts';

/**
 * The planner's read model: everything it needs about one tenant, read set-wise (one query per
 * kind of row, never one per subscription or user), so the same loader serves bulk planning.
 * It reads the subscriptions and license tables directly for that reason: it never writes them.
 */
export async function loadPlanInput(
  ctx: Ctx,
  input: { tenant: TenantRow; partner: PartnerRow; options: PlanOptions },
): Promise<PlanInput> {
  const now = ctx.clock.now();
  const tenantIds = [input.tenant.id];
  const [subRows, users, catalog, dap, claims] = await Promise.all([
    subscriptionsOfTenants(ctx.db, tenantIds),
    usersOfTenants(ctx.db, tenantIds),
    loadPlanCatalog(ctx.db, now),
    delegatedRightsOf(ctx.db, ctx.actor, tenantIds, now),
    openClaimsOf(ctx.db, tenantIds, input.partner.id),
  ]);
  const transfers = await transfersOf(ctx.db, input.partner.id, [input.tenant.id], subRows);
  return buildPlanInput({
    now,
    config: ctx.config,
    tenant: input.tenant,
    partner: input.partner,
    options: input.options,
    hasDelegatedAdmin: dap.granted.has(input.tenant.id),
    rights: planRights(ctx.actor, dap.roles.get(input.tenant.id) ?? []),
    subscriptions: subRows,
    users: users.get(input.tenant.id) ?? [],
    catalog,
    underWay: claims.get(input.tenant.id) ?? [],
    transfers: transfers.get(input.tenant.id),
  });
}

/**
 * The whole catalog as the planner reads it (bulk planning loads it once for every tenant), each
 * offer with its price in every market on `at`'s day: the planner prices it in the tenant's market.
 */
export async function loadPlanCatalog(db: Db | Trx, at: Date): Promise<PlanOffer[]> {
  const day = dayOf(at);
  const offers = await offersById(db, await allOfferIds(db));
  return [...offers.values()].map((o) => ({
    id: o.id,
    name: o.name,
    skuId: o.skuId,
    skuPartNumber: o.skuPartNumber,
    kind: o.kind as PlanOffer['kind'],
    baseOfferIds: o.baseOfferIds,
    billingKind: o.billingKind as PlanOffer['billingKind'],
    term: o.term as PlanOffer['term'],
    billingCycle: o.billingCycle as PlanOffer['billingCycle'],
    minQuantity: o.minQuantity,
    maxQuantity: o.maxQuantity,
    status: o.status as PlanOffer['status'],
    existingCustomersOnly: o.existingCustomersOnly,
    successorOfferId: o.successorOfferId ?? null,
    successorAddOnOfferIds: o.successorAddOnOfferIds,
    markets: o.markets,
    // No price stays no price: an unpriced offer is never orderable, so never a target (SPEC §11).
    unitPrice: o.unitPrice ?? null,
    currency: o.currency ?? 'EUR',
    prices: marketPricesOn(o.prices, { term: o.term, billingCycle: o.billingCycle, day }),
    refundWindowHours: o.refundWindowHours,
    servicePlans: o.servicePlans,
    segment: o.segment,
    purpose: o.purpose,
    family: o.family,
    requiresBaseSkuIds: o.requiresBaseSkuIds,
  }));
}

/** One license held by one user, as the planner reads it. */
export interface AssignmentRow {
  userId: string;
  upn: string;
  sku_id: string;
  excluded_plans: string[];
}

/** Subscription rows as the planner reads them: each judged on the term it is in at `now`. */
export function planSubscriptions(
  rows: SubscriptionRow[],
  now: Date,
  config: Pick<Config, 'lifecycle'>,
): PlanSubscription[] {
  const settings = lifecycleSettings({ config: config as Config });
  return rows.map((s) => {
    const life = stateOf(s, now, settings);
    return {
      id: s.id,
      offerId: s.offer_id,
      skuId: s.sku_id,
      quantity: s.quantity,
      channel: s.channel,
      partnerId: s.partner_id,
      partnerOnRecordId: s.partner_on_record_id,
      purchasedVia: s.purchased_via,
      billingCycle: s.billing_cycle,
      term: s.term,
      // The current term: a renewed subscription is judged on the term it is in now.
      termStart: life.termStart,
      termEnd: life.termEnd,
      autoRenew: s.auto_renew && !s.cancelled_at,
      usersHaveAccess: life.usersHaveAccess,
      isLive: life.state !== 'deleted' && life.state !== 'disabled',
      purchasedAt: new Date(Math.max(s.purchased_at.getTime(), life.termStart.getTime())),
      unitPrice: s.unit_price,
      ...(s.currency ? { currency: s.currency } : {}),
    };
  });
}

/**
 * The planner's input from rows already read: shared by the one-customer loader and bulk planning,
 * which reads the rows of a whole batch of tenants at once. `assignments` ordered by user id.
 */
export function buildPlanInput(
  input: Omit<PlanInputParts, 'subscriptions' | 'users'> & {
    subscriptions: SubscriptionRow[];
    /** The users' licenses as rows (`users` instead: already grouped per user, in user id order). */
    assignments?: AssignmentRow[];
    users?: PlanUser[];
  },
): PlanInput {
  let users = input.users;
  if (!users) {
    const byId = new Map<string, PlanUser>();
    for (const a of input.assignments ?? []) {
      const u = byId.get(a.userId) ?? { id: a.userId, userPrincipalName: a.upn, licenses: [] };
      u.licenses.push({ skuId: a.sku_id, excludedPlanIds: a.excluded_plans });
      byId.set(a.userId, u);
    }
    users = [...byId.values()];
  }
  return assemblePlanInput({
    ...input,
    subscriptions: planSubscriptions(input.subscriptions, input.now, input.config),
    users,
  });
}

/**
 * The users holding licenses in each tenant, in user id order, each with its licenses: the licenses
 * from the licenses face and the users' names from the tenants face, one JSON text per tenant each.
 */
async function rawUsersOfTenants(db: Db | Trx, tenantIds: string[]): Promise<RawUsers> {
  const [licenses, names] = await Promise.all([
    licensesOfTenants(db, tenantIds),
    directoryUserNamesOfTenants(db, tenantIds),
  ]);
  return { licenses, names };
}

async function usersOfTenants(db: Db | Trx, tenantIds: string[]): Promise<Map<string, PlanUser[]>> {
  return decodeUsers(await rawUsersOfTenants(db, tenantIds));
}

/**
 * The rows bulk planning needs for a batch of tenants, in three queries whatever the batch size:
 * their subscriptions, their users with their licenses (grouped per tenant by the server, as one
 * JSON text each, in user id order: decoding one JSON text costs far less than a million rows
 * and their columns; left undecoded here, for the planning worker to decode: `decodeUsers`) and which of them gave the partner delegated admin. The delegated-admin test
 * is `activeGrants`' (delegated-admin.repo), asked for the whole batch at once.
 */
export async function loadPlanBatch(
  db: Db | Trx,
  partnerId: string,
  tenantIds: string[],
  now: Date,
  config: Pick<Config, 'lifecycle'>,
) {
  if (tenantIds.length === 0)
    return {
      subscriptions: new Map<string, PlanSubscription[]>(),
      users: { licenses: [], names: [] } as RawUsers,
      delegatedAdmin: new Set<string>(),
      underWay: new Map<string, UnderWay[]>(),
      transfers: new Map<string, { transferable: string[]; refused: string[] }>(),
    };
  const [subRows, users, delegatedAdmin, underWay] = await Promise.all([
    subscriptionsOfTenants(db, tenantIds),
    rawUsersOfTenants(db, tenantIds),
    tenantsWithActiveGrant(db, partnerId, tenantIds, now),
    openClaimsOf(db, tenantIds, partnerId),
  ]);
  const byTenant = new Map<string, SubscriptionRow[]>();
  for (const s of subRows) {
    const list = byTenant.get(s.tenant_id) ?? [];
    list.push(s);
    byTenant.set(s.tenant_id, list);
  }
  // Mapped for the planner here, so whoever plans (a worker) needs none of the subscriptions module.
  const subscriptions = new Map<string, PlanSubscription[]>();
  for (const [tenantId, rows] of byTenant) subscriptions.set(tenantId, planSubscriptions(rows, now, config));
  const transfers = await transfersOf(db, partnerId, tenantIds, subRows);
  return {
    subscriptions,
    users,
    delegatedAdmin,
    underWay,
    transfers,
  };
}

/**
 * SPEC §7, per tenant: the other partners' subscriptions this partner may ask to transfer (their
 * partner has someone on the platform to answer, and no transfer holds them) and those whose
 * latest transfer to this partner was refused or expired (planned to run to their end instead).
 * Two queries for the whole batch, and none when no other partner holds anything.
 */
async function transfersOf(
  db: Db | Trx,
  partnerId: string,
  _tenantIds: string[],
  subRows: SubscriptionRow[],
) {
  const out = new Map<string, { transferable: string[]; refused: string[] }>();
  const held = subRows.filter(
    (s) =>
      s.channel === 'partner' &&
      s.partner_id &&
      s.partner_id !== partnerId &&
      s.partner_on_record_id !== partnerId,
  );
  if (held.length === 0) return out;
  const [onPlatform, outcomes] = await Promise.all([
    partnersOnPlatform(
      { db },
      held.map((s) => s.partner_id!),
    ),
    transferOutcomesFor({ db }, partnerId, [...new Set(held.map((s) => s.tenant_id))]),
  ]);
  for (const s of held) {
    const entry = out.get(s.tenant_id) ?? { transferable: [], refused: [] };
    if (outcomes.refused.has(s.id)) entry.refused.push(s.id);
    else if (onPlatform.has(s.partner_id!) && !s.transfer_id) entry.transferable.push(s.id);
    out.set(s.tenant_id, entry);
  }
  return out;
}

/** For each partner action, the least partner role that has it (to name what a user lacks). */
const PARTNER_ROLE_OF: Record<string, string> = Object.fromEntries(
  (Object.keys(ACTIONS) as Action[]).flatMap((a) => {
    const role = (['sales-agent', 'billing-agent', 'admin-agent', 'account-admin'] as const).find((r) =>
      can([r], a),
    );
    return role && PARTNER_ROLES.includes(role) ? [[a, role]] : [];
  }),
);

/** A user's rights as the planner and apply read them: partner actions, and directory roles in the tenant. */
export function planRights(actor: Actor, roles: string[]): PlanRights {
  return {
    actions: (Object.keys(ACTIONS) as Action[]).filter((a) => can(actor.roles, a)),
    roles,
    partnerRoleOf: PARTNER_ROLE_OF,
  };
}
