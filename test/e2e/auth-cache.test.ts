import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { can } from '../../src/platform/auth/permissions.ts';
import type { DatabaseHandle } from '../../src/platform/db/connect.ts';
import { startTestApp, type TestApp } from '../fixtures/app.ts';

/**
 * Reads by a token signed in before are served from the server's auth cache (no sign-in
 * statement), and every change that can refuse the token is seen on the very next request:
 * through the API, and written straight into the database (as another process or tool would),
 * which the database announces (migration 0027's triggers, LISTEN/NOTIFY). The two-process case
 * is test/crash/auth-cache-processes.test.ts.
 */

/** Statements sent by the app's handle while `fn` runs (as in read-path.test.ts). */
function statementCounter(handle: DatabaseHandle) {
  const seen: string[] = [];
  type Raw = (sql: string, params: unknown[]) => Promise<unknown>;
  let before: ((raw: Raw) => Promise<void>) | undefined;
  let raw: Raw;
  const note = async (text: string) => {
    seen.push(text);
    const hook = before;
    if (hook && /from "subscriptions"/.test(text)) {
      before = undefined;
      await hook(raw);
    }
  };
  if (handle.pglite) {
    const p = handle.pglite;
    const query = p.query.bind(p) as (...a: unknown[]) => Promise<unknown>;
    // The one session is busy with the request's statement: the hook writes on it directly.
    raw = (sql, params) => query(sql, params);
    p.query = (async (text: string, ...rest: unknown[]) => {
      await note(text);
      return query(text, ...rest);
    }) as typeof p.query;
  } else {
    // Another pooled connection (the request holds one).
    raw = (sql, params) => handle.pool!.query(sql, params);
    const wrapped = new WeakSet<object>();
    handle.pool!.on('acquire', (client) => {
      if (wrapped.has(client)) return;
      wrapped.add(client);
      const query = client.query.bind(client) as (...a: unknown[]) => unknown;
      (client as { query: unknown }).query = (text: unknown, ...rest: unknown[]) => {
        const sql = typeof text === 'string' ? text : String((text as { text?: string }).text);
        if (!/from "subscriptions"/.test(sql) || !before) {
          seen.push(sql);
          return query(text, ...rest);
        }
        // The hook first, then the statement (a promise, as Kysely's driver awaits it).
        return note(sql).then(() => query(text, ...rest));
      };
    });
  }
  return {
    async during<T>(fn: () => Promise<T>) {
      seen.length = 0;
      const result = await fn();
      return { result, statements: [...seen] };
    },
    /** Runs `hook` once, just before the next statement reading subscriptions is sent. */
    beforeNextPageRead(hook: (raw: Raw) => Promise<void>) {
      before = hook;
    },
  };
}

let t: TestApp;
let counter: ReturnType<typeof statementCounter>;
beforeAll(async () => {
  t = await startTestApp();
  counter = statementCounter(t.handle);
});
afterAll(async () => t?.close());

async function partnerWithCustomer() {
  const p = await t.newPartner();
  const c = await t.newTenant({ partnerToken: p.tokens['account-admin'] });
  return { p, url: `/api/customers/${c.tenant.id}/subscriptions`, tenantId: c.tenant.id as string };
}

describe('auth cache: reads by a known token', () => {
  it('costs no sign-in statement once the token signed in', async () => {
    const { p, url } = await partnerWithCustomer();
    const token = p.tokens['sales-agent'];
    await t.expectOk({ url, token });
    const { result, statements } = await counter.during(() => t.call({ url, token }));
    expect(result.status).toBe(200);
    expect(statements.length, statements.join('\n---\n')).toBe(1);
    expect(statements[0]).toMatch(/from "subscriptions"/);
    expect(statements.join('\n')).not.toMatch(/from "sessions"/);
  });

  it('a changing call signs in afresh (never from the cache)', async () => {
    const token = (await t.newPartner()).tokens['account-admin'];
    await t.expectOk({ url: '/api/auth/me', token });
    const { result, statements } = await counter.during(() =>
      t.call({ method: 'POST', url: '/api/auth/tokens', token, body: { name: 'script' } }),
    );
    expect(result.status).toBe(201);
    expect(statements.some((s) => /from "sessions"/.test(s))).toBe(true);
  });
});

describe('auth cache: refusals on the very next request', () => {
  it('an API token revoked through the API', async () => {
    const { p, url } = await partnerWithCustomer();
    const admin = p.tokens['account-admin'];
    const created = await t.expectOk(
      { method: 'POST', url: '/api/auth/tokens', token: admin, body: { name: 'script' } },
      201,
    );
    await t.expectOk({ url, token: created.token });
    await t.expectOk({ url, token: created.token }); // from the cache
    await t.expectOk({ method: 'DELETE', url: `/api/auth/tokens/${created.id}`, token: admin }, 204);
    const r = await t.call({ url, token: created.token });
    expect(r.status).toBe(401);
    expect(r.body.code).toBe('unauthenticated');
  });

  it('a session revoked by a statement written straight into the database', async () => {
    const { p, url } = await partnerWithCustomer();
    const token = await t.login(`sales-agent.${p.tag}@partner.test`);
    await t.expectOk({ url, token });
    await t.expectOk({ url, token });
    const me = await t.expectOk({ url: '/api/auth/me', token });
    await t.handle.db
      .updateTable('sessions')
      .set({ revoked_at: new Date() })
      .where('user_id', '=', me.id)
      .execute();
    expect((await t.call({ url, token })).status).toBe(401);
  });

  it('a disabled user, and a user whose roles no longer allow the read', async () => {
    const { p, url } = await partnerWithCustomer();
    const admin = p.tokens['account-admin'];
    const sales = p.tokens['sales-agent'];
    const billing = p.tokens['billing-agent'];
    await t.expectOk({ url, token: sales });
    await t.expectOk({ url, token: sales });
    await t.expectOk(
      {
        method: 'PATCH',
        url: `/api/partner/users/${p.userIds['sales-agent']}`,
        token: admin,
        body: { disabled: true },
      },
      200,
    );
    expect((await t.call({ url, token: sales })).status).toBe(401);

    // The billing agent reads invoices; a sales agent may not.
    expect(can(['billing-agent'], 'invoices.read')).toBe(true);
    expect(can(['sales-agent'], 'invoices.read')).toBe(false);
    const invoices = '/api/invoices';
    await t.expectOk({ url: invoices, token: billing });
    await t.expectOk({ url: invoices, token: billing });
    await t.expectOk({
      method: 'PUT',
      url: `/api/partner/users/${p.userIds['billing-agent']}/roles`,
      token: admin,
      body: { roles: ['sales-agent'] },
    });
    const r = await t.call({ url: invoices, token: billing });
    expect(r.status).toBe(403);
    expect(r.body.code).toBe('forbidden');
  });

  it('a relationship ended in the database hides the tenant', async () => {
    const { p, url, tenantId } = await partnerWithCustomer();
    const token = p.tokens['sales-agent'];
    await t.expectOk({ url, token });
    await t.expectOk({ url, token });
    await t.handle.db
      .updateTable('relationships')
      .set({ status: 'removed' })
      .where('partner_id', '=', p.partner.id)
      .where('tenant_id', '=', tenantId)
      .execute();
    const r = await t.call({ url, token });
    expect(r.status).toBe(404);
    expect(r.body.code).toBe('tenant_not_found');
  });

  it('a revocation announced while a cached read runs: its answer does not leave', async () => {
    const { p, url } = await partnerWithCustomer();
    const token = await t.login(`sales-agent.${p.tag}@partner.test`);
    await t.expectOk({ url, token });
    const me = await t.expectOk({ url: '/api/auth/me', token });
    await t.expectOk({ url, token });
    // Signed in from the cache; the revocation commits before the page is read.
    counter.beforeNextPageRead(async (raw) => {
      await raw('update sessions set revoked_at = now() where user_id = $1', [me.id]);
    });
    const { result, statements } = await counter.during(() => t.call({ url, token }));
    expect(statements.some((s) => /from "subscriptions"/.test(s))).toBe(true);
    expect(result.status).toBe(401);
    expect(result.body.code).toBe('unauthenticated');
  });
});
