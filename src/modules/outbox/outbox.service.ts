import { randomUUID } from 'node:crypto';
import type { Ctx } from '../../platform/http/context.ts';
import { insertOutboxEvent } from './outbox.repo.ts';

export type OutboxEventType =
  | 'relationship.accepted'
  | 'relationship.removed'
  | 'delegated-admin.revoked'
  | 'delegated-admin.expiry-reminder'
  | 'credit-request.decided'
  | 'transfer.requested'
  | 'transfer.decided'
  | 'seats.over-assigned'
  | 'seats.licenses-removed';

/** Records an event for webhooks in the caller's transaction: it exists exactly when the change does. */
export async function recordEvent(ctx: Ctx, type: OutboxEventType, payload: Record<string, unknown>) {
  await insertOutboxEvent(ctx.db, {
    id: randomUUID(),
    type,
    payload: { ...payload, requestId: ctx.requestId },
    now: ctx.clock.now(),
  });
}
