import { type Insertable, type Selectable, type SelectQueryBuilder, sql, type Updateable } from 'kysely';
import { compiledOnce } from '../../platform/db/compiled-once.ts';
import { PREPARE_MARK } from '../../platform/db/connect.ts';
import type {
  Database,
  Db,
  SubscriptionSeatReductionsTable,
  SubscriptionsTable,
  Trx,
} from '../../platform/db/database.ts';
import { offerNameOf, offerNameRow } from '../catalog/index.ts';
import { visibleTenantIds } from '../tenants/index.ts';

export type SubscriptionRow = Selectable<SubscriptionsTable>;

/**
 * What a subscription's view reads: every column but the seat batches (a jsonb each row would
 * parse), the open transfer, the billing sweep's mark and `updated_at`. The hot list reads only these.
 */
export type SubscriptionViewRow = Omit<
  SubscriptionRow,
  'seat_batches' | 'transfer_id' | 'billed_through' | 'updated_at'
>;
const VIEW_COLUMNS = [
  's.id',
  's.tenant_id',
  's.offer_id',
  's.sku_id',
  's.quantity',
  's.channel',
  's.partner_id',
  's.purchased_via',
  's.order_id',
  's.billing_cycle',
  's.term',
  's.term_start',
  's.term_end',
  's.auto_renew',
  's.unit_price',
  's.currency',
  's.refund_window_hours',
  's.purchased_at',
  's.suspended_at',
  's.cancelled_at',
  's.partner_on_record_id',
  's.created_at',
] as const satisfies readonly `s.${keyof SubscriptionViewRow}`[];

/**
 * Serialises the seat-pool work of one tenant (license updates, seat reductions): a transaction-scoped advisory lock, taken before the
 * pool is read, so that two concurrent updates can never assign more seats than the pool holds
 * (also when the tenant has no subscription row to lock yet).
 */
export async function lockSeatPool(db: Trx, tenantId: string) {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`seat-pool:${tenantId}`}, 0))`.execute(db);
}

export async function insertSubscription(db: Trx, row: Insertable<SubscriptionsTable>) {
  await db.insertInto('subscriptions').values(row).execute();
}

/** Many rows in one statement, answered as stored. */
export async function insertSubscriptions(db: Trx, rows: Insertable<SubscriptionsTable>[]) {
  if (rows.length === 0) return [];
  return db.insertInto('subscriptions').values(rows).returningAll().execute();
}

export async function findSubscription(db: Db | Trx, tenantId: string, id: string) {
  return db
    .selectFrom('subscriptions')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** Locks one subscription for a change; only inside a transaction. */
export async function lockSubscription(db: Trx, tenantId: string, id: string) {
  return db
    .selectFrom('subscriptions')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

/** Locks subscriptions by id whatever their tenant, in id order (the caller checks each one's tenant). */
export async function lockSubscriptionsByIds(db: Trx, ids: string[]) {
  if (ids.length === 0) return [];
  return db
    .selectFrom('subscriptions')
    .selectAll()
    .where('id', 'in', [...new Set(ids)])
    .orderBy('id')
    .forUpdate()
    .execute();
}

/** Locks subscriptions of a tenant, in id order (one lock order: two transfers never deadlock). */
export async function lockSubscriptions(db: Trx, tenantId: string, ids: string[]) {
  if (ids.length === 0) return [];
  return db
    .selectFrom('subscriptions')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', ids)
    .orderBy('id')
    .forUpdate()
    .execute();
}

/** Sets or clears the transfer holding these subscriptions. */
export async function setTransferHold(db: Trx, ids: string[], transferId: string | null, now: Date) {
  if (ids.length === 0) return;
  await db
    .updateTable('subscriptions')
    .set({ transfer_id: transferId, updated_at: now })
    .where('id', 'in', ids)
    .execute();
}

/** The partner of record changes; offer, seats, term, end date and auto-renew stay as they are. */
export async function changePartnerOfRecordRows(db: Trx, ids: string[], partnerId: string, now: Date) {
  if (ids.length === 0) return;
  await db
    .updateTable('subscriptions')
    .set({ partner_id: partnerId, transfer_id: null, updated_at: now })
    .where('id', 'in', ids)
    .where('channel', '=', 'partner')
    .execute();
}

export async function updateSubscriptionRow(db: Trx, id: string, patch: Updateable<SubscriptionsTable>) {
  await db.updateTable('subscriptions').set(patch).where('id', '=', id).execute();
}

/** The columns a batch of changes may patch in one statement (plain values, no JSON). */
const BATCH_PATCHABLE = new Set([
  'term_start',
  'term_end',
  'purchased_at',
  'updated_at',
  'auto_renew',
  'suspended_at',
  'cancelled_at',
  'quantity',
]);

/**
 * Many rows' patches (a batch of changes): one statement per set of columns patched, each row's
 * values typed by the table (`jsonb_populate_record`); a patch of other columns on its own.
 */
export async function updateSubscriptionRows(
  db: Trx,
  patches: { id: string; patch: Updateable<SubscriptionsTable> }[],
) {
  const groups = new Map<string, typeof patches>();
  for (const p of patches) {
    const cols = Object.keys(p.patch).sort();
    if (!cols.every((c) => BATCH_PATCHABLE.has(c))) {
      await updateSubscriptionRow(db, p.id, p.patch);
      continue;
    }
    const key = cols.join(',');
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  for (const [key, group] of groups) {
    const cols = key.split(',');
    const json = JSON.stringify(group.map((p) => ({ ...p.patch, id: p.id })));
    await sql`update subscriptions as s
      set (${sql.join(cols.map((c) => sql.ref(c)))}) = row(${sql.join(cols.map((c) => sql.ref(`r.${c}`)))})
      from jsonb_array_elements(${json}::jsonb) as e (j),
        lateral jsonb_populate_record(null::subscriptions, e.j) as r
      where s.id = r.id`.execute(db);
  }
}

/** Every subscription of a tenant (pools, holdings): a tenant holds tens, not thousands. */
export async function tenantSubscriptionRows(db: Db | Trx, tenantId: string, skuIds?: string[]) {
  let q = db
    .selectFrom('subscriptions')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('created_at')
    .orderBy('id');
  if (skuIds) {
    if (skuIds.length === 0) return [];
    q = q.where('sku_id', 'in', skuIds);
  }
  return q.execute();
}

/** Many tenants' subscriptions of some SKUs (the seat pools of a batch of license moves). */
export async function subscriptionRowsOfTenantSkus(db: Db | Trx, tenantIds: string[], skuIds: string[]) {
  if (tenantIds.length === 0 || skuIds.length === 0) return [];
  return db
    .selectFrom('subscriptions')
    .selectAll()
    .where('tenant_id', 'in', [...new Set(tenantIds)])
    .where('sku_id', 'in', [...new Set(skuIds)])
    .execute();
}

/**
 * Seat-pool locks of many tenants in one statement, in one order (two batches never deadlock);
 * the same locks `lockSeatPool` takes.
 */
export async function lockSeatPools(db: Trx, tenantIds: string[]) {
  const keys = [...new Set(tenantIds)].sort().map((t) => `seat-pool:${t}`);
  if (keys.length === 0) return;
  await sql`select pg_advisory_xact_lock(hashtextextended(k, 0))
    from unnest(${keys}::text[]) with ordinality as u (k, n) order by n`.execute(db);
}

/** Batch reader (the planner's): every subscription of many tenants. */
export async function subscriptionsOfTenants(db: Db | Trx, tenantIds: string[]) {
  if (tenantIds.length === 0) return [];
  return db.selectFrom('subscriptions').selectAll().where('tenant_id', 'in', tenantIds).execute();
}

/** Batch reader: a tenant's subscriptions by id (those found). */
export async function findSubscriptions(db: Db | Trx, tenantId: string, ids: string[]) {
  if (ids.length === 0) return [];
  return db
    .selectFrom('subscriptions')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', ids)
    .execute();
}

/** Subscriptions by id across tenants, each only if it is its tenant's (`tenantId`, `id` pairs). */
export async function findSubscriptionsOfTenants(db: Db | Trx, pairs: { tenantId: string; id: string }[]) {
  if (pairs.length === 0) return [];
  const tenantOf = new Map(pairs.map((p) => [p.id, p.tenantId]));
  const rows = await subscriptionRowsByIds(db, [...tenantOf.keys()]);
  return rows.filter((r) => tenantOf.get(r.id) === r.tenant_id);
}

export async function subscriptionRowsByIds(db: Db | Trx, ids: string[]) {
  if (ids.length === 0) return [];
  return db.selectFrom('subscriptions').selectAll().where('id', 'in', ids).execute();
}

type PageFilter = { tenantId: string; channel?: string; after?: [string, string]; limit: number };

/**
 * A subscription with what its view needs from other modules: its offer's name, and the seats
 * assigned of its SKU in the tenant (licenses are pooled by SKU).
 */
export type PooledSubscriptionRow = SubscriptionViewRow & {
  offer_name: string | null;
  sku_assigned_seats: number;
};

/**
 * The seats assigned per SKU in a tenant (`sku_id`, `n`) as a derived table the pooled reads join in
 * the same statement. The licenses module owns the assignments; its reader is passed in.
 */
export type AssignedSeatsBySku = (
  db: Db | Trx,
  tenantId: string,
) => SelectQueryBuilder<Database, 'license_assignments', { sku_id: string; n: number }>;

function pooledRows(db: Db | Trx, tenantId: string, assignedSeatsBySku: AssignedSeatsBySku) {
  return db
    .selectFrom('subscriptions as s')
    .leftJoin(assignedSeatsBySku(db, tenantId).as('seats'), 'seats.sku_id', 's.sku_id')
    .selectAll('s')
    .select((eb) => [offerNameOf(db, eb.ref('s.offer_id')).as('offer_name'), 'seats.n as sku_assigned_seats'])
    .where('s.tenant_id', '=', tenantId)
    .orderBy('s.created_at')
    .orderBy('s.id');
}

/** The seats as a number, set on the row itself: pg's rows are fresh per read (no copy on the hottest read). */
function pooled<R extends { offer_name: string | null; sku_assigned_seats: number | string | null }>(
  r: R,
): Omit<R, 'sku_assigned_seats'> & { sku_assigned_seats: number } {
  const row = r as Omit<R, 'sku_assigned_seats'> & { sku_assigned_seats: number };
  row.sku_assigned_seats = Number(r.sku_assigned_seats ?? 0);
  return row;
}

/** The tenant's subscriptions of these SKUs (a seat pool each), with offer names and assigned seats. */
export async function pooledSubscriptionRows(
  db: Db | Trx,
  tenantId: string,
  skuIds: string[],
  assignedSeatsBySku: AssignedSeatsBySku,
): Promise<PooledSubscriptionRow[]> {
  if (skuIds.length === 0) return [];
  const rows = await pooledRows(db, tenantId, assignedSeatsBySku).where('s.sku_id', 'in', skuIds).execute();
  return rows.map(pooled);
}

/** The page statement's values (see `pageStatement`); `take` is one more than the page, to tell if more follow. */
type PageValues = { tenantId: string; channel: string; afterAt: Date; afterId: string; take: number };

/**
 * The page and the seat pools of its SKUs as one statement, built and compiled by Kysely once per
 * shape (with or without a channel, first page or after a cursor) and per seat reader: the hottest
 * read of the API, where building and compiling it cost more of the server's time than anything
 * else of ours. Every subscription of the tenant holding a SKU on the page (oldest first), with its
 * offer's name and the seats assigned of its SKU, `on_page` marking those of the page.
 */
function pageStatement(assignedSeatsBySku: AssignedSeatsBySku) {
  return compiledOnce<PageValues, PooledSubscriptionRow & { on_page: boolean | null }>((db, v, shape) => {
    let page = db
      .selectFrom('subscriptions')
      .select(['subscriptions.id', 'subscriptions.sku_id'])
      .where('subscriptions.tenant_id', '=', v.tenantId)
      .orderBy('subscriptions.created_at')
      .orderBy('subscriptions.id')
      .limit(v.take);
    if (shape.includes('c'))
      page = page.where('subscriptions.channel', '=', v.channel as SubscriptionRow['channel']);
    if (shape.includes('a'))
      page = page.where((eb) =>
        eb.or([
          eb('subscriptions.created_at', '>', v.afterAt),
          eb.and([eb('subscriptions.created_at', '=', v.afterAt), eb('subscriptions.id', '>', v.afterId)]),
        ]),
      );
    return (
      db
        .with('page', () => page)
        .selectFrom('subscriptions as s')
        .leftJoin(assignedSeatsBySku(db, v.tenantId).as('seats'), 'seats.sku_id', 's.sku_id')
        .select(VIEW_COLUMNS)
        .select((eb) => [
          offerNameOf(db, eb.ref('s.offer_id')).as('offer_name'),
          'seats.n as sku_assigned_seats',
          eb('s.id', 'in', eb.selectFrom('page').select('page.id')).as('on_page'),
        ])
        .where('s.tenant_id', '=', v.tenantId)
        .where('s.sku_id', 'in', (eb) => eb.selectFrom('page').select('page.sku_id'))
        .orderBy('s.created_at')
        .orderBy('s.id')
        // Also planned once per connection (its text has few shapes).
        .modifyEnd(sql.raw(PREPARE_MARK))
    );
  });
}
const pageStatements = new WeakMap<AssignedSeatsBySku, ReturnType<typeof pageStatement>>();

function pageStatementOf(assignedSeatsBySku: AssignedSeatsBySku) {
  let statement = pageStatements.get(assignedSeatsBySku);
  if (!statement) {
    statement = pageStatement(assignedSeatsBySku);
    pageStatements.set(assignedSeatsBySku, statement);
  }
  return statement;
}

/**
 * The text the first page of a tenant's subscriptions is read with (no channel, no cursor), and
 * its values for a tenant and page size in order: what `npm run bench`'s bare route runs, so it is
 * measured on the very statement the API sends.
 */
export function firstPageStatement(db: Db | Trx, assignedSeatsBySku: AssignedSeatsBySku) {
  const { sql: text, names } = pageStatementOf(assignedSeatsBySku).statement(db, '');
  const values = (tenantId: string, limit: number) =>
    names.map((n) => {
      if (n === 'tenantId') return tenantId;
      if (n === 'take') return limit + 1;
      throw new Error(`firstPageStatement: unexpected parameter ${String(n)}`);
    });
  return { text, values };
}

/**
 * A page of a tenant's subscriptions and the seat pools of the page's SKUs, in one statement:
 * every subscription of the tenant holding a SKU on the page (oldest first), `on_page` marking
 * those of the page. Reads run outside a transaction, so one statement is also one snapshot.
 */
export async function subscriptionPageWithPools(
  db: Db | Trx,
  f: PageFilter,
  assignedSeatsBySku: AssignedSeatsBySku,
): Promise<(PooledSubscriptionRow & { on_page: boolean })[]> {
  const statement = pageStatementOf(assignedSeatsBySku);
  const values: Partial<PageValues> & { tenantId: string; take: number } = {
    tenantId: f.tenantId,
    take: f.limit + 1,
  };
  if (f.channel) values.channel = f.channel;
  if (f.after) {
    values.afterAt = new Date(f.after[0]);
    values.afterId = f.after[1];
  }
  const rows = await statement(db, `${f.channel ? 'c' : ''}${f.after ? 'a' : ''}`, values as PageValues);
  for (const r of rows) {
    pooled(r);
    r.on_page = r.on_page === true;
  }
  return rows as (PooledSubscriptionRow & { on_page: boolean })[];
}

/** A subscription already recorded with the same tenant, offer, channel, partner and term (re-imports). */
export async function findRecordedTwin(
  db: Db | Trx,
  s: {
    tenantId: string;
    offerId: string;
    channel: string;
    partnerId: string | null;
    termStart: Date;
    termEnd: Date;
  },
) {
  let q = db
    .selectFrom('subscriptions')
    .select('id')
    .where('tenant_id', '=', s.tenantId)
    .where('offer_id', '=', s.offerId)
    .where('channel', '=', s.channel as 'direct')
    .where('term_start', '=', s.termStart)
    .where('term_end', '=', s.termEnd);
  q = s.partnerId ? q.where('partner_id', '=', s.partnerId) : q.where('partner_id', 'is', null);
  return q.executeTakeFirst();
}

// --- Seat reductions below the seats assigned (grace, then the newest assignments lose the license)

export type SeatReductionRow = Selectable<SubscriptionSeatReductionsTable>;

export async function insertSeatReduction(db: Trx, row: Insertable<SubscriptionSeatReductionsTable>) {
  await db.insertInto('subscription_seat_reductions').values(row).execute();
}

/** Reductions not yet settled, of a tenant (and SKUs), or of every tenant: few at any time. */
export async function openSeatReductionRows(db: Db | Trx, f: { tenantId?: string; skuIds?: string[] } = {}) {
  let q = db
    .selectFrom('subscription_seat_reductions')
    .selectAll()
    .where('settled_at', 'is', null)
    .orderBy('grace_ends_at')
    .orderBy('id');
  if (f.tenantId) q = q.where('tenant_id', '=', f.tenantId);
  if (f.skuIds) {
    if (f.skuIds.length === 0) return [];
    q = q.where('sku_id', 'in', f.skuIds);
  }
  return q.execute();
}

/** Marks a reduction settled; false when another process already did (the row lock decides). */
export async function settleSeatReductionRow(db: Trx, id: string, now: Date): Promise<boolean> {
  const row = await db
    .updateTable('subscription_seat_reductions')
    .set({ settled_at: now })
    .where('id', '=', id)
    .where('settled_at', 'is', null)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

/** Records a notice; false when it was already sent (by this or another process). */
export async function insertSeatReductionNotice(
  db: Trx,
  n: { reductionId: string; daysBefore: number; now: Date },
): Promise<boolean> {
  const row = await db
    .insertInto('subscription_seat_reduction_notices')
    .values({ reduction_id: n.reductionId, days_before: n.daysBefore, sent_at: n.now })
    .onConflict((oc) => oc.columns(['reduction_id', 'days_before']).doNothing())
    .returning('reduction_id')
    .executeTakeFirst();
  return row !== undefined;
}

/** What a list of another module's records shows of each subscription: offer name, seats, end. */
export async function subscriptionSummaryRows(db: Db | Trx, ids: string[]) {
  if (ids.length === 0) return [];
  return db
    .selectFrom('subscriptions as s')
    .select((eb) => [
      's.id',
      's.offer_id',
      's.quantity',
      's.term_end',
      offerNameOf(db, eb.ref('s.offer_id')).as('offer_name'),
    ])
    .where('s.id', 'in', ids)
    .execute();
}

/** Subscriptions a provider placed for its resellers (partner of record set). */
export async function soldForResellerRows(db: Db | Trx, providerId: string) {
  return db
    .selectFrom('subscriptions')
    .selectAll()
    .where('partner_id', '=', providerId)
    .where('partner_on_record_id', 'is not', null)
    .execute();
}

/** Partner-channel subscriptions with a price, after `afterId` in id order: what the billing sweep reads. */
export async function billableRowsAfter(db: Db | Trx, afterId: string, limit: number) {
  return db
    .selectFrom('subscriptions as s')
    .selectAll('s')
    .select((eb) => offerNameOf(db, eb.ref('s.offer_id')).as('offer_name'))
    .where('s.channel', '=', 'partner')
    .where('s.currency', 'is not', null)
    .where('s.id', '>', afterId)
    .orderBy('s.id')
    .limit(limit)
    .execute();
}

/** One offer's name (what a billing line shows as the product). */
export async function offerNameFor(db: Db | Trx, offerId: string) {
  const r = await offerNameRow(db, offerId);
  return r?.name ?? null;
}

/** Moves the billing watermark forward (never back: a late writer leaves a later mark alone). */
export async function markBilledThrough(db: Trx, id: string, through: Date) {
  await db
    .updateTable('subscriptions')
    .set({ billed_through: sql<Date>`greatest(coalesce(billed_through, ${through}), ${through})` })
    .where('id', '=', id)
    .execute();
}

/**
 * The subscriptions of a partner's book it does not hold itself (bought direct, through volume
 * licensing, a trial, or from another partner), not yet cancelled: home's needs-attention list
 * ranks them by how soon they end (issue 21).
 */
export async function bookSourceRows(db: Db | Trx, partnerId: string) {
  return db
    .selectFrom('subscriptions')
    .selectAll()
    .where('tenant_id', 'in', visibleTenantIds(db, partnerId))
    .where((eb) =>
      eb.or([
        eb('channel', '!=', 'partner'),
        eb('partner_id', 'is', null),
        eb('partner_id', '!=', partnerId),
      ]),
    )
    .where('cancelled_at', 'is', null)
    .execute();
}
