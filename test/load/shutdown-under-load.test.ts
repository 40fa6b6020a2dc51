import { randomUUID } from 'node:crypto';
import http from 'node:http';
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
  sleep,
} from '../fixtures/server-process.ts';

/**
 * SIGTERM during load: a real server process (`traslado start`) on PostgreSQL, 64 keep-alive
 * connections on loopback sending a mix of reads and orders, and the signal in the middle of it.
 * Every request the server had on a connection completes with a proper answer: no socket is reset
 * (ECONNRESET, "socket hang up"). Once the server stops listening, new connections are refused
 * (ECONNREFUSED): counted apart, as that is what a stopped server does. The process exits 0.
 */
const CONNECTIONS = 64;
const WARM_UP_MS = 3000;
/**
 * The signal waits until every connection has had an answer (the server has accepted it), up to
 * this long. A connection still in the kernel's accept queue when the server stops listening is
 * reset by the kernel, not by the server: on a loaded machine (a run of the crash, load and browser
 * projects at once) 37 of 64 connections had not been accepted 3 s in.
 */
const ALL_CONNECTED_MS = 60_000;
/** Each connection's loop ends at its first refusal, or after this many requests whatever happens. */
const MAX_PER_LOOP = 400;

let db: TestDatabase;
let server: ServerProcess;

beforeAll(async () => {
  const made = await processDatabase();
  db = made.db;
  server = new ServerProcess(made.url, await freePort());
  await server.start();
}, 180_000);

afterAll(async () => {
  await server?.kill();
  await db?.drop();
}, 60_000);

type Outcome =
  | { kind: 'answered'; status: number; writtenAt: number; doneAt: number }
  | { kind: 'refused' }
  | { kind: 'reset'; code: string; writtenAt: number | null; gotBytes: boolean };

it(`SIGTERM during a ${CONNECTIONS}-connection load: no accepted request is reset`, async () => {
  const { api } = apiOn(server.port);
  const operator = await login(api, OPERATOR_EMAIL);
  const partner = await newPartner(api, operator, 'shutdown');
  const customer = await api('POST', '/api/customers', partner.token, {
    companyName: 'Shutdown Ltd',
    defaultDomain: 'shutdown-load.test',
    country: 'ES',
    users: [{ userPrincipalName: 'u0@shutdown-load.test', displayName: 'U0' }],
  });
  await api('POST', `/api/admin/tenants/${customer.id}/delegated-admin`, operator, { partnerId: partner.id });

  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const auth = { authorization: `Bearer ${partner.token}` };
  const reads = [
    '/api/customers?limit=50',
    `/api/customers/${customer.id}`,
    `/api/customers/${customer.id}/subscriptions`,
    '/api/offers?market=ES&limit=50',
  ];

  function send(i: number): Promise<Outcome> {
    const isWrite = i % 4 === 3;
    const body = isWrite
      ? JSON.stringify({ lineItems: [{ offerId: 'demo-exchange-online-plan-1', quantity: 1 }] })
      : undefined;
    return new Promise((resolve) => {
      let writtenAt: number | null = null;
      let gotBytes = false;
      const req = http.request(
        {
          host: '127.0.0.1',
          port: server.port,
          agent,
          method: isWrite ? 'POST' : 'GET',
          path: isWrite ? `/api/customers/${customer.id}/orders` : reads[i % reads.length],
          headers: isWrite
            ? { ...auth, 'content-type': 'application/json', 'idempotency-key': randomUUID() }
            : auth,
        },
        (res) => {
          gotBytes = true;
          res.resume();
          res.on('end', () =>
            resolve({
              kind: 'answered',
              status: res.statusCode ?? 0,
              writtenAt: writtenAt ?? 0,
              doneAt: Date.now(),
            }),
          );
          res.on('error', (err) =>
            resolve({
              kind: 'reset',
              code: (err as NodeJS.ErrnoException).code ?? err.message,
              writtenAt,
              gotBytes,
            }),
          );
        },
      );
      req.on('finish', () => {
        writtenAt = Date.now();
      });
      req.on('error', (err) => {
        const code = (err as NodeJS.ErrnoException).code ?? err.message;
        resolve(code === 'ECONNREFUSED' ? { kind: 'refused' } : { kind: 'reset', code, writtenAt, gotBytes });
      });
      req.end(body);
    });
  }

  const outcomes: Outcome[] = [];
  const served = new Set<number>();
  let signalledAt = Number.POSITIVE_INFINITY;
  const loops = Array.from({ length: CONNECTIONS }, async (_, c) => {
    for (let n = 0; n < MAX_PER_LOOP; n++) {
      const o = await send(c + n * CONNECTIONS);
      outcomes.push(o);
      if (o.kind === 'answered') served.add(c);
      if (o.kind === 'refused') return;
    }
  });
  await sleep(WARM_UP_MS);
  for (const until = Date.now() + ALL_CONNECTED_MS; served.size < CONNECTIONS && Date.now() < until; )
    await sleep(50);
  expect(served.size, 'every connection answered before the signal').toBe(CONNECTIONS);
  const before = outcomes.length;
  signalledAt = Date.now();
  server.child!.kill('SIGTERM');
  const exit = await Promise.race([
    server.exited.then(() => ({ code: server.child!.exitCode, signal: server.child!.signalCode })),
    sleep(30_000).then(() => 'still running' as const),
  ]);
  const stoppedMs = Date.now() - signalledAt;
  await Promise.all(loops);
  agent.destroy();

  const answered = outcomes.filter((o) => o.kind === 'answered');
  const refused = outcomes.filter((o) => o.kind === 'refused');
  const resets = outcomes.filter((o) => o.kind === 'reset');
  const acceptedResets = resets.filter(
    (r) => r.gotBytes || (r.writtenAt !== null && r.writtenAt < signalledAt),
  );
  const drained = answered.filter((o) => o.writtenAt < signalledAt && o.doneAt >= signalledAt);
  const afterSignal = answered.filter((o) => o.writtenAt >= signalledAt);
  const statuses = new Map<number, number>();
  for (const o of answered) statuses.set(o.status, (statuses.get(o.status) ?? 0) + 1);
  console.log(
    `[shutdown] ${CONNECTIONS} connections; ${before} answers before SIGTERM; ${answered.length} answered in all ` +
      `(${drained.length} in flight at SIGTERM and finished, ${afterSignal.length} sent on open connections after it); ` +
      `${refused.length} new connections refused; ${resets.length} resets (${acceptedResets.length} of accepted requests: ` +
      `${resets.map((r) => r.code).join(', ') || 'none'}); statuses ${[...statuses].map(([s, n]) => `${n}×${s}`).join(' ')}; ` +
      `exited ${JSON.stringify(exit)} after ${stoppedMs} ms`,
  );

  expect(exit).toEqual({ code: 0, signal: null });
  // The signal landed while the load ran: requests were in flight and were finished.
  expect(before).toBeGreaterThan(0);
  expect(drained.length).toBeGreaterThan(0);
  expect(acceptedResets).toEqual([]);
  // A request on a connection the server kept open is answered too, never cut off.
  expect(resets).toEqual([]);
  expect(answered.length).toBeGreaterThan(0);
  expect(answered.every((o) => o.status >= 200 && o.status < 300)).toBe(true);
}, 300_000);
