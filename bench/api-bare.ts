import Fastify from 'fastify';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { assignedSeatsBySku } from '../src/modules/licenses/index.ts';
import { firstPageStatement } from '../src/modules/subscriptions/index.ts';
import type { Database } from '../src/platform/db/database.ts';

/**
 * The floor under `GET /api/customers/{id}/subscriptions`: a bare Fastify route on the same
 * database through the same size of pool, with no auth, no checks, no views and no logging.
 * Started by bench/api.ts as a child process. Two routes:
 * - the same path runs **the very statement the API sends** for a first page (its text compiled
 *   once by the subscriptions module, prepared once per connection as the server prepares it), and
 *   answers its rows of the page: the baseline of the figure;
 * - `/select/customers/{id}/subscriptions` runs a plain `select *` of the page (the baseline of
 *   earlier runs), printed beside it to show what the page statement itself costs.
 */
const PAGE = 50;
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
// Kysely only compiles the statement's text here; the route sends it through pg itself.
const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
const page = firstPageStatement(kysely, assignedSeatsBySku);
const app = Fastify();
app.get<{ Params: { tenantId: string } }>('/api/customers/:tenantId/subscriptions', async (req) => {
  const { rows } = await pool.query<{ on_page: boolean }>({
    name: 'bare_page',
    text: page.text,
    values: page.values(req.params.tenantId, PAGE),
  });
  return { items: rows.filter((r) => r.on_page).slice(0, PAGE), nextCursor: null };
});
app.get<{ Params: { tenantId: string } }>('/select/customers/:tenantId/subscriptions', async (req) => {
  const { rows } = await pool.query(
    'select * from subscriptions where tenant_id = $1 order by created_at, id limit $2',
    [req.params.tenantId, PAGE + 1],
  );
  return { items: rows.slice(0, PAGE), nextCursor: null };
});
app.get('/healthz', async () => ({ status: 'ok' }));
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
// A clean exit on SIGTERM, so `--cpu-prof` (TRASLADO_BENCH_PROFILE) writes its profile.
process.once('SIGTERM', () => {
  void app.close().finally(() => process.exit(0));
});
