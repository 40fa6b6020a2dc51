import Fastify from 'fastify';
import pg from 'pg';

/**
 * The floor under `GET /api/customers/{id}/subscriptions`: a bare Fastify route that runs the
 * same page query on the same database through the same size of pool, with no auth, no checks,
 * no views and no logging. Started by bench/api.ts as a child process.
 */
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const app = Fastify();
app.get<{ Params: { tenantId: string } }>('/api/customers/:tenantId/subscriptions', async (req) => {
  const { rows } = await pool.query(
    'select * from subscriptions where tenant_id = $1 order by created_at, id limit $2',
    [req.params.tenantId, 51],
  );
  return { items: rows.slice(0, 50), nextCursor: null };
});
app.get('/healthz', async () => ({ status: 'ok' }));
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
