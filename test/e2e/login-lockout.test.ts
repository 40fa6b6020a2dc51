import { afterAll, beforeAll, expect, it } from 'vitest';
import { PASSWORD, startTestApp, type TestApp } from '../fixtures/app.ts';

/**
 * The sign-in lockout holds under parallel guesses (issue 13, item 3): 50 wrong passwords sent at
 * once for one e-mail check exactly TRASLADO_LOGIN_MAX_FAILURES of them (each such answer is 401
 * `invalid_credentials`, the rest 429 unchecked), the stored count is exactly the limit, and then
 * the right password is refused too until the window passes. The per-IP rate limit is off, so
 * that only the per-e-mail lockout answers. (Two server processes: test/crash/login-lockout.test.ts.)
 */
const MAX = 5;
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ loginMaxFailures: MAX, loginWindowMinutes: 15, loginRateLimit: 0 });
});
afterAll(async () => t?.close());

const login = (email: string, password: string) =>
  t.call({ method: 'POST', url: '/api/auth/login', body: { email, password } });

const failuresOf = async (email: string) =>
  (
    await t.handle.db
      .selectFrom('login_failures')
      .select(['failures', 'locked_until'])
      .where('key', '=', email)
      .executeTakeFirst()
  )?.failures;

it('checks at most the limit of 50 parallel wrong guesses, then refuses even the right password until the window passes', async () => {
  const { tag } = await t.newPartner();
  const email = `sales-agent.${tag}@partner.test`;
  const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => login(email, `wrong-guess-${i}`)));
  const checked = answers.filter((a) => a.status === 401);
  const refused = answers.filter((a) => a.status === 429);
  expect(checked.map((a) => a.body.code)).toEqual(Array(MAX).fill('invalid_credentials'));
  expect(refused).toHaveLength(50 - MAX);
  for (const r of refused) {
    expect(r.body.code).toBe('too_many_login_attempts');
    expect(Number(r.headers['retry-after'])).toBeGreaterThan(14 * 60);
  }
  expect(await failuresOf(email)).toBe(MAX);

  // The right password, now: refused unchecked, and the count is not reset by it.
  const right = await login(email, PASSWORD);
  expect(right.status).toBe(429);
  expect(right.body.code).toBe('too_many_login_attempts');
  expect(await failuresOf(email)).toBe(MAX);

  // When the window has passed (put in the past here), the right password signs in and clears it.
  await t.handle.db
    .updateTable('login_failures')
    .set({ locked_until: new Date(Date.now() - 1000), window_start: new Date(Date.now() - 16 * 60_000) })
    .where('key', '=', email)
    .execute();
  expect((await login(email, PASSWORD)).status).toBe(200);
  expect(await failuresOf(email)).toBeUndefined();
});

it('lets the right password in within the budget, and only a checked success starts the count again', async () => {
  const { tag } = await t.newPartner();
  const email = `billing-agent.${tag}@partner.test`;
  const wrong = await Promise.all(Array.from({ length: MAX - 1 }, (_, i) => login(email, `nope-${i}`)));
  expect(wrong.map((a) => a.status)).toEqual(Array(MAX - 1).fill(401));
  expect(await failuresOf(email)).toBe(MAX - 1);
  expect((await login(email, PASSWORD)).status).toBe(200);
  expect(await failuresOf(email)).toBeUndefined();
});

it('counts a wrong current password when changing it against the same budget', async () => {
  const { tag, tokens } = await t.newPartner();
  const email = `admin-agent.${tag}@partner.test`;
  const token = tokens['admin-agent'];
  const tries = await Promise.all(
    Array.from({ length: 12 }, (_, i) =>
      t.call({
        method: 'POST',
        url: '/api/auth/password',
        token,
        body: { currentPassword: `not-it-${i}`, newPassword: 'a-brand-new-passphrase' },
      }),
    ),
  );
  expect(tries.filter((r) => r.status === 403).map((r) => r.body.code)).toEqual(
    Array(MAX).fill('current_password_invalid'),
  );
  expect(tries.filter((r) => r.status === 429)).toHaveLength(12 - MAX);
  expect(await failuresOf(email)).toBe(MAX);
  const right = await t.call({
    method: 'POST',
    url: '/api/auth/password',
    token,
    body: { currentPassword: PASSWORD, newPassword: 'a-brand-new-passphrase' },
  });
  expect(right.status).toBe(429);
  expect((await login(email, 'a-brand-new-passphrase')).status).toBe(429);
});
