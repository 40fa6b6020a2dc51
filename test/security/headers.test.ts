import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { SESSION_COOKIE } from '../../src/platform/http/server.ts';
import { startTestApp, type TestApp } from '../fixtures/app.ts';

/**
 * Security headers (helmet, applied by the first onRequest hook in server.ts) on every kind of answer: API
 * successes and refusals of every status, the API reference's static files, and the console's
 * page and files (served from web/dist, or its "not built" page).
 */
// The projects in vitest.config.ts do not inherit the root's timeouts; a loaded machine needs them.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 120_000 });
const LIMIT = 20;
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ rateLimit: LIMIT });
}, 120_000);
afterAll(async () => t?.close());

interface Case {
  what: string;
  method?: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  payload?: string;
  status?: number;
  ip?: string;
}

function expectHardened(res: { headers: Record<string, unknown> }, what: string) {
  const h = res.headers;
  expect(h['x-content-type-options'], what).toBe('nosniff');
  expect(h['x-frame-options'], what).toBe('SAMEORIGIN');
  expect(String(h['content-security-policy']), what).toMatch(/default-src 'self'/);
  expect(String(h['content-security-policy']), what).toMatch(/frame-ancestors 'self'/);
  expect(String(h['strict-transport-security']), what).toMatch(/max-age=\d{7,}/);
  expect(h['referrer-policy'], what).toBe('no-referrer');
  expect(h['cross-origin-opener-policy'], what).toBe('same-origin');
  expect(h['x-powered-by'], what).toBeUndefined();
  expect(h['x-request-id'], what).toBeDefined();
}

it('hardens API answers of every status', async () => {
  const { tokens } = await t.newPartner();
  const session = await t.call({
    method: 'POST',
    url: '/api/auth/login',
    body: { email: t.operatorEmail, password: 'correct-horse-battery' },
  });
  const cases: Case[] = [
    { what: 'health', url: '/healthz', status: 200 },
    { what: 'OpenAPI', url: '/openapi.json', status: 200 },
    {
      what: 'API 200',
      url: '/api/customers',
      headers: { authorization: `Bearer ${tokens['sales-agent']}` },
      status: 200,
    },
    {
      what: 'malformed JSON 400',
      method: 'POST',
      url: '/api/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: '{"email":',
      status: 400,
    },
    { what: 'no token 401', url: '/api/customers', status: 401 },
    {
      what: 'role 403',
      url: '/api/admin/partners',
      headers: { authorization: `Bearer ${tokens['billing-agent']}` },
      status: 403,
    },
    {
      what: 'CSRF 403',
      method: 'POST',
      url: '/api/auth/logout',
      headers: { cookie: `${SESSION_COOKIE}=${session.body.token}` },
      status: 403,
    },
    { what: 'unknown API path 404', url: '/api/nope', status: 404 },
    {
      what: 'too large 413',
      method: 'POST',
      url: '/api/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ email: 'a@b.test', password: 'x'.repeat(t.config.bodyLimit) }),
      status: 413,
    },
    {
      what: 'wrong media type 415',
      method: 'POST',
      url: '/api/auth/login',
      headers: { 'content-type': 'application/xml' },
      payload: '<x/>',
      status: 415,
    },
  ];
  for (const c of cases) {
    const res = await t.app.inject({
      method: c.method ?? 'GET',
      url: c.url,
      headers: c.headers ?? {},
      ...(c.payload !== undefined ? { payload: c.payload } : {}),
      remoteAddress: `10.9.${cases.indexOf(c)}.1`,
    });
    expect(res.statusCode, c.what).toBe(c.status);
    expectHardened(res, c.what);
  }
  // And the rate-limit refusal (LIMIT per minute here).
  let last = 0;
  for (let i = 0; i <= LIMIT; i++) {
    const res = await t.app.inject({ url: '/api/customers', remoteAddress: '10.9.99.1' });
    last = res.statusCode;
    if (i === LIMIT) expectHardened(res, 'rate limited 429');
  }
  expect(last).toBe(429);
  console.log(`[headers] ${cases.length + 1} API answers (200 to 429): all hardened`);
});

it('hardens static answers: the API reference files and the console', async () => {
  const answers: string[] = [];
  const get = async (url: string, accept = '*/*') => {
    const res = await t.app.inject({ url, headers: { accept } });
    answers.push(`${url} ${res.statusCode}`);
    return res;
  };
  const docs = await get('/docs/', 'text/html');
  expect(docs.statusCode).toBe(200);
  expectHardened(docs, 'docs page');
  const css = await get('/docs/static/swagger-ui.css');
  expect(css.statusCode).toBe(200);
  expect(css.headers['content-type']).toMatch(/text\/css/);
  expectHardened(css, 'docs css');

  // The console: its page (built or not), a client-side route, and its script when built.
  const page = await get('/', 'text/html');
  expect(page.headers['content-type']).toMatch(/text\/html/);
  expectHardened(page, 'console page');
  const route = await get('/customers', 'text/html');
  expectHardened(route, 'console route');
  const script = /src="(\/assets\/[^"]+\.js)"/.exec(page.body)?.[1];
  if (page.statusCode === 200) {
    expect(script, 'a built console names its script').toBeDefined();
    const js = await get(script!);
    expect(js.statusCode).toBe(200);
    expectHardened(js, 'console script');
  }
  const missing = await get('/assets/missing-0000.js');
  expect(missing.statusCode).toBe(404);
  expectHardened(missing, 'missing console file');
  console.log(`[headers] static answers hardened: ${answers.join(', ')}`);
});
