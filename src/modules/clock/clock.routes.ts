import { Type } from '@sinclair/typebox';
import { fixedClock } from '../../platform/clock.ts';
import { DomainError } from '../../platform/errors.ts';
import { actorOf } from '../../platform/http/run.ts';
import { DateTime, DateTimeInput, errorResponses, Obj } from '../../platform/http/schemas.ts';
import type { App, ServerDeps } from '../../platform/http/server.ts';
import { recordAudit } from '../audit/index.ts';
import { AZURE_LIFECYCLE_QUEUE } from '../azure/index.ts';
import { INVOICE_CLOSE_QUEUE } from '../billing/index.ts';
import { REMINDERS_QUEUE } from '../delegated-admin/index.ts';
import { SEAT_GRACE_QUEUE } from '../licenses/index.ts';
import { BILLING_SWEEP_QUEUE } from '../subscriptions/index.ts';
import { TRANSFER_EXPIRY_QUEUE } from '../transfers/index.ts';
import { TICK_QUEUE } from '../transitions/index.ts';

const ClockView = Type.Object({ now: DateTime, offsetDays: Type.Number(), unlocked: Type.Boolean() });
const SetClockBody = Type.Union([
  Obj({ advanceDays: Type.Number({ minimum: 0, maximum: 3650 }) }),
  Obj({ now: DateTimeInput }),
]);

export function registerClock(app: App, deps: ServerDeps) {
  const view = () => ({
    now: deps.clock.now().toISOString(),
    offsetDays: Math.round((deps.clock.offsetMs / 86_400_000) * 1000) / 1000,
    unlocked: deps.config.clockUnlocked,
  });
  app.get(
    '/api/clock',
    {
      config: { action: 'session.read' },
      schema: {
        tags: ['clock'],
        summary: 'The platform clock',
        response: { 200: ClockView, ...errorResponses },
      },
    },
    async () => view(),
  );
  app.post(
    '/api/admin/clock',
    {
      config: { action: 'operator.clock' },
      schema: {
        tags: ['operator'],
        summary: 'Move the platform clock forward (demo and test installs only)',
        body: SetClockBody,
        response: { 200: ClockView, ...errorResponses },
      },
    },
    async (req) => {
      if (!deps.config.clockUnlocked) throw new DomainError('clock_locked');
      // The move and its audit row commit together.
      await deps.clock.set(req.body as { advanceDays?: number; now?: string }, (trx, move) =>
        recordAudit(
          {
            db: trx,
            clock: fixedClock(move.to),
            actor: actorOf(req),
            requestId: req.id,
            log: req.log,
            config: deps.config,
          },
          {
            action: 'clock.moved',
            targetType: 'clock',
            data: { from: move.from.toISOString(), to: move.to.toISOString() },
          },
        ),
      );
      // Dated steps of transitions under way, delegated admin reminders, seat graces, unanswered
      // transfers, renewals, billing cycles, month closes and Azure deletions may be due now.
      if (deps.queue) {
        await deps.queue.send(TICK_QUEUE, {});
        await deps.queue.send(REMINDERS_QUEUE, {});
        await deps.queue.send(SEAT_GRACE_QUEUE, {});
        await deps.queue.send(TRANSFER_EXPIRY_QUEUE, {});
        await deps.queue.send(BILLING_SWEEP_QUEUE, {});
        await deps.queue.send(INVOICE_CLOSE_QUEUE, {});
        await deps.queue.send(AZURE_LIFECYCLE_QUEUE, {});
      }
      return view();
    },
  );
}
