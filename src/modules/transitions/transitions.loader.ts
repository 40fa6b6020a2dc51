import type {
  PlanInput,
  PlanOffer,
  PlanOptions,
  PlanSubscription,
  PlanUser,
} from '../../domain/planner/types.ts';
import type { PartnerRow, TenantRow } from '../../platform/db/database.ts';
import type { Ctx } from '../../platform/http/context.ts';
import { offersById } from '../catalog/catalog.service.ts';
import { hasDelegatedAdmin } from '../delegated-admin/delegated-admin.service.ts';
import { lifecycleSettings, stateOf } from '../subscriptions/subscriptions.service.ts';

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
  const [subRows, assignmentRows, offerIds, dap] = await Promise.all([
    ctx.db.selectFrom('subscriptions').selectAll().where('tenant_id', '=', input.tenant.id).execute(),
    ctx.db
      .selectFrom('license_assignments as a')
      .innerJoin('directory_users as u', 'u.id', 'a.directory_user_id')
      .select(['u.id as userId', 'u.user_principal_name as upn', 'a.sku_id', 'a.excluded_plans'])
      .where('a.tenant_id', '=', input.tenant.id)
      .orderBy('u.id')
      .execute(),
    ctx.db.selectFrom('offers').select('id').execute(),
    hasDelegatedAdmin(ctx.db, input.partner.id, input.tenant.id, now),
  ]);
  const offers = await offersById(
    ctx.db,
    offerIds.map((o) => o.id),
  );
  const catalog: PlanOffer[] = [...offers.values()].map((o) => ({
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
    unitPrice: o.unitPrice ?? 0,
    currency: o.currency ?? 'EUR',
    refundWindowHours: o.refundWindowHours,
    servicePlans: o.servicePlans,
  }));

  const subscriptions: PlanSubscription[] = subRows.map((s) => {
    const life = stateOf(s, now, lifecycleSettings(ctx));
    return {
      id: s.id,
      offerId: s.offer_id,
      skuId: s.sku_id,
      quantity: s.quantity,
      channel: s.channel,
      partnerId: s.partner_id,
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
    };
  });

  const users = new Map<string, PlanUser>();
  for (const a of assignmentRows) {
    const u = users.get(a.userId) ?? { id: a.userId, userPrincipalName: a.upn, licenses: [] };
    u.licenses.push({ skuId: a.sku_id, excludedPlanIds: a.excluded_plans });
    users.set(a.userId, u);
  }

  return {
    now,
    tenant: { id: input.tenant.id, country: input.tenant.country, region: input.tenant.region },
    partner: { id: input.partner.id, region: input.partner.region },
    hasDelegatedAdmin: dap,
    subscriptions,
    users: [...users.values()],
    catalog,
    options: input.options,
    settings: {
      expiredDays: ctx.config.lifecycle.expiredDays,
      disabledDays: ctx.config.lifecycle.disabledDays,
      maxActiveSubscriptions: 150,
    },
  };
}
