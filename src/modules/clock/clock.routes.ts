import { Type } from '@sinclair/typebox';
import { openContext } from '../../platform/context.ts';
import { DomainError } from '../../platform/errors.ts';
import { requestSource } from '../../platform/http/run.ts';
import { DateTime, DateTimeInput, errorResponses, Obj } from '../../platform/http/schemas.ts';
import type { App, ServerDeps } from '../../platform/http/server.ts';
import { moveClock } from './clock.service.ts';

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
      // The move and its audit row commit together; the queues are nudged after the commit.
      await openContext(requestSource(deps, req), (ctx) =>
        moveClock(ctx, deps.clock, req.body as { advanceDays?: number; now?: string }, deps.queue),
      );
      return view();
    },
  );
}
