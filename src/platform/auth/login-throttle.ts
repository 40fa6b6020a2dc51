import type { Db } from '../db/database.ts';
import { DomainError } from '../errors.ts';

/**
 * Slows password guessing: after `maxFailures` failed sign-ins for one e-mail within the window,
 * that e-mail is locked for the window, whatever the password. Kept in the database so every
 * process behind a load balancer counts together; wall-clock time, not the movable platform clock.
 * Applies to any e-mail string, so a lock says nothing about whether the account exists.
 */
export interface ThrottleSettings {
  maxFailures: number;
  windowMinutes: number;
}

const keyOf = (email: string) => email.trim().toLowerCase();

export async function assertNotLocked(db: Db, email: string, now: Date): Promise<void> {
  const row = await db
    .selectFrom('login_failures')
    .select('locked_until')
    .where('key', '=', keyOf(email))
    .executeTakeFirst();
  if (row?.locked_until && row.locked_until > now) {
    throw new DomainError('too_many_login_attempts', {
      retryAfterSeconds: Math.ceil((row.locked_until.getTime() - now.getTime()) / 1000),
    });
  }
}

/** Counts a failure in its own statement: it must stay counted although the sign-in failed. */
export async function recordFailure(db: Db, email: string, now: Date, s: ThrottleSettings): Promise<void> {
  const windowMs = s.windowMinutes * 60_000;
  const key = keyOf(email);
  const row = await db.selectFrom('login_failures').selectAll().where('key', '=', key).executeTakeFirst();
  const fresh = !row || now.getTime() - row.window_start.getTime() > windowMs;
  const failures = fresh ? 1 : row.failures + 1;
  const lockedUntil = failures >= s.maxFailures ? new Date(now.getTime() + windowMs) : null;
  const values = { failures, window_start: fresh ? now : row!.window_start, locked_until: lockedUntil };
  await db
    .insertInto('login_failures')
    .values({ key, ...values })
    .onConflict((oc) => oc.column('key').doUpdateSet(values))
    .execute();
}

export async function clearFailures(db: Db, email: string): Promise<void> {
  await db.deleteFrom('login_failures').where('key', '=', keyOf(email)).execute();
}
