import type { Db } from './db/database.ts';
import { DomainError } from './errors.ts';

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A fixed instant, for pure tests and for one request's consistent view of time. */
export function fixedClock(at: Date): Clock {
  return { now: () => new Date(at.getTime()) };
}

const CLOCK_KEY = 'clock';
const REFRESH_MS = 1000;

/**
 * The platform clock: real time plus an offset kept in the database, so that every process
 * behind a load balancer sees the same moved clock (time travel for demos and tests).
 */
export class PlatformClock implements Clock {
  #offsetMs = 0;
  #loadedAt = 0;

  constructor(
    private readonly db: Db,
    private readonly base: Clock = systemClock,
  ) {}

  now(): Date {
    return new Date(this.base.now().getTime() + this.#offsetMs);
  }

  get offsetMs() {
    return this.#offsetMs;
  }

  /** Re-reads the offset when the cached copy is older than a second. */
  async refresh(force = false): Promise<void> {
    const t = Date.now();
    if (!force && t - this.#loadedAt < REFRESH_MS) return;
    const row = await this.db
      .selectFrom('platform_settings')
      .select('value')
      .where('key', '=', CLOCK_KEY)
      .executeTakeFirst();
    this.#offsetMs = (row?.value as { offsetMs?: number } | undefined)?.offsetMs ?? 0;
    this.#loadedAt = t;
  }

  /** Moves the clock by days, or to an instant. Refuses to go backwards: state is derived from dates. */
  async set(input: { advanceDays?: number; now?: string }): Promise<Date> {
    await this.refresh(true);
    const current = this.now();
    let target: Date;
    if (input.now !== undefined) target = new Date(input.now);
    else target = new Date(current.getTime() + (input.advanceDays ?? 0) * 86_400_000);
    if (Number.isNaN(target.getTime())) throw new DomainError('invalid_request', { field: 'now' });
    if (target.getTime() < current.getTime()) {
      throw new DomainError('clock_backwards', {
        now: current.toISOString(),
        requested: target.toISOString(),
      });
    }
    const offsetMs = target.getTime() - this.base.now().getTime();
    await this.db
      .insertInto('platform_settings')
      .values({ key: CLOCK_KEY, value: JSON.stringify({ offsetMs }) })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify({ offsetMs }) }))
      .execute();
    this.#offsetMs = offsetMs;
    this.#loadedAt = Date.now();
    return this.now();
  }
}
