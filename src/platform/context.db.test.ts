import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../../test/fixtures/databases.ts';
import { fixedClock } from './clock.ts';
import { loadConfig } from './config.ts';
import { type ContextSource, openContext } from './context.ts';
import { systemActor } from './http/context.ts';
import { createLogger } from './log.ts';

/**
 * `openContext` is the one place a unit of work starts: side effects registered with
 * `ctx.afterCommit` run once, after the commit, and never after a rollback (on both databases).
 */
let t: TestDatabase;
let src: ContextSource;
const errors: unknown[] = [];

beforeAll(async () => {
  t = await openTestDatabase();
  const log = createLogger('silent');
  src = {
    db: t.handle.db,
    clock: fixedClock(new Date('2026-03-01T00:00:00Z')),
    actor: systemActor(),
    requestId: 'context-test',
    // A hook that fails is logged: keep what was logged to check it.
    log: Object.assign(Object.create(log), { error: (o: unknown) => errors.push(o) }),
    config: loadConfig({}),
  };
});
afterAll(() => t?.drop());

const KEY = (name: string) => `context-test:${name}`;
const stored = async (name: string) =>
  (
    await t.handle.db
      .selectFrom('platform_settings')
      .select('value')
      .where('key', '=', KEY(name))
      .executeTakeFirst()
  )?.value;

describe('openContext', () => {
  it('runs a side effect once, after the commit, seeing what committed', async () => {
    const seen: unknown[] = [];
    let inside = false;
    const result = await openContext(src, async (ctx) => {
      inside = true;
      await ctx.db
        .insertInto('platform_settings')
        .values({ key: KEY('kept'), value: JSON.stringify({ n: 1 }) })
        .execute();
      ctx.afterCommit(async () => {
        // Outside the transaction: the change is there, so the commit came first.
        expect(inside).toBe(false);
        seen.push(await stored('kept'));
      });
      inside = false;
      return 'done';
    });
    expect(result).toBe('done');
    expect(seen).toHaveLength(1);
    expect(seen[0]).toEqual({ n: 1 });
  });

  it('never runs a side effect registered in a transaction that rolls back', async () => {
    let ran = 0;
    await expect(
      openContext(src, async (ctx) => {
        await ctx.db
          .insertInto('platform_settings')
          .values({ key: KEY('dropped'), value: JSON.stringify({ n: 2 }) })
          .execute();
        ctx.afterCommit(() => {
          ran++;
        });
        throw new Error('the use case failed');
      }),
    ).rejects.toThrow('the use case failed');
    expect(ran).toBe(0);
    expect(await stored('dropped')).toBeUndefined();
  });

  it('never runs a side effect when the commit itself fails', async () => {
    let ran = 0;
    await expect(
      openContext(src, async (ctx) => {
        ctx.afterCommit(() => {
          ran++;
        });
        // A statement error aborts the transaction: the commit cannot happen.
        await ctx.db
          .insertInto('platform_settings')
          .values({ key: KEY('x'), value: 'not json' })
          .execute();
      }),
    ).rejects.toThrow();
    expect(ran).toBe(0);
  });

  it('runs hooks in order; a failing one is logged and the others still run', async () => {
    const order: string[] = [];
    errors.length = 0;
    const result = await openContext(src, async (ctx) => {
      ctx.afterCommit(() => order.push('first'));
      ctx.afterCommit(() => {
        throw new Error('mail server down');
      });
      ctx.afterCommit(async () => {
        await Promise.resolve();
        order.push('third');
      });
      return 42;
    });
    expect(result).toBe(42);
    expect(order).toEqual(['first', 'third']);
    expect(errors).toHaveLength(1);
  });

  it('fixes the clock for the whole unit of work', async () => {
    const instants = await openContext(src, async (ctx) => [ctx.clock.now(), ctx.clock.now()]);
    expect(instants.map((d) => d.toISOString())).toEqual([
      '2026-03-01T00:00:00.000Z',
      '2026-03-01T00:00:00.000Z',
    ]);
  });
});
