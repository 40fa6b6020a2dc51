import type { Db, Trx } from './database.ts';

/**
 * Rows one transaction has read, kept for that transaction only (keyed by its object, so they go
 * with it), for a unit of work that looks the same rows up again and again (a transition's steps,
 * an order's lines). The repo that owns the table keeps one and forgets it when it writes there in
 * that transaction. Outside a transaction nothing is kept: each statement sees the latest commit.
 */
export interface TransactionMemo<V> {
  /** The transaction's reads, or undefined outside a transaction. */
  of(db: Db | Trx): Map<string, V> | undefined;
  /** Drops what the transaction read (it wrote to the table). */
  forget(db: Db | Trx): void;
}

/** Every memo, so a rollback to a savepoint can forget them all (see `forgetTransactionReads`). */
const memos: TransactionMemo<unknown>[] = [];

/**
 * After a rollback to a savepoint: what the transaction read since may be undone (a row lock taken
 * since is released), so none of its memos is trusted any more.
 */
export function forgetTransactionReads(db: Db | Trx): void {
  for (const m of memos) m.forget(db);
}

export function transactionMemo<V>(): TransactionMemo<V> {
  const reads = new WeakMap<object, Map<string, V>>();
  const memo: TransactionMemo<V> = {
    of(db) {
      if (!db.isTransaction) return undefined;
      let m = reads.get(db);
      if (!m) {
        m = new Map();
        reads.set(db, m);
      }
      return m;
    },
    forget(db) {
      reads.delete(db);
    },
  };
  memos.push(memo as TransactionMemo<unknown>);
  return memo;
}

/** One row through the memo; a row not found is not kept (it may be inserted later in the transaction). */
export async function memoized<V>(
  memo: TransactionMemo<V>,
  db: Db | Trx,
  key: string,
  load: () => Promise<V | undefined>,
): Promise<V | undefined> {
  const m = memo.of(db);
  const seen = m?.get(key);
  if (seen !== undefined) return seen;
  const row = await load();
  if (row !== undefined) m?.set(key, row);
  return row;
}

/**
 * Rows by key through the memo: only the keys not read yet in the transaction go to the database,
 * and a key found missing is remembered as missing. Answers the rows found, in the order of `keys`.
 */
export async function memoizedMany<V>(
  memo: TransactionMemo<V | null>,
  db: Db | Trx,
  keys: string[],
  load: (missing: string[]) => Promise<V[]>,
  keyOf: (row: V) => string,
): Promise<V[]> {
  const unique = [...new Set(keys)];
  const m = memo.of(db);
  if (!m) return unique.length > 0 ? load(unique) : [];
  const missing = unique.filter((k) => !m.has(k));
  if (missing.length > 0) {
    for (const k of missing) m.set(k, null);
    for (const row of await load(missing)) m.set(keyOf(row), row);
  }
  return unique.map((k) => m.get(k)).filter((r): r is V => r != null);
}
