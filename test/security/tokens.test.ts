import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { INVITATION_PURPOSE } from '../../src/modules/relationships/relationships.service.ts';
import { newToken } from '../../src/platform/auth/sessions.ts';
import { issueSignedToken, verifySignedToken } from '../../src/platform/auth/signing.ts';
import { createLogger } from '../../src/platform/log.ts';
import { PASSWORD, startTestApp, type TestApp } from '../fixtures/app.ts';

/**
 * Session, API and invitation tokens: expiry on the wall clock, revocation and logout that take
 * effect on the very next request (in every process: nothing is cached), and enough entropy.
 */
// The projects in vitest.config.ts do not inherit the root's timeouts; a loaded machine needs them.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 120_000 });
let t: TestApp;
let other: Awaited<ReturnType<typeof buildApp>>;
beforeAll(async () => {
  t = await startTestApp();
  // A second server on the same database, as behind a load balancer.
  other = await buildApp({ handle: t.handle, config: t.config, log: createLogger('silent') });
}, 120_000);
afterAll(async () => {
  await other?.app.close();
  await t?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function meOn(app: TestApp['app'], token: string) {
  return (await app.inject({ url: '/api/auth/me', headers: { authorization: `Bearer ${token}` } }))
    .statusCode;
}

describe('expiry', () => {
  it('gives sessions and API tokens the configured lifetimes', async () => {
    const { tokens, tag } = await t.newPartner();
    const t0 = Date.now();
    const login = await t.call({
      method: 'POST',
      url: '/api/auth/login',
      body: { email: `sales-agent.${tag}@partner.test`, password: PASSWORD },
    });
    const sessionMs = new Date(login.body.expiresAt).getTime() - t0;
    expect(Math.abs(sessionMs - t.config.sessionTtlHours * 3_600_000)).toBeLessThan(60_000);
    const api = await t.expectOk(
      {
        method: 'POST',
        url: '/api/auth/tokens',
        token: tokens['account-admin'],
        body: { name: 'default ttl' },
      },
      201,
    );
    const apiMs = new Date(api.expiresAt).getTime() - t0;
    expect(Math.abs(apiMs - t.config.apiTokenTtlDays * 86_400_000)).toBeLessThan(60_000);
  });

  it('refuses a session and an API token once their expiry passes on the wall clock', async () => {
    const { tokens, tag } = await t.newPartner();
    const session = await t.login(`admin-agent.${tag}@partner.test`);
    const api = await t.expectOk(
      {
        method: 'POST',
        url: '/api/auth/tokens',
        token: tokens['account-admin'],
        body: { name: 'short', expiresInDays: 1 },
      },
      201,
    );
    // Bring both expiries to 4 s from now (room for a slow machine), then live through them.
    const soon = new Date(Date.now() + 4000);
    const me = await t.call({ url: '/api/auth/me', token: session });
    await t.handle.db
      .updateTable('sessions')
      .set({ expires_at: soon })
      .where('user_id', '=', me.body.id)
      .execute();
    await t.handle.db.updateTable('sessions').set({ expires_at: soon }).where('id', '=', api.id).execute();
    expect(await meOn(t.app, session)).toBe(200);
    expect(await meOn(t.app, api.token)).toBe(200);
    await sleep(Math.max(0, soon.getTime() - Date.now()) + 100);
    for (const token of [session, api.token]) {
      const r = await t.call({ url: '/api/auth/me', token });
      expect(r.status).toBe(401);
      expect(r.body.code).toBe('unauthenticated');
      expect(await meOn(other.app, token)).toBe(401);
    }
  });

  it('does not let the movable platform clock expire or revive a token', async () => {
    const { tokens, tag } = await t.newPartner();
    const api = await t.expectOk(
      {
        method: 'POST',
        url: '/api/auth/tokens',
        token: tokens['account-admin'],
        body: { name: 'clock', expiresInDays: 1 },
      },
      201,
    );
    const session = await t.login(`billing-agent.${tag}@partner.test`);
    // A demo moves the clock 400 days ahead: tokens keep their wall-clock lifetime.
    await t.expectOk({
      method: 'POST',
      url: '/api/admin/clock',
      token: t.operatorToken,
      body: { advanceDays: 400 },
    });
    expect(await meOn(t.app, api.token)).toBe(200);
    expect(await meOn(t.app, session)).toBe(200);
  });
});

describe('revocation', () => {
  it('refuses a revoked API token on the very next request, in every server', async () => {
    const { tokens } = await t.newPartner();
    const api = await t.expectOk(
      { method: 'POST', url: '/api/auth/tokens', token: tokens['admin-agent'], body: { name: 'to revoke' } },
      201,
    );
    expect(await meOn(t.app, api.token)).toBe(200);
    expect(await meOn(other.app, api.token)).toBe(200);
    await t.expectOk(
      { method: 'DELETE', url: `/api/auth/tokens/${api.id}`, token: tokens['admin-agent'] },
      204,
    );
    expect(await meOn(other.app, api.token)).toBe(401);
    expect(await meOn(t.app, api.token)).toBe(401);
    // Revoked tokens leave the owner's list, and revoking again finds nothing.
    const list = await t.call({ url: '/api/auth/tokens', token: tokens['admin-agent'] });
    expect(list.body.items.map((i: { id: string }) => i.id)).not.toContain(api.id);
    const again = await t.call({
      method: 'DELETE',
      url: `/api/auth/tokens/${api.id}`,
      token: tokens['admin-agent'],
    });
    expect(again.body.code).toBe('api_token_not_found');
  });

  it("cannot revoke another user's API token (404), which keeps working", async () => {
    const { tokens } = await t.newPartner();
    const api = await t.expectOk(
      { method: 'POST', url: '/api/auth/tokens', token: tokens['sales-agent'], body: { name: 'mine' } },
      201,
    );
    const r = await t.call({
      method: 'DELETE',
      url: `/api/auth/tokens/${api.id}`,
      token: tokens['account-admin'],
    });
    expect(r.status).toBe(404);
    expect(r.body.code).toBe('api_token_not_found');
    expect(await meOn(t.app, api.token)).toBe(200);
  });

  it("logout ends that session at once everywhere, and only that one (the user's others stay)", async () => {
    const { tag } = await t.newPartner();
    const email = `sales-agent.${tag}@partner.test`;
    const first = await t.login(email);
    const second = await t.login(email);
    expect(await meOn(other.app, first)).toBe(200);
    await t.expectOk({ method: 'POST', url: '/api/auth/logout', token: first }, 204);
    expect(await meOn(other.app, first)).toBe(401);
    expect(await meOn(t.app, first)).toBe(401);
    expect(await meOn(t.app, second)).toBe(200);
    // A logged-out token cannot log out again nor do anything else.
    const again = await t.call({ method: 'POST', url: '/api/auth/logout', token: first });
    expect(again.status).toBe(401);
  });
});

describe('entropy', () => {
  it('makes session and API tokens of 256 random bits, never twice the same', async () => {
    const { tag } = await t.newPartner();
    const viaApi = new Set<string>();
    for (let i = 0; i < 30; i++) viaApi.add(await t.login(`billing-agent.${tag}@partner.test`));
    expect(viaApi.size).toBe(30);
    for (const token of viaApi) expect(token).toMatch(/^tses_[A-Za-z0-9_-]{43}$/);
    const N = 50_000;
    const made = new Set<string>();
    for (let i = 0; i < N; i++) made.add(newToken(i % 2 ? 'tses' : 'tapi').slice(5));
    expect(made.size).toBe(N);
    // 43 base64url characters carry 256 bits: every token decodes to 32 bytes.
    for (const token of [...made].slice(0, 1000)) expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    console.log(`[tokens] ${viaApi.size} sign-ins and ${N} generated tokens: 256 bits each, all distinct`);
  }, 120_000);

  it('makes invitation tokens of 144 random bits plus a 256-bit signature, unique and evenly spread', async () => {
    const { tokens } = await t.newPartner();
    const viaApi: string[] = [];
    for (let i = 0; i < 25; i++) {
      const r = await t.expectOk(
        { method: 'POST', url: '/api/relationship-requests', token: tokens['account-admin'], body: {} },
        201,
      );
      expect(r.url).toContain(r.token);
      viaApi.push(r.token);
    }
    expect(new Set(viaApi).size).toBe(viaApi.length);
    const TOKEN = /^([A-Za-z0-9_-]{24})\.([A-Za-z0-9_-]{43})$/;
    for (const token of viaApi) expect(token).toMatch(TOKEN);
    // Only a hash is stored: the table holds no token.
    const stored = JSON.stringify(
      await t.handle.db.selectFrom('relationship_requests').selectAll().execute(),
    );
    for (const token of viaApi) expect(stored).not.toContain(token);

    // Many more from the same generator: distinct, and each nonce bit is 1 about half the time.
    const N = 20_000;
    const secret = 'entropy-test-secret';
    const seen = new Set<string>();
    const ones = new Array<number>(144).fill(0);
    for (let i = 0; i < N; i++) {
      const { token } = issueSignedToken(secret, INVITATION_PURPOSE);
      const m = TOKEN.exec(token);
      expect(m).not.toBeNull();
      seen.add(token);
      const nonce = Buffer.from(m![1]!, 'base64url');
      expect(nonce).toHaveLength(18); // 144 bits ≥ 128
      for (let b = 0; b < 144; b++) ones[b]! += (nonce[b >> 3]! >> (7 - (b & 7))) & 1;
    }
    expect(seen.size).toBe(N);
    // Binomial(N, 1/2): mean N/2, sd √N/2 ≈ 71. Six sd either way fails a stuck or biased bit.
    const sd = Math.sqrt(N) / 2;
    const worst = Math.max(...ones.map((c) => Math.abs(c - N / 2) / sd));
    expect(worst).toBeLessThan(6);
    console.log(
      `[tokens] invitation: ${viaApi.length} via the API, ${N} generated; 144-bit nonce, all distinct, worst bit ${worst.toFixed(2)} sd from even`,
    );
  }, 120_000);

  it('refuses an altered or forged invitation token before any lookup', async () => {
    const { tokens } = await t.newPartner();
    const { token } = await t.expectOk(
      { method: 'POST', url: '/api/relationship-requests', token: tokens['account-admin'], body: {} },
      201,
    );
    expect((await t.call({ url: `/api/invitations/${token}` })).status).toBe(200);
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
    for (const i of [0, 10, 23, 25, 40, 66]) {
      const r = await t.call({ url: `/api/invitations/${flip(token, i)}` });
      expect(r.status, `char ${i}`).toBe(404);
      expect(r.body.code).toBe('invitation_invalid');
    }
    const forged = issueSignedToken('not-this-install', INVITATION_PURPOSE).token;
    expect(verifySignedToken('not-this-install', INVITATION_PURPOSE, forged)).toBe(true);
    expect((await t.call({ url: `/api/invitations/${forged}` })).body.code).toBe('invitation_invalid');
  });
});
