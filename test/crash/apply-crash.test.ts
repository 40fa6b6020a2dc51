import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { addDays } from 'date-fns';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readReferenceFile, seedDemoCatalog } from '../../src/modules/catalog/catalog.service.ts';
import { createUser } from '../../src/modules/users/users.service.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { createLogger } from '../../src/platform/log.ts';
import { inSystemTransaction } from '../../src/platform/runtime.ts';
import { openTestDatabase, type TestDatabase } from '../fixtures/databases.ts';

/**
 * Crash safety of apply: a real server process on PostgreSQL is SIGKILLed while it executes a
 * plan, restarted, and left to finish. The end state must equal an uninterrupted run: the same
 * subscriptions (no duplicates), every user with the target licenses and none left on the source.
 */
const ROOT = new URL('../../', import.meta.url).pathname;
const PASSWORD = 'correct-horse-battery';
let db: TestDatabase;
let url: string;
let child: ChildProcess | undefined;
let port = 0;
let second: ChildProcess | undefined;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

function spawnServer(onPort: number) {
  return spawn(process.execPath, ['bin/traslado.js', 'start', '--no-demo', '--port', String(onPort)], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: url,
      TRASLADO_CLOCK: 'unlocked',
      LOG_LEVEL: 'warn',
      TRASLADO_ARGON2_MEMORY_KIB: '1024',
      TRASLADO_ARGON2_TIME_COST: '1',
    },
    stdio: 'ignore',
  });
}

async function waitUp(onPort: number) {
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${onPort}/healthz`)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('server did not start');
}

async function startServer() {
  child = spawnServer(port);
  await waitUp(port);
}

function kill() {
  child?.kill('SIGKILL');
  return new Promise((r) => child?.once('exit', r));
}

// JSON answers of the API under test, read field by field in the assertions.
// biome-ignore lint/suspicious/noExplicitAny: see above
type Json = any;

async function api(
  method: string,
  path: string,
  token?: string,
  body?: unknown,
  onPort = port,
): Promise<Json> {
  const res = await fetch(`http://127.0.0.1:${onPort}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const json = res.status === 204 ? null : await res.json();
  if (res.status >= 400) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(json)}`);
  return json;
}

beforeAll(async () => {
  db = await openTestDatabase('postgres');
  url = (db.handle.pool as unknown as { options: { connectionString: string } }).options.connectionString;
  const config = loadConfig({}, { argon2: { memoryCost: 1024, timeCost: 1, parallelism: 1 } });
  const rows = await readReferenceFile(`${ROOT}data/licensing-service-plans.csv`);
  await inSystemTransaction(db.handle, config, createLogger('silent'), async (ctx) => {
    await seedDemoCatalog(ctx, rows);
    await createUser(ctx, {
      email: 'operator@crash.test',
      password: PASSWORD,
      kind: 'operator',
      roles: ['operator'],
    });
  });
  port = await freePort();
  await startServer();
}, 120_000);

afterAll(async () => {
  second?.kill('SIGKILL');
  await kill();
  await db?.drop();
});

/** A customer with an end-of-sale Office 365 E1 (successor + add-on), `users` licensed users, and DAP. */
async function customer(tag: string, users: number) {
  const op = (
    await api('POST', '/api/auth/login', undefined, { email: 'operator@crash.test', password: PASSWORD })
  ).token;
  const partner = await api('POST', '/api/admin/partners', op, {
    name: `P ${tag}`,
    country: 'ES',
    admin: { email: `admin@p-${tag}.test`, password: PASSWORD },
  });
  const pt = (
    await api('POST', '/api/auth/login', undefined, { email: `admin@p-${tag}.test`, password: PASSWORD })
  ).token;
  const tenant = await api('POST', '/api/customers', pt, {
    companyName: `C ${tag}`,
    defaultDomain: `c-${tag}.test`,
    country: 'ES',
  });
  const now = new Date((await api('GET', '/api/clock', op)).now);
  const e1 = await api('GET', '/api/offers/demo-o365-e1', op);
  const source = await api('POST', `/api/admin/tenants/${tenant.id}/subscriptions`, op, {
    offerId: 'demo-o365-e1',
    quantity: users + 5,
    channel: 'direct',
    purchasedVia: 'admin-center',
    billingCycle: 'annual',
    termStart: addDays(now, -300).toISOString(),
    termEnd: addDays(now, 65).toISOString(),
    autoRenew: true,
  });
  for (let i = 0; i < users; i++) {
    await api('POST', `/api/admin/tenants/${tenant.id}/users`, op, {
      userPrincipalName: `u${i}@c-${tag}.test`,
      displayName: `U${i}`,
      licenses: [{ skuId: e1.skuId }],
    });
  }
  await api('POST', `/api/admin/tenants/${tenant.id}/delegated-admin`, op, { partnerId: partner.id });
  return { tenantId: tenant.id, token: pt, sourceId: source.id };
}

async function endState(c: { tenantId: string; token: string }) {
  const subs = (await api('GET', `/api/customers/${c.tenantId}/subscriptions?limit=200`, c.token)).items;
  const users = (await api('GET', `/api/customers/${c.tenantId}/users?limit=200`, c.token)).items;
  return {
    partnerSubscriptions: subs
      .filter((s: { channel: string }) => s.channel === 'partner')
      .map((s: { offerId: string; quantity: number }) => `${s.offerId}×${s.quantity}`)
      .sort(),
    licenses: users.map((u: { licenses: { skuId: string }[]; hasAccess: boolean }) => ({
      skus: u.licenses
        .map((l) => l.skuId)
        .sort()
        .join(','),
      hasAccess: u.hasAccess,
    })),
  };
}

async function settle(transitionId: string, token: string) {
  for (let i = 0; i < 300; i++) {
    const tr = await api('GET', `/api/transitions/${transitionId}`, token);
    if (['waiting', 'applied', 'failed'].includes(tr.status)) return tr;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('transition did not settle');
}

it('resumes after SIGKILL mid-apply and ends exactly as an uninterrupted run', async () => {
  const USERS = 30;
  // The reference: the same case applied without interruption.
  const calm = await customer('calm', USERS);
  const calmPlan = await api('POST', `/api/customers/${calm.tenantId}/transitions`, calm.token, {});
  await api('POST', `/api/transitions/${calmPlan.id}/apply`, calm.token);
  expect((await settle(calmPlan.id, calm.token)).status).toBe('waiting');
  const expected = await endState(calm);
  expect(expected.partnerSubscriptions).toHaveLength(2);

  const rough = await customer('rough', USERS);
  const plan = await api('POST', `/api/customers/${rough.tenantId}/transitions`, rough.token, {});
  await api('POST', `/api/transitions/${plan.id}/apply`, rough.token);
  const kills = Number(process.env.CRASH_KILLS ?? 3);
  for (let k = 0; k < kills; k++) {
    await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 400)));
    await kill();
    await startServer();
  }
  const tr = await settle(plan.id, rough.token);
  expect(tr.status).toBe('waiting');
  expect(tr.steps.filter((s: { status: string }) => s.status === 'failed')).toEqual([]);
  const got = await endState(rough);
  expect(got).toEqual(expected);
  expect(got.licenses.every((l: { hasAccess: boolean }) => l.hasAccess)).toBe(true);
  const orders = (await api('GET', `/api/customers/${rough.tenantId}/orders`, rough.token)).items;
  expect(orders).toHaveLength(1);
}, 300_000);

it('two server processes on one PostgreSQL apply the same plan at once: executed exactly once', async () => {
  const otherPort = await freePort();
  second = spawnServer(otherPort);
  await waitUp(otherPort);
  const c = await customer('twin', 12);
  const plan = await api('POST', `/api/customers/${c.tenantId}/transitions`, c.token, {});
  const answers = await Promise.all([
    api('POST', `/api/transitions/${plan.id}/apply`, c.token, undefined, port),
    api('POST', `/api/transitions/${plan.id}/apply`, c.token, undefined, otherPort),
    api('POST', `/api/transitions/${plan.id}/apply`, c.token, undefined, otherPort),
  ]);
  expect(answers.map((a) => a.id)).toEqual([plan.id, plan.id, plan.id]);
  const tr = await settle(plan.id, c.token);
  expect(tr.status).toBe('waiting');
  const state = await endState(c);
  expect(state.partnerSubscriptions).toEqual(['demo-o365-e1-eea-no-teams×17', 'demo-teams-eea×17']);
  expect((await api('GET', `/api/customers/${c.tenantId}/orders`, c.token)).items).toHaveLength(1);
  expect(state.licenses.every((l: { hasAccess: boolean }) => l.hasAccess)).toBe(true);
  second.kill('SIGKILL');
}, 300_000);
