import { sql } from 'kysely';
import type { Db, Trx } from '../../platform/db/database.ts';
import { eventsByIds } from '../outbox/index.ts';

export async function insertWebhook(
  db: Trx,
  w: {
    id: string;
    partnerId: string;
    url: string;
    events: string[];
    secret: string;
    userId: string | null;
    now: Date;
  },
) {
  await db
    .insertInto('webhooks')
    .values({
      id: w.id,
      partner_id: w.partnerId,
      url: w.url,
      events: JSON.stringify(w.events),
      secret: w.secret,
      created_by_user_id: w.userId,
      created_at: w.now,
    })
    .execute();
}

const VIEW = ['id', 'partner_id', 'url', 'events', 'created_at'] as const;

/** A partner's webhook (another partner's is not found). */
export async function findWebhook(db: Db | Trx, partnerId: string, id: string) {
  return db
    .selectFrom('webhooks')
    .select(VIEW)
    .where('id', '=', id)
    .where('partner_id', '=', partnerId)
    .executeTakeFirst();
}

export async function listPartnerWebhooks(db: Db, partnerId: string) {
  return db
    .selectFrom('webhooks')
    .select(VIEW)
    .where('partner_id', '=', partnerId)
    .orderBy('created_at')
    .orderBy('id')
    .limit(100)
    .execute();
}

export async function deleteWebhook(db: Trx, partnerId: string, id: string) {
  const res = await db
    .deleteFrom('webhooks')
    .where('id', '=', id)
    .where('partner_id', '=', partnerId)
    .executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}

/** The webhooks of some partners (for fanning events out). */
export async function webhooksOfPartners(db: Trx, partnerIds: string[]) {
  if (partnerIds.length === 0) return [];
  return db
    .selectFrom('webhooks')
    .select(['id', 'partner_id', 'events'])
    .where('partner_id', 'in', partnerIds)
    .execute();
}

export interface NewDelivery {
  id: string;
  webhookId: string;
  eventId: string;
  eventType: string;
  subject: string;
  seq: number;
  now: Date;
}

export async function insertDeliveries(db: Trx, rows: NewDelivery[]) {
  for (let i = 0; i < rows.length; i += 500) {
    await db
      .insertInto('webhook_deliveries')
      .values(
        rows.slice(i, i + 500).map((d) => ({
          id: d.id,
          webhook_id: d.webhookId,
          event_id: d.eventId,
          event_type: d.eventType,
          subject: d.subject,
          seq: d.seq,
          status: 'pending' as const,
          next_attempt_at: d.now,
          created_at: d.now,
        })),
      )
      .onConflict((oc) => oc.columns(['webhook_id', 'event_id']).doNothing())
      .execute();
  }
}

const DELIVERY_VIEW = [
  'd.id',
  'd.webhook_id',
  'd.event_id',
  'd.event_type',
  'd.subject',
  'd.seq',
  'd.status',
  'd.attempts',
  'd.last_status_code',
  'd.last_error',
  'd.next_attempt_at',
  'd.delivered_at',
  'd.created_at',
] as const;

/** A webhook's delivery log, newest first (keyset on seq). */
export async function listDeliveries(db: Db, webhookId: string, opts: { limit: number; beforeSeq?: number }) {
  let q = db
    .selectFrom('webhook_deliveries as d')
    .select(DELIVERY_VIEW)
    .where('d.webhook_id', '=', webhookId);
  if (opts.beforeSeq !== undefined) q = q.where('d.seq', '<', opts.beforeSeq);
  return q
    .orderBy('d.seq', 'desc')
    .limit(opts.limit + 1)
    .execute();
}

export async function findDelivery(db: Db | Trx, webhookId: string, id: string) {
  return db
    .selectFrom('webhook_deliveries as d')
    .select(DELIVERY_VIEW)
    .where('d.webhook_id', '=', webhookId)
    .where('d.id', '=', id)
    .executeTakeFirst();
}

export type DeliveryRow = NonNullable<Awaited<ReturnType<typeof findDelivery>>>;

/** Sends it again: pending now, whatever it was (its attempts keep counting). */
export async function reopenDelivery(db: Trx, id: string, now: Date) {
  await db
    .updateTable('webhook_deliveries')
    .set({ status: 'pending', next_attempt_at: now })
    .where('id', '=', id)
    .execute();
}

/**
 * Deliveries due now that head their subject: no earlier delivery of the same endpoint and subject
 * is still pending, so event n+1 never goes before event n was delivered (or given up on).
 */
export async function dueDeliveries(db: Db, now: Date, limit: number) {
  const due = await db
    .selectFrom('webhook_deliveries as d')
    .innerJoin('webhooks as w', 'w.id', 'd.webhook_id')
    .select(['d.id', 'd.event_id', 'd.event_type', 'd.attempts', 'd.next_attempt_at', 'w.url', 'w.secret'])
    .where('d.status', '=', 'pending')
    .where('d.next_attempt_at', '<=', now)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('webhook_deliveries as p')
            .select(sql`1`.as('one'))
            .whereRef('p.webhook_id', '=', 'd.webhook_id')
            .whereRef('p.subject', '=', 'd.subject')
            .where('p.status', '=', 'pending')
            .whereRef('p.seq', '<', 'd.seq'),
        ),
      ),
    )
    .orderBy('d.seq')
    .limit(limit)
    .execute();
  // The events themselves are the outbox module's rows: read through its face.
  const events = await eventsByIds(db, [...new Set(due.map((d) => d.event_id))]);
  return due.flatMap((d) => {
    const e = events.get(d.event_id);
    return e ? [{ ...d, payload: e.payload, event_at: e.created_at }] : [];
  });
}

/** Whether a delivery is due (a cheap look, for the wake-up). */
export async function hasDueDelivery(db: Db, now: Date): Promise<boolean> {
  const row = await db
    .selectFrom('webhook_deliveries')
    .select('id')
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', now)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Takes a due delivery for one attempt: its next attempt moves past the lease, so no other runner
 * sends it meanwhile, and a runner that dies mid-send leaves it to be tried again (at least once).
 */
export async function claimDelivery(db: Db, id: string, seenNextAttempt: Date, leaseUntil: Date) {
  const res = await db
    .updateTable('webhook_deliveries')
    .set({ next_attempt_at: leaseUntil })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .where('next_attempt_at', '=', seenNextAttempt)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export async function settleAttempt(
  db: Db,
  id: string,
  r: {
    status: 'pending' | 'delivered' | 'failed';
    statusCode: number | null;
    error: string | null;
    nextAttemptAt: Date | null;
    deliveredAt: Date | null;
  },
) {
  await db
    .updateTable('webhook_deliveries')
    .set((eb) => ({
      status: r.status,
      attempts: eb('attempts', '+', 1),
      last_status_code: r.statusCode,
      last_error: r.error,
      next_attempt_at: r.nextAttemptAt,
      ...(r.deliveredAt ? { delivered_at: r.deliveredAt } : {}),
    }))
    .where('id', '=', id)
    .execute();
}

/** Pending deliveries (a gauge for /metrics). */
export async function countPendingDeliveries(db: Db): Promise<number> {
  const row = await db
    .selectFrom('webhook_deliveries')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}
