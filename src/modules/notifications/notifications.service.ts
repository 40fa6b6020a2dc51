import { randomUUID } from 'node:crypto';
import type { Db } from '../../platform/db/database.ts';
import { DomainError } from '../../platform/errors.ts';
import type { Ctx } from '../../platform/http/context.ts';
import { decodeSerialCursor, toPage } from '../../platform/http/schemas.ts';
import { recordAudit } from '../audit/index.ts';
import type { OutboxEvent } from '../outbox/index.ts';
import { partnerNames } from '../partners/index.ts';
import { tenantNames } from '../tenants/index.ts';
import { membersOf } from '../users/index.ts';
import {
  countUnread,
  insertNotifications,
  listUserNotifications,
  markAllRead,
  markRead,
  type NewNotification,
} from './notifications.repo.ts';
import { inAudience, type NotificationKind, notificationRules } from './notifications.rules.ts';

// What a notification keeps of its event: ids to link to, and what the console words it with.
const KEPT = [
  'tenantId',
  'transitionId',
  'transferId',
  'creditRequestId',
  'invoiceId',
  'grantId',
  'number',
  'verdict',
  'code',
  'stepKind',
  'decision',
  'amount',
  'expiresAt',
  'daysBefore',
] as const;

/**
 * The outbox consumer: one notification per event and user it concerns, in the publisher's
 * transaction (so an event's notifications exist exactly once). Names are looked up now, in a
 * batch, so the list reads without joins and keeps the name the event had.
 */
export async function notifyFromEvents(ctx: Ctx, events: OutboxEvent[]) {
  const planned = events.flatMap((e) => notificationRules(e.type, e.payload).map((r) => ({ e, r })));
  if (planned.length === 0) return;
  const partnerIds = new Set<string>();
  const tenantIds = new Set<string>();
  for (const { e, r } of planned) {
    if ('partnerId' in r.audience) partnerIds.add(r.audience.partnerId);
    else tenantIds.add(r.audience.tenantId);
    if (typeof e.payload.tenantId === 'string') tenantIds.add(e.payload.tenantId);
    if (typeof e.payload.targetPartnerId === 'string') partnerIds.add(e.payload.targetPartnerId);
  }
  const [members, tenants, partners] = await Promise.all([
    membersOf(ctx.db, { partnerIds: [...partnerIds], tenantIds: [...tenantIds] }),
    tenantNames(ctx, [...tenantIds]),
    partnerNames(ctx, [...partnerIds]),
  ]);
  const rows: NewNotification[] = [];
  for (const { e, r } of planned) {
    const data: Record<string, unknown> = {};
    for (const k of KEPT) if (e.payload[k] !== undefined && e.payload[k] !== null) data[k] = e.payload[k];
    if (typeof e.payload.tenantId === 'string') data.tenantName = tenants.get(e.payload.tenantId) ?? null;
    if (typeof e.payload.targetPartnerId === 'string')
      data.partnerName = partners.get(e.payload.targetPartnerId) ?? null;
    for (const m of members) {
      if (!inAudience(m, r.audience)) continue;
      rows.push({
        id: randomUUID(),
        userId: m.id,
        eventId: e.id,
        eventSeq: e.seq,
        kind: r.kind,
        partnerId: m.partnerId,
        tenantId: m.tenantId,
        data,
        // When it happened (the event), not when it was published.
        now: e.createdAt,
      });
    }
  }
  await insertNotifications(ctx.db, rows);
}

interface Row {
  id: string;
  kind: string;
  data: Record<string, unknown>;
  created_at: Date;
  read_at: Date | null;
}

function toView(r: Row) {
  return {
    id: r.id,
    kind: r.kind as NotificationKind,
    data: r.data,
    createdAt: r.created_at.toISOString(),
    readAt: r.read_at?.toISOString() ?? null,
  };
}

/** The signed-in user's notifications, newest first, with how many are unread. */
export async function listNotifications(
  ctx: Ctx<Db>,
  input: { cursor?: string; limit?: number; unread?: boolean },
) {
  const limit = input.limit ?? 20;
  const beforeSeq = decodeSerialCursor(input.cursor);
  const [rows, unreadCount] = await Promise.all([
    listUserNotifications(ctx.db, ctx.actor.userId, {
      limit,
      ...(beforeSeq !== undefined ? { beforeSeq } : {}),
      ...(input.unread ? { unreadOnly: true } : {}),
    }),
    countUnread(ctx.db, ctx.actor.userId),
  ]);
  return {
    ...toPage(rows, limit, toView, (r) => r.event_seq),
    unreadCount,
  };
}

/** Marks one of one's own notifications read; anyone else's is 404. */
export async function readNotification(ctx: Ctx, input: { id: string }) {
  const row = await markRead(ctx.db, ctx.actor.userId, input.id, ctx.clock.now());
  if (!row) throw new DomainError('notification_not_found');
  await recordAudit(ctx, { action: 'notification.read', targetType: 'notification', targetId: row.id });
  return toView(row);
}

export async function readAllNotifications(ctx: Ctx) {
  const marked = await markAllRead(ctx.db, ctx.actor.userId, ctx.clock.now());
  await recordAudit(ctx, { action: 'notification.read-all', targetType: 'notification', data: { marked } });
  return { marked, unreadCount: 0 };
}
