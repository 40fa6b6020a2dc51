import { Ajv, type ErrorObject, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

function makeAjv(opts: Options) {
  const ajv = new Ajv({
    allErrors: false,
    removeAdditional: false,
    useDefaults: true,
    strict: false,
    ...opts,
  });
  addFormats.default(ajv);
  return ajv;
}

// Bodies are strict: no coercion ("5" is not 5) and unknown fields are refused by the schemas.
// Query strings and path params arrive as text, so they alone are coerced.
const strict = makeAjv({ coerceTypes: false });
const coercing = makeAjv({ coerceTypes: 'array' });

const LONE_SURROGATE = /\p{Cs}/u;

/**
 * The path of the first string (value or key) holding a lone surrogate (`"\ud800"` in JSON is
 * legal JSON but not Unicode: PostgreSQL refuses it in text, and nothing can print it), or null.
 */
export function loneSurrogateAt(value: unknown, path = ''): string | null {
  if (typeof value === 'string') return LONE_SURROGATE.test(value) ? path : null;
  if (value === null || typeof value !== 'object') return null;
  for (const [key, v] of Object.entries(value)) {
    const at = `${path}/${key}`;
    if (LONE_SURROGATE.test(key)) return at;
    const found = loneSurrogateAt(v, at);
    if (found !== null) return found;
  }
  return null;
}

type Validate = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  const ajv = httpPart === 'body' ? strict : coercing;
  // Compiled on first use, not at start: ~150 route parts, most unused in a given run (issue 20).
  let validate: ReturnType<typeof ajv.compile> | undefined;
  // Every part (body, query string, path params) is refused whole, before its schema, when any
  // of its text is not well-formed Unicode.
  const checked: Validate = (data) => {
    const at = loneSurrogateAt(data);
    if (at !== null) {
      checked.errors = [
        {
          keyword: 'unicode',
          instancePath: at,
          schemaPath: '#',
          params: {},
          message: 'must be well-formed Unicode (no lone surrogates)',
        },
      ];
      return false;
    }
    validate ??= ajv.compile(schema as object);
    const ok = validate(data) as boolean;
    checked.errors = validate.errors ?? null;
    return ok;
  };
  return checked as ReturnType<FastifySchemaCompiler<unknown>>;
};

// ---- Validation errors as human text (the `invalid_request` description) ----

type Part = 'body' | 'querystring' | 'params' | 'headers';

/**
 * The params of an `invalid_request` made from Ajv's errors: which field (a dotted path), what is
 * wrong (`rule`) and the bound or the allowed values. Never Ajv's own message: it shows regexes.
 */
export type InvalidRequestParams = {
  part?: Part;
  field?: string;
  rule?: string;
  limit?: number;
  allowed?: unknown[];
  format?: string;
  /** What a `pattern` asks for, said in words (a key of PATTERN_HINTS). */
  hint?: string;
  type?: string;
  /** Free text from a caller that has no field to name (the CLI's files, say). */
  detail?: string;
};

// `/prices/0/currency` → `prices[0].currency`.
const dotted = (instancePath: string) =>
  instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce((path, s) => (/^\d+$/.test(s) ? `${path}[${s}]` : path ? `${path}.${s}` : s), '');

const join = (a: string, b: string | undefined) => (b === undefined ? a : a ? `${a}.${b}` : b);

// What our schemas' patterns ask for (platform/http/schemas.ts and the modules' schemas), by source.
const PATTERN_HINTS: Record<string, string> = {
  '^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F]*$': 'printable',
  '^[A-Za-z]{2}$': 'two-letters',
  '^[A-Z]{3}$': 'currency',
  '^[A-Za-z0-9._:-]+$': 'id',
  '^[A-Za-z0-9_.-]+$': 'token',
  '^[^@\\s]+@[^@\\s]+$': 'upn',
  '^(19|2\\d)\\d\\d-': 'year',
  '^(?=.{3,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z]{2,63}$': 'domain',
  '^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$': 'uuid',
};

/** The first problem Ajv found, as `InvalidRequestParams`. */
export function invalidRequestParams(
  errors: readonly { keyword: string; instancePath: string; params: Record<string, unknown> }[],
  part?: string,
): InvalidRequestParams {
  const out: InvalidRequestParams = {};
  if (part === 'body' || part === 'querystring' || part === 'params' || part === 'headers') out.part = part;
  if (errors.length === 0) return out;
  // A union of literals (TypeBox's enums) fails with one `const` error per branch, then `anyOf`.
  const any = errors.find((e) => e.keyword === 'anyOf');
  if (any) {
    const branches = errors.filter((e) => e.instancePath === any.instancePath && e !== any);
    if (branches.length > 0 && branches.every((e) => e.keyword === 'const' || e.keyword === 'enum')) {
      const allowed = branches.flatMap((e) =>
        e.keyword === 'const'
          ? [(e.params as { allowedValue: unknown }).allowedValue]
          : (e.params as { allowedValues: unknown[] }).allowedValues,
      );
      return { ...out, field: dotted(any.instancePath), rule: 'enum', allowed };
    }
  }
  const e = errors[0]!;
  const field = dotted(e.instancePath);
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return { ...out, field: join(field, p.missingProperty as string), rule: 'required' };
    case 'additionalProperties':
      return { ...out, field: join(field, p.additionalProperty as string), rule: 'additionalProperties' };
    case 'maxLength':
    case 'minLength':
    case 'maxItems':
    case 'minItems':
    case 'maximum':
    case 'minimum':
    case 'exclusiveMaximum':
    case 'exclusiveMinimum':
    case 'multipleOf':
    case 'maxProperties':
    case 'minProperties':
      return { ...out, field, rule: e.keyword, limit: Number(p.limit ?? p.multipleOf) };
    case 'enum':
      return { ...out, field, rule: 'enum', allowed: p.allowedValues as unknown[] };
    case 'const':
      return { ...out, field, rule: 'enum', allowed: [p.allowedValue] };
    case 'type':
      return { ...out, field, rule: 'type', type: String(p.type) };
    case 'format':
      return { ...out, field, rule: 'format', format: String(p.format) };
    case 'pattern': {
      const hint = PATTERN_HINTS[String(p.pattern)];
      return { ...out, field, rule: 'pattern', ...(hint ? { hint } : {}) };
    }
    case 'uniqueItems':
    case 'unicode':
      return { ...out, field, rule: e.keyword };
    default:
      return { ...out, field };
  }
}

type Lang = 'en' | 'es';

const SUBJECT: Record<Part, Record<Lang, (f: string) => string>> = {
  body: { en: (f) => `Field "${f}"`, es: (f) => `El campo "${f}"` },
  querystring: { en: (f) => `Query parameter "${f}"`, es: (f) => `El parámetro "${f}" de la consulta` },
  params: { en: (f) => `Path parameter "${f}"`, es: (f) => `El parámetro "${f}" de la ruta` },
  headers: { en: (f) => `Header "${f}"`, es: (f) => `El encabezado "${f}"` },
};

const HINTS: Record<string, Record<Lang, string>> = {
  printable: {
    en: 'visible characters only (no control characters)',
    es: 'solo caracteres visibles (sin caracteres de control)',
  },
  'two-letters': { en: 'two letters, such as ES', es: 'dos letras, como ES' },
  currency: { en: 'three capital letters, such as EUR', es: 'tres letras mayúsculas, como EUR' },
  id: {
    en: 'letters, digits and . _ : - only',
    es: 'solo letras, dígitos y . _ : -',
  },
  token: { en: 'letters, digits and . _ - only', es: 'solo letras, dígitos y . _ -' },
  upn: { en: 'an address such as name@contoso.com', es: 'una dirección como nombre@contoso.com' },
  year: {
    en: 'a date with a four-digit year from 1900',
    es: 'una fecha con un año de cuatro cifras desde 1900',
  },
  domain: { en: 'a domain name such as contoso.com', es: 'un nombre de dominio como contoso.com' },
  uuid: {
    en: 'an id such as 3f2504e0-4f89-11d3-9a0c-0305e82c3301',
    es: 'un identificador como 3f2504e0-4f89-11d3-9a0c-0305e82c3301',
  },
};

const TYPES: Record<string, Record<Lang, string>> = {
  string: { en: 'text', es: 'texto' },
  integer: { en: 'a whole number', es: 'un número entero' },
  number: { en: 'a number', es: 'un número' },
  boolean: { en: 'true or false', es: 'true o false' },
  array: { en: 'a list', es: 'una lista' },
  object: { en: 'an object', es: 'un objeto' },
  null: { en: 'null', es: 'null' },
};

const FORMATS: Record<string, Record<Lang, string>> = {
  date: { en: 'is not a valid date (YYYY-MM-DD)', es: 'no es una fecha válida (AAAA-MM-DD)' },
  'date-time': {
    en: 'is not a valid date and time (such as 2026-01-31T12:00:00Z)',
    es: 'no es una fecha y hora válida (como 2026-01-31T12:00:00Z)',
  },
  email: { en: 'is not a valid e-mail address', es: 'no es una dirección de correo electrónico válida' },
  uri: { en: 'is not a valid URL', es: 'no es una URL válida' },
  uuid: { en: 'is not a valid id', es: 'no es un identificador válido' },
};

const n = (v: unknown) => Number(v);
const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;

/** What is wrong with the field, after its name: "is too long: at most 64 characters". */
function predicate(p: InvalidRequestParams, lang: Lang): string {
  const es = lang === 'es';
  const limit = n(p.limit);
  switch (p.rule) {
    case 'required':
      return es ? 'falta' : 'is missing';
    case 'additionalProperties':
      return es ? 'no está permitido aquí' : 'is not allowed here';
    case 'maxLength':
      return es
        ? `es demasiado largo: como máximo ${plural(limit, 'carácter', 'caracteres')}`
        : `is too long: at most ${plural(limit, 'character', 'characters')}`;
    case 'minLength':
      if (limit <= 1) return es ? 'no puede estar vacío' : 'must not be empty';
      return es
        ? `es demasiado corto: como mínimo ${plural(limit, 'carácter', 'caracteres')}`
        : `is too short: at least ${plural(limit, 'character', 'characters')}`;
    case 'maxItems':
      return es ? `tiene demasiados elementos: como máximo ${limit}` : `has too many items: at most ${limit}`;
    case 'minItems':
      return es
        ? `necesita como mínimo ${plural(limit, 'elemento', 'elementos')}`
        : `needs at least ${plural(limit, 'item', 'items')}`;
    case 'maxProperties':
      return es
        ? `tiene demasiadas entradas: como máximo ${limit}`
        : `has too many entries: at most ${limit}`;
    case 'minProperties':
      return es ? `necesita como mínimo ${limit} entradas` : `needs at least ${limit} entries`;
    case 'maximum':
      return es ? `debe ser como máximo ${limit}` : `must be at most ${limit}`;
    case 'minimum':
      return es ? `debe ser como mínimo ${limit}` : `must be at least ${limit}`;
    case 'exclusiveMaximum':
      return es ? `debe ser menor que ${limit}` : `must be less than ${limit}`;
    case 'exclusiveMinimum':
      return es ? `debe ser mayor que ${limit}` : `must be more than ${limit}`;
    case 'multipleOf':
      return es ? `debe ser múltiplo de ${limit}` : `must be a multiple of ${limit}`;
    case 'enum': {
      const values = (p.allowed ?? []).map((v) => JSON.stringify(v)).join(', ');
      return es ? `debe ser uno de: ${values}` : `must be one of: ${values}`;
    }
    case 'type': {
      const t = TYPES[p.type ?? '']?.[lang] ?? p.type;
      return es ? `debe ser ${t}` : `must be ${t}`;
    }
    case 'format':
      return (
        FORMATS[p.format ?? '']?.[lang] ??
        (es ? 'no tiene el formato esperado' : 'is not in the expected format')
      );
    case 'pattern': {
      const hint = p.hint ? HINTS[p.hint]?.[lang] : undefined;
      if (hint) return es ? `debe ser ${hint}` : `must be ${hint}`;
      return es ? 'no tiene el formato esperado' : 'is not in the expected format';
    }
    case 'uniqueItems':
      return es ? 'no puede repetir elementos' : 'must not repeat items';
    case 'unicode':
      return es
        ? 'debe ser texto Unicode bien formado (sin sustitutos sueltos)'
        : 'must be well-formed Unicode text (no lone surrogates)';
    default:
      return es ? 'no es válido' : 'is not valid';
  }
}

// Fixed details some callers give (Fastify's URL check); others stay in the data only.
const DETAIL_ES: Record<string, string> = { 'the URL is not valid': 'la URL no es válida' };

/** The `invalid_request` description in one language. */
export function invalidRequestText(params: Record<string, unknown>, lang: Lang): string {
  const p = params as InvalidRequestParams;
  const es = lang === 'es';
  if (p.field === undefined && p.rule === undefined) {
    const detail = typeof p.detail === 'string' && p.detail !== '' ? p.detail : undefined;
    if (detail && !es) return `The request is not valid: ${detail}.`;
    if (detail && DETAIL_ES[detail]) return `La solicitud no es válida: ${DETAIL_ES[detail]}.`;
    return es ? 'La solicitud no es válida.' : 'The request is not valid.';
  }
  const subject = p.field
    ? SUBJECT[p.part ?? 'body'][lang](p.field)
    : p.part === 'querystring'
      ? es
        ? 'La consulta'
        : 'The query string'
      : es
        ? 'El cuerpo de la solicitud'
        : 'The request body';
  // Spanish puts "missing" first: "Falta el campo …".
  if (es && p.rule === 'required') return `Falta ${subject.charAt(0).toLowerCase()}${subject.slice(1)}.`;
  return `${subject} ${predicate(p, lang)}.`;
}
