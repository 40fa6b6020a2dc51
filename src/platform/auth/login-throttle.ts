import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { DomainError } from '../errors.ts';

/**
 * Slows password guessing: at most `maxFailures` passwords are checked for one e-mail within the
 * window; then that e-mail is locked for the window, whatever the password. Kept in the database
 * so every process behind a load balancer counts together; wall-clock time, not the movable
 * platform clock. Applies to any e-mail string, so a lock says nothing about whether the account
 * exists.
 */
export interface ThrottleSettings {
  maxFailures: number;
  windowMinutes: number;
}

const keyOf = (email: string) => email.trim().toLowerCase();

/**
 * Takes one attempt from the e-mail's budget, before its password is checked: the count and the
 * decision are one statement, so parallel guesses (from any number of processes) cannot all read
 * "not locked yet" and all be checked. The attempt counts as a failure until `clearFailures`
 * says it succeeded. Over the budget: `too_many_login_attempts`, and nothing is counted.
 * `scope` keeps other budgets (password-reset e-mails) apart from sign-ins.
 */
export async function reserveAttempt(
  db: Db,
  email: string,
  now: Date,
  s: ThrottleSettings,
  scope = '',
): Promise<void> {
  const key = `${scope}${keyOf(email)}`;
  const windowMs = s.windowMinutes * 60_000;
  const lockUntil = new Date(now.getTime() + windowMs);
  const windowFloor = new Date(now.getTime() - windowMs);
  // A budget of at least one: with none, the first (inserting) attempt would still be checked.
  const max = Math.max(1, s.maxFailures);
  // A row is stale once its lock has passed, or (unlocked) once its window has.
  const stale = sql`(f.locked_until is not null and f.locked_until <= ${now}::timestamptz
    or f.locked_until is null and f.window_start <= ${windowFloor}::timestamptz)`;
  const next = sql`case when ${stale} then 1 else f.failures + 1 end`;
  const { rows } = await sql<{ failures: number }>`
    insert into login_failures as f (key, failures, window_start, locked_until)
    values (${key}, 1, ${now}::timestamptz, ${1 >= max ? lockUntil : null}::timestamptz)
    on conflict (key) do update set
      failures = ${next},
      window_start = case when ${stale} then ${now}::timestamptz else f.window_start end,
      locked_until = case when ${next} >= ${max}::int then ${lockUntil}::timestamptz else null end
    where ${stale} or f.failures < ${max}::int
    returning failures`.execute(db);
  if (rows.length > 0) return;
  // Refused: no row was written. Read when the lock passes, for Retry-After.
  const row = await db
    .selectFrom('login_failures')
    .select(['locked_until', 'window_start'])
    .where('key', '=', key)
    .executeTakeFirst();
  const until = row?.locked_until ?? new Date((row?.window_start ?? now).getTime() + windowMs);
  throw new DomainError('too_many_login_attempts', {
    retryAfterSeconds: Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000)),
  });
}

/** A checked attempt succeeded: the e-mail's count starts again. */
export async function clearFailures(db: Db, email: string, scope = ''): Promise<void> {
  await db
    .deleteFrom('login_failures')
    .where('key', '=', `${scope}${keyOf(email)}`)
    .execute();
}
