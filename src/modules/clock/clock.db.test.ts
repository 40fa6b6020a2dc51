import { afterAll, beforeAll, expect, it } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../../../test/fixtures/databases.ts';
import { PlatformClock } from '../../platform/clock.ts';
import { loadConfig } from '../../platform/config.ts';
import { type ContextSource, openContext } from '../../platform/context.ts';
import { systemActor } from '../../platform/http/context.ts';
import { createLogger } from '../../platform/log.ts';
import type { Queue } from '../../platform/queue/queue.ts';
import { CLOCK_CONTINUATIONS, moveClock } from './clock.service.ts';

/** The clock's move: audited in its transaction, continuations sent only once it committed. */
let t: TestDatabase;
let clock: PlatformClock;
let src: ContextSource;
const sent: string[] = [];
const queue = { send: async (name: string) => void sent.push(name) } as unknown as Queue;

beforeAll(async () => {
  t = await openTestDatabase();
  clock = new PlatformClock(t.handle.db);
  await clock.refresh(true);
  src = {
    db: t.handle.db,
    clock,
    actor: systemActor(),
    requestId: 'clock-test',
    log: createLogger('silent'),
    config: loadConfig({}),
  };
});
afterAll(() => t?.drop());

it('moves the clock, audits the move and nudges the queues after the commit', async () => {
  const before = clock.now().getTime();
  sent.length = 0;
  const move = await openContext(src, async (ctx) => {
    const m = await moveClock(ctx, clock, { advanceDays: 2 }, queue);
    // Inside the transaction nothing is nudged yet, and this process still sees the old time.
    expect(sent).toEqual([]);
    expect(clock.now().getTime()).toBeLessThan(before + 86_400_000);
    return m;
  });
  expect(sent).toEqual([...CLOCK_CONTINUATIONS]);
  expect(clock.now().getTime()).toBeGreaterThanOrEqual(before + 2 * 86_400_000);
  const audit = await t.handle.db
    .selectFrom('audit_events')
    .select(['action', 'data'])
    .where('action', '=', 'clock.moved')
    .execute();
  expect(audit).toHaveLength(1);
  expect(audit[0]!.data).toMatchObject({ to: move.to.toISOString() });
});

it('nudges nothing and keeps the clock when the move is refused', async () => {
  sent.length = 0;
  const now = clock.now();
  await expect(
    openContext(src, (ctx) =>
      moveClock(ctx, clock, { now: new Date(now.getTime() - 86_400_000).toISOString() }, queue),
    ),
  ).rejects.toMatchObject({ code: 'clock_backwards' });
  expect(sent).toEqual([]);
  expect(Math.abs(clock.now().getTime() - now.getTime())).toBeLessThan(60_000);
});

it('nudges nothing when something after the move rolls the transaction back', async () => {
  sent.length = 0;
  const now = clock.now();
  await expect(
    openContext(src, async (ctx) => {
      await moveClock(ctx, clock, { advanceDays: 5 }, queue);
      throw new Error('later failure');
    }),
  ).rejects.toThrow('later failure');
  expect(sent).toEqual([]);
  await clock.refresh(true);
  expect(Math.abs(clock.now().getTime() - now.getTime())).toBeLessThan(60_000);
});
