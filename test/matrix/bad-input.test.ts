import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { can, type Role } from '../../src/platform/auth/permissions.ts';
import type { RouteInfo } from '../../src/platform/http/server.ts';
import { validatorCompiler } from '../../src/platform/http/validation.ts';
import { PASSWORD, startTestApp, type TestApp, unique } from '../fixtures/app.ts';
import { databaseDigest } from '../fixtures/digest.ts';
import {
  BAD_PATH_IDS,
  BOUNDARY_NUMBERS,
  HOSTILE_STRINGS,
  MALFORMED_JSON,
  RAW_NUMBERS,
  WRONG_CONTENT_TYPES,
} from '../fixtures/hostile.ts';
import { prng } from '../fixtures/server-process.ts';

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
  for (const role of ['account-admin', 'admin-agent', 'sales-agent', 'billing-agent'] as const)
    tokens[role] = p.tokens[role];
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
  tokens['tenant-user'] = await t.login(plain);
}, 120_000);
afterAll(async () => t?.close(), 60_000);

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
  }, 120_000);

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
  }, 120_000);
});

/**
 * Generated hostile requests: at least 10,000, deterministic (TRASLADO_BAD_INPUT_SEED replays
 * another run), over every route of the OpenAPI document and every caller (each role of SPEC §1
 * and anonymous): wrong types, boundary numbers (0, -1, 2^31, 2^53, 1e309, "NaN"), 1 MB strings
 * and huge arrays, RTL / zero-width / emoji / lone-surrogate text, SQL and script injection,
 * malformed JSON, wrong content types, bad path ids, unknown and missing fields, in combinations.
 *
 * A caller the permission table allows gets only requests that must be refused whatever the data:
 * each candidate is checked against the route's own schemas with the server's own validator
 * (src/platform/http/validation.ts) and sent only when some part is invalid (or is not JSON, or is
 * of a media type the server does not read). Other callers get anything: the guard refuses first.
 * Every answer must be 4xx with `{ code, description }`, and no row may change.
 */
const SEED = Number(process.env.TRASLADO_BAD_INPUT_SEED ?? 20_260_808);
const PER_ALLOWED_PAIR = 56;
const PER_DENIED_PAIR = 8;
const MB = 1_048_576;
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

type Check = (v: unknown) => boolean;
const compile = (schema: unknown, httpPart: 'body' | 'querystring' | 'params'): Check =>
  validatorCompiler({ schema, httpPart, method: 'POST', url: '/' } as never) as Check;

interface RouteModel {
  route: RouteInfo;
  params: { name: string; schema: JsonSchema }[];
  query: { name: string; schema: JsonSchema }[];
  body: JsonSchema | undefined;
  validParams: Check;
  validQuery: Check;
  validBody: Check | undefined;
}

interface Candidate {
  kinds: string[];
  params: Record<string, string>;
  query: Record<string, string>;
  contentType?: string;
  payload?: string;
}

function modelOf(route: RouteInfo, doc: { paths: Record<string, Record<string, unknown>> }): RouteModel {
  const op = doc.paths[route.url.replace(/:(\w+)/g, '{$1}')]?.[route.method.toLowerCase()] as
    | {
        parameters?: { in: string; name: string; required?: boolean; schema: JsonSchema }[];
        requestBody?: Record<string, never>;
      }
    | undefined;
  const ps = op?.parameters ?? [];
  const objectOf = (list: typeof ps) => ({
    type: 'object',
    properties: Object.fromEntries(list.map((p) => [p.name, p.schema])),
    required: list.filter((p) => p.required).map((p) => p.name),
  });
  const path = ps.filter((p) => p.in === 'path');
  const query = ps.filter((p) => p.in === 'query');
  const body = (op?.requestBody as { content?: Record<string, { schema: JsonSchema }> } | undefined)
    ?.content?.['application/json']?.schema;
  return {
    route,
    params: path,
    query,
    body,
    validParams: compile(objectOf(path), 'params'),
    validQuery: compile(objectOf(query), 'querystring'),
    validBody: body ? compile(body, 'body') : undefined,
  };
}

/** A best-effort valid value for a schema, so that a mutation is usually the only fault. */
function sample(s: JsonSchema | undefined, depth = 0): unknown {
  if (!s || depth > 6) return null;
  const x = s as JsonSchema & {
    enum?: unknown[];
    const?: unknown;
    format?: string;
    pattern?: string;
    minimum?: number;
    minLength?: number;
    minItems?: number;
    default?: unknown;
  };
  if (x.const !== undefined) return x.const;
  if (x.enum) return x.enum[0];
  if (x.anyOf) return sample(x.anyOf[0], depth + 1);
  const type = Array.isArray(x.type) ? x.type[0] : x.type;
  switch (type) {
    case 'string':
      if (x.format === 'email') return 'someone@example.test';
      if (x.format === 'date-time') return '2026-01-01T00:00:00.000Z';
      if (x.format === 'uuid' || x.pattern?.includes('[0-9a-fA-F]{8}'))
        return '3b555118-da6a-4418-894f-7df1e2096870';
      if (x.pattern?.includes('A-Za-z]{2}$')) return 'ES';
      if (x.pattern?.includes('{2,63}')) return 'example.test';
      return 'x'.repeat(Math.max(1, x.minLength ?? 1));
    case 'integer':
    case 'number':
      return Math.max(1, x.minimum ?? 1);
    case 'boolean':
      return true;
    case 'array':
      return Array.from({ length: x.minItems ?? 0 }, () => sample(x.items, depth + 1));
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const name of x.required ?? []) out[name] = sample(x.properties?.[name], depth + 1);
      return out;
    }
    default:
      return null;
  }
}

/** Every property path of a body schema (root, nested objects, array items' objects). */
function fieldPaths(
  s: JsonSchema | undefined,
  prefix: (string | number)[] = [],
  depth = 0,
): { path: (string | number)[]; schema: JsonSchema }[] {
  if (!s || depth > 4) return [];
  const out: { path: (string | number)[]; schema: JsonSchema }[] = [];
  for (const b of branches(s)) {
    for (const [name, prop] of Object.entries(b.properties ?? {})) {
      out.push({ path: [...prefix, name], schema: prop });
      out.push(...fieldPaths(prop, [...prefix, name], depth + 1));
    }
    if (b.items) out.push(...fieldPaths(b.items, [...prefix, 0], depth + 1));
  }
  return out;
}

function setPath(root: unknown, path: (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  const base = (
    typeof head === 'number'
      ? Array.isArray(root)
        ? [...root]
        : []
      : root && typeof root === 'object' && !Array.isArray(root)
        ? { ...root }
        : {}
  ) as Record<string | number, unknown>;
  base[head!] = setPath(base[head!], rest, value);
  return base;
}

const RAW = '__raw_number_placeholder__';

function generator(seed: number) {
  const rand = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const chance = (p: number) => rand() < p;

  function hostileValue(schema: JsonSchema | undefined): unknown {
    const type = schema ? (Array.isArray(schema.type) ? schema.type[0] : schema.type) : undefined;
    const r = rand();
    if (r < 0.01) return 'x'.repeat(MB); // 1 MB string: over the body limit
    if (r < 0.015) return 'w'.repeat(MB - 4096); // just under it: the schema's maxLength refuses it
    if (r < 0.03) return Array.from({ length: 20_000 }, (_, i) => i); // huge array
    if (r < 0.06) return 'y'.repeat((schema?.maxLength ?? 200) + 1 + Math.floor(rand() * 5000));
    if (r < 0.1) return { nested: { deeper: [pick(HOSTILE_STRINGS), { x: pick(BOUNDARY_NUMBERS) }] } };
    if (r < 0.3) return pick(BOUNDARY_NUMBERS);
    if (r < 0.35) return RAW;
    if (r < 0.4) return pick([null, true, false, [], {}, [null], [[[]]]]);
    if (r < 0.7) return pick(HOSTILE_STRINGS);
    if (type === 'string') return pick([12345, -1, true, ['a'], { a: 1 }]);
    if (type === 'integer' || type === 'number') return pick(['5', '0x1', '1e3', 'NaN', 1.5, true, null]);
    if (type === 'array') return pick([{ not: 'an array' }, 'a,b', 1]);
    if (type === 'object') return pick([['not', 'an', 'object'], 'object', 0]);
    return pick(HOSTILE_STRINGS);
  }

  function candidate(m: RouteModel): Candidate {
    const hasBody = ['POST', 'PUT', 'PATCH', 'DELETE'].includes(m.route.method);
    const params: Record<string, string> = {};
    for (const p of m.params) params[p.name] = p.name === 'tenantId' ? tenantId : 'bad-input-placeholder';
    const query: Record<string, string> = {};
    let body: unknown = m.body ? sample(m.body) : undefined;
    let raw: string | undefined;
    let contentType: string | undefined;
    let rawNumber: string | undefined;
    const kinds: string[] = [];
    const mutations = 1 + Math.floor(rand() * rand() * 3);
    for (let i = 0; i < mutations; i++) {
      const options = [
        ...(m.params.length ? ['path-id', 'path-id'] : []),
        ...(m.query.length ? ['query', 'query'] : []),
        ...(hasBody ? ['malformed-json', 'content-type', 'body-root'] : []),
        // Over the body limit (413): a few per route, as each costs a megabyte.
        ...(hasBody && chance(0.03) ? ['huge-body'] : []),
        ...(m.body
          ? ['body-field', 'body-field', 'body-field', 'body-field', 'unknown-field', 'missing-field']
          : []),
      ];
      if (options.length === 0) break;
      const kind = pick(options);
      kinds.push(kind);
      switch (kind) {
        case 'path-id': {
          const p = pick(m.params);
          params[p.name] = pick(BAD_PATH_IDS);
          break;
        }
        case 'query': {
          const q = pick(m.query);
          const v = chance(0.5)
            ? pick(BOUNDARY_NUMBERS)
            : chance(0.1)
              ? 'z'.repeat(10_000)
              : pick(HOSTILE_STRINGS);
          // A URL carries UTF-8: a lone surrogate arrives as U+FFFD, so judge what will arrive.
          query[q.name] = Buffer.from(String(v), 'utf8').toString('utf8');
          break;
        }
        case 'malformed-json':
          raw = pick(MALFORMED_JSON);
          contentType = 'application/json';
          break;
        case 'content-type':
          contentType = chance(0.3) ? 'text/plain' : pick(WRONG_CONTENT_TYPES);
          break;
        case 'body-root':
          body = pick([[], 'just a string', 0, -1, null, true, [body], HOSTILE_STRINGS]);
          break;
        case 'huge-body':
          raw = JSON.stringify({ blob: 'h'.repeat(MB + 10) });
          break;
        case 'body-field': {
          const fields = fieldPaths(m.body);
          if (fields.length === 0) break;
          const f = pick(fields);
          const v = hostileValue(f.schema);
          // A number JSON.stringify cannot write (1e309, -0, ...): spliced into the text below.
          if (v === RAW) rawNumber = pick(RAW_NUMBERS);
          body = setPath(body, f.path, v);
          break;
        }
        case 'unknown-field':
          body = setPath(
            body,
            [pick(['extra', 'isAdmin', '__proto__x', pick(HOSTILE_STRINGS) || 'blank'])],
            pick(HOSTILE_STRINGS),
          );
          break;
        case 'missing-field': {
          const required = branches(m.body).flatMap((b) => b.required ?? []);
          if (body && typeof body === 'object' && !Array.isArray(body) && required.length) {
            const copy = { ...(body as Record<string, unknown>) };
            delete copy[pick(required)];
            body = copy;
          }
          break;
        }
      }
    }
    let payload: string | undefined = raw;
    if (payload === undefined && hasBody && body !== undefined) {
      payload = JSON.stringify(body);
      if (rawNumber) payload = payload.replace(`"${RAW}"`, rawNumber);
    }
    if (payload !== undefined && !contentType) contentType = 'application/json';
    return {
      kinds,
      params,
      query,
      ...(contentType ? { contentType } : {}),
      ...(payload !== undefined ? { payload } : {}),
    };
  }
  return { candidate, pick, chance };
}

/** True when the server must refuse this request whatever its data (see the block comment). */
function mustRefuse(m: RouteModel, c: Candidate): boolean {
  const decoded: Record<string, string> = {};
  for (const [k, v] of Object.entries(c.params)) {
    try {
      decoded[k] = decodeURIComponent(v);
    } catch {
      return true; // not a valid URL
    }
  }
  if (!m.validParams(decoded)) return true;
  if (!m.validQuery(structuredClone(c.query))) return true;
  const reads = ['POST', 'PUT', 'PATCH', 'DELETE'].includes(m.route.method);
  if (!reads || c.payload === undefined) return m.validBody ? !m.validBody(undefined) : false;
  if (Buffer.byteLength(c.payload) > MB) return true;
  const type = (c.contentType ?? '').split(';')[0]!.trim();
  if (type !== 'application/json' && type !== 'text/plain') return true; // no parser: 415
  let parsed: unknown;
  if (type === 'text/plain') parsed = c.payload;
  else {
    try {
      parsed = JSON.parse(c.payload);
    } catch {
      return true;
    }
  }
  return m.validBody ? !m.validBody(structuredClone(parsed)) : false;
}

function urlFor(m: RouteModel, c: Candidate): string {
  let url = m.route.url;
  for (const [k, v] of Object.entries(c.params)) url = url.replace(`:${k}`, v);
  const qs = Object.entries(c.query)
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join('&');
  return qs ? `${url}?${qs}` : url;
}

describe('generated hostile requests on every route, as every caller', () => {
  it('answers ≥ 10,000 invalid requests 4xx { code, description }, never 5xx, and changes no row', async () => {
    const started = performance.now();
    const doc = t.app.swagger() as unknown as { paths: Record<string, Record<string, unknown>> };
    const models = t.routes
      .filter((r) => r.url !== '/openapi.json' && r.url !== '/healthz' && !r.url.startsWith('/docs'))
      .map((r) => modelOf(r, doc));
    const gen = generator(SEED);
    const plan: { label: string; caller: Caller; m: RouteModel; c: Candidate }[] = [];
    let discarded = 0;
    for (const m of models) {
      for (const caller of CALLERS) {
        const allowed = m.route.public || (caller !== 'anonymous' && can([caller], m.route.action!));
        const want = allowed ? PER_ALLOWED_PAIR : PER_DENIED_PAIR;
        let made = 0;
        for (let attempt = 0; made < want && attempt < want * 6; attempt++) {
          const c = gen.candidate(m);
          // A caller the guard lets through gets only what validation alone must refuse.
          if (allowed && !mustRefuse(m, c)) {
            discarded++;
            continue;
          }
          plan.push({
            label: `${m.route.method} ${m.route.url} as ${caller} [${c.kinds.join('+')}]`,
            caller,
            m,
            c,
          });
          made++;
        }
      }
    }

    const generatedMs = performance.now() - started;
    const before = await databaseDigest(t.handle.db, ['sessions']);
    const byStatus: Record<string, number> = {};
    const failures: string[] = [];
    const BATCH = 16;
    for (let i = 0; i < plan.length; i += BATCH) {
      await Promise.all(
        plan.slice(i, i + BATCH).map(async ({ label, caller, m, c }) => {
          const headers: Record<string, string> = {};
          if (caller !== 'anonymous') headers.authorization = `Bearer ${tokens[caller]}`;
          if (c.contentType) headers['content-type'] = c.contentType;
          if (m.route.method === 'POST') headers['idempotency-key'] = `bad-input-${i}-${Math.random()}`;
          const res = await t.app.inject({
            method: m.route.method as 'POST',
            url: urlFor(m, c),
            headers,
            ...(c.payload !== undefined ? { payload: c.payload } : {}),
          });
          byStatus[res.statusCode] = (byStatus[res.statusCode] ?? 0) + 1;
          let body: { code?: unknown; description?: unknown } | undefined;
          try {
            body = JSON.parse(res.body);
          } catch {
            body = undefined;
          }
          const ok =
            res.statusCode >= 400 &&
            res.statusCode < 500 &&
            typeof body?.code === 'string' &&
            typeof body?.description === 'string';
          if (!ok)
            failures.push(
              `${label}: ${res.statusCode} ${res.body.slice(0, 160)} ← ${urlFor(m, c).slice(0, 120)} ${String(c.payload ?? '').slice(0, 160)}`,
            );
        }),
      );
    }
    const after = await databaseDigest(t.handle.db, ['sessions']);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(
      `[bad input] ${t.kind}: ${plan.length} generated requests over ${models.length} routes × ${CALLERS.length} callers ` +
        `(seed ${SEED}; ${discarded} candidates dropped as possibly valid) in ${seconds} s (generating ${Math.round(generatedMs)} ms); by status ${JSON.stringify(byStatus)}; ` +
        `${failures.length} not 4xx { code, description }`,
    );
    expect(failures.slice(0, 25)).toEqual([]);
    expect(plan.length).toBeGreaterThanOrEqual(10_000);
    expect(Object.keys(byStatus).filter((s) => Number(s) >= 500)).toEqual([]);
    expect(after).toEqual(before);
  }, 300_000);
});
