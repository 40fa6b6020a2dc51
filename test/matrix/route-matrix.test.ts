import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIONS, can, type Role } from '../../src/platform/auth/permissions.ts';
import type { RouteInfo } from '../../src/platform/http/server.ts';
import { PASSWORD, startTestApp, type TestApp, unique } from '../fixtures/app.ts';
import { databaseDigest } from '../fixtures/digest.ts';

/**
 * The role × route × tenant matrix, generated from the app's own route table and the
 * permission table. For every route and every caller:
 *   - no token → 401;
 *   - a role without the route's action → 403 `forbidden`;
 *   - a `:tenantId` the caller has no relationship with (foreign: another partner's customer;
 *     none: nobody's customer) → 404 `tenant_not_found`, so existence stays private;
 *   - otherwise the guard lets it through (any answer but 401/403/tenant_not_found),
 *     and no list answer carries another tenant's id.
 * Refused requests change no row (database digest before and after).
 */
type Caller = Role | 'anonymous';
const CALLERS: Caller[] = [
  'anonymous',
  'account-admin',
  'admin-agent',
  'sales-agent',
  'billing-agent',
  'global-admin',
  'tenant-user',
  'operator',
];
type TenantCase = 'own' | 'foreign' | 'none';

let t: TestApp;
const tokens = {} as Record<Role, string>;
const tenants = {} as Record<TenantCase, string>;
let emails = {} as Record<Role, string>;

beforeAll(async () => {
  t = await startTestApp();
  const own = await t.newPartner();
  const other = await t.newPartner();
  const ownTenant = await t.newTenant({ partnerToken: own.tokens['account-admin'] });
  const foreignTenant = await t.newTenant({ partnerToken: other.tokens['account-admin'] });
  const loneTenant = await t.newTenant();
  tenants.own = ownTenant.tenant.id;
  tenants.foreign = foreignTenant.tenant.id;
  tenants.none = loneTenant.tenant.id;
  // The own partner holds delegated admin on its customer, so that routes acting on the customer's
  // behalf (users, licenses, credits) are judged by the guard alone here.
  await t.expectOk(
    {
      method: 'POST',
      url: `/api/admin/tenants/${tenants.own}/delegated-admin`,
      token: t.operatorToken,
      body: { partnerId: own.partner.id },
    },
    201,
  );
  const plainEmail = `${unique('plain')}@${ownTenant.domain}`;
  await t.expectOk(
    {
      method: 'POST',
      url: `/api/admin/tenants/${tenants.own}/accounts`,
      token: t.operatorToken,
      body: { email: plainEmail, password: PASSWORD, roles: ['tenant-user'] },
    },
    201,
  );
  emails = {
    'account-admin': `account-admin.${own.tag}@partner.test`,
    'admin-agent': `admin-agent.${own.tag}@partner.test`,
    'sales-agent': `sales-agent.${own.tag}@partner.test`,
    'billing-agent': `billing-agent.${own.tag}@partner.test`,
    'global-admin': `admin@${ownTenant.domain}`,
    'tenant-user': plainEmail,
    operator: t.operatorEmail,
  };
  for (const role of Object.keys(emails) as Role[]) tokens[role] = await t.login(emails[role]);
});
afterAll(async () => t?.close());

function tenantCases(route: RouteInfo): TenantCase[] {
  return route.url.includes(':tenantId') ? ['own', 'foreign', 'none'] : ['own'];
}

function urlFor(route: RouteInfo, tc: TenantCase): string {
  return route.url.replace(':tenantId', tenants[tc]).replace(/:(\w+)/g, 'matrix-placeholder-id');
}

/** What the guard must answer, from the permission table and the scoping rule alone. */
function expected(route: RouteInfo, caller: Caller, tc: TenantCase): 401 | 403 | 404 | 'through' {
  if (caller === 'anonymous') return 401;
  if (!can([caller], route.action!)) return 403;
  if (route.url.includes(':tenantId') && caller !== 'operator' && tc !== 'own') return 404;
  return 'through';
}

async function send(route: RouteInfo, caller: Caller, tc: TenantCase) {
  let token = caller === 'anonymous' ? undefined : tokens[caller];
  // Logging out really revokes the token: give that call a throwaway session.
  if (route.url === '/api/auth/logout' && caller !== 'anonymous') token = await t.login(emails[caller]);
  const hasBody = ['POST', 'PUT', 'PATCH'].includes(route.method);
  // An empty body fails validation on every route that takes one, so a call let through changes nothing.
  const res = await t.call({
    method: route.method as 'GET',
    url: urlFor(route, tc),
    token,
    ...(hasBody ? { body: {} } : {}),
  });
  // Signing out everywhere revokes every session of the caller: sign in again for the next routes.
  if (route.url === '/api/auth/sessions/revoke-all' && caller !== 'anonymous' && res.status === 204)
    tokens[caller] = await t.login(emails[caller]);
  return res;
}

describe('route × role × tenant matrix', () => {
  it('has an action on every non-public route, and every action exists in the table', () => {
    const guarded = t.routes.filter((r) => !r.public);
    expect(guarded.length).toBeGreaterThan(10);
    for (const r of guarded) expect(Object.keys(ACTIONS)).toContain(r.action);
  });

  it('refuses what the table refuses, hides tenants without a relationship, and changes nothing while refusing', async () => {
    const before = await databaseDigest(t.handle.db, ['sessions', 'audit_events']);
    const failures: string[] = [];
    let refused = 0;
    for (const route of t.routes.filter((r) => !r.public)) {
      for (const caller of CALLERS) {
        for (const tc of tenantCases(route)) {
          const want = expected(route, caller, tc);
          if (want === 'through') continue;
          const res = await send(route, caller, tc);
          refused++;
          const code = { 401: 'unauthenticated', 403: 'forbidden', 404: 'tenant_not_found' }[want];
          if (res.status !== want || res.body?.code !== code) {
            failures.push(
              `${route.method} ${route.url} as ${caller} (${tc}): wanted ${want} ${code}, got ${res.status} ${res.body?.code}`,
            );
          }
        }
      }
    }
    expect(failures).toEqual([]);
    expect(refused).toBeGreaterThan(50);
    expect(await databaseDigest(t.handle.db, ['sessions', 'audit_events'])).toEqual(before);
  });

  it('lets through what the table allows, and no answer carries a tenant the caller may not see', async () => {
    const failures: string[] = [];
    for (const route of t.routes.filter((r) => !r.public)) {
      for (const caller of CALLERS) {
        for (const tc of tenantCases(route)) {
          if (expected(route, caller, tc) !== 'through') continue;
          const res = await send(route, caller, tc);
          if (res.status === 401 || res.status === 403 || res.body?.code === 'tenant_not_found') {
            failures.push(
              `${route.method} ${route.url} as ${caller}: refused with ${res.status} ${res.body?.code}`,
            );
          }
          if (res.status >= 500) failures.push(`${route.method} ${route.url} as ${caller}: ${res.status}`);
          if (caller !== 'operator' && route.method === 'GET') {
            const text = JSON.stringify(res.body);
            for (const hidden of [tenants.foreign, tenants.none]) {
              if (text.includes(hidden))
                failures.push(`${route.method} ${route.url} as ${caller} leaks tenant ${hidden}`);
            }
          }
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('matches the SPEC on the roles that matter most', () => {
    // Hand-written spot checks, so that the generated matrix is not only the table checked against itself.
    expect(can(['billing-agent'], 'orders.create')).toBe(false);
    expect(can(['billing-agent'], 'transitions.apply')).toBe(false);
    expect(can(['billing-agent'], 'billing.read')).toBe(true);
    expect(can(['sales-agent'], 'licenses.manage')).toBe(false);
    expect(can(['sales-agent'], 'relationships.request')).toBe(true);
    expect(can(['sales-agent'], 'billing.read')).toBe(false);
    expect(can(['admin-agent'], 'partner.manage-users')).toBe(false);
    expect(can(['account-admin'], 'partner.manage-users')).toBe(true);
    expect(can(['global-admin'], 'customers.read')).toBe(false);
    expect(can(['tenant-user'], 'tenant.manage')).toBe(false);
    expect(can(['operator'], 'orders.create')).toBe(false);
    expect(can(['billing-agent'], 'relationships.request')).toBe(false);
    expect(can(['sales-agent'], 'credits.file')).toBe(false);
    expect(can(['sales-agent'], 'delegated-admin.request')).toBe(false);
    expect(can(['admin-agent'], 'delegated-admin.request')).toBe(true);
    expect(can(['tenant-user'], 'tenant.read')).toBe(false);
    expect(can(['global-admin'], 'operator.billing')).toBe(false);
  });
});
