import { type TSchema, Type } from '@sinclair/typebox';
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

export const PageQuery = Obj({
  cursor: Type.Optional(Str(200)),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
});

export const Page = <T extends TSchema>(item: T) =>
  Type.Object({ items: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) });

export const TenantParams = Obj({ tenantId: Id });

/** Opaque keyset cursors: the sort key of the last row, base64url-encoded JSON. */
export function encodeCursor(key: unknown): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor<T>(cursor: string | undefined): T | undefined {
  if (!cursor) return undefined;
  try {
    return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as T;
  } catch {
    throw new DomainError('invalid_request', { detail: 'cursor is not valid' });
  }
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

/** A `[ISO time, id]` keyset cursor, checked so that a crafted cursor is a 400, never a database error. */
export function decodeTimeCursor(cursor: string | undefined): [string, string] | undefined {
  const c = decodeCursor<unknown>(cursor);
  if (c === undefined) return undefined;
  const ok =
    Array.isArray(c) &&
    c.length === 2 &&
    typeof c[0] === 'string' &&
    typeof c[1] === 'string' &&
    !Number.isNaN(Date.parse(c[0]));
  if (!ok) throw new DomainError('invalid_request', { detail: 'cursor is not valid' });
  return c as [string, string];
}
