import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { createUser } from '../../src/modules/users/users.service.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { SESSION_COOKIE } from '../../src/platform/http/server.ts';
import { createLogger } from '../../src/platform/log.ts';
import { inSystemTransaction } from '../../src/platform/runtime.ts';
import { openTestDatabase, type TestDatabase } from '../fixtures/databases.ts';

/**
 * Secrets never reach the logs. The app runs with the production logger (src/platform/log.ts) at
 * level trace, writing into a buffer; sign-ins (right and wrong passwords), API tokens, cookie
 * sessions with CSRF tokens, invitations (links carry their token in the path), a failing SMTP
 * server with credentials, refusals and a 500 are driven through it. Then every log line is
 * scanned for every secret that went by, and for anything shaped like one.
 */
// The projects in vitest.config.ts do not inherit the root's timeouts; a loaded machine needs them.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 120_000 });
const lines: string[] = [];
const secrets = new Map<string, string>(); // value → what it is
let db: TestDatabase;
let app: Awaited<ReturnType<typeof buildApp>>['app'];

const secret = (what: string, value = `${what}-${randomBytes(12).toString('base64url')}`) => {
  secrets.set(value, what);
  return value;
};

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

interface Req {
  method?: 'GET' | 'POST' | 'DELETE';
  url: string;
  token?: string;
  cookie?: string;
  csrf?: string;
  body?: unknown;
  raw?: string;
  key?: string;
  accept?: string;
}

// JSON answers, read field by field below.
// biome-ignore lint/suspicious/noExplicitAny: see above
type Json = any;

let requests = 0;
async function call(r: Req) {
  requests++;
  const headers: Record<string, string> = {};
  if (r.token) headers.authorization = `Bearer ${r.token}`;
  if (r.cookie) headers.cookie = `${SESSION_COOKIE}=${r.cookie}`;
  if (r.csrf) headers['x-csrf-token'] = r.csrf;
  if (r.key) headers['idempotency-key'] = r.key;
  if (r.accept) headers.accept = r.accept;
  const payload = r.raw ?? (r.body !== undefined ? JSON.stringify(r.body) : undefined);
  if (payload !== undefined) headers['content-type'] = 'application/json';
  const res = await app.inject({
    method: r.method ?? 'GET',
    url: r.url,
    headers,
    ...(payload !== undefined ? { payload } : {}),
  });
  let body: Json = null;
  try {
    body = res.body ? JSON.parse(res.body) : null;
  } catch {
    body = res.body;
  }
  return { status: res.statusCode, body, headers: res.headers };
}

async function ok(r: Req, status = 200) {
  const res = await call(r);
  if (res.status !== status)
    throw new Error(`${r.method ?? 'GET'} ${r.url} → ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

beforeAll(async () => {
  db = await openTestDatabase();
  const config = loadConfig(
    {},
    {
      clockUnlocked: true,
      logLevel: 'trace',
      argon2: { memoryCost: 1024, timeCost: 1, parallelism: 1 },
      rateLimit: 0,
      loginRateLimit: 0,
      secret: secret('signing secret'),
      smtpUrl: `smtp://mailer:${secret('smtp password')}@127.0.0.1:${await closedPort()}`,
    },
  );
  const log = createLogger('trace', { write: (s: string) => void lines.push(s) });
  await inSystemTransaction(db.handle, config, log, (ctx) =>
    createUser(ctx, {
      email: 'operator@logs.test',
      password: secret('operator password'),
      kind: 'operator',
      roles: ['operator'],
    }),
  );
  ({ app } = await buildApp({ handle: db.handle, config, log }));
}, 120_000);

afterAll(async () => {
  await app?.close();
  await db?.drop();
});

const passwordOf = (what: string) => [...secrets].find(([, w]) => w === what)![0];

it('logs no password, token, cookie, CSRF token, invitation token or signing secret', async () => {
  // Sign-ins: a wrong password, a right one; the session as a bearer token and as a cookie.
  await call({
    method: 'POST',
    url: '/api/auth/login',
    body: { email: 'operator@logs.test', password: secret('wrong password') },
  });
  const op = await ok({
    method: 'POST',
    url: '/api/auth/login',
    body: { email: 'operator@logs.test', password: passwordOf('operator password') },
  });
  secret('operator session', op.token);
  secret('operator csrf token', op.csrfToken);

  // A partner and its admin (password in a nested body), a tenant with its admin.
  const partner = await ok(
    {
      method: 'POST',
      url: '/api/admin/partners',
      token: op.token,
      key: 'partner-1',
      body: {
        name: 'Logs Partner',
        country: 'ES',
        admin: { email: 'admin@logs-partner.test', password: secret('partner admin password') },
      },
    },
    201,
  );
  const pa = await ok({
    method: 'POST',
    url: '/api/auth/login',
    body: { email: 'admin@logs-partner.test', password: passwordOf('partner admin password') },
  });
  secret('partner session', pa.token);
  secret('partner csrf token', pa.csrfToken);
  // Through the cookie session with its CSRF token, as the console does.
  await ok(
    {
      method: 'POST',
      url: '/api/partner/users',
      cookie: pa.token,
      csrf: pa.csrfToken,
      body: { email: 'agent@logs-partner.test', password: secret('agent password'), roles: ['sales-agent'] },
    },
    201,
  );
  await ok(
    {
      method: 'POST',
      url: '/api/admin/tenants',
      token: op.token,
      body: {
        companyName: 'Logs Tenant',
        defaultDomain: 'logs-tenant.test',
        country: 'ES',
        admin: { email: 'admin@logs-tenant.test', password: secret('tenant admin password') },
      },
    },
    201,
  );
  const ta = await ok({
    method: 'POST',
    url: '/api/auth/login',
    body: { email: 'admin@logs-tenant.test', password: passwordOf('tenant admin password') },
  });
  secret('tenant session', ta.token);

  // API tokens: made, listed, used, revoked.
  const api = await ok(
    { method: 'POST', url: '/api/auth/tokens', token: pa.token, body: { name: 'script' } },
    201,
  );
  secret('API token', api.token);
  await ok({ url: '/api/customers', token: api.token });
  await ok({ url: '/api/auth/tokens', token: pa.token });

  // Invitations: e-mailed through an SMTP server that is down (its error is logged), opened by
  // link (token in the path, and once in a query string), answered.
  const inv = await ok(
    {
      method: 'POST',
      url: '/api/relationship-requests',
      token: api.token,
      body: { domain: 'logs-tenant.test', email: 'admin@logs-tenant.test' },
    },
    201,
  );
  secret('invitation token', inv.token);
  expect(inv.emailed).toBe(false);
  await ok({ url: `/api/invitations/${inv.token}` });
  await call({ url: `/invitations/${inv.token}`, accept: 'text/html' });
  await ok({ method: 'POST', url: `/api/invitations/${inv.token}/accept`, token: ta.token });
  const prospect = await ok(
    { method: 'POST', url: '/api/relationship-requests', token: pa.token, body: {} },
    201,
  );
  secret('prospect invitation token', prospect.token);
  await call({ url: `/api/invitations/${prospect.token}?token=${prospect.token}` });

  // Refusals: a made-up token, a forged cookie post, malformed JSON and an invalid body carrying a
  // password, a token in an unknown path.
  await call({
    url: '/api/customers',
    token: secret('made-up token', `tses_${randomBytes(32).toString('base64url')}`),
  });
  await call({ method: 'POST', url: '/api/auth/logout', cookie: pa.token });
  await call({
    method: 'POST',
    url: '/api/auth/login',
    raw: `{"email":"x@y.test","password":"${secret('malformed body password')}"`,
  });
  await call({
    method: 'POST',
    url: '/api/auth/login',
    body: { email: 'x@y.test', password: secret('invalid body password'), extra: true },
  });
  await call({ url: `/api/nope/${pa.token}` });

  // A 500 while an API token is being saved with its idempotent response: the failing statement
  // carries the new token as a parameter; the logged error must not.
  await sql`create function traslado_fail_update() returns trigger language plpgsql as $$
    begin raise exception 'simulated failure for the log test'; end $$`.execute(db.handle.db);
  await sql`create trigger traslado_fail_update before update on idempotency_keys
    for each row execute function traslado_fail_update()`.execute(db.handle.db);
  const failed = await call({
    method: 'POST',
    url: '/api/auth/tokens',
    token: pa.token,
    key: 'k-500',
    body: { name: 'x' },
  });
  expect(failed.status).toBe(500);
  await sql`drop trigger traslado_fail_update on idempotency_keys`.execute(db.handle.db);

  await ok({ method: 'POST', url: '/api/auth/logout', cookie: pa.token, csrf: pa.csrfToken }, 204);
  await ok({ method: 'POST', url: '/api/auth/logout', token: op.token }, 204);

  // The log is there and saw all of it...
  const text = lines.join('');
  const entries = lines.flatMap((l) => l.split('\n').filter(Boolean)).map((l) => JSON.parse(l));
  // (Fastify logs each request twice: when it comes in and when it is answered.)
  expect(entries.length).toBeGreaterThanOrEqual(2 * requests);
  const urls = entries.map((e) => e.req?.url).filter(Boolean);
  expect(urls).toContain('/api/invitations/[redacted]');
  expect(urls).toContain('/invitations/[redacted]');
  expect(entries.some((e) => e.level === 50 && e.msg === 'request failed' && e.err)).toBe(true);
  expect(entries.some((e) => e.msg === 'invitation e-mail not sent' && e.err)).toBe(true);
  expect(partner.id).toBeDefined();

  // ...and holds none of the secrets, in any encoding.
  for (const [value, what] of secrets) {
    for (const form of new Set([value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1)])) {
      expect(text.includes(form), `the log holds the ${what}`).toBe(false);
    }
  }
  // Nor anything shaped like a session/API token or a signed token (e.g. the one of the 500).
  expect(text.match(/t(?:ses|api)_[A-Za-z0-9_-]{20,}/g) ?? []).toEqual([]);
  expect(text.match(/[A-Za-z0-9_-]{24}\.[A-Za-z0-9_-]{43}/g) ?? []).toEqual([]);
  // Header-like fields, wherever they sit, are redacted.
  const sensitive = /^(authorization|cookie|set-cookie|x-csrf-token|password|token|csrftoken|secret)$/i;
  const leaks: string[] = [];
  const walk = (v: unknown, path: string) => {
    if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (sensitive.test(k) && x !== '[redacted]') leaks.push(`${path}.${k}`);
        walk(x, `${path}.${k}`);
      }
    }
  };
  for (const [i, e] of entries.entries()) walk(e, `line${i}`);
  expect(leaks).toEqual([]);
  console.log(
    `[logs] ${entries.length} log lines at level trace (${entries.filter((e) => e.level >= 40).length} warnings/errors) for ${requests} requests, scanned for ${secrets.size} secrets: none found`,
  );
}, 120_000);
