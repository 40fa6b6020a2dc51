import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { ACTIONS } from '../auth/permissions.ts';
import { DomainError, type ErrorCode } from '../errors.ts';
import { describeError, ERROR_PARTS, ERROR_TABLE } from './error-table.ts';
import { languageOf } from './language.ts';
import { SAMPLE_ERROR_PARAMS as RICH } from './sample-error-params.ts';
import { Country, Id, NonEmpty } from './schemas.ts';
import { invalidRequestParams, invalidRequestText, validatorCompiler } from './validation.ts';

// Compile-time check: a code that is not in the table does not compile. If DomainError's code
// ever widens to `string`, this directive is unused and `tsc` fails.
// @ts-expect-error no_such_code_typo is not a declared error code
const typo = () => new DomainError('no_such_code_typo');

const codes = Object.keys(ERROR_TABLE) as ErrorCode[];

const PARAM_SETS: Record<string, unknown>[] = [{}, RICH];

// A regex fragment, a permission id such as "(transitions.plan)" or any action id, a header name
// where a wait should be said, or a value that did not make it into words.
const REGEX = /\^|\\[dswuDSW]|\[[A-Za-z0-9]-[A-Za-z0-9]|\{\d+,\d*\}|\(\?[=!:]|\$\)|must NOT/;
const PERMISSION_ID = /\([a-z-]+\.[a-z-]+\)/;
const ACTION_IDS = new RegExp(
  `(^|[^\\w/-])(${Object.keys(ACTIONS)
    .map((a) => a.replace('.', '\\.'))
    .join('|')})\\b`,
);
const LEAK = /undefined|null\b|\[object Object\]|NaN/;

// Codes whose Spanish and English are the same on purpose (reviewed): none today.
const SAME_IN_BOTH: ErrorCode[] = [];

describe('the error table', () => {
  it('declares each code once across the modules, and has the codes the API pins', () => {
    const declared = Object.values(ERROR_PARTS).flatMap((part) => Object.keys(part));
    expect(declared.length).toBeGreaterThan(100);
    expect(new Set(declared).size).toBe(declared.length);
    expect(codes.length).toBe(declared.length);
    for (const c of [
      'invalid_request',
      'not_found',
      'forbidden',
      'idempotency_key_reused',
      'unauthenticated',
    ])
      expect(codes).toContain(c);
    expect(typo).toBeTypeOf('function');
  });

  it('has a status and non-empty English and Spanish for every code, Spanish different from English', () => {
    expect(codes.length).toBeGreaterThan(100);
    for (const code of codes) {
      const entry = ERROR_TABLE[code];
      expect(entry.status, code).toBeGreaterThanOrEqual(400);
      expect(entry.status, code).toBeLessThan(600);
      for (const params of PARAM_SETS) {
        const en = describeError(code, params, 'en').description;
        const es = describeError(code, params, 'es').description;
        expect(en.trim().length, code).toBeGreaterThan(5);
        expect(es.trim().length, code).toBeGreaterThan(5);
        if (!SAME_IN_BOTH.includes(code)) expect(es, code).not.toBe(en);
      }
    }
  });

  it('never shows a regex, a permission id, "Retry-After" or an unfilled value', () => {
    for (const code of codes) {
      for (const params of PARAM_SETS) {
        for (const lang of ['en', 'es'] as const) {
          const text = describeError(code, params, lang).description;
          const at = `${code} ${lang} ${params === RICH ? 'rich' : 'empty'}: ${text}`;
          expect(text, at).not.toMatch(REGEX);
          expect(text, at).not.toMatch(PERMISSION_ID);
          expect(text, at).not.toMatch(ACTION_IDS);
          expect(text, at).not.toMatch(/Retry-After/i);
          expect(text, at).not.toMatch(/\$\{|\$[a-z]|\bp\.[a-z]/i);
          if (params === RICH) expect(text, at).not.toMatch(LEAK);
        }
      }
    }
  });

  it('says the wait in seconds and the act a role lacks, in both languages', () => {
    const p = { retryAfterSeconds: 90 };
    expect(describeError('rate_limited', p, 'es').description).toContain('inténtelo de nuevo en 90 segundos');
    expect(describeError('rate_limited', p, 'en').description).toContain('try again in 90 seconds');
    expect(describeError('forbidden', { action: 'transitions.plan' }, 'es').description).toBe(
      'Su rol no le permite planificar una transición (simulación).',
    );
    expect(describeError('delegated_role_required', RICH, 'es').description).toContain(
      'Administrador de facturación o Administrador global',
    );
    expect(describeError('transition_apply_forbidden', RICH, 'es').description).toContain(
      '(le falta: Agente de administrador, Administrador de licencias y el permiso para aplicar un plan de transición)',
    );
    expect(describeError('region_mismatch', RICH, 'es').description).toContain('Europa');
    expect(describeError('region_mismatch', RICH, 'es').description).toContain('Brasil');
  });
});

describe('validation errors as human text', () => {
  const schema = Type.Object(
    {
      name: NonEmpty(20),
      country: Country,
      id: Id,
      term: Type.Union([Type.Literal('P1M'), Type.Literal('P1Y')]),
      day: Type.String({ format: 'date' }),
      seats: Type.Integer({ minimum: 1, maximum: 300 }),
    },
    { additionalProperties: false },
  );
  const validate = validatorCompiler({ schema, httpPart: 'body', method: 'POST', url: '/x' }) as unknown as ((
    d: unknown,
  ) => boolean) & { errors: { keyword: string; instancePath: string; params: Record<string, unknown> }[] };
  const ok = { name: 'Acme', country: 'ES', id: 'a-1', term: 'P1M', day: '2026-01-31', seats: 3 };
  const texts = (data: unknown) => {
    expect(validate(data)).toBe(false);
    const params = invalidRequestParams(validate.errors, 'body');
    return { en: invalidRequestText(params, 'en'), es: invalidRequestText(params, 'es'), params };
  };

  it('accepts the good body', () => {
    expect(validate(ok)).toBe(true);
  });

  it.each([
    [
      { name: 'x'.repeat(21) },
      'Field "name" is too long: at most 20 characters.',
      'El campo "name" es demasiado largo: como máximo 20 caracteres.',
    ],
    [{ name: '' }, 'Field "name" must not be empty.', 'El campo "name" no puede estar vacío.'],
    [
      { country: 'E1' },
      'Field "country" must be two letters, such as ES.',
      'El campo "country" debe ser dos letras, como ES.',
    ],
    [
      { term: 'P2Y' },
      'Field "term" must be one of: "P1M", "P1Y".',
      'El campo "term" debe ser uno de: "P1M", "P1Y".',
    ],
    [
      { day: '2026-02-30' },
      'Field "day" is not a valid date (YYYY-MM-DD).',
      'El campo "day" no es una fecha válida (AAAA-MM-DD).',
    ],
    [{ seats: 0 }, 'Field "seats" must be at least 1.', 'El campo "seats" debe ser como mínimo 1.'],
    [{ seats: 2.5 }, 'Field "seats" must be a whole number.', 'El campo "seats" debe ser un número entero.'],
    [{ extra: 1 }, 'Field "extra" is not allowed here.', 'El campo "extra" no está permitido aquí.'],
    [
      { name: 'a\u0001b' },
      'Field "name" must be visible characters only (no control characters).',
      'El campo "name" debe ser solo caracteres visibles (sin caracteres de control).',
    ],
    [
      { name: '\ud800' },
      'Field "name" must be well-formed Unicode text (no lone surrogates).',
      'El campo "name" debe ser texto Unicode bien formado (sin sustitutos sueltos).',
    ],
  ])('%j', (change, en, es) => {
    const t = texts({ ...ok, ...change });
    expect(t.en).toBe(en);
    expect(t.es).toBe(es);
    expect(t.en).not.toMatch(REGEX);
    expect(t.es).not.toMatch(REGEX);
  });

  it('names a field in a list by its index', () => {
    const list = Type.Object({
      prices: Type.Array(Type.Object({ currency: Type.String({ pattern: '^[A-Z]{3}$' }) })),
    });
    const check = validatorCompiler({
      schema: list,
      httpPart: 'body',
      method: 'PUT',
      url: '/x',
    }) as unknown as typeof validate;
    expect(check({ prices: [{ currency: 'EUR' }, { currency: 'eur' }] })).toBe(false);
    expect(invalidRequestText(invalidRequestParams(check.errors, 'body'), 'es')).toBe(
      'El campo "prices[1].currency" debe ser tres letras mayúsculas, como EUR.',
    );
  });

  it('names a missing field, nested fields by their path, and query parameters as such', () => {
    const { id: _id, ...noId } = ok;
    expect(texts(noId).es).toBe('Falta el campo "id".');
    expect(texts(noId).en).toBe('Field "id" is missing.');
    expect(invalidRequestText({ part: 'querystring', field: 'cursor' }, 'es')).toBe(
      'El parámetro "cursor" de la consulta no es válido.',
    );
    expect(
      invalidRequestText({ part: 'body', field: 'admin.email', rule: 'format', format: 'email' }, 'en'),
    ).toBe('Field "admin.email" is not a valid e-mail address.');
  });
});

describe('the language of an answer', () => {
  it.each([
    ['es', 'es'],
    ['es-ES', 'es'],
    ['es-419', 'es'],
    ['ES-mx', 'es'],
    ['es-ES,es;q=0.9,en;q=0.8', 'es'],
    ['fr-FR, es;q=0.5', 'es'],
    ['en;q=0.3, es;q=0.6', 'es'],
    [undefined, 'en'],
    ['', 'en'],
    ['en', 'en'],
    ['fr', 'en'],
    ['*', 'en'],
    ['en-GB, es;q=0.9', 'en'],
    ['es;q=0', 'en'],
    ['garbage;;;q=x', 'en'],
  ])('%s → %s', (header, lang) => {
    expect(languageOf(header)).toBe(lang);
  });
});
