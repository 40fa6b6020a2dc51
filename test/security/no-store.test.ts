import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, startTestApp, type TestApp } from '../fixtures/app.ts';

/**
 * Answers that carry a secret (a session token at sign-in, the CSRF token in /me, a new API token,
 * an invitation link) are never kept by a browser or proxy cache: `Cache-Control: no-store`, on
 * the first answer and on an idempotent replay. Every other /api answer, refusals included, gets
 * it too (server.ts, onSend), so a route added later cannot forget it.
 */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
}, 120_000);
afterAll(async () => t?.close(), 60_000);

describe('Cache-Control: no-store', () => {
  it('on every answer that carries a secret', async () => {
    const p = await t.newPartner();
    const c = await t.newTenant();
    const email = `account-admin.${p.tag}@partner.test`;
    const key = `no-store-${p.tag}`;
    const secretAnswers: [string, Awaited<ReturnType<TestApp['call']>>, number][] = [];
    const check = async (what: string, status: number, input: Parameters<TestApp['call']>[0]) => {
      secretAnswers.push([what, await t.call(input), status]);
    };
    await check('sign-in', 200, {
      method: 'POST',
      url: '/api/auth/login',
      body: { email, password: PASSWORD },
    });
    await check('wrong password', 401, {
      method: 'POST',
      url: '/api/auth/login',
      body: { email, password: 'not-the-password' },
    });
    await check('me (CSRF token)', 200, { url: '/api/auth/me', token: p.tokens['account-admin'] });
    const tokenInput = {
      method: 'POST' as const,
      url: '/api/auth/tokens',
      token: p.tokens['account-admin'],
      headers: { 'idempotency-key': key },
      body: { name: 'script' },
    };
    await check('new API token', 201, tokenInput);
    await check('new API token, replayed', 201, tokenInput);
    const invite = await t.call({
      method: 'POST',
      url: '/api/relationship-requests',
      token: p.tokens['sales-agent'],
      body: { domain: c.domain },
    });
    secretAnswers.push(['invitation link', invite, 201]);
    await check('invitation page', 200, {
      url: `/api/invitations/${invite.body.token}`,
      token: c.adminToken,
    });
    await check('pending invitations (links not shown, still private)', 200, {
      url: '/api/relationship-requests',
      token: p.tokens['sales-agent'],
    });

    expect(secretAnswers.length).toBeGreaterThanOrEqual(8);
    for (const [what, res, status] of secretAnswers) {
      expect(res.status, what).toBe(status);
      expect(res.headers['cache-control'], what).toBe('no-store');
    }
    expect(
      secretAnswers.find(([w]) => w === 'new API token, replayed')![1].headers['idempotent-replayed'],
    ).toBe('true');
  });

  it('on every /api route of the route table, even refused', async () => {
    const api = t.routes.filter((r) => r.url.startsWith('/api/'));
    expect(api.length).toBeGreaterThan(50);
    const missing: string[] = [];
    for (const r of api) {
      const res = await t.call({
        method: r.method as 'GET',
        url: r.url.replace(/:(\w+)/g, 'no-store-probe'),
        ...(r.method === 'GET' ? {} : { body: {} }),
      });
      if (res.headers['cache-control'] !== 'no-store') missing.push(`${r.method} ${r.url} ${res.status}`);
    }
    expect(missing).toEqual([]);
  });
});
