import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlatformClock } from '../../src/platform/clock.ts';
import { startTestApp, type TestApp, unique } from '../fixtures/app.ts';
import { product } from '../fixtures/reference.ts';
import { countStatements } from '../fixtures/statements.ts';

/**
 * The read path's cost in SQL statements, counted where every statement leaves the process (PGlite's
 * `query`/`exec`, or each pooled pg client's `query`), so BEGIN/COMMIT and raw SQL count too.
 * A count, not a timing: it does not move with the machine's load.
 *
 * `GET /api/customers/{id}/subscriptions` by a partner costs 1 statement once its token signed in
 * (the guard's answer is then kept by the auth cache, dropped on any announced change:
 * test/e2e/auth-cache.test.ts), 2 on the token's first read:
 *   1. the guard: session + user + roles (array subquery) + the platform clock's offset + whether
 *      the partner has an accepted relationship with the tenant in the URL;
 *   2. the page: the page's subscriptions (keyset CTE) with the tenant's other subscriptions of the
 *      same SKUs, each with its offer's name and the seats assigned per SKU.
 * No transaction, no write. It used to be 8 (session, roles, relationship, page, pool rows,
 * assigned counts, offers, products) plus the clock re-read once a second.
 */
const MAX_STATEMENTS_LIST = 1;

let t: TestApp;
let counter: ReturnType<typeof countStatements>;
beforeAll(async () => {
  t = await startTestApp();
  counter = countStatements(t.handle);
});
afterAll(async () => t?.close());

async function newOffer(partNumber: string) {
  const p = product(partNumber);
  return t.expectOk(
    {
      method: 'POST',
      url: '/api/admin/offers',
      token: t.operatorToken,
      body: {
        id: unique('offer-'),
        skuId: p.skuId,
        skuPartNumber: p.skuPartNumber,
        productName: p.name,
        servicePlans: p.servicePlans.map((s) => ({ id: s.id, name: s.name })),
        markets: ['ES'],
        unitPrice: 1000,
        currency: 'EUR',
        refundWindowHours: 168,
        term: 'P1Y',
        billingCycle: 'annual',
        minQuantity: 1,
        maxQuantity: 100,
      },
    },
    201,
  );
}

describe('read path: statements per request', () => {
  it(`GET /api/customers/{id}/subscriptions runs at most ${MAX_STATEMENTS_LIST} statements, none a write`, async () => {
    const p = await t.newPartner();
    const c = await t.newTenant({ partnerToken: p.tokens['account-admin'], users: 3 });
    const tenantId = c.tenant.id as string;
    const standard = await newOffer('O365_BUSINESS_PREMIUM');
    const basic = await newOffer('O365_BUSINESS_ESSENTIALS');
    const now = new Date((await t.expectOk({ url: '/api/clock', token: t.operatorToken })).now);
    const year = {
      termStart: now.toISOString(),
      termEnd: new Date(now.getTime() + 365 * 86_400_000).toISOString(),
    };
    const record = (offerId: string, quantity: number, channel: string) =>
      t.expectOk(
        {
          method: 'POST',
          url: `/api/admin/tenants/${tenantId}/subscriptions`,
          token: t.operatorToken,
          body: {
            offerId,
            quantity,
            channel,
            billingCycle: 'annual',
            autoRenew: true,
            ...(channel === 'partner' ? { partnerId: p.partner.id } : { purchasedVia: 'admin-center' }),
            ...year,
          },
        },
        201,
      );
    const first = await record(standard.id, 2, 'direct');
    const second = await record(standard.id, 5, 'partner');
    const third = await record(basic.id, 1, 'direct');
    // Three users hold Standard: the older subscription fills first (2), the rest go to the next (1).
    const users = await t.handle.db
      .selectFrom('directory_users')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .execute();
    await t.handle.db
      .insertInto('license_assignments')
      .values(
        users.map((u) => ({
          tenant_id: tenantId,
          directory_user_id: u.id,
          sku_id: standard.skuId,
          excluded_plans: [],
          assigned_at: now,
        })),
      )
      .execute();

    const url = `/api/customers/${tenantId}/subscriptions`;
    const token = p.tokens['sales-agent'];
    // Once to warm anything a first request loads (the clock's first read happened at start).
    await t.expectOk({ url, token });
    const { result, statements } = await counter.during(() => t.call({ url, token }));
    expect(result.status).toBe(200);
    expect(result.body.items.map((s: { id: string }) => s.id)).toEqual([first.id, second.id, third.id]);
    expect(
      result.body.items.map((s: { assignedSeats: number; offerName: string; canChange: boolean }) => [
        s.assignedSeats,
        s.offerName,
        s.canChange,
      ]),
    ).toEqual([
      [2, standard.name, false],
      [1, standard.name, true],
      [0, basic.name, false],
    ]);
    expect(statements.length, statements.join('\n---\n')).toBeGreaterThan(0);
    expect(statements.length, statements.join('\n---\n')).toBeLessThanOrEqual(MAX_STATEMENTS_LIST);
    for (const s of statements) expect(s).not.toMatch(/^\s*(insert|update|delete|begin)\b/i);

    // A second page through the cursor costs the same.
    const page1 = await t.expectOk({ url: `${url}?limit=2`, token });
    expect(page1.nextCursor).toEqual(expect.any(String));
    const next = await counter.during(() =>
      t.call({ url: `${url}?limit=2&cursor=${encodeURIComponent(page1.nextCursor)}`, token }),
    );
    expect(next.result.body.items.map((s: { id: string }) => s.id)).toEqual([third.id]);
    expect(next.statements.length).toBeLessThanOrEqual(MAX_STATEMENTS_LIST);
  });

  it('a foreign tenant is refused in the same single guard statement', async () => {
    const p = await t.newPartner();
    const other = await t.newTenant();
    // The token's first use writes its lastUsedAt (at most once a minute): done before measuring.
    await t.expectOk({ url: '/api/auth/me', token: p.tokens['sales-agent'] });
    const { result, statements } = await counter.during(() =>
      t.call({ url: `/api/customers/${other.tenant.id}/subscriptions`, token: p.tokens['sales-agent'] }),
    );
    expect(result.status).toBe(404);
    expect(result.body.code).toBe('tenant_not_found');
    expect(statements.length, statements.join('\n---\n')).toBe(1);
  });

  it('refuses a revoked session on its very next request, with the sign-in statement and at most a clock re-read', async () => {
    const p = await t.newPartner();
    const c = await t.newTenant({ partnerToken: p.tokens['account-admin'] });
    const url = `/api/customers/${c.tenant.id}/subscriptions`;
    const token = await t.login(`sales-agent.${p.tag}@partner.test`);
    await t.expectOk({ url, token });
    await t.expectOk({ method: 'POST', url: '/api/auth/logout', token }, 204);
    const { result, statements } = await counter.during(() => t.call({ url, token }));
    expect(result.status).toBe(401);
    expect(statements.length).toBeLessThanOrEqual(2);
  });

  it('sees the platform clock moved by another process on its very next signed-in request', async () => {
    await t.expectOk({ url: '/api/clock', token: t.operatorToken }); // the app's copy is fresh
    // Another process behind the same load balancer: its own clock on the same database.
    const other = new PlatformClock(t.handle.db);
    const moved = await other.set({ advanceDays: 3 });
    const seen = await counter.during(() => t.call({ url: '/api/clock', token: t.operatorToken }));
    // Read in the sign-in statement, not after the app's one-second copy runs out.
    expect(new Date(seen.result.body.now).getTime()).toBeGreaterThanOrEqual(moved.getTime());
    expect(seen.statements.length, seen.statements.join('\n---\n')).toBe(1);
  });
});
