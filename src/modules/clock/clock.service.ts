import { type ClockMove, fixedClock, type PlatformClock } from '../../platform/clock.ts';
import type { Ctx } from '../../platform/context.ts';
import type { Queue } from '../../platform/queue/queue.ts';
import { recordAudit } from '../audit/index.ts';
import { AZURE_LIFECYCLE_QUEUE } from '../azure/index.ts';
import { INVOICE_CLOSE_QUEUE } from '../billing/index.ts';
import { REMINDERS_QUEUE } from '../delegated-admin/index.ts';
import { SEAT_GRACE_QUEUE } from '../licenses/index.ts';
import { BILLING_SWEEP_QUEUE } from '../subscriptions/index.ts';
import { TRANSFER_EXPIRY_QUEUE } from '../transfers/index.ts';
import { TICK_QUEUE } from '../transitions/index.ts';

/**
 * Dated steps of transitions under way, delegated admin reminders, seat graces, unanswered
 * transfers, renewals, billing cycles, month closes and Azure deletions may be due after a move.
 */
export const CLOCK_CONTINUATIONS = [
  TICK_QUEUE,
  REMINDERS_QUEUE,
  SEAT_GRACE_QUEUE,
  TRANSFER_EXPIRY_QUEUE,
  BILLING_SWEEP_QUEUE,
  INVOICE_CLOSE_QUEUE,
  AZURE_LIFECYCLE_QUEUE,
] as const;

/**
 * Moves the platform clock (API and command line alike): the move and its audit row commit
 * together; once committed, this process sees the moved clock and the queues that may have work
 * due are nudged (after-commit hooks: a refused or rolled-back move nudges nothing).
 */
export async function moveClock(
  ctx: Ctx,
  clock: PlatformClock,
  input: { advanceDays?: number; now?: string },
  queue?: Queue,
): Promise<ClockMove> {
  const move = await clock.moveIn(ctx.db, input);
  await recordAudit(
    { ...ctx, clock: fixedClock(move.to) },
    {
      action: 'clock.moved',
      targetType: 'clock',
      data: { from: move.from.toISOString(), to: move.to.toISOString() },
    },
  );
  ctx.afterCommit(() => clock.adoptMove(move));
  if (queue)
    ctx.afterCommit(async () => {
      for (const name of CLOCK_CONTINUATIONS) await queue.send(name, {});
    });
  return move;
}
