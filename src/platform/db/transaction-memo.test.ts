import { expect, it } from 'vitest';
import type { Db, Trx } from './database.ts';
import { forgetTransactionReads, memoized, memoizedMany, transactionMemo } from './transaction-memo.ts';

// Only `isTransaction` is read from the handle, and its identity keys the memo.
const trx = () => ({ isTransaction: true }) as unknown as Trx;
const plain = { isTransaction: false } as unknown as Db;

it('loads a row once per transaction, and not a row that was not found', async () => {
  const memo = transactionMemo<string>();
  const t = trx();
  const loads: string[] = [];
  const load = (v: string | undefined) => async () => {
    loads.push(String(v));
    return v;
  };
  expect(await memoized(memo, t, 'a', load('A'))).toBe('A');
  expect(await memoized(memo, t, 'a', load('other'))).toBe('A');
  expect(await memoized(memo, t, 'b', load(undefined))).toBeUndefined();
  expect(await memoized(memo, t, 'b', load('B'))).toBe('B');
  // Another transaction, and no transaction, read afresh.
  expect(await memoized(memo, trx(), 'a', load('A2'))).toBe('A2');
  expect(await memoized(memo, plain, 'a', load('A3'))).toBe('A3');
  expect(await memoized(memo, plain, 'a', load('A4'))).toBe('A4');
  expect(loads).toEqual(['A', 'undefined', 'B', 'A2', 'A3', 'A4']);
});

it('asks only for the keys not read yet, remembers the ones missing, answers in the order asked', async () => {
  const memo = transactionMemo<{ id: string } | null>();
  const t = trx();
  const asked: string[][] = [];
  const load = async (ids: string[]) => {
    asked.push(ids);
    return ids.filter((id) => id !== 'gone').map((id) => ({ id }));
  };
  const keyOf = (r: { id: string }) => r.id;
  expect(await memoizedMany(memo, t, ['b', 'a', 'gone', 'a'], load, keyOf)).toEqual([
    { id: 'b' },
    { id: 'a' },
  ]);
  expect(await memoizedMany(memo, t, ['c', 'a', 'gone'], load, keyOf)).toEqual([{ id: 'c' }, { id: 'a' }]);
  expect(await memoizedMany(memo, t, ['a', 'c'], load, keyOf)).toEqual([{ id: 'a' }, { id: 'c' }]);
  expect(asked).toEqual([['b', 'a', 'gone'], ['c']]);
  await memoizedMany(memo, plain, ['a'], load, keyOf);
  expect(asked).toHaveLength(3);
});

it('forgets every memo of a transaction after a rollback to a savepoint, and only that one', async () => {
  const one = transactionMemo<string>();
  const two = transactionMemo<string>();
  const t = trx();
  const other = trx();
  one.of(t)!.set('k', 'v');
  two.of(t)!.set('k', 'v');
  one.of(other)!.set('k', 'v');
  forgetTransactionReads(t);
  expect(one.of(t)!.size).toBe(0);
  expect(two.of(t)!.size).toBe(0);
  expect(one.of(other)!.get('k')).toBe('v');
  expect(one.of(plain)).toBeUndefined();
});
