import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allowedActions } from '../../src/platform/auth/permissions.ts';
import { PASSWORD, startTestApp, type TestApp } from '../fixtures/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.close());

describe('sessions', () => {
  it('refuses a wrong password and an unknown e-mail alike, without saying which part was wrong', async () => {
    const { tag } = await t.newPartner();
    const email = `account-admin.${tag}@partner.test`;
    const wrongPassword = await t.call({
      method: 'POST',
      url: '/api/auth/login',
      body: { email, password: 'not-the-password' },
    });
    const unknownEmail = await t.call({
      method: 'POST',
      url: '/api/auth/login',
      body: { email: `nobody.${tag}@partner.test`, password: PASSWORD },
    });
    expect(wrongPassword.status).toBe(401);
    expect(unknownEmail.status).toBe(401);
    expect(wrongPassword.body.code).toBe('invalid_credentials');
    expect(unknownEmail.body).toEqual(wrongPassword.body);
    expect(JSON.stringify(wrongPassword.body)).not.toMatch(/password is wrong|no such user|unknown e-mail/i);
  });

  it('locks an e-mail after repeated failures, whatever the password, and says when to retry', async () => {
    const { tag } = await t.newPartner();
    const email = `admin-agent.${tag}@partner.test`;
    for (let i = 0; i < t.config.loginMaxFailures; i++) {
      const r = await t.call({
        method: 'POST',
        url: '/api/auth/login',
        body: { email, password: `wrong-${i}` },
      });
      expect(r.body.code).toBe('invalid_credentials');
    }
    const locked = await t.call({
      method: 'POST',
      url: '/api/auth/login',
      body: { email, password: PASSWORD },
    });
    expect(locked.status).toBe(429);
    expect(locked.body.code).toBe('too_many_login_attempts');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(60);
    // An unknown e-mail is locked the same way: the lock says nothing about who has an account.
    for (let i = 0; i <= t.config.loginMaxFailures; i++) {
      await t.call({
        method: 'POST',
        url: '/api/auth/login',
        body: { email: `nobody.${tag}@partner.test`, password: 'x' },
      });
    }
    const ghost = await t.call({
      method: 'POST',
      url: '/api/auth/login',
      body: { email: `nobody.${tag}@partner.test`, password: 'x' },
    });
    expect(ghost.status).toBe(429);
    // Other accounts are untouched; when the lock has passed, the right password works and clears it.
    expect(
      (
        await t.call({
          method: 'POST',
          url: '/api/auth/login',
          body: { email: `sales-agent.${tag}@partner.test`, password: PASSWORD },
        })
      ).status,
    ).toBe(200);
    await t.handle.db
      .updateTable('login_failures')
      .set({ locked_until: new Date(Date.now() - 1000) })
      .where('key', '=', email)
      .execute();
    expect(
      (await t.call({ method: 'POST', url: '/api/auth/login', body: { email, password: PASSWORD } })).status,
    ).toBe(200);
    expect(
      await t.handle.db.selectFrom('login_failures').select('key').where('key', '=', email).execute(),
    ).toEqual([]);
  });

  it('signs in, answers /me, and logout revokes the token', async () => {
    const { tag, partner } = await t.newPartner();
    const login = await t.call({
      method: 'POST',
      url: '/api/auth/login',
      body: { email: `sales-agent.${tag}@partner.test`, password: PASSWORD },
    });
    expect(login.status).toBe(200);
    expect(login.body.user).toMatchObject({ roles: ['sales-agent'], partnerId: partner.id });
    // The pinned `{ token, user }`, plus the expiry and the CSRF token for cookie-authenticated changes.
    expect(Object.keys(login.body).sort()).toEqual(['csrfToken', 'expiresAt', 'token', 'user']);
    const token = login.body.token;
    const me = await t.call({ url: '/api/auth/me', token });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ ...login.body.user, csrfToken: login.body.csrfToken });
    // The actions the sales agent may take, from the permission table (the console shows only these).
    expect(me.body.permissions).toEqual(allowedActions(['sales-agent']));
    expect(me.body.permissions).toContain('relationships.request');
    expect(me.body.permissions).not.toContain('partner.manage-users');
    expect((await t.call({ method: 'POST', url: '/api/auth/logout', token })).status).toBe(204);
    const after = await t.call({ url: '/api/auth/me', token });
    expect(after.status).toBe(401);
    expect(after.body.code).toBe('unauthenticated');
  });

  it('stores only a hash of the token, and an expired session is refused', async () => {
    const { tag } = await t.newPartner();
    const token = await t.login(`billing-agent.${tag}@partner.test`);
    const stored = await t.handle.db.selectFrom('sessions').select(['token_hash']).execute();
    expect(stored.some((s) => s.token_hash === token)).toBe(false);
    expect((await t.call({ url: '/api/auth/me', token })).status).toBe(200);
    // Sessions expire on wall-clock time: put this one's expiry in the past.
    const me = await t.call({ url: '/api/auth/me', token });
    await t.handle.db
      .updateTable('sessions')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('user_id', '=', me.body.id)
      .execute();
    expect((await t.call({ url: '/api/auth/me', token })).status).toBe(401);
  });

  it('issues API tokens for scripts, lists them without the secret, and revokes them', async () => {
    const { tokens } = await t.newPartner();
    const created = await t.call({
      method: 'POST',
      url: '/api/auth/tokens',
      token: tokens['admin-agent'],
      body: { name: 'nightly sync', expiresInDays: 30 },
    });
    expect(created.status).toBe(201);
    const apiToken = created.body.token as string;
    expect(apiToken).toMatch(/^tapi_/);
    expect((await t.call({ url: '/api/customers', token: apiToken })).status).toBe(200);
    const list = await t.call({ url: '/api/auth/tokens', token: tokens['admin-agent'] });
    expect(list.body.items.map((i: { name: string }) => i.name)).toEqual(['nightly sync']);
    expect(JSON.stringify(list.body)).not.toContain(apiToken);
    expect(
      (
        await t.call({
          method: 'DELETE',
          url: `/api/auth/tokens/${created.body.id}`,
          token: tokens['admin-agent'],
        })
      ).status,
    ).toBe(204);
    expect((await t.call({ url: '/api/customers', token: apiToken })).status).toBe(401);
  });
});

describe('platform', () => {
  it('answers /healthz, serves the OpenAPI document and the reference page', async () => {
    expect(await t.call({ url: '/healthz' })).toMatchObject({ status: 200, body: { status: 'ok' } });
    const doc = await t.call({ url: '/openapi.json' });
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    for (const r of t.routes.filter((x) => x.url !== '/openapi.json')) {
      const path = r.url.replace(/:(\w+)/g, '{$1}');
      expect(doc.body.paths[path]?.[r.method.toLowerCase()], `${r.method} ${r.url} in OpenAPI`).toBeDefined();
    }
    const page = await t.app.inject({ method: 'GET', url: '/docs/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
  });

  it('sends security headers on API answers and on the reference page', async () => {
    for (const url of ['/healthz', '/api/customers', '/docs/', '/nope']) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.headers['x-content-type-options'], url).toBe('nosniff');
      expect(res.headers['x-frame-options'], url).toBe('SAMEORIGIN');
      expect(String(res.headers['content-security-policy']), url).toMatch(/default-src 'self'/);
      expect(res.headers['x-powered-by'], url).toBeUndefined();
    }
  });

  it('puts a request id on every response, echoing a sane one it was given', async () => {
    const a = await t.call({ url: '/healthz' });
    expect(a.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const b = await t.call({ url: '/api/customers', headers: { 'x-request-id': 'trace-123' } });
    expect(b.status).toBe(401);
    expect(b.headers['x-request-id']).toBe('trace-123');
    const c = await t.call({ url: '/nope', headers: { 'x-request-id': 'bad id with spaces' } });
    expect(c.status).toBe(404);
    expect(c.body.code).toBe('not_found');
    expect(c.headers['x-request-id']).not.toBe('bad id with spaces');
  });
});
