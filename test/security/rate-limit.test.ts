import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/platform/config.ts';
import { PASSWORD, startTestApp, type TestApp } from '../fixtures/app.ts';
import { databaseDigest } from '../fixtures/digest.ts';

/**
 * Rate limits (src/platform/http/rate-limit.ts): per client on /api (the session or API token when
 * valid, else the IP address) and per IP on sign-in. The fixture turns both off; this file turns
 * them on with small numbers and drives requests from distinct addresses (`remoteAddress`).
 */
// The projects in vitest.config.ts do not inherit the root's timeouts; a loaded machine needs them.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 120_000 });
const API_LIMIT = 12;
const LOGIN_LIMIT = 4;
let t: TestApp; // the API limit on
let lt: TestApp; // the sign-in limit on
let off: TestApp; // the fixture's default: both off
let partner: Awaited<ReturnType<TestApp['newPartner']>>;

beforeAll(async () => {
  t = await startTestApp({ rateLimit: API_LIMIT });
  lt = await startTestApp({ loginRateLimit: LOGIN_LIMIT });
  off = await startTestApp();
  // Made once: its sign-ins count against 127.0.0.1's budget, which no test below uses.
  partner = await t.newPartner();
}, 120_000);
afterAll(async () => {
  await t?.close();
  await lt?.close();
  await off?.close();
});

async function hit(
  app: TestApp,
  ip: string,
  opts: {
    url?: string;
    token?: string;
    method?: 'GET' | 'POST';
    body?: unknown;
    headers?: Record<string, string>;
  } = {},
) {
  const res = await app.app.inject({
    method: opts.method ?? 'GET',
    url: opts.url ?? '/api/auth/me',
    remoteAddress: ip,
    headers: {
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(opts.headers ?? {}),
    },
    ...(opts.body !== undefined ? { payload: JSON.stringify(opts.body) } : {}),
  });
  return { status: res.statusCode, headers: res.headers, body: res.body ? JSON.parse(res.body) : null };
}

/** Sends `n` requests and returns their statuses in order. */
async function burst(n: number, send: () => Promise<{ status: number }>) {
  const statuses: number[] = [];
  for (let i = 0; i < n; i++) statuses.push((await send()).status);
  return statuses;
}

describe('API rate limit', () => {
  it('answers 429 rate_limited with Retry-After once a client passes the limit in a minute', async () => {
    const token = partner.tokens['sales-agent'];
    const statuses = await burst(API_LIMIT, () => hit(t, '10.1.0.1', { token }));
    expect(statuses.every((s) => s === 200)).toBe(true);
    const over = await hit(t, '10.1.0.1', { token });
    expect(over.status).toBe(429);
    expect(over.body.code).toBe('rate_limited');
    expect(typeof over.body.description).toBe('string');
    const retryAfter = Number(over.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(over.headers['x-ratelimit-limit']).toBe(String(API_LIMIT));
    expect(over.headers['x-ratelimit-remaining']).toBe('0');
    // The refusal is an ordinary answer: request id and security headers included.
    expect(over.headers['x-request-id']).toBeDefined();
    expect(over.headers['x-content-type-options']).toBe('nosniff');
    console.log(
      `[rate limit] ${API_LIMIT}/min per client: ${statuses.length} answered 200, request ${API_LIMIT + 1} got 429, Retry-After ${retryAfter} s`,
    );
  });

  it('keys a signed-in client by its session, not its address; others keep their budget', async () => {
    const a = partner.tokens['admin-agent'];
    const b = partner.tokens['billing-agent'];
    await burst(API_LIMIT, () => hit(t, '10.2.0.1', { token: a }));
    expect((await hit(t, '10.2.0.1', { token: a })).status).toBe(429);
    // The same token from another address is the same client: still limited.
    expect((await hit(t, '10.2.0.99', { token: a })).status).toBe(429);
    // Another session from the same address, and an anonymous caller there, are other clients.
    expect((await hit(t, '10.2.0.1', { token: b })).status).toBe(200);
    expect((await hit(t, '10.2.0.1', { url: '/api/customers' })).status).toBe(401);
  });

  it('keys anonymous and bad-token callers by address: made-up tokens buy no fresh budget', async () => {
    const statuses = await burst(API_LIMIT, () =>
      hit(t, '10.3.0.1', { token: `tses_${Math.random().toString(36).slice(2)}` }),
    );
    expect(statuses.every((s) => s === 401)).toBe(true);
    const over = await hit(t, '10.3.0.1', { token: 'tses_another-made-up-one' });
    expect(over.status).toBe(429);
    expect(over.body.code).toBe('rate_limited');
    expect((await hit(t, '10.3.0.1', { url: '/api/offers' })).status).toBe(429);
    expect((await hit(t, '10.3.0.2', { url: '/api/offers' })).status).toBe(401);
  });

  it('leaves the health check, the OpenAPI document and the docs out of the API limit', async () => {
    const statuses = await burst(API_LIMIT * 2, () => hit(t, '10.4.0.1', { url: '/healthz' }));
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect((await hit(t, '10.4.0.1', { url: '/openapi.json' })).status).toBe(200);
  });
});

describe('sign-in rate limit', () => {
  it('caps sign-in attempts per address across e-mails (password spraying), before any password check', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < LOGIN_LIMIT; i++) {
      const r = await hit(lt, '10.5.0.1', {
        method: 'POST',
        url: '/api/auth/login',
        body: { email: `victim${i}@partner.test`, password: `spray-${i}` },
      });
      statuses.push(r.status);
    }
    expect(statuses.every((s) => s === 401)).toBe(true);
    const before = await databaseDigest(lt.handle.db);
    // Over the limit: refused even with the right password, and not counted as a failed sign-in.
    const over = await hit(lt, '10.5.0.1', {
      method: 'POST',
      url: '/api/auth/login',
      body: { email: lt.operatorEmail, password: PASSWORD },
    });
    expect(over.status).toBe(429);
    expect(over.body.code).toBe('rate_limited');
    expect(Number(over.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(await databaseDigest(lt.handle.db)).toEqual(before);
    // Another address signs in as usual; the per-e-mail lockout is a separate, shared control.
    const ok = await hit(lt, '10.5.0.2', {
      method: 'POST',
      url: '/api/auth/login',
      body: { email: lt.operatorEmail, password: PASSWORD },
    });
    expect(ok.status).toBe(200);
    // Only sign-in is limited per address here: other calls from the limited address pass.
    expect((await hit(lt, '10.5.0.1', { token: ok.body.token })).status).toBe(200);
    console.log(
      `[rate limit] sign-in ${LOGIN_LIMIT}/min per address: ${LOGIN_LIMIT} attempts answered 401, the next 429 without touching the database`,
    );
  });

  it('ignores X-Forwarded-For unless the proxy is trusted', async () => {
    const spoof = async (ip: string) =>
      hit(lt, '10.6.0.1', {
        method: 'POST',
        url: '/api/auth/login',
        body: { email: 'nobody@x.test', password: 'x' },
        headers: { 'x-forwarded-for': ip },
      });
    const statuses: number[] = [];
    for (let i = 0; i < LOGIN_LIMIT + 1; i++) statuses.push((await spoof(`198.51.100.${i}`)).status);
    // Rotating the header does not help: the socket address is the key.
    expect(statuses.at(-1)).toBe(429);

    const proxied = await startTestApp({ rateLimit: 0, loginRateLimit: 2, trustProxy: '127.0.0.1' });
    try {
      const via = async (client: string) =>
        (
          await hit(proxied, '127.0.0.1', {
            method: 'POST',
            url: '/api/auth/login',
            body: { email: 'nobody@x.test', password: 'x' },
            headers: { 'x-forwarded-for': client },
          })
        ).status;
      expect([await via('203.0.113.1'), await via('203.0.113.1'), await via('203.0.113.1')]).toEqual([
        401, 401, 429,
      ]);
      // Behind a trusted proxy each client has its own budget.
      expect(await via('203.0.113.2')).toBe(401);
    } finally {
      await proxied.close();
    }
  }, 120_000);
});

describe('settings', () => {
  it('reads TRASLADO_RATE_LIMIT and TRASLADO_LOGIN_RATE_LIMIT, 0 turning a limit off', async () => {
    expect(loadConfig({})).toMatchObject({ rateLimit: 600, loginRateLimit: 20, trustProxy: false });
    expect(loadConfig({ TRASLADO_RATE_LIMIT: '0', TRASLADO_LOGIN_RATE_LIMIT: '0' })).toMatchObject({
      rateLimit: 0,
      loginRateLimit: 0,
    });
    expect(loadConfig({ TRASLADO_RATE_LIMIT: '50', TRASLADO_TRUST_PROXY: '1' })).toMatchObject({
      rateLimit: 50,
      trustProxy: 1,
    });
    expect(() => loadConfig({ TRASLADO_RATE_LIMIT: '-1' })).toThrow(/TRASLADO_RATE_LIMIT/);
    expect(() => loadConfig({ TRASLADO_LOGIN_RATE_LIMIT: 'many' })).toThrow(/integer/);
  });

  it('with both limits off (the test fixture), hundreds of calls and sign-ins from one address pass', async () => {
    const { tokens, tag } = await off.newPartner();
    const api = await burst(700, () => hit(off, '10.7.0.1', { token: tokens['billing-agent'] }));
    expect(api.filter((s) => s !== 200)).toEqual([]);
    const logins = await burst(30, () =>
      hit(off, '10.7.0.1', {
        method: 'POST',
        url: '/api/auth/login',
        body: { email: `billing-agent.${tag}@partner.test`, password: PASSWORD },
      }),
    );
    expect(logins.filter((s) => s !== 200)).toEqual([]);
    console.log(
      `[rate limit] off: ${api.length} API calls and ${logins.length} sign-ins from one address, no 429`,
    );
  }, 120_000);
});
