import { type Compilable, CompiledQuery } from 'kysely';
import type { Db, Trx } from './database.ts';

/**
 * A hot statement built and compiled by Kysely once per shape, then only given its values.
 *
 * `build(db, p, shape)` builds the query with `p.<name>` in place of every value (each a marker
 * string that stands for the value of that name) and the parts `shape` names (the key of whatever
 * changes the text: an optional filter, a keyset); the compiled text and the order of its
 * parameters are kept per shape. Every later call of that shape sends the kept text with the
 * values in that order. A value the query computes from its
 * input must therefore be passed in ready (a `Date`, not the string it is parsed from), and every
 * value must go through a marker: the build checks that each parameter is one.
 */
export function compiledOnce<V extends Record<string, unknown>, R>(
  build: (db: Db | Trx, p: { [K in keyof V]: V[K] }, shape: string) => Compilable<R>,
) {
  const shapes = new Map<string, { sql: string; names: (keyof V)[] }>();
  const markers = new Map<string, keyof V>();
  const marker = (name: keyof V) => `\u0000compiled-once:${String(name)}\u0000`;
  const placeholders = new Proxy({} as { [K in keyof V]: V[K] }, {
    get: (_, name) => {
      const m = marker(name as keyof V);
      markers.set(m, name as keyof V);
      return m;
    },
  });
  const keptOf = (db: Db | Trx, shape: string) => {
    let kept = shapes.get(shape);
    if (!kept) {
      const compiled = build(db, placeholders, shape).compile();
      const names = compiled.parameters.map((p) => {
        const name = typeof p === 'string' ? markers.get(p) : undefined;
        if (name === undefined) throw new Error(`compiledOnce: a parameter is not a marker: ${String(p)}`);
        return name;
      });
      kept = { sql: compiled.sql, names };
      // Shapes are few (a handful of optional parts); bounded all the same.
      if (shapes.size >= 64) shapes.clear();
      shapes.set(shape, kept);
    }
    return kept;
  };
  const run = async (db: Db | Trx, shape: string, values: V): Promise<R[]> => {
    const kept = keptOf(db, shape);
    const result = await db.executeQuery<R>(
      CompiledQuery.raw(
        kept.sql,
        kept.names.map((n) => values[n]),
      ),
    );
    return result.rows;
  };
  /** The kept text of a shape and the names of its parameters in order (what `run` sends). */
  return Object.assign(run, { statement: keptOf });
}
