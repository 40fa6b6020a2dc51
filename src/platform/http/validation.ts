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
  const validate = ajv.compile(schema as object);
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
    const ok = validate(data) as boolean;
    checked.errors = validate.errors ?? null;
    return ok;
  };
  return checked as ReturnType<FastifySchemaCompiler<unknown>>;
};
