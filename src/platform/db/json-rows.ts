/**
 * Batch inserts past a few rows send their rows as one `json` parameter (`JSON.stringify(rows)`),
 * read by `json_to_recordset`, instead of a multi-row VALUES of a parameter per value: the server
 * plans an unnamed statement with its values at bind time, and a VALUES of thousands of parameters
 * cost it (and Kysely and pg, building and encoding them) more CPU than the insert itself. A
 * column the caller holds as JSON text already (an audit row's `data`, a step's `detail`) travels
 * as a JSON string and is cast back in SQL (`x.data::jsonb`): one native `JSON.stringify` of the
 * whole batch costs less than splicing each row's text in.
 */
export const ROWS_AS_JSON = 8;
