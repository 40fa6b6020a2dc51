import { type TSchema, Type } from '@sinclair/typebox';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../auth/passwords.ts';
import { DomainError } from '../errors.ts';

/** Shared schema pieces. Every string and array is bounded; objects refuse unknown fields. */
// No control characters in free text: PostgreSQL refuses NUL, and the rest only hide things in logs.
const PRINTABLE = '^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F]*$';
export const Str = (max = 200, opts: Record<string, unknown> = {}) =>
  Type.String({ maxLength: max, pattern: PRINTABLE, ...opts });
export const NonEmpty = (max = 200, opts: Record<string, unknown> = {}) =>
  Type.String({ minLength: 1, maxLength: max, pattern: PRINTABLE, ...opts });
export const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._:-]+$' });
export const Email = Type.String({ minLength: 3, maxLength: 254, format: 'email' });
export const Country = Type.String({ minLength: 2, maxLength: 2, pattern: '^[A-Za-z]{2}$' });
export const Domain = Type.String({
  minLength: 3,
  maxLength: 253,
  pattern: '^(?=.{3,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z]{2,63}$',
});
export const DateTime = Type.String({ format: 'date-time', maxLength: 40 });
/**
 * A date-time the client sends: a real one (format: no 2100-13-45), with a four-digit year from
 * 1900 to 2999 (no year 0, 275760 or +999999: PostgreSQL refuses some, nothing here lives there).
 */
export const DateTimeInput = Type.String({
  format: 'date-time',
  maxLength: 40,
  pattern: '^(19|2\\d)\\d\\d-',
});

/** A password someone chooses: the same bounds wherever an account is created or changes it. */
export const NewPassword = NonEmpty(PASSWORD_MAX_LENGTH, { minLength: PASSWORD_MIN_LENGTH });

export const Obj = <T extends Record<string, TSchema>>(props: T, opts: Record<string, unknown> = {}) =>
  Type.Object(props, { additionalProperties: false, ...opts });

export const ErrorBody = Type.Object(
  {
    code: Type.String(),
    description: Type.String(),
    data: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { $id: 'Error' },
);

export const errorResponses = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
  409: ErrorBody,
  422: ErrorBody,
};

/** A paging cursor as sent back: room for a 200-character name and an id, base64url-encoded. */
export const Cursor = Str(1024);

export const PageQuery = Obj({
  cursor: Type.Optional(Cursor),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
});

/** A page envelope; a shared one is named `{ $id: '<Item>Page' }` (see src/api-components.ts). */
export const Page = <T extends TSchema>(item: T, opts: { $id?: string } = {}) =>
  Type.Object({ items: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) }, opts);

export const TenantParams = Obj({ tenantId: Id });

/** Opaque keyset cursors: the sort key of the last row, base64url-encoded JSON. */
export function encodeCursor(key: unknown): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

// Cursors come back from the client, so they are input like any other: each decoder checks the
// shape it expects, and a crafted cursor answers 400, never a database error.
const CURSOR_TEXT_MAX = 300;
// Control characters (PostgreSQL refuses NUL in text) and lone surrogates (not UTF-8 at all).
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const UNFIT_TEXT = /[\u0000-\u001F\u007F]|\p{Cs}/u;
// What toISOString writes, years 0001-9999 only: PostgreSQL and Date agree on all of them.
const ISO_TIME = /^(?!0000)\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function invalidCursor(): DomainError {
  return new DomainError('invalid_request', { part: 'querystring', field: 'cursor' });
}

function decodeCursor(cursor: string | undefined): unknown {
  if (!cursor) return undefined;
  try {
    return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
}

/** Text fit for a keyset comparison: bounded, no control characters, well-formed unicode. */
export function isCursorText(x: unknown): x is string {
  return typeof x === 'string' && x.length <= CURSOR_TEXT_MAX && !UNFIT_TEXT.test(x);
}

/** A time as toISOString writes it, and a real one (no 2100-13-45). */
export function isCursorTime(x: unknown): x is string {
  return typeof x === 'string' && ISO_TIME.test(x) && new Date(x).toISOString() === x;
}

/** A one-key cursor (an id). */
export function decodeKeyCursor(cursor: string | undefined): string | undefined {
  const c = decodeCursor(cursor);
  if (c === undefined) return undefined;
  if (!isCursorText(c)) throw invalidCursor();
  return c;
}

/** A `[text, id]` cursor (a name and the id that breaks ties). */
export function decodePairCursor(cursor: string | undefined): [string, string] | undefined {
  const c = decodeCursor(cursor);
  if (c === undefined) return undefined;
  if (!(Array.isArray(c) && c.length === 2 && isCursorText(c[0]) && isCursorText(c[1])))
    throw invalidCursor();
  return [c[0], c[1]];
}

/** A cursor over a serial id: a whole number PostgreSQL's bigint and JavaScript both hold. */
export function decodeSerialCursor(cursor: string | undefined): number | undefined {
  const c = decodeCursor(cursor);
  if (c === undefined) return undefined;
  if (!(Number.isSafeInteger(c) && (c as number) >= 0)) throw invalidCursor();
  return c as number;
}

/** Takes `limit + 1` rows from a query and turns them into a page. */
export function toPage<R, I>(rows: R[], limit: number, map: (r: R) => I, keyOf: (r: R) => unknown) {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return {
    items: items.map(map),
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor(keyOf(last)) : null,
  };
}

/** A `[ISO time, id]` keyset cursor. */
export function decodeTimeCursor(cursor: string | undefined): [string, string] | undefined {
  const c = decodeCursor(cursor);
  if (c === undefined) return undefined;
  if (!(Array.isArray(c) && c.length === 2 && isCursorTime(c[0]) && isCursorText(c[1])))
    throw invalidCursor();
  return [c[0], c[1]];
}
