import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDaysUtc } from '../../src/domain/calendar.ts';
import { subjectOf } from '../../src/domain/outbox-events.ts';
import { startTestApp, type TestApp } from '../fixtures/app.ts';
import { databaseDigest } from '../fixtures/digest.ts';
import { platformNow, STANDARD } from '../fixtures/transition-case.ts';
import { type ReceivedRequest, startReceiver } from '../fixtures/webhook-receiver.ts';

/**
 * Issue 21, acceptance 3: outbound webhooks through the real path (the outbox, the publisher job,
 * pg-boss, a local receiver on 127.0.0.1). The receiver fails its first three tries; retries
 * follow the backoff on the platform clock, which the test moves instead of waiting. Every event
 * arrives once or more, signed (Standard Webhooks), and in order per subject.
 */
let t: TestApp;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

const ALL = [
  'relationship.accepted',
  'relationship.removed',
  'transfer.requested',
  'transfer.decided',
  'transition.planned',
  'invoice.issued',
];

beforeAll(async () => {
  t = await startTestApp({}, { queue: true, catalog: true });
  receiver = await startReceiver({ failFirst: 3 });
});
afterAll(async () => {
  await t?.close();
  await receiver?.close();
});

const pendingCount = async () =>
  Number(
    (
      await t.handle.db
        .selectFrom('webhook_deliveries')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('status', '=', 'pending')
        .executeTakeFirstOrThrow()
    ).n,
  );

/** Lets the job run; moves the platform clock past the backoff when only retries are left. */
async function until(done: () => boolean | Promise<boolean>, what: string) {
  const deadline = Date.now() + 45_000;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 400));
    const unpublished = await t.handle.db
      .selectFrom('outbox_events')
      .select('id')
      .where('published_at', 'is', null)
      .execute();
    if (unpublished.length === 0 && (await pendingCount()) > 0)
      await t.deps.clock.set({ now: new Date(t.deps.clock.now().getTime() + 10 * 60_000).toISOString() });
  }
}

const ok = (r: ReceivedRequest) => r.status >= 200 && r.status < 300;
const idOf = (r: ReceivedRequest) => String(r.headers['webhook-id']);

describe('webhooks', () => {
  let a: Awaited<ReturnType<TestApp['newPartner']>>;
  let b: Awaited<ReturnType<TestApp['newPartner']>>;
  let x: Awaited<ReturnType<TestApp['newPartner']>>;
  const hooks: Record<string, { id: string; secret: string }> = {};

  it('refuses a bad url or event type (400, nothing created), and roles other than account admin (403)', async () => {
    a = await t.newPartner();
    b = await t.newPartner();
    x = await t.newPartner();
    const before = await databaseDigest(t.handle.db, ['sessions']);
    for (const url of [
      'ftp://127.0.0.1/x',
      'not a url',
      '/relative',
      'http://user:pw@127.0.0.1/x',
      'javascript:alert(1)',
    ]) {
      const r = await t.call({
        method: 'POST',
        url: '/api/webhooks',
        token: a.tokens['account-admin'],
        body: { url, events: ['transfer.requested'] },
      });
      expect(r.status, url).toBe(400);
      expect(r.body.code).toBe('webhook_url_invalid');
    }
    const unknown = await t.call({
      method: 'POST',
      url: '/api/webhooks',
      token: a.tokens['account-admin'],
      body: { url: receiver.url('/a'), events: ['transfer.requested', 'nope.happened'] },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.code).toBe('webhook_event_unknown');
    for (const role of ['admin-agent', 'sales-agent', 'billing-agent'] as const) {
      const r = await t.call({
        method: 'POST',
        url: '/api/webhooks',
        token: a.tokens[role],
        body: { url: receiver.url('/a'), events: ['transfer.requested'] },
      });
      expect(r.status, role).toBe(403);
    }
    // An install that asks for https:// only (TRASLADO_WEBHOOK_HTTPS_ONLY) refuses http://.
    t.config.webhookHttpsOnly = true;
    try {
      const plain = await t.call({
        method: 'POST',
        url: '/api/webhooks',
        token: a.tokens['account-admin'],
        body: { url: receiver.url('/a'), events: ['transfer.requested'] },
      });
      expect(plain.status).toBe(400);
      expect(plain.body).toMatchObject({ code: 'webhook_url_invalid', data: { httpsOnly: true } });
    } finally {
      t.config.webhookHttpsOnly = false;
    }
    expect(await databaseDigest(t.handle.db, ['sessions'])).toEqual(before);
  });

  it('creates endpoints with a whsec_ secret shown once; another partner cannot see them (404)', async () => {
    for (const [name, p] of [
      ['a', a],
      ['b', b],
      ['x', x],
    ] as const) {
      const created = await t.expectOk(
        {
          method: 'POST',
          url: '/api/webhooks',
          token: p.tokens['account-admin'],
          body: { url: receiver.url(`/${name}`), events: ALL },
        },
        201,
      );
      expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
      hooks[name] = { id: created.id, secret: created.secret };
      const list = await t.expectOk({ url: '/api/webhooks', token: p.tokens['account-admin'] });
      expect(list.items.map((w: { id: string }) => w.id)).toEqual([created.id]);
      expect(JSON.stringify(list)).not.toContain(created.secret);
      expect(list.eventTypes).toContain('invoice.issued');
    }
    for (const [method, url] of [
      ['GET', `/api/webhooks/${hooks.a!.id}`],
      ['GET', `/api/webhooks/${hooks.a!.id}/deliveries`],
      ['DELETE', `/api/webhooks/${hooks.a!.id}`],
    ] as const) {
      const r = await t.call({ method, url, token: b.tokens['account-admin'] });
      expect(r.status, `${method} ${url}`).toBe(404);
      expect(r.body.code).toBe('webhook_not_found');
    }
    expect(
      (await t.expectOk({ url: `/api/webhooks/${hooks.a!.id}`, token: a.tokens['account-admin'] })).id,
    ).toBe(hooks.a!.id);
  });

  it('delivers every event at least once, signed, in order per subject, after three failed tries', async () => {
    // A customer of A holding A's subscription; B becomes its reseller too, asks A for a transfer,
    // A refuses; B ends its relationship. Two subjects with two events each for B.
    const c = await t.newTenant({ partnerToken: a.tokens['account-admin'], users: 0 });
    const now = await platformNow(t);
    const source = await t.expectOk(
      {
        method: 'POST',
        url: `/api/admin/tenants/${c.tenant.id}/subscriptions`,
        token: t.operatorToken,
        body: {
          offerId: STANDARD,
          quantity: 5,
          channel: 'partner',
          partnerId: a.partner.id,
          billingCycle: 'annual',
          termStart: addDaysUtc(now, -100).toISOString(),
          termEnd: addDaysUtc(now, 265).toISOString(),
          autoRenew: true,
        },
      },
      201,
    );
    const invite = await t.expectOk(
      {
        method: 'POST',
        url: '/api/relationship-requests',
        token: b.tokens['account-admin'],
        body: { tenantId: c.tenant.id },
      },
      201,
    );
    await t.expectOk({ method: 'POST', url: `/api/invitations/${invite.token}/accept`, token: c.adminToken });
    const transfer = await t.expectOk(
      {
        method: 'POST',
        url: `/api/customers/${c.tenant.id}/transfers`,
        token: b.tokens['account-admin'],
        body: { sourcePartnerId: a.partner.id, subscriptionIds: [source.id] },
      },
      201,
    );
    await t.expectOk({
      method: 'POST',
      url: `/api/transfers/${transfer.id}/reject`,
      token: a.tokens['sales-agent'],
    });
    await t.expectOk({
      method: 'DELETE',
      url: `/api/customers/${c.tenant.id}/relationship`,
      token: b.tokens['account-admin'],
      body: { reason: 'test' },
    });

    // What each endpoint must get: the outbox events concerning its partner.
    const events = await t.handle.db
      .selectFrom('outbox_events')
      .select(['id', 'type', 'payload', 'seq'])
      .orderBy('seq')
      .execute();
    const concerning = (partnerId: string) =>
      events.filter(
        (e) =>
          ALL.includes(e.type) &&
          [e.payload.partnerId, e.payload.sourcePartnerId, e.payload.targetPartnerId].includes(partnerId),
      );
    const expected = { a: concerning(a.partner.id), b: concerning(b.partner.id) };
    expect(expected.b.map((e) => e.type)).toEqual([
      'relationship.accepted',
      'transfer.requested',
      'transfer.decided',
      'relationship.removed',
    ]);
    expect(expected.a.map((e) => e.type)).toEqual(['transfer.requested', 'transfer.decided']);

    const deliveredIds = (path: string) =>
      new Set(receiver.received.filter((r) => r.path === path && ok(r)).map(idOf));
    // The receiver answers before the job records the answer: wait for the records too.
    await until(
      async () =>
        expected.b.every((e) => deliveredIds('/b').has(e.id)) &&
        expected.a.every((e) => deliveredIds('/a').has(e.id)) &&
        (await pendingCount()) === 0,
      'every event delivered and recorded',
    );

    // The receiver failed its first three tries, and the deliveries were retried. Each failed try
    // was for an event whose subject has a later event (relationship.removed, transfer.decided):
    // that one had to wait for it (checked below for every try).
    const failedTries = receiver.received.filter((r) => !ok(r));
    expect(failedTries).toHaveLength(3);
    expect(receiver.received.slice(0, 3)).toEqual(failedTries);
    for (const r of failedTries) {
      const list = r.path === '/a' ? expected.a : expected.b;
      const event = list.find((e) => e.id === idOf(r))!;
      expect(event).toBeDefined();
      const subject = subjectOf(event.type, event.payload);
      expect(list.some((e) => e.seq > event.seq && subjectOf(e.type, e.payload) === subject)).toBe(true);
    }
    // Nothing for the partner no event concerns.
    expect(receiver.received.filter((r) => r.path === '/x')).toEqual([]);

    const seqOf = new Map(events.map((e) => [e.id, e.seq]));
    for (const name of ['a', 'b'] as const) {
      const got = receiver.received.filter((r) => r.path === `/${name}`);
      expect(got.length).toBeGreaterThanOrEqual(expected[name].length);
      const wh = new Webhook(hooks[name]!.secret);
      const deliveredBefore = new Set<string>();
      for (const r of got) {
        // Signed per Standard Webhooks, with this endpoint's secret (and not another's).
        const payload = wh.verify(r.body, r.headers as Record<string, string>) as {
          type: string;
          data: Record<string, unknown>;
        };
        expect(() =>
          new Webhook(hooks[name === 'a' ? 'b' : 'a']!.secret).verify(
            r.body,
            r.headers as Record<string, string>,
          ),
        ).toThrow();
        expect(payload.data.requestId).toBeUndefined();
        // In order per subject: every earlier event of this subject was delivered before this try.
        const subject = subjectOf(payload.type, payload.data);
        const earlier = expected[name].filter(
          (e) => subjectOf(e.type, e.payload) === subject && e.seq < seqOf.get(idOf(r))!,
        );
        for (const e of earlier)
          expect(deliveredBefore.has(e.id), `${payload.type} before ${e.type}`).toBe(true);
        if (ok(r)) deliveredBefore.add(idOf(r));
      }
      expect(new Set(got.filter(ok).map(idOf))).toEqual(new Set(expected[name].map((e) => e.id)));
    }

    // The delivery log says the same: all delivered; the attempts add up to the tries received.
    let attempts = 0;
    for (const name of ['a', 'b'] as const) {
      const log = await t.expectOk({
        url: `/api/webhooks/${hooks[name]!.id}/deliveries`,
        token: (name === 'a' ? a : b).tokens['account-admin'],
      });
      expect(log.items).toHaveLength(expected[name].length);
      for (const d of log.items) {
        expect(d.status).toBe('delivered');
        expect(d.lastStatusCode).toBe(204);
        expect(d.deliveredAt).not.toBeNull();
        expect(d.nextAttemptAt).toBeNull();
        attempts += d.attempts;
      }
    }
    expect(attempts).toBe(receiver.received.length);
    expect(attempts).toBe(expected.a.length + expected.b.length + 3);
  });

  it('replays a delivery: the same event again, with the same webhook-id', async () => {
    const log = await t.expectOk({
      url: `/api/webhooks/${hooks.b!.id}/deliveries`,
      token: b.tokens['account-admin'],
    });
    const first = log.items.find((d: { eventType: string }) => d.eventType === 'relationship.accepted');
    expect(first).toBeDefined();
    const times = () => receiver.received.filter((r) => r.path === '/b' && idOf(r) === first.eventId).length;
    const before = times();
    const replayed = await t.expectOk(
      {
        method: 'POST',
        url: `/api/webhooks/${hooks.b!.id}/deliveries/${first.id}/replay`,
        token: b.tokens['account-admin'],
      },
      202,
    );
    expect(replayed.status).toBe('pending');
    await until(() => times() === before + 1, 'the replay');
    const again = receiver.received.filter((r) => r.path === '/b' && idOf(r) === first.eventId).at(-1)!;
    expect(() =>
      new Webhook(hooks.b!.secret).verify(again.body, again.headers as Record<string, string>),
    ).not.toThrow();
    // Another partner cannot replay it.
    const foreign = await t.call({
      method: 'POST',
      url: `/api/webhooks/${hooks.b!.id}/deliveries/${first.id}/replay`,
      token: a.tokens['account-admin'],
    });
    expect(foreign.status).toBe(404);
  });

  it('deletes an endpoint: gone from the list, nothing more delivered to it', async () => {
    await t.expectOk(
      { method: 'DELETE', url: `/api/webhooks/${hooks.x!.id}`, token: x.tokens['account-admin'] },
      204,
    );
    expect((await t.expectOk({ url: '/api/webhooks', token: x.tokens['account-admin'] })).items).toEqual([]);
    const r = await t.call({
      url: `/api/webhooks/${hooks.x!.id}/deliveries`,
      token: x.tokens['account-admin'],
    });
    expect(r.status).toBe(404);
  });
});
