import { moveClock } from '../../modules/clock/index.ts';
import { PlatformClock } from '../../platform/clock.ts';
import { loadConfig } from '../../platform/config.ts';
import { openContext } from '../../platform/context.ts';
import { systemActor } from '../../platform/http/context.ts';
import { createLogger } from '../../platform/log.ts';
import { openConfiguredDatabase } from '../../platform/runtime.ts';
import { printCliError } from '../progress.ts';

async function runClockCommand(opts: { advanceDays?: number; now?: string; data?: string }) {
  const config = loadConfig(process.env, opts.data ? { dataDir: opts.data } : {});
  const handle = await openConfiguredDatabase(config);
  try {
    const clock = new PlatformClock(handle.db);
    if (opts.advanceDays === undefined && opts.now === undefined) {
      await clock.refresh(true);
      console.log(`platform clock: ${clock.now().toISOString()}`);
      return;
    }
    if (!config.clockUnlocked) {
      console.error(
        'the platform clock is locked on this install (set TRASLADO_CLOCK=unlocked on demo installs)',
      );
      process.exitCode = 1;
      return;
    }
    // Audited like a move through the API, in the same transaction.
    const move = await openContext(
      {
        db: handle.db,
        clock,
        actor: systemActor(),
        requestId: `cli-${process.pid}-${Date.now()}`,
        log: createLogger('warn'),
        config,
      },
      (ctx) =>
        moveClock(ctx, clock, {
          ...(opts.advanceDays !== undefined ? { advanceDays: opts.advanceDays } : {}),
          ...(opts.now !== undefined ? { now: opts.now } : {}),
        }),
    );
    const now = move.to;
    console.log(`platform clock moved to ${now.toISOString()}`);
  } finally {
    await handle.close();
  }
}

export const clockCommand = (opts: Parameters<typeof runClockCommand>[0]) =>
  runClockCommand(opts).catch(printCliError);
