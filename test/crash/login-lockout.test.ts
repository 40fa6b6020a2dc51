import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TestDatabase } from '../fixtures/databases.ts';
import {
  type ApiResult,
  apiOn,
  freePort,
  login,
  newPartner,
  OPERATOR_EMAIL,
  PASSWORD,
  processDatabase,
  ServerProcess,
} from '../fixtures/server-process.ts';

/**
 * The sign-in lockout across two server processes on one PostgreSQL (issue 13, item 3): 50 wrong
 * guesses for one e-mail, split over both processes and sent at once, check exactly
 * TRASLADO_LOGIN_MAX_FAILURES passwords (each a 401 `invalid_credentials`; every other answer a
 * 429 given before any hashing), the stored count is exactly the limit, and the right password
 * is refused next. The per-IP sign-in rate limit is off explicitly, so only the lockout answers.
 */
const MAX = 5;
let db: TestDatabase;
const servers: ServerProcess[] = [];

beforeAll(async () => {
  const made = await processDatabase();
  db = made.db;
  // The OWASP argon2 cost (not the tests' cheap one): each check takes long enough for the
  // guesses of both processes to overlap, as they would in an attack.
  const env = {
    TRASLADO_LOGIN_MAX_FAILURES: String(MAX),
    TRASLADO_LOGIN_WINDOW_MINUTES: '15',
    TRASLADO_LOGIN_RATE_LIMIT: '0',
    TRASLADO_RATE_LIMIT: '0',
    TRASLADO_ARGON2_MEMORY_KIB: '19456',
    TRASLADO_ARGON2_TIME_COST: '2',
  };
  servers.push(
    new ServerProcess(made.url, await freePort(), env),
    new ServerProcess(made.url, await freePort(), env),
  );
  await Promise.all(servers.map((s) => s.start()));
}, 120_000);

afterAll(async () => {
  for (const s of servers) await s.kill();
  await db?.drop();
}, 60_000);

it('50 parallel wrong guesses from two processes check at most the limit; then the right password is refused', async () => {
  const [a, b] = servers.map((s) => apiOn(s.port)) as [ReturnType<typeof apiOn>, ReturnType<typeof apiOn>];
  const operator = await login(a.api, OPERATOR_EMAIL);
  await newPartner(a.api, operator, 'lockout');
  const email = 'admin@p-lockout.test';
  const guess = (api: ReturnType<typeof apiOn>, i: number) =>
    api.raw('POST', '/api/auth/login', undefined, { email, password: `wrong-guess-${i}` });
  const answers: ApiResult[] = await Promise.all(
    Array.from({ length: 50 }, (_, i) => guess(i % 2 === 0 ? a : b, i)),
  );
  const statuses = answers.map((r) => r.status);
  expect(statuses.filter((s) => s !== 401 && s !== 429)).toEqual([]);
  const checked = answers.filter((r) => r.status === 401);
  expect(checked.map((r) => r.body.code)).toEqual(Array(MAX).fill('invalid_credentials'));
  const refused = answers.filter((r) => r.status === 429);
  expect(refused).toHaveLength(50 - MAX);
  expect(refused.every((r) => r.body.code === 'too_many_login_attempts')).toBe(true);
  const row = await db.handle.db
    .selectFrom('login_failures')
    .select(['failures', 'locked_until'])
    .where('key', '=', email)
    .executeTakeFirstOrThrow();
  expect(row.failures).toBe(MAX);
  expect(row.locked_until!.getTime()).toBeGreaterThan(Date.now() + 14 * 60_000);

  for (const api of [a, b]) {
    const right = await api.raw('POST', '/api/auth/login', undefined, { email, password: PASSWORD });
    expect(right.status).toBe(429);
    expect(right.body.code).toBe('too_many_login_attempts');
  }
  // Refusals neither count nor reset: the stored count is still the limit.
  const after = await db.handle.db
    .selectFrom('login_failures')
    .select('failures')
    .where('key', '=', email)
    .executeTakeFirstOrThrow();
  expect(after.failures).toBe(MAX);
});
