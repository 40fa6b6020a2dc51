import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SESSION_COOKIE } from '../../src/platform/http/server.ts';
import { PASSWORD, startTestApp, type TestApp } from '../fixtures/app.ts';
import { databaseDigest } from '../fixtures/digest.ts';

/**
 * The console's cookie session and its CSRF token (src/platform/http/csrf.ts): login sets an
 * HttpOnly cookie and returns `csrfToken`; a cookie-authenticated request that is not
 * GET/HEAD/OPTIONS must carry it as `x-csrf-token`, else 403 `csrf_token_invalid` and nothing
 * changes. Bearer-token calls are not affected.
 */
// The projects in vitest.config.ts do not inherit the root's timeouts; a loaded machine needs them.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 120_000 });
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
}, 120_000);
afterAll(async () => t?.close());

const cookieOf = (token: string) => `${SESSION_COOKIE}=${token}`;

async function signIn(email: string) {
  const r = await t.call({ method: 'POST', url: '/api/auth/login', body: { email, password: PASSWORD } });
  expect(r.status).toBe(200);
  return {
    token: r.body.token as string,
    csrfToken: r.body.csrfToken as string,
    setCookie: String(r.headers['set-cookie']),
  };
}

/** A concrete URL for a route pattern: every parameter filled with a harmless id. */
const concrete = (url: string) => url.replace(/:(\w+)/g, (_, name: string) => `csrf-${name}`);

describe('the session cookie', () => {
  it('is set by login: HttpOnly, SameSite=Lax, for the whole site, no longer than the session', async () => {
    const s = await signIn(t.operatorEmail);
    expect(s.setCookie).toContain(`${SESSION_COOKIE}=${s.token}`);
    expect(s.setCookie).toMatch(/;\s*HttpOnly/i);
    expect(s.setCookie).toMatch(/;\s*SameSite=Lax/i);
    expect(s.setCookie).toMatch(/;\s*Path=\/(;|$)/);
    expect(s.setCookie).toContain(`Max-Age=${t.config.sessionTtlHours * 3600}`);
    // Plain HTTP (a local demo): not Secure, or the browser would drop it; HTTPS installs get Secure.
    expect(s.setCookie).not.toMatch(/;\s*Secure/i);
    const publicUrl = t.config.publicUrl;
    t.config.publicUrl = 'https://traslado.example.com';
    try {
      expect((await signIn(t.operatorEmail)).setCookie).toMatch(/;\s*Secure/i);
    } finally {
      t.config.publicUrl = publicUrl;
    }
  });

  it('authenticates reads without a CSRF token, and login and /me hand out the same token', async () => {
    const { tag } = await t.newPartner();
    const s = await signIn(`sales-agent.${tag}@partner.test`);
    expect(s.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(s.token).not.toContain(s.csrfToken);
    const me = await t.call({ url: '/api/auth/me', headers: { cookie: cookieOf(s.token) } });
    expect(me.status).toBe(200);
    expect(me.body.csrfToken).toBe(s.csrfToken);
    expect((await t.call({ url: '/api/customers', headers: { cookie: cookieOf(s.token) } })).status).toBe(
      200,
    );
    // A bearer caller gets the same token for the same session (and does not need it).
    expect((await t.call({ url: '/api/auth/me', token: s.token })).body.csrfToken).toBe(s.csrfToken);
    // Every session has its own.
    expect((await signIn(`sales-agent.${tag}@partner.test`)).csrfToken).not.toBe(s.csrfToken);
  });

  it('never answers 5xx to a malformed cookie', async () => {
    for (const cookie of [`${SESSION_COOKIE}=%E0%A4%A`, `${SESSION_COOKIE}=`, `${SESSION_COOKIE}`, '=;=;;']) {
      const r = await t.call({ url: '/api/auth/me', headers: { cookie } });
      expect(r.status, cookie).toBe(401);
      expect(r.body.code).toBe('unauthenticated');
    }
  });
});

describe('CSRF', () => {
  it('refuses every changing route called with the cookie and no valid x-csrf-token, changing nothing', async () => {
    const { tokens, tag } = await t.newPartner();
    const own = await signIn(`account-admin.${tag}@partner.test`);
    const other = await signIn(t.operatorEmail);
    const changing = t.routes.filter((r) => r.method !== 'GET' && !r.public);
    expect(changing.length).toBeGreaterThan(20);
    const before = await databaseDigest(t.handle.db, ['sessions']);
    const cases: [string, Record<string, string>][] = [
      ['no header', {}],
      ['an empty header', { 'x-csrf-token': '' }],
      ['a wrong token', { 'x-csrf-token': 'A'.repeat(43) }],
      ["another session's token", { 'x-csrf-token': other.csrfToken }],
      ['the session token itself', { 'x-csrf-token': own.token }],
    ];
    let refused = 0;
    for (const r of changing) {
      for (const [what, headers] of cases) {
        const res = await t.call({
          method: r.method as 'POST',
          url: concrete(r.url),
          body: {},
          headers: { cookie: cookieOf(own.token), 'idempotency-key': `csrf-${refused}`, ...headers },
        });
        expect(res.status, `${r.method} ${r.url} with ${what}`).toBe(403);
        expect(res.body.code, `${r.method} ${r.url} with ${what}`).toBe('csrf_token_invalid');
        refused++;
      }
    }
    expect(await databaseDigest(t.handle.db, ['sessions'])).toEqual(before);
    // The session is still good (refusals revoke nothing), and the bearer token of the same
    // partner is not asked for a CSRF token at all.
    expect((await t.call({ url: '/api/auth/me', headers: { cookie: cookieOf(own.token) } })).status).toBe(
      200,
    );
    expect(
      (
        await t.call({
          method: 'POST',
          url: '/api/auth/tokens',
          token: tokens['account-admin'],
          body: { name: 'bearer, no csrf' },
        })
      ).status,
    ).toBe(201);
    console.log(
      `[csrf] ${changing.length} changing routes × ${cases.length} bad headers = ${refused} cookie requests, all 403 csrf_token_invalid, database unchanged`,
    );
  }, 120_000);

  it('lets a cookie request with the right x-csrf-token through', async () => {
    const { tag } = await t.newPartner();
    const s = await signIn(`admin-agent.${tag}@partner.test`);
    const created = await t.call({
      method: 'POST',
      url: '/api/auth/tokens',
      body: { name: 'made from the console' },
      headers: { cookie: cookieOf(s.token), 'x-csrf-token': s.csrfToken },
    });
    expect(created.status).toBe(201);
    const revoked = await t.call({
      method: 'DELETE',
      url: `/api/auth/tokens/${created.body.id}`,
      headers: { cookie: cookieOf(s.token), 'x-csrf-token': s.csrfToken },
    });
    expect(revoked.status).toBe(204);
  });

  it('takes the bearer token over the cookie, so a bearer call needs no CSRF token', async () => {
    const { tokens, tag } = await t.newPartner();
    const cookieSession = await signIn(`sales-agent.${tag}@partner.test`);
    const r = await t.call({
      method: 'POST',
      url: '/api/auth/tokens',
      token: tokens['admin-agent'],
      body: { name: 'bearer wins' },
      headers: { cookie: cookieOf(cookieSession.token) },
    });
    expect(r.status).toBe(201);
    const list = await t.call({ url: '/api/auth/tokens', token: tokens['admin-agent'] });
    expect(list.body.items.map((i: { name: string }) => i.name)).toContain('bearer wins');
  });

  it('signs in with a leftover cookie and no CSRF token (login is public)', async () => {
    const stale = await signIn(t.operatorEmail);
    const r = await t.call({
      method: 'POST',
      url: '/api/auth/login',
      body: { email: t.operatorEmail, password: PASSWORD },
      headers: { cookie: cookieOf(stale.token) },
    });
    expect(r.status).toBe(200);
  });

  it('logout with the cookie needs the CSRF token, ends the session and clears the cookie', async () => {
    const { tag } = await t.newPartner();
    const s = await signIn(`billing-agent.${tag}@partner.test`);
    const forged = await t.call({
      method: 'POST',
      url: '/api/auth/logout',
      headers: { cookie: cookieOf(s.token) },
    });
    expect(forged.status).toBe(403);
    expect((await t.call({ url: '/api/auth/me', headers: { cookie: cookieOf(s.token) } })).status).toBe(200);
    const out = await t.call({
      method: 'POST',
      url: '/api/auth/logout',
      headers: { cookie: cookieOf(s.token), 'x-csrf-token': s.csrfToken },
    });
    expect(out.status).toBe(204);
    expect(String(out.headers['set-cookie'])).toMatch(
      new RegExp(`${SESSION_COOKIE}=;.*(Max-Age=0|Expires=Thu, 01 Jan 1970)`),
    );
    const after = await t.call({ url: '/api/auth/me', headers: { cookie: cookieOf(s.token) } });
    expect(after.status).toBe(401);
    expect((await t.call({ url: '/api/auth/me', token: s.token })).status).toBe(401);
  });
});
