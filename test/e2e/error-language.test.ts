import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, unique } from '../fixtures/app.ts';

/**
 * Errors answer in the language of Accept-Language (issue 21, deliverable 4): Spanish for `es`,
 * `es-ES`, `es-419`, English otherwise, with the same code, status and data. The descriptions are
 * human text: the field and its limit, the act the role lacks, how long to wait; never a regex, a
 * permission id or "Retry-After".
 */
const MAX_FAILURES = 3;
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ loginMaxFailures: MAX_FAILURES, loginWindowMinutes: 15 });
});
afterAll(async () => t?.close());

const ES = { 'accept-language': 'es' };
const EN = { 'accept-language': 'en-US' };

/** No regex fragment, permission id or header name in a description. */
function human(description: unknown) {
  expect(typeof description).toBe('string');
  const text = String(description);
  expect(text.length).toBeGreaterThan(10);
  expect(text).not.toMatch(/Retry-After/i);
  expect(text).not.toMatch(/\([a-z-]+\.[a-z-]+\)/);
  expect(text).not.toMatch(/\^|\\[dswu]|\[A-Z|\{\d+,\d*\}|must NOT/);
}

async function both(input: Parameters<TestApp['call']>[0]) {
  const es = await t.call({ ...input, headers: { ...input.headers, ...ES } });
  const en = await t.call({ ...input, headers: { ...input.headers, ...EN } });
  expect(es.status).toBe(en.status);
  expect(es.body.code).toBe(en.body.code);
  expect(es.body.data).toEqual(en.body.data);
  human(es.body.description);
  human(en.body.description);
  expect(es.body.description).not.toBe(en.body.description);
  return { es, en };
}

describe('errors in the language of Accept-Language', () => {
  it('says which field is too long and its limit, in Spanish or English (400 invalid_request)', async () => {
    const p = await t.newPartner();
    const body = { companyName: 'x'.repeat(201), defaultDomain: `${unique('lang')}.test`, country: 'ES' };
    const { es, en } = await both({
      method: 'POST',
      url: '/api/customers',
      token: p.tokens['account-admin'],
      body,
    });
    expect([es.status, es.body.code]).toEqual([400, 'invalid_request']);
    expect(es.body.description).toBe(
      'El campo "companyName" es demasiado largo: como máximo 200 caracteres.',
    );
    expect(en.body.description).toBe('Field "companyName" is too long: at most 200 characters.');
  });

  it('names a pattern by what it asks for, not by its regex', async () => {
    const p = await t.newPartner();
    const body = { companyName: 'Acme', defaultDomain: `${unique('lang')}.test`, country: 'E1' };
    const { es, en } = await both({
      method: 'POST',
      url: '/api/customers',
      token: p.tokens['account-admin'],
      body,
    });
    expect([es.status, es.body.code]).toEqual([400, 'invalid_request']);
    expect(es.body.description).toContain('"country"');
    expect(es.body.description).toContain('dos letras');
    expect(en.body.description).toContain('two letters');
  });

  it('says what is missing', async () => {
    const p = await t.newPartner();
    const body = { companyName: 'Acme', country: 'ES' };
    const { es, en } = await both({
      method: 'POST',
      url: '/api/customers',
      token: p.tokens['account-admin'],
      body,
    });
    expect(es.body.description).toBe('Falta el campo "defaultDomain".');
    expect(en.body.description).toBe('Field "defaultDomain" is missing.');
  });

  it('answers 404 in Spanish for es, es-ES and es-419, and English for anything else', async () => {
    const p = await t.newPartner();
    const url = `/api/customers/${unique('nobody')}`;
    const token = p.tokens['account-admin'];
    for (const lang of ['es', 'es-ES', 'es-419', 'fr-FR, es;q=0.8', 'en;q=0.4, es-MX']) {
      const res = await t.call({ url, token, headers: { 'accept-language': lang } });
      expect([res.status, res.body.code, res.body.description], lang).toEqual([
        404,
        'tenant_not_found',
        'No existe ese inquilino de cliente.',
      ]);
      expect(String(res.headers.vary)).toMatch(/accept-language/i);
    }
    for (const lang of [undefined, 'en', 'fr', 'en-GB, es;q=0.5', 'es;q=0']) {
      const res = await t.call({ url, token, ...(lang ? { headers: { 'accept-language': lang } } : {}) });
      expect([res.status, res.body.code, res.body.description], String(lang)).toEqual([
        404,
        'tenant_not_found',
        'No such customer tenant.',
      ]);
    }
  });

  it('says which act the role does not allow, without its permission id (403 forbidden)', async () => {
    const p = await t.newPartner();
    const body = { companyName: 'Acme', defaultDomain: `${unique('lang')}.test`, country: 'ES' };
    const { es, en } = await both({
      method: 'POST',
      url: '/api/customers',
      token: p.tokens['billing-agent'],
      body,
    });
    expect([es.status, es.body.code]).toEqual([403, 'forbidden']);
    expect(es.body.description).toBe(
      'Su rol no le permite crear un inquilino de cliente con este partner como revendedor.',
    );
    expect(en.body.description).toBe(
      'Your role does not allow you to create a new customer tenant with this partner as reseller.',
    );
  });

  it('refuses a reused Idempotency-Key in either language (409 idempotency_key_reused)', async () => {
    const p = await t.newPartner();
    const key = unique('key');
    const body = { companyName: 'Uno SL', defaultDomain: `${unique('lang')}.test`, country: 'ES' };
    const first = await t.call({
      method: 'POST',
      url: '/api/customers',
      token: p.tokens['account-admin'],
      body,
      headers: { 'idempotency-key': key },
    });
    expect(first.status).toBe(201);
    const { es, en } = await both({
      method: 'POST',
      url: '/api/customers',
      token: p.tokens['account-admin'],
      body: { ...body, companyName: 'Dos SL' },
      headers: { 'idempotency-key': key },
    });
    expect([es.status, es.body.code]).toEqual([409, 'idempotency_key_reused']);
    expect(es.body.description).toBe('Esta Idempotency-Key ya se usó con un cuerpo de solicitud distinto.');
    expect(en.body.description).toBe('This Idempotency-Key was already used with a different request body.');
  });

  it('says how long to wait after too many failed sign-ins, in seconds (429 too_many_login_attempts)', async () => {
    const { tag } = await t.newPartner();
    const email = `sales-agent.${tag}@partner.test`;
    const login = (lang: string) =>
      t.call({
        method: 'POST',
        url: '/api/auth/login',
        body: { email, password: 'wrong-password-here' },
        headers: { 'accept-language': lang },
      });
    for (let i = 0; i < MAX_FAILURES; i++) expect((await login('es')).body.code).toBe('invalid_credentials');
    const es = await login('es-419');
    const en = await login('en');
    for (const r of [es, en]) {
      expect([r.status, r.body.code]).toEqual([429, 'too_many_login_attempts']);
      human(r.body.description);
    }
    const wait = (r: typeof es) => Number(r.headers['retry-after']);
    expect(wait(es)).toBeGreaterThan(14 * 60);
    expect(es.body.description).toBe(
      `Demasiados inicios de sesión fallidos para esta cuenta; inténtelo de nuevo en ${wait(es)} segundos.`,
    );
    expect(en.body.description).toBe(
      `Too many failed sign-ins for this account; try again in ${wait(en)} seconds.`,
    );
  });
});
