import { Readable } from 'node:stream';
import { type TSchema, Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type CsvDecimal, csvRow } from '../csv.ts';
import { DomainError } from '../errors.ts';
import { Cursor, encodeCursor, Str } from './schemas.ts';

/**
 * The one way list routes sort, page, count and export (issue 21, "lists that work"):
 *
 * - `?sort=field` / `?sort=-field` (descending), checked against the route's allow-list: anything
 *   else is 400 `invalid_sort`, naming the fields it takes;
 * - paging: the pinned `?cursor=&limit=` (each page answers `nextCursor`), or `?offset=&limit=`;
 *   a sorted list pages by offset (its cursor carries the next offset);
 * - the total the filter shows: `total` in the page and the `X-Total-Count` header;
 * - `Accept: text/csv`: every row the filter shows (all pages, read 500 at a time and streamed),
 *   written through `platform/csv.ts` (a cell a spreadsheet would run as a formula arrives as text).
 */

export interface SortOrder<F extends string = string> {
  field: F;
  direction: 'asc' | 'desc';
}

/** The query fields every sorted list takes, besides its own filters. */
export const listQueryFields = {
  cursor: Type.Optional(Cursor),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000_000 })),
  sort: Type.Optional(Str(64)),
};

/** A page as the pinned lists answer it, with the total the filter shows. */
export const ListPage = <T extends TSchema>(item: T, opts: { $id?: string } = {}) =>
  Type.Object(
    {
      items: Type.Array(item),
      nextCursor: Type.Union([Type.String(), Type.Null()]),
      /** How many rows the filter shows in all (also in `X-Total-Count`). */
      total: Type.Optional(Type.Integer({ minimum: 0 })),
    },
    opts,
  );

/** The OpenAPI of a list's CSV answer, beside its JSON page. */
export const csvResponse = {
  description: 'With `Accept: text/csv`: every row the filter shows, as CSV (formula-safe)',
  content: { 'text/csv': { schema: Type.String() } },
};

/** Reads `?sort=`: `field` or `-field`, one of `allowed`; nothing → the route's default. */
export function parseSort<F extends string>(
  sort: string | undefined,
  allowed: readonly F[],
  fallback: SortOrder<F>,
): SortOrder<F> {
  if (sort === undefined || sort === '') return fallback;
  const direction = sort.startsWith('-') ? 'desc' : 'asc';
  const field = (direction === 'desc' ? sort.slice(1) : sort) as F;
  if (!allowed.includes(field)) throw new DomainError('invalid_sort', { sort, allowed: [...allowed] });
  return { field, direction };
}

/** Whether the caller asked for CSV (`Accept: text/csv`). */
export function wantsCsv(req: FastifyRequest): boolean {
  const accept = req.headers.accept ?? '';
  return /(^|,)\s*text\/csv\b/i.test(accept);
}

const OFFSET_TAG = 'o';

function decodeOffsetCursor(cursor: string | undefined): number | undefined {
  if (!cursor) return undefined;
  try {
    const c = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(c) &&
      c.length === 2 &&
      c[0] === OFFSET_TAG &&
      Number.isSafeInteger(c[1]) &&
      (c[1] as number) >= 0
    )
      return c[1] as number;
  } catch {
    // falls through to the 400 below
  }
  throw new DomainError('invalid_request', { part: 'querystring', field: 'cursor' });
}

export interface CsvColumn<I> {
  header: string;
  value: (item: I) => string | number | CsvDecimal | null | undefined;
}

export interface ListSpec<I, F extends string> {
  query: { cursor?: string; limit?: number; offset?: number; sort?: string };
  sorts: readonly F[];
  defaultSort: SortOrder<F>;
  /** One window of the filtered list in this order. */
  fetch: (w: { sort: SortOrder<F>; offset: number; limit: number }) => Promise<I[]>;
  /** How many rows the filter shows (given the order, for a route that computes the list whole). */
  count: (sort: SortOrder<F>) => Promise<number>;
  /**
   * The route's keyset page (the pinned `?cursor=` paging), used when the caller neither sorts nor
   * pages by offset: existing clients page exactly as before.
   */
  keyset?: () => Promise<{ items: I[]; nextCursor: string | null }>;
  /**
   * Whether the keyset page counts too (default true). A route whose pinned page must stay one
   * statement (a customer's subscriptions: test/e2e/read-path.test.ts) answers its total only when sorted.
   */
  keysetTotal?: boolean;
  csv: { filename: string; columns: CsvColumn<I>[] };
}

const CSV_BATCH = 500;

/**
 * Answers a list route: the JSON page (with `total`), or, with `Accept: text/csv`, every row the
 * filter shows as CSV. The sort is checked first, so a bad one is 400 whichever is asked.
 */
export async function answerList<I, F extends string>(
  req: FastifyRequest,
  reply: FastifyReply,
  spec: ListSpec<I, F>,
) {
  const sort = parseSort(spec.query.sort, spec.sorts, spec.defaultSort);
  const keyset =
    spec.keyset && spec.query.sort === undefined && spec.query.offset === undefined && !wantsCsv(req);
  if (keyset && spec.keysetTotal === false) return spec.keyset!();
  const total = await spec.count(sort);
  reply.header('x-total-count', String(total));
  if (wantsCsv(req)) {
    async function* lines() {
      yield csvRow(spec.csv.columns.map((c) => c.header));
      for (let offset = 0; ; offset += CSV_BATCH) {
        const items = await spec.fetch({ sort, offset, limit: CSV_BATCH });
        let chunk = '';
        for (const item of items) chunk += csvRow(spec.csv.columns.map((c) => c.value(item) ?? ''));
        if (chunk) yield chunk;
        if (items.length < CSV_BATCH) return;
      }
    }
    reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${spec.csv.filename}"`);
    // The schema's 200 is the JSON page; a stream skips the serializer.
    return reply.send(Readable.from(lines()) as never);
  }
  const limit = spec.query.limit ?? 50;
  if (keyset) {
    const page = await spec.keyset!();
    return { ...page, total };
  }
  const offset = decodeOffsetCursor(spec.query.cursor) ?? spec.query.offset ?? 0;
  const rows = await spec.fetch({ sort, offset, limit: limit + 1 });
  return {
    items: rows.slice(0, limit),
    nextCursor: rows.length > limit ? encodeCursor([OFFSET_TAG, offset + limit]) : null,
    total,
  };
}
