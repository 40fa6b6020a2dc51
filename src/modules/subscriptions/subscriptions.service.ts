import { randomUUID } from 'node:crypto';
import type { Static } from '@sinclair/typebox';
import {
  addTerm,
  DEFAULT_LIFECYCLE,
  type LifecycleSettings,
  type LifecycleState,
  lifecycleState,
  seatReductionDeadline,
} from '../../domain/lifecycle.ts';
import { cancellationRefund, isInsideRefundWindow } from '../../domain/refunds.ts';
import { addSeatBatch, type SeatBatch } from '../../domain/seat-batches.ts';
import { graceSeatsFor } from '../../domain/seat-grace.ts';
import { type PoolSubscription, seatPools } from '../../domain/seat-pool.ts';
import { refundWindowEnd, refundWindowStart, seatReduction } from '../../domain/seat-reduction.ts';
import type { Db, Trx } from '../../platform/db/database.ts';
import { DomainError } from '../../platform/errors.ts';
import type { Ctx } from '../../platform/http/context.ts';
import type { CsvColumn } from '../../platform/http/list.ts';
import { decodeTimeCursor, toPage } from '../../platform/http/schemas.ts';
import { recordAudit } from '../audit/index.ts';
import { type OfferView, offersById } from '../catalog/index.ts';
import { assertDelegatedAdmin } from '../delegated-admin/index.ts';
import { recordEvent } from '../outbox/index.ts';
import { findPartner } from '../partners/index.ts';
import { findTenant, lockAcceptedRelationship } from '../tenants/index.ts';
import { billDueCharges, billPurchases, billSeatChange, billTransfer } from './subscriptions.billing.ts';
import {
  type AssignedSeatsBySku,
  bookSourceRows,
  changePartnerOfRecordRows,
  findSubscription,
  findSubscriptions,
  insertSeatReduction,
  insertSeatReductionNotice,
  insertSubscription,
  insertSubscriptions,
  lockSeatPool,
  lockSubscription,
  lockSubscriptions,
  lockSubscriptionsByIds,
  openSeatReductionRows,
  type PooledSubscriptionRow,
  pooledSubscriptionRows,
  type SeatReductionRow,
  type SubscriptionRow,
  type SubscriptionViewRow,
  setTransferHold,
  settleSeatReductionRow,
  soldForResellerRows,
  subscriptionPageWithPools,
  subscriptionRowsByIds,
  subscriptionRowsOfTenantSkus,
  subscriptionSummaryRows,
  subscriptionsOfTenants,
  tenantSubscriptionRows,
  updateSubscriptionRow,
  updateSubscriptionRows,
} from './subscriptions.repo.ts';
import type { SubscriptionView as SubscriptionViewSchema } from './subscriptions.schemas.ts';

export type Channel = SubscriptionRow['channel'];

/**
 * The context of the reads and writes that show or check a SKU's seats in use: the licenses module
 * owns the assignments and sits above this one in the module graph, so the caller hands its
 * reader in (`assignedSeatsBySku` on the licenses face; the routes get it from app.ts).
 */
export type PoolCtx<D extends Db | Trx = Trx> = Ctx<D> & { assignedSeatsBySku: AssignedSeatsBySku };

export function lifecycleSettings(ctx: Pick<Ctx<Db | Trx>, 'config'>): LifecycleSettings {
  return { ...DEFAULT_LIFECYCLE, ...(ctx.config.lifecycle ?? {}) };
}

/** The state at `now`, derived from the stored dates (never stored, never updated by a timer). */
export function stateOf(s: SubscriptionViewRow, now: Date, settings: LifecycleSettings): LifecycleState {
  return lifecycleState(
    {
      termStart: s.term_start,
      termEnd: s.term_end,
      term: s.term,
      autoRenew: s.auto_renew,
      suspendedAt: s.suspended_at,
      cancelledAt: s.cancelled_at,
      // The admin center keeps a cancelled subscription disabled before deleting it.
      cancelDisables: s.channel === 'direct' && s.purchased_via === 'admin-center',
    },
    now,
    settings,
  );
}

/** The refund window runs from the purchase, or from the start of a renewed term (domain rule). */
function windowStartOf(s: SubscriptionViewRow, state: LifecycleState): Date {
  return refundWindowStart({
    purchasedAt: s.purchased_at,
    renewals: state.renewals,
    termStart: state.termStart,
  });
}

export function toSubscriptionView(
  s: SubscriptionViewRow,
  now: Date,
  settings: LifecycleSettings,
  extra: { assignedSeats: number; offerName?: string; canChange?: boolean; state?: LifecycleState },
) {
  const st = extra.state ?? stateOf(s, now, settings);
  const windowStart = windowStartOf(s, st);
  const windowEndsAt = refundWindowEnd(windowStart, s.refund_window_hours);
  // Built whole, its optional fields set after: the hottest read makes six of these an answer,
  // and spreading `cond ? { … } : {}` made and copied a small object for each.
  const view: Static<typeof SubscriptionViewSchema> = {
    id: s.id,
    tenantId: s.tenant_id,
    offerId: s.offer_id,
    skuId: s.sku_id,
    quantity: s.quantity,
    assignedSeats: extra.assignedSeats,
    status: st.state,
    channel: s.channel,
    billingCycle: s.billing_cycle,
    term: s.term,
    termStart: st.termStart.toISOString(),
    termEnd: st.termEnd.toISOString(),
    autoRenew: s.auto_renew,
    renewals: st.renewals,
    usersHaveAccess: st.usersHaveAccess,
    adminsHaveAccess: st.adminsHaveAccess,
    dataRetained: st.dataRetained,
    nextChangeAt: st.nextChangeAt?.toISOString() ?? null,
    suspendedAt: s.suspended_at?.toISOString() ?? null,
    cancelledAt: s.cancelled_at?.toISOString() ?? null,
    unitPrice: s.unit_price,
    currency: s.currency,
    refundWindow: {
      hours: s.refund_window_hours,
      endsAt: windowEndsAt?.toISOString() ?? null,
      isOpen: isInsideRefundWindow(windowStart, now, s.refund_window_hours),
    },
    createdAt: s.created_at.toISOString(),
  };
  if (extra.offerName !== undefined) view.offerName = extra.offerName;
  if (s.partner_id) view.partnerId = s.partner_id;
  if (s.partner_on_record_id) view.partnerOnRecordId = s.partner_on_record_id;
  if (s.purchased_via) view.purchasedVia = s.purchased_via;
  if (s.order_id) view.orderId = s.order_id;
  if (extra.canChange !== undefined) view.canChange = extra.canChange;
  return view;
}
export type SubscriptionView = ReturnType<typeof toSubscriptionView>;

/**
 * Seats in use per subscription: a SKU's assignments fill the subscriptions that give users
 * access, active ones before those in their expired grace, then oldest first (licenses are pooled
 * by SKU, so this split is only for display; it shows the seats on the subscription that keeps them).
 */
function assignedSeatsOf(
  rows: SubscriptionViewRow[],
  counts: Map<string, number>,
  state: (s: SubscriptionViewRow) => LifecycleState,
) {
  const left = new Map(counts);
  const out = new Map<string, number>();
  // Each row's sort key once (the comparator runs n·log n times on the hottest read).
  const ordered = rows
    .map((s) => ({ s, rank: state(s).state === 'active' ? 0 : 1, at: s.created_at.getTime() }))
    .sort((a, b) => a.rank - b.rank || a.at - b.at || (a.s.id < b.s.id ? -1 : 1))
    .map((o) => o.s);
  for (const s of ordered) {
    if (!state(s).usersHaveAccess) {
      out.set(s.id, 0);
      continue;
    }
    const n = Math.min(s.quantity, left.get(s.sku_id) ?? 0);
    left.set(s.sku_id, (left.get(s.sku_id) ?? 0) - n);
    out.set(s.id, n);
  }
  return out;
}

/** Views of `rows`, with seats and offer names from their SKUs' pools (`pool` holds every row's pool). */
function viewsFrom(
  ctx: Ctx<Db | Trx>,
  pool: PooledSubscriptionRow[],
  rows: SubscriptionViewRow[],
  canChange?: (s: SubscriptionViewRow) => boolean,
) {
  const now = ctx.clock.now();
  const settings = lifecycleSettings(ctx);
  const counts = new Map(pool.map((r) => [r.sku_id, r.sku_assigned_seats]));
  const offerNames = new Map(pool.map((r) => [r.offer_id, r.offer_name]));
  // Each row's state once: the seat split sorts by it and every view shows it.
  const states = new Map<string, LifecycleState>();
  const state = (s: SubscriptionViewRow) => {
    const known = states.get(s.id);
    if (known) return known;
    const st = stateOf(s, now, settings);
    states.set(s.id, st);
    return st;
  };
  const seats = assignedSeatsOf(pool, counts, state);
  return rows.map((s) => {
    const offerName = offerNames.get(s.offer_id);
    return toSubscriptionView(s, now, settings, {
      state: state(s),
      assignedSeats: seats.get(s.id) ?? 0,
      ...(offerName != null ? { offerName } : {}),
      ...(canChange ? { canChange: canChange(s) } : {}),
    });
  });
}

async function viewsOf(
  ctx: PoolCtx<Db | Trx>,
  tenantId: string,
  rows: SubscriptionViewRow[],
  canChange?: (s: SubscriptionViewRow) => boolean,
) {
  const pool = await pooledSubscriptionRows(
    ctx.db,
    tenantId,
    [...new Set(rows.map((r) => r.sku_id))],
    ctx.assignedSeatsBySku,
  );
  return viewsFrom(ctx, pool, rows, canChange);
}

/** Only the partner of record may change a partner subscription; other channels change elsewhere. */
export function partnerMayChange(ctx: Ctx<Db | Trx>, s: SubscriptionViewRow) {
  return ctx.actor.kind === 'partner' && s.channel === 'partner' && s.partner_id === ctx.actor.partnerId;
}

// --- Reads ---------------------------------------------------------------------------------------

type ListInput = { tenantId: string; channel?: Channel; cursor?: string; limit?: number };

/** Every subscription of the tenant, from every channel; a partner sees which ones it may change. */
export async function listCustomerSubscriptions(ctx: PoolCtx<Db>, input: ListInput) {
  const limit = input.limit ?? 50;
  const after = decodeTimeCursor(input.cursor);
  // One statement: the page, and the seat pools of its SKUs with offer names and assigned seats.
  const pool = await subscriptionPageWithPools(
    ctx.db,
    {
      tenantId: input.tenantId,
      ...(input.channel ? { channel: input.channel } : {}),
      ...(after ? { after } : {}),
      limit,
    },
    ctx.assignedSeatsBySku,
  );
  const page = toPage(
    pool.filter((r) => r.on_page),
    limit,
    (r) => r,
    (r) => [r.created_at.toISOString(), r.id],
  );
  const canChange =
    ctx.actor.kind === 'partner' ? (s: SubscriptionViewRow) => partnerMayChange(ctx, s) : undefined;
  return { items: viewsFrom(ctx, pool, page.items, canChange), nextCursor: page.nextCursor };
}

export const SUBSCRIPTION_SORTS = [
  'createdAt',
  'offerName',
  'quantity',
  'assignedSeats',
  'status',
  'channel',
  'termEnd',
  'autoRenew',
] as const;
export type SubscriptionSort = (typeof SUBSCRIPTION_SORTS)[number];
type SubscriptionItem = Awaited<ReturnType<typeof listCustomerSubscriptions>>['items'][number];

/**
 * Every subscription of a customer the filter shows, in a list's order: a tenant holds tens of
 * subscriptions, and their status and assigned seats are derived (the clock, the seat pools), so
 * the list is computed whole and sorted here.
 */
export async function sortedCustomerSubscriptions(
  ctx: PoolCtx<Db>,
  input: { tenantId: string; channel?: Channel; status?: string },
  sort: { field: SubscriptionSort; direction: 'asc' | 'desc' },
): Promise<SubscriptionItem[]> {
  const pool = await subscriptionPageWithPools(
    ctx.db,
    { tenantId: input.tenantId, ...(input.channel ? { channel: input.channel } : {}), limit: 100_000 },
    ctx.assignedSeatsBySku,
  );
  const canChange =
    ctx.actor.kind === 'partner' ? (s: SubscriptionViewRow) => partnerMayChange(ctx, s) : undefined;
  const items = viewsFrom(
    ctx,
    pool,
    pool.filter((r) => r.on_page),
    canChange,
  ).filter((v) => !input.status || v.status === input.status);
  const key = (v: SubscriptionItem): string | number => {
    switch (sort.field) {
      case 'createdAt':
        return v.createdAt;
      case 'offerName':
        return (v.offerName ?? v.offerId).toLowerCase();
      case 'quantity':
        return v.quantity;
      case 'assignedSeats':
        return v.assignedSeats;
      case 'status':
        return v.status;
      case 'channel':
        return v.channel;
      case 'termEnd':
        return v.termEnd;
      case 'autoRenew':
        return v.autoRenew ? 1 : 0;
    }
  };
  const sign = sort.direction === 'asc' ? 1 : -1;
  return items.sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    if (ka !== kb) return (ka < kb ? -1 : 1) * sign;
    return (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) * sign;
  });
}

export const SUBSCRIPTION_CSV: CsvColumn<SubscriptionItem>[] = [
  { header: 'subscriptionId', value: (v) => v.id },
  { header: 'offerId', value: (v) => v.offerId },
  { header: 'offerName', value: (v) => v.offerName },
  { header: 'skuId', value: (v) => v.skuId },
  { header: 'quantity', value: (v) => v.quantity },
  { header: 'assignedSeats', value: (v) => v.assignedSeats },
  { header: 'status', value: (v) => v.status },
  { header: 'channel', value: (v) => v.channel },
  { header: 'billingCycle', value: (v) => v.billingCycle },
  { header: 'termStart', value: (v) => v.termStart },
  { header: 'termEnd', value: (v) => v.termEnd },
  { header: 'autoRenew', value: (v) => String(v.autoRenew) },
];

export async function listOwnSubscriptions(ctx: PoolCtx<Db>, input: Omit<ListInput, 'tenantId'>) {
  const tenantId = ctx.actor.tenantId!;
  const page = await listCustomerSubscriptions(ctx, { ...input, tenantId });
  return {
    ...page,
    items: page.items.map((s) => ({ ...s, canChange: s.channel === 'direct' })),
  };
}

export async function getCustomerSubscription(
  ctx: PoolCtx<Db | Trx>,
  input: { tenantId: string; id: string },
) {
  const row = await findSubscription(ctx.db, input.tenantId, input.id);
  if (!row) throw new DomainError('subscription_not_found');
  const canChange =
    ctx.actor.kind === 'partner' ? (s: SubscriptionViewRow) => partnerMayChange(ctx, s) : undefined;
  return (await viewsOf(ctx, input.tenantId, [row], canChange))[0]!;
}

/** For licenses: the tenant's subscriptions of these SKUs with whether each gives users access now. */
export async function poolSubscriptions(
  ctx: Ctx<Db | Trx>,
  tenantId: string,
  skuIds?: string[],
): Promise<PoolSubscription[]> {
  const now = ctx.clock.now();
  const settings = lifecycleSettings(ctx);
  return (await tenantSubscriptionRows(ctx.db, tenantId, skuIds)).map((s) => ({
    skuId: s.sku_id,
    quantity: s.quantity,
    usersHaveAccess: stateOf(s, now, settings).usersHaveAccess,
  }));
}

export async function seatPoolsOf(ctx: Ctx<Db | Trx>, tenantId: string, skuIds?: string[]) {
  return seatPools(await poolSubscriptions(ctx, tenantId, skuIds));
}

/** `seatPoolsOf` for many tenants in one statement: seats per SKU, per tenant. */
export async function seatPoolsOfTenants(ctx: Ctx<Db | Trx>, tenantIds: string[], skuIds: string[]) {
  const now = ctx.clock.now();
  const settings = lifecycleSettings(ctx);
  const byTenant = new Map<string, PoolSubscription[]>();
  for (const s of await subscriptionRowsOfTenantSkus(ctx.db, tenantIds, skuIds)) {
    const list = byTenant.get(s.tenant_id) ?? [];
    list.push({
      skuId: s.sku_id,
      quantity: s.quantity,
      usersHaveAccess: stateOf(s, now, settings).usersHaveAccess,
    });
    byTenant.set(s.tenant_id, list);
  }
  return new Map(tenantIds.map((t) => [t, seatPools(byTenant.get(t) ?? [])]));
}

/**
 * For orders: the SKUs and base offers each tenant holds through any channel (not yet deleted);
 * two statements for a whole batch of orders.
 */
export async function holdingsOfTenants(ctx: Ctx<Db | Trx>, tenantIds: string[]) {
  const held = await holdingsFrom(ctx, await subscriptionsOfTenants(ctx.db, [...new Set(tenantIds)]));
  return new Map(tenantIds.map((t) => [t, held.get(t) ?? noHoldings()]));
}

function noHoldings() {
  return { heldSkus: new Set<string>(), heldBaseOfferIds: new Set<string>() };
}

async function holdingsFrom(ctx: Ctx<Db | Trx>, rows: SubscriptionRow[]) {
  const now = ctx.clock.now();
  const settings = lifecycleSettings(ctx);
  const live = rows.filter((s) => stateOf(s, now, settings).state !== 'deleted');
  const offers = await offersById(
    ctx.db,
    live.map((s) => s.offer_id),
  );
  const out = new Map<string, ReturnType<typeof noHoldings>>();
  for (const s of live) {
    const h = out.get(s.tenant_id) ?? noHoldings();
    out.set(s.tenant_id, h);
    h.heldSkus.add(s.sku_id);
    if (offers.get(s.offer_id)?.kind === 'base') h.heldBaseOfferIds.add(s.offer_id);
  }
  return out;
}

// --- Creating ------------------------------------------------------------------------------------

export interface RecordSubscriptionInput {
  tenantId: string;
  offerId: string;
  quantity: number;
  channel: Channel;
  partnerId?: string;
  purchasedVia?: string;
  billingCycle: 'monthly' | 'annual';
  termStart: string;
  termEnd: string;
  autoRenew: boolean;
}

/** The operator records a subscription the tenant holds from any channel (how outside ones arrive). */
export async function recordSubscription(ctx: PoolCtx, input: RecordSubscriptionInput) {
  const tenant = await findTenant(ctx.db, input.tenantId);
  if (!tenant) throw new DomainError('tenant_not_found');
  // At the tenant's market price where the offer has one (else the offer's own list price).
  const inMarket = (
    await offersById(ctx.db, [input.offerId], { market: tenant.country, at: ctx.clock.now() })
  ).get(input.offerId);
  const offer =
    inMarket && inMarket.unitPrice === null
      ? (await offersById(ctx.db, [input.offerId], { at: ctx.clock.now() })).get(input.offerId)
      : inMarket;
  if (!offer) throw new DomainError('offer_not_found', { offerId: input.offerId });
  if ((input.channel === 'partner') !== !!input.partnerId) {
    throw new DomainError('subscription_partner_invalid', { channel: input.channel });
  }
  if (input.partnerId) {
    if (!(await findPartner(ctx.db, input.partnerId))) throw new DomainError('partner_not_found');
    if (!(await lockAcceptedRelationship(ctx.db, input.partnerId, input.tenantId))) {
      throw new DomainError('relationship_not_found');
    }
  }
  const termStart = new Date(input.termStart);
  const termEnd = new Date(input.termEnd);
  if (!(termEnd.getTime() > termStart.getTime())) throw new DomainError('subscription_term_invalid');
  const id = randomUUID();
  const now = ctx.clock.now();
  await insertSubscription(ctx.db, {
    ...rowFor(offer, input.quantity, now),
    id,
    tenant_id: input.tenantId,
    channel: input.channel,
    partner_id: input.partnerId ?? null,
    purchased_via: input.purchasedVia ?? null,
    billing_cycle: input.billingCycle,
    term_start: termStart,
    term_end: termEnd,
    auto_renew: input.autoRenew,
    purchased_at: termStart,
  });
  await recordAudit(ctx, {
    action: 'subscription.recorded',
    targetType: 'subscription',
    targetId: id,
    tenantId: input.tenantId,
    partnerId: input.partnerId ?? null,
    data: { offerId: input.offerId, quantity: input.quantity, channel: input.channel },
  });
  return getCustomerSubscription(ctx, { tenantId: input.tenantId, id });
}

function rowFor(offer: OfferView, quantity: number, now: Date) {
  return {
    offer_id: offer.id,
    sku_id: offer.skuId,
    quantity,
    order_id: null,
    term: offer.term,
    unit_price: offer.unitPrice ?? 0,
    currency: offer.currency,
    refund_window_hours: offer.refundWindowHours,
    suspended_at: null,
    cancelled_at: null,
    created_at: now,
    updated_at: now,
  };
}

/** One order's subscriptions to create (`createOrderedSubscriptionsMany`). */
export interface OrderedSubscriptions {
  tenantId: string;
  partnerId: string;
  /** An indirect reseller the provider (`partnerId`) orders for (SPEC §7). */
  partnerOnRecordId?: string | null;
  orderId: string;
  lines: { id: string; offer: OfferView; quantity: number }[];
}

/**
 * For orders: the partner-channel subscriptions orders create, starting now, auto-renew on, with
 * their purchases' billing lines; one insert of subscriptions and one of billing lines for a whole
 * batch. Answers each order's ids in line order (`subscriptionViewsOf` for views).
 */
export async function createOrderedSubscriptionsMany(ctx: PoolCtx, orders: OrderedSubscriptions[]) {
  const now = ctx.clock.now();
  // One statement for every line, answering the rows as stored (the billing lines read them).
  const rows = await insertSubscriptions(
    ctx.db,
    orders.flatMap((input) =>
      input.lines.map((line) => ({
        ...rowFor(line.offer, line.quantity, now),
        id: line.id,
        tenant_id: input.tenantId,
        channel: 'partner' as const,
        partner_id: input.partnerId,
        partner_on_record_id: input.partnerOnRecordId ?? null,
        purchased_via: 'partner-order' as const,
        order_id: input.orderId,
        billing_cycle: line.offer.billingCycle,
        term_start: now,
        term_end: addTerm(now, line.offer.term),
        auto_renew: true,
        purchased_at: now,
      })),
    ),
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  // The purchases' billing lines, in the orders' transaction.
  await billPurchases(
    ctx,
    orders.flatMap((o) => o.lines.map((line) => ({ row: byId.get(line.id)!, offerName: line.offer.name }))),
  );
  return orders.map((o) => o.lines.map((l) => l.id));
}

/** The views of subscriptions just ordered (the order's answer), in the order of `ids`. */
export async function subscriptionViewsOf(ctx: PoolCtx, tenantId: string, ids: string[]) {
  const byId = new Map((await subscriptionRowsByIds(ctx.db, ids)).map((r) => [r.id, r]));
  return viewsOf(
    ctx,
    tenantId,
    ids.map((id) => byId.get(id)!),
    (s) => partnerMayChange(ctx, s),
  );
}

// --- Changing ------------------------------------------------------------------------------------

export interface SubscriptionChange {
  quantity?: number;
  autoRenew?: boolean;
  status?: 'active' | 'suspended' | 'cancelled';
}

/** The partner of record changes its own subscription: seats, auto-renew, suspend, reactivate, cancel. */
export async function changeCustomerSubscription(
  ctx: PoolCtx,
  input: SubscriptionChange & { tenantId: string; id: string },
) {
  // The relationship before the subscription (one lock order): a removal cannot slip between the
  // guard's check and this change, so a seat change or a reactivation never outlives it.
  if (
    ctx.actor.kind === 'partner' &&
    !(await lockAcceptedRelationship(ctx.db, ctx.actor.partnerId!, input.tenantId))
  ) {
    throw new DomainError('relationship_not_found');
  }
  const row = await lockSubscription(ctx.db, input.tenantId, input.id);
  if (!row) throw new DomainError('subscription_not_found');
  if (!partnerMayChange(ctx, row)) {
    throw new DomainError('subscription_not_changeable', {
      channel: row.channel,
      ...(row.partner_id ? { partnerId: row.partner_id } : {}),
    });
  }
  return changedView(ctx, row, await applyChange(ctx, row, input));
}

/** A changed subscription's view, with what the change refunded and lost. */
async function changedView(
  ctx: PoolCtx,
  row: SubscriptionRow,
  amounts: { amountRefunded: number; amountLost: number },
) {
  return { ...(await getCustomerSubscription(ctx, { tenantId: row.tenant_id, id: row.id })), ...amounts };
}

/** The customer's admin changes the tenant's own direct subscriptions: auto-renew, cancel. */
export async function changeOwnSubscription(
  ctx: PoolCtx,
  input: { id: string; autoRenew?: boolean; status?: 'cancelled' },
) {
  const tenantId = ctx.actor.tenantId!;
  const row = await lockSubscription(ctx.db, tenantId, input.id);
  if (!row) throw new DomainError('subscription_not_found');
  if (row.channel !== 'direct')
    throw new DomainError('subscription_not_changeable', { channel: row.channel });
  return changedView(ctx, row, await applyChange(ctx, row, input));
}

/** Makes the change and answers what it refunded and lost (the callers answer the view if they need it). */
async function applyChange(
  ctx: PoolCtx,
  row: SubscriptionRow,
  change: SubscriptionChange,
  /** Where a batch gathers the row's patch to write it with the others'; none: written now. */
  patches?: { id: string; patch: Parameters<typeof updateSubscriptionRow>[2] }[],
) {
  // SPEC §7: while a transfer of it is open, neither partner (nor anyone) changes it.
  if (row.transfer_id)
    throw new DomainError('subscription_transfer_pending', { transferId: row.transfer_id });
  const now = ctx.clock.now();
  const settings = lifecycleSettings(ctx);
  const st = stateOf(row, now, settings);
  const open = st.state === 'active' || st.state === 'suspended';
  const windowStart = windowStartOf(row, st);
  // Renewals and cycles due before this change are billed at the seats they started with.
  await billDueCharges(ctx, row, now);
  // A rolled term is written down first, so that turning auto-renew off keeps the current term.
  const patch: Parameters<typeof updateSubscriptionRow>[2] = {
    term_start: st.termStart,
    term_end: st.termEnd,
    purchased_at: windowStart,
    updated_at: now,
  };
  let amountRefunded = 0;
  let amountLost = 0;
  const term = { unitPrice: row.unit_price, termStart: st.termStart, termEnd: st.termEnd };

  if (change.quantity !== undefined && change.quantity !== row.quantity) {
    if (!open) throw new DomainError('subscription_not_active', { state: st.state });
    const offer = (await offersById(ctx.db, [row.offer_id])).get(row.offer_id)!;
    if (change.quantity < offer.minQuantity || change.quantity > offer.maxQuantity) {
      throw new DomainError('quantity_out_of_range', {
        offerId: offer.id,
        quantity: change.quantity,
        minQuantity: offer.minQuantity,
        maxQuantity: offer.maxQuantity,
      });
    }
    const batches = seatBatchesOf(row);
    if (change.quantity > row.quantity) {
      // Each batch of added seats opens its own window (new commerce).
      patch.seat_batches = JSON.stringify(
        toBatchJson(addSeatBatch(batches, change.quantity - row.quantity, now, row.refund_window_hours)),
      );
    } else {
      const outcome = seatReduction({
        ...term,
        quantity: row.quantity,
        target: change.quantity,
        batches,
        purchasedAt: row.purchased_at,
        renewals: st.renewals,
        refundWindowHours: row.refund_window_hours,
        now,
      });
      if (!outcome.ok) {
        throw new DomainError('seat_reduction_outside_window', {
          refundWindowHours: row.refund_window_hours,
          minimumSeats: outcome.minimumSeats,
        });
      }
      patch.seat_batches = JSON.stringify(toBatchJson(outcome.batches));
      amountRefunded += outcome.refunded;
      if (st.usersHaveAccess) await startSeatGrace(ctx, row, row.quantity - change.quantity);
    }
    patch.quantity = change.quantity;
  }
  const quantity = patch.quantity ?? row.quantity;

  if (change.autoRenew !== undefined && change.autoRenew !== row.auto_renew) {
    if (!open) throw new DomainError('subscription_not_active', { state: st.state });
    patch.auto_renew = change.autoRenew;
  }

  if (change.status === 'suspended' && st.state !== 'suspended') {
    if (st.state !== 'active') throw new DomainError('subscription_not_active', { state: st.state });
    patch.suspended_at = now;
  } else if (change.status === 'active' && st.state !== 'active') {
    if (st.state !== 'suspended') throw new DomainError('subscription_not_active', { state: st.state });
    patch.suspended_at = null;
  } else if (change.status === 'cancelled') {
    if (row.cancelled_at || st.state === 'deleted')
      throw new DomainError('subscription_not_active', { state: st.state });
    const outcome = cancellationRefund({
      ...term,
      quantity,
      purchasedAt: windowStart,
      now,
      refundWindowHours: row.refund_window_hours,
    });
    // New commerce: cancellable only inside its window (prorated refund); after it, the only path
    // is auto-renew off (the real admin center and Partner Center refuse it too).
    if (row.refund_window_hours > 0 && !outcome.insideWindow)
      throw new DomainError('cancellation_window_closed', {
        closedAt: refundWindowEnd(windowStart, row.refund_window_hours)!.toISOString(),
      });
    amountRefunded += outcome.refunded;
    amountLost += outcome.lost;
    patch.cancelled_at = now;
  }

  await billSeatChange(ctx, row, {
    termStart: st.termStart,
    from: row.quantity,
    to: quantity,
    cancelled: change.status === 'cancelled',
    now,
  });
  if (patches) patches.push({ id: row.id, patch });
  else await updateSubscriptionRow(ctx.db, row.id, patch);
  await recordAudit(ctx, {
    action: change.status === 'cancelled' ? 'subscription.cancelled' : 'subscription.changed',
    targetType: 'subscription',
    targetId: row.id,
    tenantId: row.tenant_id,
    partnerId: row.partner_id,
    data: {
      change: { ...change },
      from: { quantity: row.quantity, autoRenew: row.auto_renew, status: st.state },
      amountRefunded,
      amountLost,
    },
  });
  return { amountRefunded, amountLost };
}

/**
 * A partner holding delegated admin acts on the customer's behalf on the tenants' direct
 * subscriptions: turning auto-renew off or cancelling them, as transitions' plans say (a batch of
 * steps: the subscriptions locked in one statement). All or nothing: the first refusal is thrown
 * (the caller's savepoint undoes the others). Answers what each refunded and lost.
 */
export async function actOnDirectSubscriptions(
  ctx: PoolCtx,
  inputs: { tenantId: string; id: string; autoRenew?: boolean; status?: 'cancelled' }[],
) {
  const rows = new Map(
    (
      await lockSubscriptionsByIds(
        ctx.db,
        inputs.map((i) => i.id),
      )
    ).map((r) => [`${r.tenant_id}|${r.id}`, r]),
  );
  const out: { amountRefunded: number; amountLost: number }[] = [];
  const patches: { id: string; patch: Parameters<typeof updateSubscriptionRow>[2] }[] = [];
  for (const input of inputs) {
    await assertDelegatedAdmin(
      ctx,
      input.tenantId,
      "change the customer's direct subscription",
      'subscriptions.manage-direct',
    );
    const row = rows.get(`${input.tenantId}|${input.id}`);
    if (!row) throw new DomainError('subscription_not_found');
    if (row.channel !== 'direct')
      throw new DomainError('subscription_not_changeable', { channel: row.channel });
    const { tenantId: _t, id: _i, ...change } = input;
    out.push(await applyChange(ctx, row, change, patches));
  }
  await updateSubscriptionRows(ctx.db, patches);
  return out;
}

/** For credits: a subscription of the tenant with its channel, or nothing. */
export async function subscriptionChannelOf(ctx: Ctx<Db | Trx>, tenantId: string, id: string) {
  return (await subscriptionChannelsOf(ctx, tenantId, [id])).get(id);
}

/** `subscriptionChannelOf` for a few subscriptions of the tenant in one statement, by id (those found). */
export async function subscriptionChannelsOf(
  ctx: Ctx<Db | Trx>,
  tenantId: string,
  ids: string[],
): Promise<Map<string, SubscriptionChannel>> {
  const rows = await findSubscriptions(ctx.db, tenantId, [...new Set(ids)]);
  return new Map(rows.map((row) => [row.id, channelView(row)]));
}

export type SubscriptionChannel = ReturnType<typeof channelView>;

/**
 * `subscriptionChannelOf` for many tenants' subscriptions in one statement (a batch of credit
 * requests): keyed `tenantId|id`, each only within its own tenant.
 */
export async function subscriptionChannelsOfTenants(
  ctx: Ctx<Db | Trx>,
  wanted: { tenantId: string; id: string }[],
): Promise<Map<string, SubscriptionChannel>> {
  const asked = new Set(wanted.map((w) => `${w.tenantId}|${w.id}`));
  const rows = await subscriptionRowsByIds(ctx.db, [...new Set(wanted.map((w) => w.id))]);
  return new Map(
    rows
      .filter((r) => asked.has(`${r.tenant_id}|${r.id}`))
      .map((r) => [`${r.tenant_id}|${r.id}`, channelView(r)]),
  );
}

function channelView(row: SubscriptionRow) {
  return {
    id: row.id,
    channel: row.channel,
    partner_id: row.partner_id,
    // What the current term cost (seats × unit price): no credit for it can be larger.
    termPrice: Number(row.unit_price) * row.quantity,
    currency: row.currency,
    // What a duplicate-license credit is computed from (SPEC §3.5).
    unitPrice: Number(row.unit_price),
    quantity: row.quantity,
    termStart: row.term_start,
    termEnd: row.term_end,
    purchasedAt: row.purchased_at,
    cancelledAt: row.cancelled_at,
  };
}

/**
 * For relationships: how many of a partner's subscriptions in a tenant are still active (or
 * suspended: its term has not ended), by the same lifecycle every view shows.
 */
export async function countPartnerSubscriptionsInUse(
  ctx: Ctx<Db | Trx>,
  tenantId: string,
  partnerId: string,
) {
  const now = ctx.clock.now();
  const settings = lifecycleSettings(ctx);
  const rows = await tenantSubscriptionRows(ctx.db, tenantId);
  return rows
    .filter((s) => s.channel === 'partner' && s.partner_id === partnerId)
    .filter((s) => {
      const st = stateOf(s, now, settings).state;
      return st === 'active' || st === 'suspended';
    }).length;
}

// --- Seat batches and reductions below the seats assigned ------------------------------------------

function seatBatchesOf(row: SubscriptionRow): SeatBatch[] {
  return (row.seat_batches ?? []).map((b) => ({ seats: b.seats, addedAt: new Date(b.addedAt) }));
}

function toBatchJson(batches: SeatBatch[]) {
  return batches.map((b) => ({ seats: b.seats, addedAt: b.addedAt.toISOString() }));
}

/**
 * Seats still in grace per SKU of a tenant (reductions not settled whose grace has not ended), with
 * the earliest end: access counts them on top of the pool, new assignments never do.
 */
export async function seatGraceOf(ctx: Ctx<Db | Trx>, tenantId: string, skuIds?: string[]) {
  const now = ctx.clock.now();
  const out = new Map<string, { seats: number; endsAt: Date }>();
  const rows = await openSeatReductionRows(ctx.db, { tenantId, ...(skuIds ? { skuIds } : {}) });
  for (const r of rows) {
    if (r.grace_ends_at.getTime() <= now.getTime()) continue;
    const seen = out.get(r.sku_id);
    out.set(r.sku_id, {
      seats: (seen?.seats ?? 0) + r.grace_seats,
      endsAt: seen && seen.endsAt < r.grace_ends_at ? seen.endsAt : r.grace_ends_at,
    });
  }
  return out;
}

/** For licenses: reductions not yet settled (of one tenant, or of all for the sweep). */
export async function openSeatReductions(ctx: Ctx<Db | Trx>, tenantId?: string): Promise<SeatReductionRow[]> {
  return openSeatReductionRows(ctx.db, tenantId ? { tenantId } : {});
}

/** For licenses: marks a reduction settled, once (false when another sweep did it first). */
export async function settleSeatReduction(ctx: Ctx, id: string) {
  return settleSeatReductionRow(ctx.db, id, ctx.clock.now());
}

/** For licenses: claims the notice `daysBefore` of a reduction, once across processes. */
export async function claimSeatReductionNotice(ctx: Ctx, id: string, daysBefore: number) {
  return insertSeatReductionNotice(ctx.db, { reductionId: id, daysBefore, now: ctx.clock.now() });
}

/**
 * A reduction that leaves the SKU's pool below its assignments: the seats that were in use stay in
 * grace (90 days by default) and the partner and customer are told at once. Under the tenant's
 * seat-pool lock, so no license update slips between the count and the record.
 */
async function startSeatGrace(ctx: PoolCtx, row: SubscriptionRow, removed: number) {
  await lockSeatPool(ctx.db, row.tenant_id);
  const now = ctx.clock.now();
  const pool = (await seatPoolsOf(ctx, row.tenant_id, [row.sku_id])).get(row.sku_id) ?? 0;
  const running = (await seatGraceOf(ctx, row.tenant_id, [row.sku_id])).get(row.sku_id)?.seats ?? 0;
  const assigned =
    (await pooledSubscriptionRows(ctx.db, row.tenant_id, [row.sku_id], ctx.assignedSeatsBySku))[0]
      ?.sku_assigned_seats ?? 0;
  const graceSeats = graceSeatsFor({ assigned, accessBefore: pool + running, removedFromPool: removed });
  if (graceSeats === 0) return;
  const id = randomUUID();
  const graceEndsAt = seatReductionDeadline(now, lifecycleSettings(ctx));
  await insertSeatReduction(ctx.db, {
    id,
    subscription_id: row.id,
    tenant_id: row.tenant_id,
    partner_id: row.partner_id,
    sku_id: row.sku_id,
    seats: removed,
    grace_seats: graceSeats,
    reduced_at: now,
    grace_ends_at: graceEndsAt,
    settled_at: null,
  });
  const data = {
    reductionId: id,
    subscriptionId: row.id,
    tenantId: row.tenant_id,
    partnerId: row.partner_id,
    skuId: row.sku_id,
    seats: pool - removed,
    assigned,
    overAssigned: assigned - (pool - removed),
    graceEndsAt: graceEndsAt.toISOString(),
    notice: 'reduced',
  };
  await recordEvent(ctx, 'seats.over-assigned', data);
  await recordAudit(ctx, {
    action: 'seats.over-assigned',
    targetType: 'subscription',
    targetId: row.id,
    tenantId: row.tenant_id,
    partnerId: row.partner_id,
    data,
  });
}

// --- Partner-to-partner transfers (SPEC §7) ------------------------------------------------------

/**
 * Holds whole subscriptions for a transfer: each must be the source partner's, active, and not held
 * by another transfer. Locks them first, so a seat change waits for the hold and then sees it.
 */
export async function holdForTransfer(
  ctx: Ctx,
  input: { tenantId: string; sourcePartnerId: string; subscriptionIds: string[]; transferId: string },
) {
  const ids = [...new Set(input.subscriptionIds)];
  const rows = await lockSubscriptions(ctx.db, input.tenantId, ids);
  const now = ctx.clock.now();
  const settings = lifecycleSettings(ctx);
  for (const id of ids) {
    const row = rows.find((r) => r.id === id);
    if (row?.channel !== 'partner' || row.partner_id !== input.sourcePartnerId)
      throw new DomainError('transfer_subscription_invalid', { subscriptionId: id });
    const state = stateOf(row, now, settings).state;
    if (state !== 'active')
      throw new DomainError('transfer_subscription_invalid', { subscriptionId: id, state });
    if (row.transfer_id)
      throw new DomainError('subscription_transfer_pending', {
        subscriptionId: id,
        transferId: row.transfer_id,
      });
  }
  await setTransferHold(ctx.db, ids, input.transferId, now);
  return rows;
}

/** The source's subscriptions of the tenant a transfer may ask for: active, not held. */
export async function transferableSubscriptionIds(ctx: Ctx<Db | Trx>, tenantId: string, partnerId: string) {
  const now = ctx.clock.now();
  const settings = lifecycleSettings(ctx);
  return (await tenantSubscriptionRows(ctx.db, tenantId))
    .filter(
      (s) =>
        s.channel === 'partner' &&
        s.partner_id === partnerId &&
        !s.transfer_id &&
        stateOf(s, now, settings).state === 'active',
    )
    .map((s) => s.id);
}

/** Ends a transfer's hold on subscriptions it did not move (left out, rejected, expired). */
export async function releaseTransferHold(ctx: Ctx, input: { tenantId: string; subscriptionIds: string[] }) {
  const rows = await lockSubscriptions(ctx.db, input.tenantId, input.subscriptionIds);
  await setTransferHold(
    ctx.db,
    rows.map((r) => r.id),
    null,
    ctx.clock.now(),
  );
}

/**
 * The moment of a transfer: each subscription changes partner of record and keeps its offer,
 * seats, term, end date, auto-renew; license assignments are the tenant's, so nobody is touched.
 */
export async function changePartnerOfRecord(
  ctx: Ctx,
  input: { tenantId: string; subscriptionIds: string[]; transferId: string; toPartnerId: string },
) {
  const rows = await lockSubscriptions(ctx.db, input.tenantId, input.subscriptionIds);
  for (const r of rows)
    if (r.transfer_id !== input.transferId)
      throw new DomainError('transfer_subscription_invalid', { subscriptionId: r.id });
  // The source is refunded the rest of the charge period and the target charged it, with the change.
  for (const r of rows)
    await billTransfer(ctx, r, {
      transferId: input.transferId,
      toPartnerId: input.toPartnerId,
      now: ctx.clock.now(),
    });
  await changePartnerOfRecordRows(
    ctx.db,
    rows.map((r) => r.id),
    input.toPartnerId,
    ctx.clock.now(),
  );
  return rows.map((r) => ({ id: r.id, fromPartnerId: r.partner_id, termEnd: r.term_end.toISOString() }));
}

/** Batch reader for other modules: id → offer name, seats and end date. */
export async function subscriptionSummaries(ctx: Pick<Ctx<Db | Trx>, 'db'>, ids: string[]) {
  const rows = await subscriptionSummaryRows(ctx.db, [...new Set(ids)]);
  return new Map(
    rows.map((r) => [
      r.id,
      {
        offerId: r.offer_id,
        offerName: r.offer_name ?? r.offer_id,
        quantity: r.quantity,
        termEnd: r.term_end.toISOString(),
      },
    ]),
  );
}

/** Two-tier: per reseller, what a provider sold for it (live subscriptions, their seats, customers). */
export async function soldForResellers(ctx: Ctx<Db | Trx>, providerId: string) {
  const now = ctx.clock.now();
  const settings = lifecycleSettings(ctx);
  const out = new Map<string, { subscriptions: number; seats: number; customers: number }>();
  const tenants = new Map<string, Set<string>>();
  for (const r of await soldForResellerRows(ctx.db, providerId)) {
    if (stateOf(r, now, settings).state === 'deleted') continue;
    const id = r.partner_on_record_id!;
    const e = out.get(id) ?? { subscriptions: 0, seats: 0, customers: 0 };
    e.subscriptions += 1;
    e.seats += r.quantity;
    const seen = tenants.get(id) ?? new Set<string>();
    seen.add(r.tenant_id);
    tenants.set(id, seen);
    e.customers = seen.size;
    out.set(id, e);
  }
  return out;
}

/**
 * What in a partner's book ends soon, or has ended and is not gone yet (issue 21, home): the
 * subscriptions it does not hold itself whose current term ends within `horizonDays`, or that are
 * expired or disabled, with their state and offer; the caller drops those already under way.
 */
export async function endingInBook(ctx: Ctx<Db | Trx>, partnerId: string, horizonDays: number) {
  const now = ctx.clock.now();
  const settings = lifecycleSettings(ctx);
  const horizon = now.getTime() + horizonDays * 86_400_000;
  const out: { row: SubscriptionRow; state: LifecycleState }[] = [];
  for (const row of await bookSourceRows(ctx.db, partnerId)) {
    const state = stateOf(row, now, settings);
    if (state.state === 'deleted') continue;
    if (state.state === 'active' && state.termEnd.getTime() > horizon) continue;
    if (state.state === 'suspended') continue;
    out.push({ row, state });
  }
  const offers = await offersById(ctx.db, [...new Set(out.map((o) => o.row.offer_id))]);
  return out.map(({ row, state }) => ({
    id: row.id,
    tenantId: row.tenant_id,
    offerId: row.offer_id,
    offerName: offers.get(row.offer_id)?.name ?? null,
    channel: row.channel,
    status: state.state,
    termEnd: state.termEnd,
    autoRenew: row.auto_renew,
  }));
}
