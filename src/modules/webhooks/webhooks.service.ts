import { randomBytes, randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { isOutboxEventType, OUTBOX_EVENT_TYPES, partnersOf, subjectOf } from '../../domain/outbox-events.ts';
import { type Clock, systemClock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db/database.ts';
import { DomainError } from '../../platform/errors.ts';
import type { Ctx } from '../../platform/http/context.ts';
import { decodeSerialCursor, toPage } from '../../platform/http/schemas.ts';
import { recordAudit } from '../audit/index.ts';
import type { OutboxEvent } from '../outbox/index.ts';
import { BACKOFF_SECONDS, LEASE_SECONDS, retryDelaySeconds } from './webhooks.backoff.ts';
import {
  claimDelivery,
  type DeliveryRow,
  deleteWebhook as deleteWebhookRow,
  dueDeliveries,
  findDelivery,
  findWebhook,
  insertDeliveries,
  insertWebhook,
  listDeliveries as listDeliveryRows,
  listPartnerWebhooks,
  type NewDelivery,
  reopenDelivery,
  settleAttempt,
  webhooksOfPartners,
} from './webhooks.repo.ts';

type WebhookRow = { id: string; partner_id: string; url: string; events: string[]; created_at: Date };

const toWebhookView = (w: WebhookRow) => ({
  id: w.id,
  url: w.url,
  events: w.events,
  createdAt: w.created_at.toISOString(),
});

function toDeliveryView(d: DeliveryRow) {
  return {
    id: d.id,
    eventId: d.event_id,
    eventType: d.event_type,
    subject: d.subject,
    status: d.status,
    attempts: d.attempts,
    lastStatusCode: d.last_status_code,
    lastError: d.last_error,
    // A delivered or given-up one has no next attempt.
    nextAttemptAt: d.status === 'pending' ? (d.next_attempt_at?.toISOString() ?? null) : null,
    deliveredAt: d.delivered_at?.toISOString() ?? null,
    createdAt: d.created_at.toISOString(),
  };
}

/** http(s) only (https only where the install asks for it), absolute, no credentials in it. */
function checkUrl(url: string, httpsOnly: boolean) {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new DomainError('webhook_url_invalid', { httpsOnly });
  }
  const schemes = httpsOnly ? ['https:'] : ['http:', 'https:'];
  if (!schemes.includes(u.protocol) || !u.hostname || u.username || u.password)
    throw new DomainError('webhook_url_invalid', { httpsOnly });
}

/** A partner's account admin adds an endpoint; the signing secret is answered this once. */
export async function createWebhook(ctx: Ctx, input: { url: string; events: string[] }) {
  const partnerId = ctx.actor.partnerId;
  if (!partnerId) throw new DomainError('forbidden', { action: 'webhooks.manage' });
  checkUrl(input.url, ctx.config.webhookHttpsOnly);
  const unknown = input.events.filter((e) => !isOutboxEventType(e));
  if (unknown.length > 0) throw new DomainError('webhook_event_unknown', { events: unknown });
  const events = [...new Set(input.events)];
  const id = randomUUID();
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  await insertWebhook(ctx.db, {
    id,
    partnerId,
    url: input.url,
    events,
    secret,
    userId: ctx.actor.userId === 'system' ? null : ctx.actor.userId,
    now: ctx.clock.now(),
  });
  await recordAudit(ctx, {
    action: 'webhook.created',
    targetType: 'webhook',
    targetId: id,
    partnerId,
    // Never the secret: the audit trail is readable by the partner's other users.
    data: { url: input.url, events },
  });
  return { ...toWebhookView((await findWebhook(ctx.db, partnerId, id))!), secret };
}

export async function listWebhooks(ctx: Ctx<Db>) {
  const rows = await listPartnerWebhooks(ctx.db, ctx.actor.partnerId ?? '');
  return { items: rows.map(toWebhookView), eventTypes: [...OUTBOX_EVENT_TYPES] };
}

async function ownWebhook(ctx: Ctx<Db> | Ctx, id: string) {
  const w = ctx.actor.partnerId ? await findWebhook(ctx.db, ctx.actor.partnerId, id) : undefined;
  if (!w) throw new DomainError('webhook_not_found');
  return w;
}

export async function getWebhook(ctx: Ctx<Db>, input: { id: string }) {
  return toWebhookView(await ownWebhook(ctx, input.id));
}

export async function deleteWebhook(ctx: Ctx, input: { id: string }) {
  const w = await ownWebhook(ctx, input.id);
  if (!(await deleteWebhookRow(ctx.db, w.partner_id, w.id))) throw new DomainError('webhook_not_found');
  await recordAudit(ctx, {
    action: 'webhook.deleted',
    targetType: 'webhook',
    targetId: w.id,
    partnerId: w.partner_id,
    data: { url: w.url },
  });
}

export async function listDeliveries(ctx: Ctx<Db>, input: { id: string; cursor?: string; limit?: number }) {
  const w = await ownWebhook(ctx, input.id);
  const limit = input.limit ?? 50;
  const beforeSeq = decodeSerialCursor(input.cursor);
  const rows = await listDeliveryRows(ctx.db, w.id, {
    limit,
    ...(beforeSeq !== undefined ? { beforeSeq } : {}),
  });
  return toPage(rows, limit, toDeliveryView, (r) => r.seq);
}

/** Sends a delivery again (the receiver dedupes on its webhook-id, the event's id). */
export async function replayDelivery(ctx: Ctx, input: { id: string; deliveryId: string }) {
  const w = await ownWebhook(ctx, input.id);
  const d = await findDelivery(ctx.db, w.id, input.deliveryId);
  if (!d) throw new DomainError('webhook_delivery_not_found');
  await reopenDelivery(ctx.db, d.id, ctx.clock.now());
  await recordAudit(ctx, {
    action: 'webhook.delivery-replayed',
    targetType: 'webhook',
    targetId: w.id,
    partnerId: w.partner_id,
    data: { deliveryId: d.id, eventId: d.event_id, eventType: d.event_type },
  });
  return toDeliveryView((await findDelivery(ctx.db, w.id, d.id))!);
}

/**
 * The outbox consumer: a pending delivery per event and endpoint of a partner the event concerns
 * that asked for its type, in the publisher's transaction (so each is made exactly once).
 */
export async function enqueueDeliveries(ctx: Ctx, events: OutboxEvent[]) {
  const partnerIds = [...new Set(events.flatMap((e) => partnersOf(e.payload)))];
  const hooks = await webhooksOfPartners(ctx.db, partnerIds);
  if (hooks.length === 0) return;
  const now = ctx.clock.now();
  const rows: NewDelivery[] = [];
  for (const e of events) {
    const partners = new Set(partnersOf(e.payload));
    const subject = subjectOf(e.type, e.payload);
    for (const h of hooks) {
      if (!partners.has(h.partner_id) || !h.events.includes(e.type)) continue;
      rows.push({
        id: randomUUID(),
        webhookId: h.id,
        eventId: e.id,
        eventType: e.type,
        subject,
        seq: e.seq,
        now,
      });
    }
  }
  await insertDeliveries(ctx.db, rows);
}

/** The body a receiver gets: Standard Webhooks' `{ type, timestamp, data }`. */
export function deliveryBody(e: { type: string; at: Date; payload: Record<string, unknown> }) {
  const { requestId: _internal, ...data } = e.payload;
  return JSON.stringify({ type: e.type, timestamp: e.at.toISOString(), data });
}

export interface DeliveryOptions {
  /** The platform clock (when attempts are due). */
  clock: Clock;
  timeoutMs: number;
  /** Seconds to wait after the nth failure; the default is BACKOFF_SECONDS. */
  backoff?: readonly number[];
  /** The signing time (`webhook-timestamp`): the wall clock, which receivers check it against. */
  wallClock?: Clock;
  log?: { warn: (obj: object, msg: string) => void };
}

/**
 * Sends every due delivery that heads its subject, rounds until none is due. No transaction is
 * held while a receiver answers (PGlite has one connection): a delivery is claimed by moving its
 * next attempt past a lease, sent, then settled (delivered, retried later, or given up on).
 */
export async function deliverDue(
  db: Db,
  opts: DeliveryOptions,
): Promise<{ delivered: number; failed: number }> {
  const wall = opts.wallClock ?? systemClock;
  const schedule = opts.backoff ?? BACKOFF_SECONDS;
  let delivered = 0;
  let failed = 0;
  for (let round = 0; round < 100; round++) {
    const now = opts.clock.now();
    const due = await dueDeliveries(db, now, 50);
    if (due.length === 0) break;
    let progressed = 0;
    // Each of these heads its own subject: they may go out side by side, a few at a time.
    for (let i = 0; i < due.length; i += 4) {
      await Promise.all(
        due.slice(i, i + 4).map(async (d) => {
          const lease = new Date(now.getTime() + LEASE_SECONDS * 1000);
          if (!(await claimDelivery(db, d.id, d.next_attempt_at!, lease))) return;
          progressed++;
          const body = deliveryBody({ type: d.event_type, at: d.event_at, payload: d.payload });
          const outcome = await send(d.url, d.secret, d.event_id, body, wall.now(), opts.timeoutMs);
          const settledAt = opts.clock.now();
          if (outcome.ok) {
            delivered++;
            await settleAttempt(db, d.id, {
              status: 'delivered',
              statusCode: outcome.statusCode,
              error: null,
              nextAttemptAt: null,
              deliveredAt: settledAt,
            });
            return;
          }
          const wait = retryDelaySeconds(d.attempts + 1, schedule);
          if (wait === null) failed++;
          opts.log?.warn(
            {
              deliveryId: d.id,
              eventType: d.event_type,
              statusCode: outcome.statusCode,
              attempts: d.attempts + 1,
            },
            wait === null ? 'webhook delivery given up' : 'webhook delivery failed; will retry',
          );
          await settleAttempt(db, d.id, {
            status: wait === null ? 'failed' : 'pending',
            statusCode: outcome.statusCode,
            error: outcome.error,
            nextAttemptAt: wait === null ? null : new Date(settledAt.getTime() + wait * 1000),
            deliveredAt: null,
          });
        }),
      );
    }
    if (progressed === 0) break;
  }
  return { delivered, failed };
}

/** One attempt: a signed POST; any 2xx is delivered. Redirects are not followed. */
async function send(
  url: string,
  secret: string,
  msgId: string,
  body: string,
  at: Date,
  timeoutMs: number,
): Promise<{ ok: boolean; statusCode: number | null; error: string | null }> {
  const signature = new Webhook(secret).sign(msgId, at, body);
  try {
    const res = await fetch(url, {
      method: 'POST',
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Traslado-Webhooks/1',
        'webhook-id': msgId,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': signature,
      },
      body,
    });
    // The answer's body is not kept; reading it frees the connection.
    await res.arrayBuffer().catch(() => undefined);
    const ok = res.status >= 200 && res.status < 300;
    return { ok, statusCode: res.status, error: ok ? null : `HTTP ${res.status}` };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    const reason =
      e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (e.cause?.code ?? e.message);
    return { ok: false, statusCode: null, error: String(reason).slice(0, 300) };
  }
}
