import { type Selectable, sql } from 'kysely';
import type {
  AzurePlansTable,
  AzureResourcesTable,
  AzureSubscriptionsTable,
  AzureTransferLinesTable,
  AzureTransfersTable,
  Db,
  Trx,
} from '../../platform/db/database.ts';

export type AzurePlanRow = Selectable<AzurePlansTable>;
export type AzureSubscriptionRow = Selectable<AzureSubscriptionsTable>;
export type AzureResourceRow = Selectable<AzureResourcesTable>;
export type AzureTransferRow = Selectable<AzureTransfersTable>;
export type AzureTransferLineRow = Selectable<AzureTransferLinesTable>;

// --- Plans -----------------------------------------------------------------------------------

export async function findPlan(db: Db | Trx, partnerId: string, tenantId: string) {
  return db
    .selectFrom('azure_plans')
    .selectAll()
    .where('partner_id', '=', partnerId)
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst();
}

/** Inserts the plan unless the partner has one for the tenant already (two requests at once: one row). */
export async function insertPlanOnce(
  db: Trx,
  p: { id: string; tenantId: string; partnerId: string; currency: string; userId: string | null; now: Date },
) {
  const r = await db
    .insertInto('azure_plans')
    .values({
      id: p.id,
      tenant_id: p.tenantId,
      partner_id: p.partnerId,
      currency: p.currency,
      created_by_user_id: p.userId,
      created_at: p.now,
    })
    .onConflict((oc) => oc.columns(['partner_id', 'tenant_id']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return !!r;
}

// --- Subscriptions ---------------------------------------------------------------------------

export async function insertSubscription(
  db: Trx,
  s: {
    id: string;
    tenantId: string;
    kind: AzureSubscriptionRow['kind'];
    partnerId: string | null;
    planId: string | null;
    friendlyName: string;
    status: AzureSubscriptionRow['status'];
    currency: string;
    billingCountry: string;
    billingAccountId: string | null;
    movedFrom: string | null;
    now: Date;
  },
) {
  await db
    .insertInto('azure_subscriptions')
    .values({
      id: s.id,
      tenant_id: s.tenantId,
      kind: s.kind,
      partner_id: s.partnerId,
      plan_id: s.planId,
      friendly_name: s.friendlyName,
      status: s.status,
      currency: s.currency,
      billing_country: s.billingCountry,
      billing_account_id: s.billingAccountId,
      origin_kind: null,
      partner_since: s.partnerId ? s.now : null,
      moved_from_subscription_id: s.movedFrom,
      disabled_at: s.status === 'disabled' ? s.now : null,
      deleted_at: s.status === 'deleted' ? s.now : null,
      created_at: s.now,
      updated_at: s.now,
    })
    .execute();
}

export async function findSubscriptions(db: Db | Trx, ids: string[]) {
  if (ids.length === 0) return [];
  return db.selectFrom('azure_subscriptions').selectAll().where('id', 'in', ids).execute();
}

export async function lockSubscriptions(db: Trx, tenantId: string, ids: string[]) {
  if (ids.length === 0) return [];
  return db
    .selectFrom('azure_subscriptions')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', ids)
    .orderBy('id')
    .forUpdate()
    .execute();
}

/** A tenant's Azure subscriptions, oldest first: all of them, or a partner's and the customer's own. */
export async function listSubscriptionRows(
  db: Db | Trx,
  f: { tenantId: string; partnerId?: string; after?: [string, string]; limit: number },
) {
  let q = db
    .selectFrom('azure_subscriptions')
    .selectAll()
    .where('tenant_id', '=', f.tenantId)
    .orderBy('created_at')
    .orderBy('id')
    .limit(f.limit + 1);
  if (f.partnerId) {
    const p = f.partnerId;
    q = q.where((eb) => eb.or([eb('partner_id', '=', p), eb('partner_id', 'is', null)]));
  }
  if (f.after) {
    const [at, id] = f.after;
    q = q.where((eb) =>
      eb.or([
        eb('created_at', '>', new Date(at)),
        eb.and([eb('created_at', '=', new Date(at)), eb('id', '>', id)]),
      ]),
    );
  }
  return q.execute();
}

export async function setSubscriptionStatus(
  db: Trx,
  id: string,
  s: { status: AzureSubscriptionRow['status']; friendlyName?: string | undefined; now: Date },
) {
  await db
    .updateTable('azure_subscriptions')
    .set({
      status: s.status,
      ...(s.friendlyName ? { friendly_name: s.friendlyName } : {}),
      disabled_at: s.status === 'active' ? null : s.now,
      ...(s.status === 'deleted' ? { deleted_at: s.now } : {}),
      updated_at: s.now,
    })
    .where('id', '=', id)
    .execute();
}

/** A billing transfer: the same subscription, now under the partner's plan from this instant. */
export async function takeOverSubscription(
  db: Trx,
  id: string,
  t: { partnerId: string; planId: string; now: Date },
) {
  await db
    .updateTable('azure_subscriptions')
    .set((eb) => ({
      origin_kind: eb.ref('kind'),
      kind: 'azure-plan',
      partner_id: t.partnerId,
      plan_id: t.planId,
      partner_since: t.now,
      updated_at: t.now,
    }))
    .where('id', '=', id)
    .execute();
}

/** Disabled subscriptions past their 90 days, locked (skipped when another process has them). */
export async function lockDueDeletions(db: Trx, disabledBefore: Date, limit: number) {
  return db
    .selectFrom('azure_subscriptions')
    .selectAll()
    .where('status', '=', 'disabled')
    .where('disabled_at', '<=', disabledBefore)
    .orderBy('disabled_at')
    .orderBy('id')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
}

// --- Resources -------------------------------------------------------------------------------

export async function insertResources(
  db: Trx,
  subscriptionId: string,
  rows: {
    resourceId: string;
    resourceType: string;
    isClassic?: boolean | undefined;
    hasReservation?: boolean | undefined;
    isMarketplace?: boolean | undefined;
  }[],
  now: Date,
) {
  if (rows.length === 0) return;
  await db
    .insertInto('azure_resources')
    .values(
      rows.map((r) => ({
        subscription_id: subscriptionId,
        resource_id: r.resourceId,
        resource_type: r.resourceType,
        is_classic: r.isClassic ?? false,
        has_reservation: r.hasReservation ?? false,
        is_marketplace: r.isMarketplace ?? false,
        moved_from_subscription_id: null,
        moved_at: null,
        created_at: now,
      })),
    )
    .execute();
}

export async function resourcesOf(db: Db | Trx, subscriptionIds: string[]) {
  if (subscriptionIds.length === 0) return [];
  return db
    .selectFrom('azure_resources')
    .selectAll()
    .where('subscription_id', 'in', subscriptionIds)
    .orderBy('subscription_id')
    .orderBy('created_at')
    .orderBy('resource_id')
    .execute();
}

export async function moveResources(db: Trx, from: string, to: string, resourceIds: string[], now: Date) {
  if (resourceIds.length === 0) return;
  await db
    .updateTable('azure_resources')
    .set({ subscription_id: to, moved_from_subscription_id: from, moved_at: now })
    .where('subscription_id', '=', from)
    .where('resource_id', 'in', resourceIds)
    .execute();
}

// --- Usage -----------------------------------------------------------------------------------

export interface UsageInsert {
  subscriptionId: string;
  date: string;
  meterId: string;
  resourceId: string;
  meterName: string;
  meterCategory: string;
  unit: string;
  quantity: string;
  unitPrice: number;
  amount: number;
  currency: string;
}

/** Inserts what is new; a row already there (same subscription, meter, day, resource) is left as is. */
export async function insertUsage(db: Trx, rows: UsageInsert[], now: Date): Promise<number> {
  let inserted = 0;
  for (let i = 0; i < rows.length; i += 500) {
    const r = await db
      .insertInto('azure_usage')
      .values(
        rows.slice(i, i + 500).map((u) => ({
          subscription_id: u.subscriptionId,
          usage_date: u.date,
          meter_id: u.meterId,
          resource_id: u.resourceId,
          meter_name: u.meterName,
          meter_category: u.meterCategory,
          unit: u.unit,
          quantity: u.quantity,
          unit_price: u.unitPrice,
          amount: u.amount,
          currency: u.currency,
          imported_at: now,
        })),
      )
      .onConflict((oc) =>
        oc.columns(['subscription_id', 'meter_id', 'usage_date', 'resource_id']).doNothing(),
      )
      .returning('subscription_id')
      .execute();
    inserted += r.length;
  }
  return inserted;
}

/**
 * Usage summed per subscription, meter and day, over [from, to) (ISO days), for these
 * subscriptions; `partnerId`: only the days that are that partner's (from `partner_since` on).
 */
export async function usageByMeterDay(
  db: Db | Trx,
  f: { subscriptionIds: string[]; from: string; to: string; partnerId?: string },
) {
  if (f.subscriptionIds.length === 0) return [];
  let q = db
    .selectFrom('azure_usage as u')
    .innerJoin('azure_subscriptions as s', 's.id', 'u.subscription_id')
    .select([
      'u.subscription_id as subscriptionId',
      's.tenant_id as tenantId',
      sql<string>`to_char(u.usage_date, 'YYYY-MM-DD')`.as('date'),
      'u.meter_id as meterId',
      sql<string>`min(u.meter_name)`.as('meterName'),
      sql<string>`min(u.meter_category)`.as('meterCategory'),
      sql<string>`min(u.unit)`.as('unit'),
      sql<string>`sum(u.quantity)::text`.as('quantity'),
      sql<number>`sum(u.amount)::bigint`.as('amount'),
      'u.currency',
    ])
    .where('u.subscription_id', 'in', f.subscriptionIds)
    .where(sql<boolean>`u.usage_date >= ${f.from}::date`)
    .where(sql<boolean>`u.usage_date < ${f.to}::date`)
    .groupBy(['u.subscription_id', 's.tenant_id', 'u.usage_date', 'u.meter_id', 'u.currency'])
    .orderBy('u.subscription_id')
    .orderBy('u.usage_date')
    .orderBy('u.meter_id');
  if (f.partnerId)
    q = q
      .where('s.partner_id', '=', f.partnerId)
      .where(sql<boolean>`u.usage_date >= (s.partner_since at time zone 'UTC')::date`);
  return q.execute();
}

/**
 * A month's rated usage that is a partner's (or every partner's), summed per partner, customer,
 * subscription and day: what billing turns into `usage` lines.
 */
export async function partnerUsageByDay(db: Db | Trx, f: { from: string; to: string; partnerId?: string }) {
  let q = db
    .selectFrom('azure_usage as u')
    .innerJoin('azure_subscriptions as s', 's.id', 'u.subscription_id')
    .select([
      's.partner_id as partnerId',
      's.tenant_id as tenantId',
      'u.subscription_id as subscriptionId',
      sql<string>`to_char(u.usage_date, 'YYYY-MM-DD')`.as('date'),
      sql<number>`sum(u.amount)::bigint`.as('amount'),
      'u.currency',
    ])
    .where('s.partner_id', 'is not', null)
    .where(sql<boolean>`u.usage_date >= (s.partner_since at time zone 'UTC')::date`)
    .where(sql<boolean>`u.usage_date >= ${f.from}::date`)
    .where(sql<boolean>`u.usage_date < ${f.to}::date`)
    .groupBy(['s.partner_id', 's.tenant_id', 'u.subscription_id', 'u.usage_date', 'u.currency'])
    .orderBy('s.partner_id')
    .orderBy('s.tenant_id')
    .orderBy('u.subscription_id')
    .orderBy('u.usage_date');
  if (f.partnerId) q = q.where('s.partner_id', '=', f.partnerId);
  return (await q.execute()) as {
    partnerId: string;
    tenantId: string;
    subscriptionId: string;
    date: string;
    amount: number;
    currency: string;
  }[];
}

export async function countUsage(db: Db | Trx) {
  const r = await db
    .selectFrom('azure_usage')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

// --- Transfers -------------------------------------------------------------------------------

export async function insertTransfer(
  db: Trx,
  t: {
    id: string;
    tenantId: string;
    partnerId: string;
    userId: string | null;
    now: Date;
    lines: Omit<
      AzureTransferLineRow,
      'transfer_id' | 'completed_at' | 'completed_by_user_id' | 'new_subscription_id'
    >[];
  },
) {
  await db
    .insertInto('azure_transfers')
    .values({
      id: t.id,
      tenant_id: t.tenantId,
      partner_id: t.partnerId,
      requested_by_user_id: t.userId,
      created_at: t.now,
      updated_at: t.now,
    })
    .execute();
  await db
    .insertInto('azure_transfer_lines')
    .values(
      t.lines.map((l) => ({
        transfer_id: t.id,
        subscription_id: l.subscription_id,
        path: l.path,
        eligible: l.eligible,
        blockers: JSON.stringify(l.blockers),
        status: l.status,
        new_subscription_id: null,
        completed_at: null,
        completed_by_user_id: null,
      })),
    )
    .execute();
}

export async function findTransfer(db: Db | Trx, id: string) {
  return db.selectFrom('azure_transfers').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function lockTransfer(db: Trx, id: string) {
  return db.selectFrom('azure_transfers').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function transferLines(db: Db | Trx, transferIds: string[]) {
  if (transferIds.length === 0) return [];
  return db
    .selectFrom('azure_transfer_lines')
    .selectAll()
    .where('transfer_id', 'in', transferIds)
    .orderBy('transfer_id')
    .orderBy('subscription_id')
    .execute();
}

export async function completeLine(
  db: Trx,
  l: {
    transferId: string;
    subscriptionId: string;
    newSubscriptionId: string | null;
    userId: string | null;
    now: Date;
  },
) {
  await db
    .updateTable('azure_transfer_lines')
    .set({
      status: 'completed',
      new_subscription_id: l.newSubscriptionId,
      completed_at: l.now,
      completed_by_user_id: l.userId,
    })
    .where('transfer_id', '=', l.transferId)
    .where('subscription_id', '=', l.subscriptionId)
    .execute();
  await db.updateTable('azure_transfers').set({ updated_at: l.now }).where('id', '=', l.transferId).execute();
}

/** Lines still open (awaiting approval or ready to move) for these subscriptions. */
export async function openLinesOf(db: Db | Trx, subscriptionIds: string[]) {
  if (subscriptionIds.length === 0) return [];
  return db
    .selectFrom('azure_transfer_lines')
    .selectAll()
    .where('subscription_id', 'in', subscriptionIds)
    .where('status', 'in', ['awaiting-approval', 'ready'])
    .execute();
}

/** The latest line (any status but blocked) of each of these subscriptions, with its request's date. */
export async function latestLinesOf(db: Db | Trx, subscriptionIds: string[]) {
  if (subscriptionIds.length === 0) return [];
  return db
    .selectFrom('azure_transfer_lines as l')
    .innerJoin('azure_transfers as t', 't.id', 'l.transfer_id')
    .select(['l.subscription_id', 'l.transfer_id', 'l.status', 't.created_at'])
    .where('l.subscription_id', 'in', subscriptionIds)
    .where('l.status', '<>', 'blocked')
    .orderBy('t.created_at', 'desc')
    .orderBy('t.id', 'desc')
    .execute();
}

export async function listTransferRows(
  db: Db | Trx,
  f: { tenantId?: string; partnerId?: string; limit: number; before?: [string, string] },
) {
  let q = db
    .selectFrom('azure_transfers')
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(f.limit + 1);
  if (f.tenantId) q = q.where('tenant_id', '=', f.tenantId);
  if (f.partnerId) q = q.where('partner_id', '=', f.partnerId);
  if (f.before) {
    const [at, id] = f.before;
    q = q.where((eb) =>
      eb.or([
        eb('created_at', '<', new Date(at)),
        eb.and([eb('created_at', '=', new Date(at)), eb('id', '<', id)]),
      ]),
    );
  }
  return q.execute();
}

/**
 * Stored usage rows of these subscriptions that are a partner's (the subscription is under its
 * Azure plan and the day is on or after it became the partner's), one per row: what becomes
 * `usage` billing lines.
 */
export async function partnerUsageRows(db: Db | Trx, subscriptionIds: string[]) {
  if (subscriptionIds.length === 0) return [];
  return (await db
    .selectFrom('azure_usage as u')
    .innerJoin('azure_subscriptions as s', 's.id', 'u.subscription_id')
    .select([
      's.partner_id as partnerId',
      's.tenant_id as tenantId',
      'u.subscription_id as subscriptionId',
      sql<string>`to_char(u.usage_date, 'YYYY-MM-DD')`.as('date'),
      'u.meter_id as meterId',
      'u.meter_name as meterName',
      'u.meter_category as meterCategory',
      'u.resource_id as resourceId',
      'u.unit',
      sql<string>`u.quantity::text`.as('quantity'),
      'u.unit_price as unitPrice',
      'u.amount',
      'u.currency',
    ])
    .where('u.subscription_id', 'in', subscriptionIds)
    .where('s.partner_id', 'is not', null)
    .where(sql<boolean>`u.usage_date >= (s.partner_since at time zone 'UTC')::date`)
    .execute()) as {
    partnerId: string;
    tenantId: string;
    subscriptionId: string;
    date: string;
    meterId: string;
    meterName: string;
    meterCategory: string;
    resourceId: string;
    unit: string;
    quantity: string;
    unitPrice: number;
    amount: number;
    currency: string;
  }[];
}
