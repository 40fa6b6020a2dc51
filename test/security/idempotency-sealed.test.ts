import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../fixtures/app.ts';

/**
 * A retried creating call replays its first answer, so that answer is kept. Some answers hold a
 * secret shown once (a new API token, an invitation link): the kept copy must not give it away to
 * someone who reads the database or a backup.
 */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

async function storedAnswer(key: string): Promise<string> {
  const row = await sql<{ response: string }>`
    select response::text as response from idempotency_keys where key = ${key}`.execute(t.handle.db);
  expect(row.rows).toHaveLength(1);
  return row.rows[0]!.response;
}

describe('saved answers of idempotent calls', () => {
  it('keep a new API token sealed, and a retry still returns the same token', async () => {
    const { tokens } = await t.newPartner();
    const key = `seal-token-${Date.now()}`;
    const input = {
      method: 'POST' as const,
      url: '/api/auth/tokens',
      token: tokens['account-admin'],
      body: { name: 'ci' },
      headers: { 'idempotency-key': key },
    };
    const first = await t.call(input);
    expect(first.status).toBe(201);
    const secret = first.body.token as string;
    expect(secret.length).toBeGreaterThan(20);

    const stored = await storedAnswer(key);
    expect(stored).not.toContain(secret);
    expect(stored).not.toContain(first.body.id as string);

    const retry = await t.call(input);
    expect(retry.status).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body).toEqual(first.body);
    const me = await t.call({ url: '/api/auth/me', token: secret });
    expect(me.status).toBe(200);
  });

  it("are the caller's own: another user of the same partner reusing the key gets no replay of a token", async () => {
    const { tokens } = await t.newPartner();
    const key = `shared-key-${Date.now()}`;
    const send = (token: string) =>
      t.call({
        method: 'POST',
        url: '/api/auth/tokens',
        token,
        body: { name: 'same body' },
        headers: { 'idempotency-key': key },
      });
    const mine = await send(tokens['account-admin']!);
    const theirs = await send(tokens['admin-agent']!);
    expect([mine.status, theirs.status]).toEqual([201, 201]);
    expect(theirs.headers['idempotent-replayed']).toBeUndefined();
    expect(theirs.body.token).not.toBe(mine.body.token);
  });

  it('keep an invitation link sealed', async () => {
    const { tokens } = await t.newPartner();
    const tenant = await t.newTenant();
    const key = `seal-invite-${Date.now()}`;
    const first = await t.call({
      method: 'POST',
      url: '/api/relationship-requests',
      token: tokens['account-admin'],
      body: { domain: tenant.domain },
      headers: { 'idempotency-key': key },
    });
    expect(first.status).toBe(201);
    const stored = await storedAnswer(key);
    expect(stored).not.toContain(first.body.token as string);
    expect(stored).not.toContain(first.body.url as string);
  });
});
