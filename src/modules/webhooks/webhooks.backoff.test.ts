import { describe, expect, it } from 'vitest';
import { BACKOFF_SECONDS, retryDelaySeconds } from './webhooks.backoff.ts';

describe('webhook backoff', () => {
  it('waits longer after each failure, then gives up', () => {
    const delays = BACKOFF_SECONDS.map((_, i) => retryDelaySeconds(i + 1)!);
    expect(delays.length).toBeGreaterThan(3);
    for (let i = 1; i < delays.length; i++) expect(delays[i]!).toBeGreaterThan(delays[i - 1]!);
    expect(retryDelaySeconds(BACKOFF_SECONDS.length + 1)).toBeNull();
    expect(retryDelaySeconds(2, [1, 2, 3])).toBe(2);
  });
});
