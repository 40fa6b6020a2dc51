import { randomUUID } from 'node:crypto';
import type { OutboxEventType } from '../../domain/outbox-events.ts';
import type { Ctx } from '../../platform/http/context.ts';
import { insertOutboxEvents, markPublished, takeUnpublished } from './outbox.repo.ts';

export type { OutboxEventType } from '../../domain/outbox-events.ts';

/** Records an event for webhooks in the caller's transaction: it exists exactly when the change does. */
export async function recordEvent(ctx: Ctx, type: OutboxEventType, payload: Record<string, unknown>) {
  await recordEvents(ctx, type, [payload]);
}

/** Events of one type, in order, in one statement (a batch's changes: see `recordEvent`). */
export async function recordEvents(ctx: Ctx, type: OutboxEventType, payloads: Record<string, unknown>[]) {
  const now = ctx.clock.now();
  await insertOutboxEvents(
    ctx.db,
    payloads.map((payload) => ({
      id: randomUUID(),
      type,
      payload: { ...payload, requestId: ctx.requestId },
      now,
    })),
  );
}

export interface OutboxEvent {
  id: string;
  type: string;
  payload: Record<string, unknown>;
  createdAt: Date;
  seq: number;
}

/** What the publisher hands each batch to, in the batch's transaction (notifications, webhooks). */
export type OutboxConsumer = (ctx: Ctx, events: OutboxEvent[]) => Promise<void>;

/**
 * Publishes the pending events in order, a batch per transaction: each consumer's rows and the
 * batch's `published_at` commit together, so every event is fanned out exactly once. Rows another
 * process is publishing are skipped (it holds them).
 */
export async function publishPending(
  openCtx: <T>(fn: (ctx: Ctx) => Promise<T>) => Promise<T>,
  consumers: OutboxConsumer[],
  batchSize = 200,
): Promise<number> {
  let published = 0;
  for (;;) {
    const n = await openCtx(async (ctx) => {
      const rows = await takeUnpublished(ctx.db, batchSize);
      if (rows.length === 0) return 0;
      const events = rows.map((r) => ({
        id: r.id,
        type: r.type,
        payload: r.payload,
        createdAt: r.created_at,
        seq: r.seq,
      }));
      for (const consume of consumers) await consume(ctx, events);
      await markPublished(
        ctx.db,
        events.map((e) => e.id),
        ctx.clock.now(),
      );
      return events.length;
    });
    published += n;
    if (n < batchSize) return published;
  }
}
