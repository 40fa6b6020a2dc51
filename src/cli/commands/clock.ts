import { recordAudit } from '../../modules/audit/audit.service.ts';
import { fixedClock, PlatformClock } from '../../platform/clock.ts';
import { loadConfig } from '../../platform/config.ts';
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
    const now = await clock.set(
      {
        ...(opts.advanceDays !== undefined ? { advanceDays: opts.advanceDays } : {}),
        ...(opts.now !== undefined ? { now: opts.now } : {}),
      },
      // Audited like a move through the API, in the same transaction.
      (trx, move) =>
        recordAudit(
          {
            db: trx,
            clock: fixedClock(move.to),
            actor: systemActor(),
            requestId: `cli-${process.pid}-${Date.now()}`,
            log: createLogger('warn'),
            config,
          },
          {
            action: 'clock.moved',
            targetType: 'clock',
            data: { from: move.from.toISOString(), to: move.to.toISOString() },
          },
        ),
    );
    console.log(`platform clock moved to ${now.toISOString()}`);
  } finally {
    await handle.close();
  }
}

export const clockCommand = (opts: Parameters<typeof runClockCommand>[0]) =>
  runClockCommand(opts).catch(printCliError);
