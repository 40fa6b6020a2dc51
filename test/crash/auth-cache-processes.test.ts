import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TestDatabase } from '../fixtures/databases.ts';
import {
  apiOn,
  freePort,
  login,
  newPartner,
  OPERATOR_EMAIL,
  processDatabase,
  ServerProcess,
} from '../fixtures/server-process.ts';

/**
 * The auth cache across two server processes on one PostgreSQL (issue 20): process B serves reads
 * by a known token from its cache; a session and API tokens revoked through process A are refused
 * by B on the very next request (A's change is announced by the database, migration 0027, and
 * reaches B on the connection its next statement runs on, before that statement's answer).
 */
let db: TestDatabase;
const servers: ServerProcess[] = [];

beforeAll(async () => {
  const made = await processDatabase();
  db = made.db;
  servers.push(new ServerProcess(made.url, await freePort()), new ServerProcess(made.url, await freePort()));
  await Promise.all(servers.map((s) => s.start()));
}, 120_000);

afterAll(async () => {
  for (const s of servers) await s.kill();
  await db?.drop();
}, 60_000);

it('a session and API tokens revoked through one process are refused by the other on the very next request', async () => {
  const [a, b] = servers.map((s) => apiOn(s.port)) as [ReturnType<typeof apiOn>, ReturnType<typeof apiOn>];
  const operator = await login(a.api, OPERATOR_EMAIL);
  const partner = await newPartner(a.api, operator, 'authcache');
  const read = '/api/customers';

  // API tokens, one at a time: each read twice on B (the second from its cache), revoked on A,
  // then refused by B at once. Several rounds, as a late notice would fail only now and then.
  for (let i = 0; i < 8; i++) {
    const created = await a.api('POST', '/api/auth/tokens', partner.token, { name: `script ${i}` });
    expect((await b.raw('GET', read, created.token)).status).toBe(200);
    expect((await b.raw('GET', read, created.token)).status).toBe(200);
    expect((await a.raw('DELETE', `/api/auth/tokens/${created.id}`, partner.token)).status).toBe(204);
    const refused = await b.raw('GET', read, created.token);
    expect(refused.status, `round ${i}`).toBe(401);
    expect(refused.body.code).toBe('unauthenticated');
  }

  // A session signed in on A, read on B, signed out on A.
  const session = await login(a.api, 'admin@p-authcache.test');
  expect((await b.raw('GET', read, session)).status).toBe(200);
  expect((await b.raw('GET', read, session)).status).toBe(200);
  expect((await a.raw('POST', '/api/auth/logout', session)).status).toBe(204);
  const refused = await b.raw('GET', read, session);
  expect(refused.status).toBe(401);
  expect(refused.body.code).toBe('unauthenticated');

  // The partner's other session, untouched, still reads on B.
  expect((await b.raw('GET', read, partner.token)).status).toBe(200);
});
