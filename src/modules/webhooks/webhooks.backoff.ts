/**
 * When a failed delivery is tried again, after its nth failed attempt (1-based): growing waits
 * (Standard Webhooks' receivers expect retries over hours to days), then it is given up on.
 * Counted on the platform clock, so a moved clock (demo, tests) brings retries forward.
 */
export const BACKOFF_SECONDS = [5, 30, 120, 600, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 24 * 3600];

/** The delay before the next attempt, or null once the schedule is spent (the delivery fails). */
export function retryDelaySeconds(failedAttempts: number, schedule: readonly number[] = BACKOFF_SECONDS) {
  if (failedAttempts < 1) return 0;
  return failedAttempts <= schedule.length ? schedule[failedAttempts - 1]! : null;
}

/** How long an attempt may hold a delivery before another runner may take it (a crash mid-send). */
export const LEASE_SECONDS = 120;
