/**
 * Many rows as one JSON array text, for an insert that reads them with `json_to_recordset` from a
 * single `json` parameter instead of a multi-row VALUES of a parameter per value: the server plans
 * an unnamed statement with its values at bind time, and a VALUES of thousands of parameters cost
 * it (and Kysely and pg, building and encoding them) more CPU than the insert itself. A column
 * holding JSON text already (`jsonText`, e.g. a `detail` or `data` the caller serialized) is
 * spliced in as it is, not parsed and serialized again; left out, it is left out of the row.
 */
export function jsonRows<T extends object>(rows: readonly T[], jsonText?: keyof T & string): string {
  const out = new Array<string>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    if (!jsonText) {
      out[i] = JSON.stringify(row);
      continue;
    }
    const { [jsonText]: text, ...rest } = row as Record<string, unknown>;
    const head = JSON.stringify(rest);
    out[i] =
      typeof text === 'string'
        ? `${head.slice(0, -1)}${head.length > 2 ? ',' : ''}${JSON.stringify(jsonText)}:${text}}`
        : head;
  }
  return `[${out.join(',')}]`;
}

/** From this many rows on, a batch insert goes as one JSON parameter (see `jsonRows`). */
export const ROWS_AS_JSON = 8;
