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
  // Readings of the offset are numbered when they start; an answer older than the one held is
  // dropped, so a slow reading never moves the clock back past a newer one (or past `set`).
  #readings = 0;
  #held = 0;
  #inflight: Promise<void> | undefined;

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

  /** The stored offset as a subquery, for a statement that reads it along with something else. */
  offsetQuery() {
    return this.db.selectFrom('platform_settings').select('value').where('key', '=', CLOCK_KEY);
  }

  /** Numbers a reading of the offset about to start; pass the number to `adopt` with its answer. */
  beginReading(): number {
    return ++this.#readings;
  }

  /**
   * Takes an offset read elsewhere: the request guard reads it in its sign-in statement, so an
   * authenticated request sees the current clock at no extra round trip.
   */
  adopt(value: unknown, reading: number): void {
    if (reading < this.#held) return;
    this.#held = reading;
    this.#offsetMs = (value as { offsetMs?: number } | null | undefined)?.offsetMs ?? 0;
    this.#loadedAt = Date.now();
  }

  /**
   * Re-reads the offset when the copy held is older than a second. Concurrent callers share one
   * reading: under load, the second's first requests would otherwise all send their own.
   */
  async refresh(force = false): Promise<void> {
    if (!force && Date.now() - this.#loadedAt < REFRESH_MS) return;
    if (!force && this.#inflight) return this.#inflight;
    const reading = this.beginReading();
    const done = this.offsetQuery()
      .executeTakeFirst()
      .then((row) => this.adopt(row?.value, reading))
      .finally(() => {
        if (this.#inflight === done) this.#inflight = undefined;
      });
    if (!force) this.#inflight = done;
    return done;
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
    this.#held = this.beginReading();
    this.#offsetMs = offsetMs;
    this.#loadedAt = Date.now();
    return this.now();
  }
}
