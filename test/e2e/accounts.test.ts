import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { hashToken } from '../../src/platform/auth/signing.ts';
import { PASSWORD, startTestApp, type TestApp, unique } from '../fixtures/app.ts';

/**
 * Accounts a partner can run (issue 13, item 5), one test per path: change, e-mailed reset,
 * reset by the account admin, disable, sign out everywhere, API-token rules, the last account
 * admin, and a customer admin who sets its own password through a one-time link.
 */
const received: { to: string[]; body: string }[] = [];
let sink: SMTPServer;
let t: TestApp;
const NEW_PASSWORD = 'a-much-longer-passphrase';

beforeAll(async () => {
  sink = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, done) {
      let body = '';
      stream.on('data', (c: Buffer) => {
        body += c.toString();
      });
      stream.on('end', () => {
        received.push({ to: session.envelope.rcptTo.map((r) => r.address), body });
        done();
      });
    },
  });
  sink.listen(0, '127.0.0.1');
  await once(sink.server, 'listening');
  const port = (sink.server.address() as AddressInfo).port;
  t = await startTestApp({ smtpUrl: `smtp://127.0.0.1:${port}`, publicUrl: 'https://console.example' });
});
afterAll(async () => {
  await t?.close();
  sink?.close();
});

const login = (email: string, password = PASSWORD) =>
  t.call({ method: 'POST', url: '/api/auth/login', body: { email, password } });
const me = (token: string) => t.call({ url: '/api/auth/me', token });
const setPassword = (token: string, newPassword = NEW_PASSWORD) =>
  t.call({ method: 'POST', url: '/api/auth/set-password', body: { token, newPassword } });
async function apiToken(sessionToken: string, name = 'script') {
  return (
    await t.expectOk(
      { method: 'POST', url: '/api/auth/tokens', token: sessionToken, body: { name, expiresInDays: 30 } },
      201,
    )
  ).token as string;
}

/** The mails to `to` so far, quoted-printable undone; waits for `count` of them (sent after commit). */
async function mailsTo(to: string, count: number): Promise<string[]> {
  for (let i = 0; i < 200; i++) {
    const mine = received.filter((m) => m.to.includes(to));
    if (mine.length >= count)
      return mine.map((m) =>
        m.body
          .replace(/=\r?\n/g, '')
          .replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16))),
      );
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no mail to ${to}`);
}

describe('accounts', () => {
  it('changes the password only with the current one, within the policy; other browser sessions end, this one and API tokens stay', async () => {
    const { tag, tokens } = await t.newPartner();
    const email = `sales-agent.${tag}@partner.test`;
    const here = tokens['sales-agent'];
    const elsewhere = (await login(email)).body.token as string;
    const script = await apiToken(here);
    const change = (currentPassword: string, newPassword: string) =>
      t.call({
        method: 'POST',
        url: '/api/auth/password',
        token: here,
        body: { currentPassword, newPassword },
      });

    const wrong = await change('not-the-password', NEW_PASSWORD);
    expect(wrong).toMatchObject({ status: 403, body: { code: 'current_password_invalid' } });
    for (const bad of ['short-one', 'x'.repeat(257)]) {
      expect(await change(PASSWORD, bad)).toMatchObject({ status: 400, body: { code: 'invalid_request' } });
    }
    expect((await login(email)).status).toBe(200);

    expect((await change(PASSWORD, NEW_PASSWORD)).status).toBe(204);
    expect((await login(email)).status).toBe(401);
    expect((await login(email, NEW_PASSWORD)).status).toBe(200);
    expect((await me(here)).status).toBe(200);
    expect((await me(elsewhere)).status).toBe(401);
    expect((await me(script)).status).toBe(200);
  });

  it('refuses a password under the policy (12 characters) on every route that creates an account, creating nothing', async () => {
    const { tag, tokens } = await t.newPartner();
    const tooShort = 'eleven-char';
    expect(tooShort).toHaveLength(11);
    const domain = `short-${tag}.test`;
    const attempts = [
      {
        method: 'POST',
        url: '/api/partner/users',
        token: tokens['account-admin'],
        body: { email: `short.${tag}@partner.test`, password: tooShort, roles: ['sales-agent'] },
      },
      {
        method: 'POST',
        url: '/api/admin/partners',
        token: t.operatorToken,
        body: {
          name: `Short ${tag}`,
          country: 'ES',
          admin: { email: `short-admin.${tag}@partner.test`, password: tooShort },
        },
      },
      {
        method: 'POST',
        url: '/api/admin/tenants',
        token: t.operatorToken,
        body: {
          companyName: `Short ${tag}`,
          defaultDomain: domain,
          country: 'ES',
          admin: { email: `admin@${domain}`, password: tooShort },
        },
      },
    ] as const;
    for (const attempt of attempts) {
      expect(await t.call({ ...attempt, body: { ...attempt.body } })).toMatchObject({
        status: 400,
        body: { code: 'invalid_request' },
      });
    }
    for (const email of [`short.${tag}@partner.test`, `short-admin.${tag}@partner.test`, `admin@${domain}`]) {
      expect((await login(email, tooShort)).status).toBe(401);
    }
    const twelve = 'twelve-chars';
    expect(twelve).toHaveLength(12);
    expect((await t.call({ ...attempts[0], body: { ...attempts[0].body, password: twelve } })).status).toBe(
      201,
    );
  });

  it('e-mails a single-use, expiring reset link, answering 202 to anyone; using it revokes every session and token', async () => {
    const { tag, tokens } = await t.newPartner();
    const email = `billing-agent.${tag}@partner.test`;
    const session = tokens['billing-agent'];
    const script = await apiToken(session);
    const ask = (e: string) =>
      t.call({ method: 'POST', url: '/api/auth/password-reset', body: { email: e } });

    const known = await ask(email.toUpperCase());
    const unknown = await ask(`nobody.${tag}@partner.test`);
    expect(known.status).toBe(202);
    expect(unknown.status).toBe(202);
    expect(unknown.body).toEqual(known.body);
    const [mail] = await mailsTo(email, 1);
    const url = /https:\/\/console\.example(\/set-password\?token=([A-Za-z0-9_.-]+))/.exec(mail!);
    expect(url).not.toBeNull();
    const token = url![2]!;
    // Stored as a hash only.
    const links = await t.handle.db
      .selectFrom('password_links')
      .select(['token_hash', 'expires_at'])
      .execute();
    expect(links.map((l) => l.token_hash)).toContain(hashToken(token));
    expect(JSON.stringify(links)).not.toContain(token);
    // An hour by default.
    const link = links.find((l) => l.token_hash === hashToken(token))!;
    expect(link.expires_at.getTime() - Date.now()).toBeGreaterThan(55 * 60_000);
    expect(link.expires_at.getTime() - Date.now()).toBeLessThanOrEqual(60 * 60_000);

    expect(await setPassword(`${token.slice(0, -2)}xx`)).toMatchObject({
      status: 404,
      body: { code: 'password_link_invalid' },
    });
    expect(await setPassword(token, 'too-short')).toMatchObject({ status: 400 });
    expect((await setPassword(token)).status).toBe(204);
    expect((await me(session)).status).toBe(401);
    expect((await me(script)).status).toBe(401);
    expect((await login(email)).status).toBe(401);
    expect((await login(email, NEW_PASSWORD)).status).toBe(200);
    expect(await setPassword(token, 'yet-another-passphrase')).toMatchObject({
      status: 409,
      body: { code: 'password_link_used' },
    });

    // An expired link is refused, and sets nothing.
    expect((await ask(email)).status).toBe(202);
    const second = (await mailsTo(email, 2))[1]!;
    const token2 = /set-password\?token=([A-Za-z0-9_.-]+)/.exec(second)![1]!;
    await t.handle.db
      .updateTable('password_links')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('token_hash', '=', hashToken(token2))
      .execute();
    expect(await setPassword(token2, 'yet-another-passphrase')).toMatchObject({
      status: 410,
      body: { code: 'password_link_expired' },
    });
    expect((await login(email, NEW_PASSWORD)).status).toBe(200);

    // Throttled per address: past three mails in the window, still 202, but no more mail.
    expect((await ask(email)).status).toBe(202);
    await mailsTo(email, 3);
    expect((await ask(email)).status).toBe(202);
    await new Promise((r) => setTimeout(r, 300));
    expect(received.filter((m) => m.to.includes(email))).toHaveLength(3);
    expect(received.some((m) => m.to.includes(`nobody.${tag}@partner.test`))).toBe(false);
  });

  it("lets the account admin reset a user's password with a one-time link, never setting one itself", async () => {
    const a = await t.newPartner();
    const b = await t.newPartner();
    const email = `admin-agent.${a.tag}@partner.test`;
    const userId = a.userIds['admin-agent']!;
    const url = `/api/partner/users/${userId}/password-reset`;
    expect(await t.call({ method: 'POST', url, token: a.tokens['admin-agent'] })).toMatchObject({
      status: 403,
      body: { code: 'forbidden' },
    });
    expect(await t.call({ method: 'POST', url, token: b.tokens['account-admin'] })).toMatchObject({
      status: 404,
      body: { code: 'user_not_found' },
    });
    const link = await t.expectOk({ method: 'POST', url, token: a.tokens['account-admin'] }, 201);
    expect(link.url).toBe(`/set-password?token=${link.token}`);
    expect(Object.keys(link).sort()).toEqual(['expiresAt', 'token', 'url']);
    // The password is untouched until the user uses the link.
    expect((await login(email)).status).toBe(200);
    expect((await setPassword(link.token)).status).toBe(204);
    expect((await me(a.tokens['admin-agent'])).status).toBe(401);
    expect((await login(email)).status).toBe(401);
    expect((await login(email, NEW_PASSWORD)).status).toBe(200);
  });

  it('disables a partner user: its sessions and API tokens are refused at once; enabling gives none back', async () => {
    const a = await t.newPartner();
    const b = await t.newPartner();
    const email = `sales-agent.${a.tag}@partner.test`;
    const userId = a.userIds['sales-agent']!;
    const session = a.tokens['sales-agent'];
    const script = await apiToken(session);
    expect((await t.call({ url: '/api/customers', token: script })).status).toBe(200);
    const patch = (token: string, disabled: boolean) =>
      t.call({ method: 'PATCH', url: `/api/partner/users/${userId}`, token, body: { disabled } });

    expect(await patch(b.tokens['account-admin'], true)).toMatchObject({ status: 404 });
    expect(await patch(a.tokens['admin-agent'], true)).toMatchObject({ status: 403 });
    const link = await t.expectOk(
      {
        method: 'POST',
        url: `/api/partner/users/${userId}/password-reset`,
        token: a.tokens['account-admin'],
      },
      201,
    );
    const off = await patch(a.tokens['account-admin'], true);
    expect(off).toMatchObject({ status: 200, body: { id: userId, disabled: true } });
    const refused = await t.call({ url: '/api/customers', token: script });
    expect(refused).toMatchObject({ status: 401, body: { code: 'unauthenticated' } });
    expect((await me(session)).status).toBe(401);
    expect(await login(email)).toMatchObject({ status: 401, body: { code: 'invalid_credentials' } });
    const listed = await t.expectOk({ url: '/api/partner/users', token: a.tokens['account-admin'] });
    expect(listed.items.find((u: { id: string }) => u.id === userId)).toMatchObject({ disabled: true });

    expect(await patch(a.tokens['account-admin'], false)).toMatchObject({
      status: 200,
      body: { disabled: false },
    });
    expect((await t.call({ url: '/api/customers', token: script })).status).toBe(401);
    expect((await me(session)).status).toBe(401);
    expect((await login(email)).status).toBe(200);
    // Disabling spent the open password link: enabling again does not revive it.
    expect(await setPassword(link.token)).toMatchObject({
      status: 409,
      body: { code: 'password_link_used' },
    });
  });

  it('signs out everywhere: every session and API token of the caller, and no one else', async () => {
    const { tag, tokens } = await t.newPartner();
    const email = `admin-agent.${tag}@partner.test`;
    const here = tokens['admin-agent'];
    const elsewhere = (await login(email)).body.token as string;
    const script = await apiToken(here);
    const res = await t.call({ method: 'POST', url: '/api/auth/sessions/revoke-all', token: here });
    expect(res.status).toBe(204);
    for (const token of [here, elsewhere, script]) expect((await me(token)).status).toBe(401);
    expect((await me(tokens['sales-agent'])).status).toBe(200);
    expect((await login(email)).status).toBe(200);
  });

  it('makes API tokens only from a signed-in session, within the maximum lifetime, and keeps lastUsedAt', async () => {
    const { tokens } = await t.newPartner();
    const session = tokens['account-admin'];
    const script = await apiToken(session, 'first');
    const lastUsed = async () => {
      const items = (await t.expectOk({ url: '/api/auth/tokens', token: session })).items;
      expect(items).toHaveLength(1);
      return items[0].lastUsedAt as string | null;
    };
    // Not used yet.
    expect(await lastUsed()).toBeNull();
    const before = Date.now();
    const fromToken = await t.call({
      method: 'POST',
      url: '/api/auth/tokens',
      token: script,
      body: { name: 'second' },
    });
    expect(fromToken).toMatchObject({ status: 403, body: { code: 'api_token_needs_session' } });
    const tooLong = await t.call({
      method: 'POST',
      url: '/api/auth/tokens',
      token: session,
      body: { name: 'forever', expiresInDays: t.config.apiTokenMaxDays + 1 },
    });
    expect(tooLong).toMatchObject({ status: 400, body: { code: 'api_token_lifetime_too_long' } });
    const listed = await t.expectOk({ url: '/api/auth/tokens', token: session });
    expect(listed.items.map((i: { name: string }) => i.name)).toEqual(['first']);

    await t.expectOk({ url: '/api/customers', token: script });
    const first = await lastUsed();
    expect(new Date(first!).getTime()).toBeGreaterThanOrEqual(before - 1000);
    // Within the minute: not written again.
    await t.expectOk({ url: '/api/customers', token: script });
    expect(await lastUsed()).toBe(first);
    // A minute later (wall-clock time moved on; a cached sign-in is due its write too): written again.
    const later = Date.now() + 61_000;
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(later);
      await t.expectOk({ url: '/api/customers', token: script });
    } finally {
      vi.useRealTimers();
    }
    expect(new Date((await lastUsed())!).getTime()).toBeGreaterThanOrEqual(later);
    // Signed-in sessions keep it too.
    const row = await t.handle.db
      .selectFrom('sessions')
      .select('last_used_at')
      .where('token_hash', '=', hashToken(session))
      .executeTakeFirstOrThrow();
    expect(row.last_used_at).not.toBeNull();
  });

  it('keeps the last account admin: it cannot drop its own role nor be disabled (409)', async () => {
    const a = await t.newPartner();
    const admin = a.tokens['account-admin'];
    const adminId = (await me(admin)).body.id as string;
    const demote = await t.call({
      method: 'PUT',
      url: `/api/partner/users/${adminId}/roles`,
      token: admin,
      body: { roles: ['sales-agent'] },
    });
    expect(demote).toMatchObject({ status: 409, body: { code: 'last_account_admin' } });
    const disable = await t.call({
      method: 'PATCH',
      url: `/api/partner/users/${adminId}`,
      token: admin,
      body: { disabled: true },
    });
    expect(disable).toMatchObject({ status: 409, body: { code: 'last_account_admin' } });
    expect((await me(admin)).body.roles).toEqual(['account-admin']);
    // With a second account admin, the first may step down.
    await t.expectOk({
      method: 'PUT',
      url: `/api/partner/users/${a.userIds['admin-agent']}/roles`,
      token: admin,
      body: { roles: ['account-admin', 'admin-agent'] },
    });
    await t.expectOk({
      method: 'PUT',
      url: `/api/partner/users/${adminId}/roles`,
      token: admin,
      body: { roles: ['sales-agent'] },
    });
    expect((await me(admin)).body.roles).toEqual(['sales-agent']);
  });

  it('gives a customer admin made by a partner or the operator a one-time link to set its own password', async () => {
    const p = await t.newPartner();
    const domain = `${unique('own')}.test`;
    const body = { companyName: 'Own Password SL', defaultDomain: domain, country: 'ES' };
    const withPassword = await t.call({
      method: 'POST',
      url: '/api/customers',
      token: p.tokens['sales-agent'],
      body: { ...body, admin: { email: `admin@${domain}`, password: PASSWORD } },
    });
    expect(withPassword).toMatchObject({ status: 400, body: { code: 'invalid_request' } });
    const created = await t.expectOk(
      {
        method: 'POST',
        url: '/api/customers',
        token: p.tokens['sales-agent'],
        body: { ...body, admin: { email: `admin@${domain}` } },
      },
      201,
    );
    const link = created.adminPasswordLink;
    expect(link.url).toBe(`/set-password?token=${link.token}`);
    // Nobody can sign in as the admin before it chooses its password.
    expect(await login(`admin@${domain}`, 'anything-at-all-really')).toMatchObject({ status: 401 });
    expect((await setPassword(link.token)).status).toBe(204);
    const signedIn = await login(`admin@${domain}`, NEW_PASSWORD);
    expect(signedIn.status).toBe(200);
    expect(signedIn.body.user).toMatchObject({ roles: ['global-admin'], tenantId: created.id });

    // The operator: with a password (demo and test installs), no link; without one, a link.
    const opDomain = `${unique('op')}.test`;
    const seeded = await t.expectOk(
      {
        method: 'POST',
        url: '/api/admin/tenants',
        token: t.operatorToken,
        body: { ...body, defaultDomain: opDomain, admin: { email: `admin@${opDomain}`, password: PASSWORD } },
      },
      201,
    );
    expect(seeded.adminPasswordLink).toBeUndefined();
    const linkDomain = `${unique('op')}.test`;
    const linked = await t.expectOk(
      {
        method: 'POST',
        url: '/api/admin/tenants',
        token: t.operatorToken,
        body: { ...body, defaultDomain: linkDomain, admin: { email: `admin@${linkDomain}` } },
      },
      201,
    );
    expect((await setPassword(linked.adminPasswordLink.token)).status).toBe(204);
    expect((await login(`admin@${linkDomain}`, NEW_PASSWORD)).status).toBe(200);
  });
});
