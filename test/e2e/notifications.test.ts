import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDaysUtc } from '../../src/domain/calendar.ts';
import { recordEvent } from '../../src/modules/outbox/index.ts';
import { inSystemTransaction } from '../../src/platform/runtime.ts';
import { PARTNER_ROLES, startTestApp, type TestApp } from '../fixtures/app.ts';
import { platformNow, STANDARD } from '../fixtures/transition-case.ts';

/**
 * Issue 21: in-app notifications from outbox events, each to the users it concerns only: the
 * partner users whose role acts on it, never another partner's.
 */
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({}, { catalog: true });
});
afterAll(async () => t?.close());

describe('notifications', () => {
  it('events notify the right users only, once; they read their own', async () => {
    const a = await t.newPartner();
    const b = await t.newPartner();
    const x = await t.newPartner();
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
    // B becomes the customer's reseller too (B hears: invitation accepted) and asks A for a
    // transfer (A's users who decide transfers hear: transfer waiting).
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
    // Billing (built elsewhere) emits invoice.issued: A's billing readers hear of it.
    await inSystemTransaction(t.handle, t.config, t.deps.log, (ctx) =>
      recordEvent(ctx, 'invoice.issued', {
        invoiceId: 'inv-1',
        partnerId: a.partner.id,
        number: 'TR-2026-0001',
      }),
    );

    const list = async (token: string) => t.expectOk({ url: '/api/notifications', token });
    expect((await list(a.tokens['account-admin'])).items).toEqual([]);
    expect(await t.publishOutbox()).toBeGreaterThanOrEqual(3);

    const kinds = async (token: string) => (await list(token)).items.map((n: { kind: string }) => n.kind);
    expect(await kinds(a.tokens['account-admin'])).toEqual(['invoice-ready', 'transfer-waiting']);
    expect(await kinds(a.tokens['admin-agent'])).toEqual(['transfer-waiting']);
    expect(await kinds(a.tokens['sales-agent'])).toEqual(['transfer-waiting']);
    expect(await kinds(a.tokens['billing-agent'])).toEqual(['invoice-ready']);
    for (const role of PARTNER_ROLES) {
      expect(await kinds(b.tokens[role]), role).toEqual(['invitation-accepted']);
      // Another partner's users see none.
      expect(await kinds(x.tokens[role]), role).toEqual([]);
    }
    expect(await kinds(c.adminToken)).toEqual([]);

    const waiting = (await list(a.tokens['sales-agent'])).items[0];
    expect(waiting.data).toMatchObject({
      transferId: transfer.id,
      tenantId: c.tenant.id,
      tenantName: c.tenant.companyName,
      partnerName: b.partner.name,
    });
    expect(waiting.readAt).toBeNull();
    const invoice = (await list(a.tokens['billing-agent'])).items[0];
    expect(invoice.data).toMatchObject({ invoiceId: 'inv-1', number: 'TR-2026-0001' });

    // Publishing again notifies nobody twice.
    expect(await t.publishOutbox()).toBe(0);
    expect(await kinds(a.tokens['account-admin'])).toHaveLength(2);

    // Reading: one's own only (another user's is 404 and stays unread), then all.
    const admin = await list(a.tokens['account-admin']);
    expect(admin.unreadCount).toBe(2);
    const foreign = await t.call({
      method: 'POST',
      url: `/api/notifications/${waiting.id}/read`,
      token: a.tokens['account-admin'],
    });
    expect(foreign.status).toBe(404);
    expect(foreign.body.code).toBe('notification_not_found');
    expect((await list(a.tokens['sales-agent'])).unreadCount).toBe(1);
    const read = await t.expectOk({
      method: 'POST',
      url: `/api/notifications/${admin.items[1].id}/read`,
      token: a.tokens['account-admin'],
    });
    expect(read.readAt).not.toBeNull();
    const after = await list(a.tokens['account-admin']);
    expect(after.unreadCount).toBe(1);
    expect(
      (await t.expectOk({ url: '/api/notifications?unread=true', token: a.tokens['account-admin'] })).items,
    ).toHaveLength(1);
    const all = await t.expectOk({
      method: 'POST',
      url: '/api/notifications/read-all',
      token: a.tokens['account-admin'],
    });
    expect(all).toEqual({ marked: 1, unreadCount: 0 });
    expect((await list(a.tokens['account-admin'])).unreadCount).toBe(0);
    // Others' stay as they were.
    expect((await list(a.tokens['billing-agent'])).unreadCount).toBe(1);
  });

  it('pages newest first with a cursor', async () => {
    const p = await t.newPartner();
    for (let i = 0; i < 3; i++)
      await inSystemTransaction(t.handle, t.config, t.deps.log, (ctx) =>
        recordEvent(ctx, 'invoice.issued', {
          invoiceId: `inv-p${i}`,
          partnerId: p.partner.id,
          number: `N-${i}`,
        }),
      );
    await t.publishOutbox();
    const first = await t.expectOk({ url: '/api/notifications?limit=2', token: p.tokens['billing-agent'] });
    expect(first.items).toHaveLength(2);
    expect(first.unreadCount).toBe(3);
    expect(first.nextCursor).not.toBeNull();
    const second = await t.expectOk({
      url: `/api/notifications?limit=2&cursor=${first.nextCursor}`,
      token: p.tokens['billing-agent'],
    });
    expect(second.items).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
    const ids = [...first.items, ...second.items].map((n: { id: string }) => n.id);
    expect(new Set(ids).size).toBe(3);
  });
});
