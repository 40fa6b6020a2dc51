import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { can, type Role } from '../../src/platform/auth/permissions.ts';
import type { RouteInfo } from '../../src/platform/http/server.ts';
import { PASSWORD, startTestApp, type TestApp, unique } from '../fixtures/app.ts';
import { databaseDigest } from '../fixtures/digest.ts';

/**
 * Bad input on every route, generated from the OpenAPI document: malformed JSON, wrong content
 * types, non-object bodies, missing required fields, unknown fields, a wrong type and an
 * oversized value for every property, out-of-range paging. Each answer is 4xx with
 * `{ code, description }`, and no row anywhere changes.
 */
type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  anyOf?: JsonSchema[];
  maxLength?: number;
  maxItems?: number;
  maximum?: number;
  items?: JsonSchema;
};

let t: TestApp;
let tenantId: string;
const tokens = {} as Record<Role, string>;
const CALLER_ORDER: Role[] = ['account-admin', 'operator', 'global-admin'];

beforeAll(async () => {
  t = await startTestApp();
  const p = await t.newPartner();
  const c = await t.newTenant({ partnerToken: p.tokens['account-admin'] });
  tenantId = c.tenant.id;
  tokens['account-admin'] = p.tokens['account-admin'];
  tokens.operator = t.operatorToken;
  tokens['global-admin'] = c.adminToken;
  const plain = `${unique('plain')}@${c.domain}`;
  await t.expectOk(
    {
      method: 'POST',
      url: `/api/admin/tenants/${tenantId}/accounts`,
      token: t.operatorToken,
      body: { email: plain, password: PASSWORD, roles: ['tenant-user'] },
    },
    201,
  );
});
afterAll(async () => t?.close());

function callerFor(route: RouteInfo): Role | undefined {
  if (route.public) return 'account-admin';
  return CALLER_ORDER.find((r) => can([r], route.action!));
}

function urlOf(route: RouteInfo): string {
  return route.url.replace(':tenantId', tenantId).replace(/:(\w+)/g, 'bad-input-placeholder');
}

function branches(schema: JsonSchema | undefined): JsonSchema[] {
  if (!schema) return [];
  return schema.anyOf ? schema.anyOf.flatMap(branches) : [schema];
}

function wrongValue(s: JsonSchema): unknown {
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type) {
    case 'string':
      return 12345;
    case 'integer':
    case 'number':
      return 'not-a-number';
    case 'boolean':
      return 'yes';
    case 'array':
      return { not: 'an array' };
    case 'object':
      return ['not', 'an', 'object'];
    default:
      return undefined;
  }
}

function oversized(s: JsonSchema): unknown {
  if (s.maxLength !== undefined) return 'x'.repeat(s.maxLength + 1);
  if (s.maxItems !== undefined)
    return Array.from({ length: s.maxItems + 1 }, () => (s.items?.type === 'string' ? 'x' : {}));
  if (s.maximum !== undefined) return s.maximum + 1;
  return undefined;
}

const HOSTILE = ["' or 1=1 --", '<script>alert(1)</script>', '\u0000', '𝕿𝖗𝖆𝖘𝖑𝖆𝖉𝖔', '../../etc/passwd'];

describe('bad input on every route', () => {
  it('answers 4xx { code, description } and changes nothing', async () => {
    const doc = (await t.call({ url: '/openapi.json' })).body;
    const before = await databaseDigest(t.handle.db, ['sessions']);
    const failures: string[] = [];
    let sent = 0;

    const expect4xx = async (label: string, input: Parameters<TestApp['call']>[0]) => {
      const res = await t.call(input);
      sent++;
      const ok =
        res.status >= 400 &&
        res.status < 500 &&
        typeof res.body?.code === 'string' &&
        typeof res.body?.description === 'string';
      if (!ok) failures.push(`${label}: ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
    };

    for (const route of t.routes.filter((r) => r.url !== '/openapi.json' && r.url !== '/healthz')) {
      const caller = callerFor(route);
      if (!caller) continue;
      const token = tokens[caller];
      const url = urlOf(route);
      const op = doc.paths[route.url.replace(/:(\w+)/g, '{$1}')]?.[route.method.toLowerCase()];
      const label = `${route.method} ${route.url}`;
      const bodySchema: JsonSchema | undefined = op?.requestBody?.content?.['application/json']?.schema;

      if (bodySchema) {
        const method = route.method as 'POST';
        await expect4xx(`${label} malformed JSON`, { method, url, token, rawBody: '{"oops": ' });
        await expect4xx(`${label} text/plain`, {
          method,
          url,
          token,
          rawBody: 'hello',
          headers: { 'content-type': 'text/plain' },
        });
        await expect4xx(`${label} array body`, { method, url, token, body: [] });
        await expect4xx(`${label} string body`, { method, url, token, rawBody: '"just a string"' });
        await expect4xx(`${label} unknown field`, { method, url, token, body: { unexpectedField: 1 } });
        for (const b of branches(bodySchema)) {
          if ((b.required ?? []).length > 0)
            await expect4xx(`${label} missing fields`, { method, url, token, body: {} });
          for (const [name, prop] of Object.entries(b.properties ?? {})) {
            for (const p of branches(prop)) {
              const wrong = wrongValue(p);
              if (wrong !== undefined)
                await expect4xx(`${label} ${name} wrong type`, {
                  method,
                  url,
                  token,
                  body: { [name]: wrong },
                });
              const big = oversized(p);
              if (big !== undefined)
                await expect4xx(`${label} ${name} oversized`, { method, url, token, body: { [name]: big } });
            }
          }
        }
      }
      const params: { name: string; in: string }[] = op?.parameters ?? [];
      if (params.some((p) => p.in === 'query' && p.name === 'limit')) {
        for (const limit of ['0', '-1', 'abc', '100000', '1.5']) {
          await expect4xx(`${label} limit=${limit}`, { method: 'GET', url: `${url}?limit=${limit}`, token });
        }
        await expect4xx(`${label} cursor oversized`, {
          method: 'GET',
          url: `${url}?cursor=${'x'.repeat(500)}`,
          token,
        });
        await expect4xx(`${label} cursor garbage`, { method: 'GET', url: `${url}?cursor=%7B%7D%7B`, token });
      }
      if (route.url.includes(':tenantId')) {
        await expect4xx(`${label} oversized tenant id`, {
          method: route.method as 'GET',
          url: route.url.replace(':tenantId', 'x'.repeat(300)).replace(/:(\w+)/g, 'p'),
          token,
        });
      }
    }
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThan(100);
    expect(await databaseDigest(t.handle.db, ['sessions'])).toEqual(before);
  });

  it('never answers 5xx to hostile strings (injection, script, NUL, astral unicode, paths) in any field', async () => {
    const doc = (await t.call({ url: '/openapi.json' })).body;
    const failures: string[] = [];
    for (const route of t.routes.filter((r) => ['POST', 'PUT', 'PATCH'].includes(r.method))) {
      const caller = callerFor(route);
      if (!caller || route.url === '/api/auth/logout') continue;
      const op = doc.paths[route.url.replace(/:(\w+)/g, '{$1}')]?.[route.method.toLowerCase()];
      const bodySchema: JsonSchema | undefined = op?.requestBody?.content?.['application/json']?.schema;
      for (const b of branches(bodySchema)) {
        for (const name of Object.keys(b.properties ?? {})) {
          for (const h of HOSTILE) {
            const res = await t.call({
              method: route.method as 'POST',
              url: urlOf(route),
              token: tokens[caller],
              body: { [name]: h },
            });
            if (res.status >= 500)
              failures.push(`${route.method} ${route.url} ${name}=${JSON.stringify(h)}: ${res.status}`);
          }
        }
      }
    }
    expect(failures).toEqual([]);
  });
});
