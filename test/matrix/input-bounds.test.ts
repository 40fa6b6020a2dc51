import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { can, type Role } from '../../src/platform/auth/permissions.ts';
import { CLOCK_MAX } from '../../src/platform/clock.ts';
import { encodeCursor } from '../../src/platform/http/schemas.ts';
import { startTestApp, type TestApp } from '../fixtures/app.ts';
import { databaseDigest } from '../fixtures/digest.ts';
import { product } from '../fixtures/reference.ts';

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  items?: JsonSchema;
  maxLength?: number;
  maxItems?: number;
  enum?: unknown[];
  const?: unknown;
  $ref?: string;
};
type Operation = {
  parameters?: { in: string; name: string; schema: JsonSchema }[];
  requestBody?: { content?: Record<string, { schema: JsonSchema }> };
};

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
}, 120_000);
afterAll(async () => t?.close(), 60_000);

const seen = { strings: 0, arrays: 0 };

/** Every string without maxLength and every array without maxItems in a request schema. */
function unbounded(s: JsonSchema | undefined, path: string, out: string[]): void {
  if (!s) return;
  if (s.$ref) out.push(`${path}: a $ref this test does not follow (${s.$ref})`);
  for (const sub of [...(s.anyOf ?? []), ...(s.oneOf ?? []), ...(s.allOf ?? [])]) unbounded(sub, path, out);
  const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  if (types.includes('string')) seen.strings++;
  if (types.includes('array')) seen.arrays++;
  if (types.includes('string') && s.maxLength === undefined && !s.enum && s.const === undefined)
    out.push(`${path}: string without maxLength`);
  if (types.includes('array')) {
    if (s.maxItems === undefined) out.push(`${path}: array without maxItems`);
    unbounded(s.items, `${path}[]`, out);
  }
  for (const [name, p] of Object.entries(s.properties ?? {})) unbounded(p, `${path}.${name}`, out);
  if (s.additionalProperties && typeof s.additionalProperties === 'object')
    out.push(`${path}: open-ended object`);
}

describe('request schemas', () => {
  it('bound every string (maxLength) and every array (maxItems) of every request', async () => {
    const doc = t.app.swagger() as unknown as { paths: Record<string, Record<string, Operation>> };
    const found: string[] = [];
    let checked = 0;
    for (const [url, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const label = `${method.toUpperCase()} ${url}`;
        for (const p of op.parameters ?? []) {
          checked++;
          unbounded(p.schema, `${label} ${p.in} ${p.name}`, found);
        }
        const body = op.requestBody?.content?.['application/json']?.schema;
        if (body) {
          checked++;
          unbounded(body, `${label} body`, found);
        }
      }
    }
    expect(checked).toBeGreaterThan(50);
    expect(seen.strings).toBeGreaterThan(100);
    expect(seen.arrays).toBeGreaterThan(5);
    expect(found).toEqual([]);
  });
});

/**
 * Acceptance 6 of issue 13: random cursors and random strings on every list route (a GET with a
 * `cursor` query parameter, found in the route table and the OpenAPI document) never answer 5xx.
 * Cursors are of every shape the product writes ([time, id], [name, id], an id, a serial number)
 * filled with hostile values (years 0 and 275760, 2100-13-45, NUL, lone surrogates, long text,
 * unicode, numbers past 2^53), other JSON, and plain garbage; other query parameters and path ids get
 * random strings, sent as raw UTF-8 (a lone surrogate as its three bytes). A bounded number of runs
 * per route (TRASLADO_LIST_RUNS) keeps the test under a minute per database.
 */
const RUNS = Number(process.env.TRASLADO_LIST_RUNS ?? 40);
const SEED = Number(process.env.TRASLADO_LIST_SEED ?? 20_260_813);

/** Percent-encodes every UTF-16 code unit, a lone surrogate as the bytes a careless client sends. */
function rawEncode(s: string): string {
  let out = '';
  for (const ch of s) {
    const u = ch.codePointAt(0)!;
    if (u >= 0xd800 && u <= 0xdfff) {
      out += [0xe0 | (u >> 12), 0x80 | ((u >> 6) & 0x3f), 0x80 | (u & 0x3f)]
        .map((b) => `%${b.toString(16).toUpperCase()}`)
        .join('');
    } else out += encodeURIComponent(ch);
  }
  return out;
}

const HOSTILE_TEXT = [
  '\ud800',
  'x\udfffy',
  '\u0000',
  'a\u0000b',
  '\u202etxt',
  '👩‍👩‍👧‍👦',
  "' or 1=1 --",
  '',
  'é'.repeat(400),
  'z'.repeat(5000),
];
const HOSTILE_TIMES = [
  '0000-01-01T00:00:00.000Z',
  '+275760-09-13T00:00:00.000Z',
  '-271821-04-20T00:00:00.000Z',
  '+999999-01-01T00:00:00.000Z',
  '2100-13-45T00:00:00.000Z',
  '2020-02-30T00:00:00.000Z',
  '1970-01-01',
  '2026-01-01T00:00:00Z',
  'NaN',
];

async function listSetup() {
  const p = await t.newPartner();
  const c = await t.newTenant({ partnerToken: p.tokens['account-admin'] });
  // Delegated admin, so the partner's user lists reach their cursor instead of stopping at 403.
  await t.expectOk(
    {
      method: 'POST',
      url: `/api/admin/tenants/${c.tenant.id}/delegated-admin`,
      token: t.operatorToken,
      body: { partnerId: p.partner.id },
    },
    201,
  );
  const tokens: Record<string, string> = {
    ...p.tokens,
    'global-admin': c.adminToken,
    operator: t.operatorToken,
  };
  return { tenantId: c.tenant.id, tokens };
}

describe('random cursors and strings on every list route', () => {
  it('never answer 5xx, and every refusal is 4xx { code, description }', async () => {
    const { tenantId, tokens } = await listSetup();
    const doc = t.app.swagger() as unknown as { paths: Record<string, Record<string, Operation>> };
    const lists = t.routes
      .filter((r) => r.method === 'GET')
      .map((r) => ({ route: r, op: doc.paths[r.url.replace(/:(\w+)/g, '{$1}')]?.get }))
      .filter((x) => x.op?.parameters?.some((p) => p.in === 'query' && p.name === 'cursor'));
    expect(lists.length).toBeGreaterThanOrEqual(15);

    const text = fc.oneof(
      fc.constantFrom(...HOSTILE_TEXT),
      fc.string({ maxLength: 40 }),
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.string({ unit: 'grapheme', maxLength: 20 }),
    );
    const time = fc.oneof(
      fc.constantFrom(...HOSTILE_TIMES),
      fc
        .date({ min: new Date(-8.64e15), max: new Date(8.64e15), noInvalidDate: true })
        .map((d) => d.toISOString()),
      text,
    );
    const number = fc.oneof(fc.integer(), fc.constantFrom(-1, 2 ** 53, 2 ** 63, 1e308, -0, 0.5), fc.double());
    const cursor = fc.oneof(
      fc.tuple(time, text).map(encodeCursor),
      fc.tuple(text, text).map(encodeCursor),
      text.map(encodeCursor),
      number.map(encodeCursor),
      fc.jsonValue({ maxDepth: 3 }).map(encodeCursor),
      fc.array(fc.oneof(text, number), { maxLength: 4 }).map(encodeCursor),
      // Not base64url JSON at all.
      text,
    );

    const failures: string[] = [];
    let sent = 0;
    for (const { route, op } of lists) {
      const caller = ['account-admin', 'operator', 'global-admin'].find(
        (r) => route.public || can([r as Role], route.action!),
      );
      if (!caller) continue;
      const queryNames = (op!.parameters ?? [])
        .filter((p) => p.in === 'query' && p.name !== 'cursor')
        .map((p) => p.name);
      const pathNames = (op!.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
      await fc
        .assert(
          fc.asyncProperty(
            cursor,
            fc.dictionary(fc.constantFrom('', ...queryNames), text, { maxKeys: 2 }),
            fc.array(text, { minLength: pathNames.length, maxLength: pathNames.length }),
            async (c, extra, ids) => {
              let url = route.url;
              pathNames.forEach((name, i) => {
                // The tenant is a real one, most of the time, so that the cursor is what is judged.
                const id = name === 'tenantId' && ids[i]!.length % 4 !== 0 ? tenantId : ids[i]!;
                url = url.replace(`:${name}`, rawEncode(id) || 'x');
              });
              const query = [`cursor=${rawEncode(c)}`]
                .concat(Object.entries(extra).map(([k, v]) => `${k}=${rawEncode(v)}`))
                .join('&');
              const res = await t.app.inject({
                method: 'GET',
                url: `${url}?${query}`,
                headers: { authorization: `Bearer ${tokens[caller]}` },
              });
              sent++;
              let body: { code?: unknown; description?: unknown } | undefined;
              try {
                body = JSON.parse(res.body);
              } catch {
                body = undefined;
              }
              const ok =
                res.statusCode < 300 ||
                (res.statusCode < 500 &&
                  typeof body?.code === 'string' &&
                  typeof body?.description === 'string');
              if (!ok)
                failures.push(`${route.url} ${res.statusCode} ${res.body.slice(0, 160)} ← ${url}?${query}`);
              return ok;
            },
          ),
          { numRuns: RUNS, seed: SEED },
        )
        .catch(() => undefined); // collected below, for every route rather than the first
    }
    console.log(
      `[list routes] ${t.kind}: ${lists.length} routes, ${sent} requests, ${failures.length} failures`,
    );
    expect(failures.slice(0, 20)).toEqual([]);
    expect(sent).toBeGreaterThanOrEqual(lists.length * RUNS);
  }, 240_000);
});

describe('text, dates and the clock at the validation edge', () => {
  it('refuses a lone surrogate in a JSON string, a query string and a path id with 400; nothing is created', async () => {
    const p = await t.newPartner();
    const before = await databaseDigest(t.handle.db, ['sessions']);
    const tag = Math.random().toString(36).slice(2, 8);
    for (const companyName of ['\ud800', 'Acme \udfff Ltd', '\udc00\ud800']) {
      const res = await t.call({
        method: 'POST',
        url: '/api/customers',
        token: p.tokens['account-admin'],
        body: {
          companyName,
          defaultDomain: `lone${tag}.test`,
          country: 'ES',
          admin: { email: `admin@lone${tag}.test`, password: 'correct-horse-battery' },
        },
      });
      expect([res.status, res.body.code], JSON.stringify(companyName)).toEqual([400, 'invalid_request']);
      expect(res.body.description).toMatch(/Unicode/);
    }
    // A lone surrogate as a key is refused too, before "unknown field".
    const key = await t.call({
      method: 'POST',
      url: '/api/customers',
      token: p.tokens['account-admin'],
      rawBody: '{"\\ud800": 1}',
    });
    expect([key.status, key.body.description]).toEqual([400, expect.stringMatching(/Unicode/)]);
    // The bytes of a lone surrogate in a query string and a path id.
    // A URL carries UTF-8: those bytes arrive as U+FFFD, an ordinary character, never as a 5xx.
    const query = await t.call({ url: '/api/customers?search=%ED%A0%80', token: p.tokens['account-admin'] });
    expect(query.status).toBe(200);
    const path = await t.call({ url: '/api/customers/%ED%A0%80', token: p.tokens['account-admin'] });
    expect(path.status).toBeGreaterThanOrEqual(400);
    expect(path.status).toBeLessThan(500);
    expect(typeof path.body.code).toBe('string');
    expect(await databaseDigest(t.handle.db, ['sessions'])).toEqual(before);
  });

  it('refuses out-of-range and impossible dates with 400; nothing is recorded', async () => {
    const c = await t.newTenant();
    const sku = product('O365_BUSINESS_PREMIUM');
    const offer = await t.expectOk(
      {
        method: 'POST',
        url: '/api/admin/offers',
        token: t.operatorToken,
        body: {
          id: `offer-dates-${Math.random().toString(36).slice(2, 8)}`,
          skuId: sku.skuId,
          skuPartNumber: sku.skuPartNumber,
          productName: sku.name,
          servicePlans: sku.servicePlans.map((s) => ({ id: s.id, name: s.name })),
          markets: ['ES'],
          unitPrice: 1_000,
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
    const record = (termStart: string, termEnd = '2027-01-01T00:00:00.000Z') =>
      t.call({
        method: 'POST',
        url: `/api/admin/tenants/${c.tenant.id}/subscriptions`,
        token: t.operatorToken,
        body: {
          offerId: offer.id,
          quantity: 1,
          channel: 'direct',
          billingCycle: 'annual',
          termStart,
          termEnd,
          autoRenew: false,
        },
      });
    const before = await databaseDigest(t.handle.db, ['sessions']);
    for (const bad of [
      '0000-01-01T00:00:00.000Z',
      '0001-01-01T00:00:00.000Z',
      '+275760-09-13T00:00:00.000Z',
      '275760-09-13T00:00:00.000Z',
      '+999999-01-01T00:00:00.000Z',
      '-000001-01-01T00:00:00.000Z',
      '2100-13-45T00:00:00.000Z',
      '2026-02-30T00:00:00.000Z',
      '3000-01-01T00:00:00.000Z',
    ]) {
      const res = await record(bad);
      expect([res.status, res.body.code], bad).toEqual([400, 'invalid_request']);
      const end = await record('2026-01-01T00:00:00.000Z', bad);
      expect([end.status, end.body.code], bad).toEqual([400, 'invalid_request']);
    }
    expect(await databaseDigest(t.handle.db, ['sessions'])).toEqual(before);
    expect((await record('2026-01-01T00:00:00.000Z')).status).toBe(201);
  });

  it('never moves the clock past 2100-01-01 (422 clock_out_of_range, nothing changes); each move commits with its audit row', async () => {
    const move = (body: Record<string, unknown>) =>
      t.call({ method: 'POST', url: '/api/admin/clock', token: t.operatorToken, body });
    const before = await databaseDigest(t.handle.db, ['sessions']);
    for (const body of [{ now: '2100-01-01T00:00:00.001Z' }, { now: '2999-12-31T00:00:00.000Z' }]) {
      const res = await move(body);
      expect([res.status, res.body.code, res.body.data?.max], JSON.stringify(body)).toEqual([
        422,
        'clock_out_of_range',
        CLOCK_MAX.toISOString(),
      ]);
    }
    expect(await databaseDigest(t.handle.db, ['sessions'])).toEqual(before);
    // Two moves at once: both land, one after the other (neither overwrites the other's offset),
    // each with the audit row that says so.
    const offset = async () =>
      (await t.expectOk({ url: '/api/clock', token: t.operatorToken })).offsetDays as number;
    const start = await offset();
    const [a, b] = await Promise.all([move({ advanceDays: 1 }), move({ advanceDays: 1 })]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(await offset()).toBeCloseTo(start + 2, 2);
    const rows = await t.handle.db
      .selectFrom('audit_events')
      .select('data')
      .where('action', '=', 'clock.moved')
      .where('request_id', 'in', [String(a.headers['x-request-id']), String(b.headers['x-request-id'])])
      .execute();
    expect(
      rows
        .map((r) => r.data as { from: string; to: string })
        .map((m) => Date.parse(m.to) - Date.parse(m.from)),
    ).toEqual([86_400_000, 86_400_000]);
    // Up to the limit, then not one day further.
    expect((await move({ now: CLOCK_MAX.toISOString() })).status).toBe(200);
    const past = await move({ advanceDays: 1 });
    expect([past.status, past.body.code]).toEqual([422, 'clock_out_of_range']);
  });
});
