import type { Db, Trx } from './db/database.ts';
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
/** The platform clock stops here: dates past it are refused as input, and terms stay in range. */
export const CLOCK_MAX = new Date('2100-01-01T00:00:00.000Z');

const offsetOf = (value: unknown) => (value as { offsetMs?: number } | null | undefined)?.offsetMs ?? 0;

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
    this.#offsetMs = offsetOf(value);
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

  /**
   * Moves the clock by days, or to an instant, never backwards (state is derived from dates) nor
   * past CLOCK_MAX, in its own transaction; `record` writes what commits with the move (the audit
   * row). Routes and commands use `moveIn` inside their context instead.
   */
  async set(
    input: { advanceDays?: number; now?: string },
    record?: (trx: Trx, move: ClockMove) => Promise<unknown>,
  ): Promise<Date> {
    const move = await this.db.transaction().execute(async (trx) => {
      const move = await this.moveIn(trx, input);
      await record?.(trx, move);
      return move;
    });
    return this.adoptMove(move);
  }

  /**
   * The move itself, inside the caller's transaction: two moves at once apply one after the other
   * (the stored offset is locked). Once it has committed, `adoptMove` (an after-commit hook) makes
   * this process see it at once.
   */
  async moveIn(trx: Trx, input: { advanceDays?: number; now?: string }): Promise<ClockMove> {
    const base = this.base.now().getTime();
    // The row must exist before it is locked: on a first move, `for update` would lock nothing
    // and two moves at once would both start from a zero offset.
    await trx
      .insertInto('platform_settings')
      .values({ key: CLOCK_KEY, value: JSON.stringify({ offsetMs: 0 }) })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    const row = await trx
      .selectFrom('platform_settings')
      .select('value')
      .where('key', '=', CLOCK_KEY)
      .forUpdate()
      .executeTakeFirst();
    const current = new Date(base + offsetOf(row?.value));
    const target =
      input.now !== undefined
        ? new Date(input.now)
        : new Date(current.getTime() + (input.advanceDays ?? 0) * 86_400_000);
    if (Number.isNaN(target.getTime())) throw new DomainError('invalid_request', { field: 'now' });
    if (target.getTime() < current.getTime()) {
      throw new DomainError('clock_backwards', {
        now: current.toISOString(),
        requested: target.toISOString(),
      });
    }
    if (target.getTime() > CLOCK_MAX.getTime()) {
      throw new DomainError('clock_out_of_range', {
        max: CLOCK_MAX.toISOString(),
        ...(Number.isFinite(target.getTime()) ? { requested: target.toISOString() } : {}),
      });
    }
    const offsetMs = target.getTime() - base;
    const value = JSON.stringify({ offsetMs });
    await trx
      .insertInto('platform_settings')
      .values({ key: CLOCK_KEY, value })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
      .execute();
    return { from: current, to: target, offsetMs };
  }

  /** After the move committed: this process sees the moved clock at once. */
  adoptMove(move: ClockMove): Date {
    this.#held = this.beginReading();
    // Two moves at once commit one after the other, but their continuations may run in either
    // order: the clock never goes back, so the larger offset is the later move.
    this.#offsetMs = Math.max(this.#offsetMs, move.offsetMs);
    this.#loadedAt = Date.now();
    return this.now();
  }
}

export interface ClockMove {
  from: Date;
  to: Date;
  offsetMs: number;
}
