import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Assignment,
  applyLicenseUpdate,
  assignedCounts,
  checkLicenseUpdate,
  seatPools,
  usersWithoutAccess,
} from './seat-pool.ts';

const E3 = 'sku-e3';
const BP = 'sku-bp';
const t = (day: number) => new Date(Date.UTC(2026, 0, day));

describe('seatPools', () => {
  it('sums seats of the same SKU across channels, counting only subscriptions that give access', () => {
    const pools = seatPools([
      { skuId: E3, quantity: 10, usersHaveAccess: true },
      { skuId: E3, quantity: 5, usersHaveAccess: true },
      { skuId: E3, quantity: 7, usersHaveAccess: false },
      { skuId: BP, quantity: 3, usersHaveAccess: false },
    ]);
    expect(pools).toEqual(
      new Map([
        [E3, 15],
        [BP, 0],
      ]),
    );
  });
});

describe('usersWithoutAccess', () => {
  const assignments: Assignment[] = [
    { userId: 'ana', skuId: E3, assignedAt: t(1) },
    { userId: 'bea', skuId: E3, assignedAt: t(3) },
    { userId: 'cai', skuId: E3, assignedAt: t(3) },
    { userId: 'dan', skuId: E3, assignedAt: t(2) },
    { userId: 'eva', skuId: BP, assignedAt: t(1) },
  ];

  it('is empty while the pool covers everyone', () => {
    expect(
      usersWithoutAccess(
        new Map([
          [E3, 4],
          [BP, 1],
        ]),
        assignments,
      ),
    ).toEqual(new Map());
  });

  it('takes the most recently assigned first, ties by user id (greater loses first)', () => {
    expect(
      usersWithoutAccess(
        new Map([
          [E3, 3],
          [BP, 1],
        ]),
        assignments,
      ),
    ).toEqual(new Map([[E3, new Set(['cai'])]]));
    expect(
      usersWithoutAccess(
        new Map([
          [E3, 1],
          [BP, 1],
        ]),
        assignments,
      ),
    ).toEqual(new Map([[E3, new Set(['dan', 'bea', 'cai'])]]));
  });

  it('treats a SKU missing from the pools as having no seats', () => {
    expect(usersWithoutAccess(new Map([[E3, 4]]), assignments).get(BP)).toEqual(new Set(['eva']));
  });
});

describe('checkLicenseUpdate', () => {
  const current = [
    { userId: 'ana', skuId: E3 },
    { userId: 'bea', skuId: E3 },
  ];
  const pools = new Map([
    [E3, 2],
    [BP, 1],
  ]);

  it('refuses an assignment beyond the pool, saying what is left', () => {
    expect(checkLicenseUpdate(pools, current, { userId: 'cai', assign: [E3], remove: [] })).toEqual({
      ok: false,
      error: 'license_quota_exceeded',
      skuId: E3,
      available: 0,
      requested: 1,
    });
  });

  it('accepts assignments within the pool, with removals in the same call', () => {
    expect(checkLicenseUpdate(pools, current, { userId: 'ana', assign: [BP], remove: [E3] })).toEqual({
      ok: true,
    });
    expect(checkLicenseUpdate(pools, current, { userId: 'cai', assign: [BP], remove: [] })).toEqual({
      ok: true,
    });
  });

  it('takes no new seat for a SKU the user already holds, even in an over-assigned pool', () => {
    expect(
      checkLicenseUpdate(new Map([[E3, 1]]), current, { userId: 'ana', assign: [E3], remove: [] }),
    ).toEqual({
      ok: true,
    });
  });

  it('refuses a SKU the tenant has no seats of', () => {
    expect(
      checkLicenseUpdate(pools, current, { userId: 'ana', assign: ['sku-none'], remove: [] }),
    ).toMatchObject({
      ok: false,
      skuId: 'sku-none',
      available: 0,
    });
  });
});

describe('seat pool properties', () => {
  const skus = ['a', 'b', 'c'];
  const users = ['u1', 'u2', 'u3', 'u4', 'u5', 'u6'];
  const update = fc.record({
    userId: fc.constantFrom(...users),
    assign: fc.subarray(skus),
    remove: fc.subarray(skus),
  });

  it('after any sequence of accepted updates, no SKU has more users than seats', () => {
    fc.assert(
      fc.property(
        fc.tuple(fc.nat(4), fc.nat(4), fc.nat(4)),
        fc.array(update, { maxLength: 40 }),
        ([a, b, c], updates) => {
          const pools = new Map([
            ['a', a],
            ['b', b],
            ['c', c],
          ]);
          let assignments: Assignment[] = [];
          updates.forEach((u, i) => {
            const check = checkLicenseUpdate(pools, assignments, u);
            if (check.ok) assignments = applyLicenseUpdate(assignments, u, t(i + 1));
            else expect(check.available).toBeLessThan(check.requested);
            for (const [sku, n] of assignedCounts(assignments))
              expect(n).toBeLessThanOrEqual(pools.get(sku) ?? 0);
          });
          expect(usersWithoutAccess(pools, assignments)).toEqual(new Map());
        },
      ),
    );
  });

  it('when a pool shrinks, exactly the overflow loses access, and never an earlier-assigned user', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.record({ userId: fc.constantFrom(...users), day: fc.integer({ min: 1, max: 5 }) }),
          {
            selector: (r) => r.userId,
          },
        ),
        fc.nat(7),
        (rows, seats) => {
          const assignments = rows.map((r) => ({ userId: r.userId, skuId: 'a', assignedAt: t(r.day) }));
          const lost = usersWithoutAccess(new Map([['a', seats]]), assignments).get('a') ?? new Set<string>();
          expect(lost.size).toBe(Math.max(0, assignments.length - seats));
          const kept = assignments.filter((x) => !lost.has(x.userId));
          for (const l of assignments.filter((x) => lost.has(x.userId))) {
            for (const k of kept) expect(k.assignedAt.getTime()).toBeLessThanOrEqual(l.assignedAt.getTime());
          }
        },
      ),
    );
  });
});
