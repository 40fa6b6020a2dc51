import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { isDomainError } from '../errors.ts';
import { answerList, parseSort } from './list.ts';

/** The list helper alone: sort allow-list, offset pages, the total, and CSV past one batch. */
const ROWS = Array.from({ length: 1234 }, (_, i) => ({
  id: `r${String(i).padStart(4, '0')}`,
  name: i % 7 === 0 ? '=1+1' : `n${i}`,
}));

function app() {
  const a = Fastify();
  const windows: number[] = [];
  a.get('/list', async (req, reply) => {
    const query = req.query as { sort?: string; limit?: string; offset?: string; cursor?: string };
    return answerList(req, reply, {
      query: {
        ...(query.sort !== undefined ? { sort: query.sort } : {}),
        ...(query.limit ? { limit: Number(query.limit) } : {}),
        ...(query.offset ? { offset: Number(query.offset) } : {}),
        ...(query.cursor ? { cursor: query.cursor } : {}),
      },
      sorts: ['id'] as const,
      defaultSort: { field: 'id', direction: 'asc' },
      fetch: async (w) => {
        windows.push(w.offset);
        const sorted = w.sort.direction === 'asc' ? ROWS : [...ROWS].reverse();
        return sorted.slice(w.offset, w.offset + w.limit);
      },
      count: async () => ROWS.length,
      csv: {
        filename: 'x.csv',
        columns: [
          { header: 'id', value: (r) => r.id },
          { header: 'name', value: (r) => r.name },
        ],
      },
    });
  });
  a.setErrorHandler((err, _req, reply) => {
    reply.status(isDomainError(err) ? 400 : 500).send({ code: isDomainError(err) ? err.code : 'x' });
  });
  return { a, windows };
}

describe('answerList', () => {
  it('refuses a sort outside the allow-list, and reads -field as descending', () => {
    expect(parseSort('-id', ['id'], { field: 'id', direction: 'asc' })).toEqual({
      field: 'id',
      direction: 'desc',
    });
    expect(() => parseSort('password', ['id'], { field: 'id', direction: 'asc' })).toThrow(/invalid_sort/);
  });

  it('pages by offset with a cursor to the end, with the total in the page and the header', async () => {
    const { a } = app();
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await a.inject({ url: `/list?sort=-id&limit=200${cursor ? `&cursor=${cursor}` : ''}` });
      const body = res.json() as { items: { id: string }[]; nextCursor: string | null; total: number };
      expect(body.total).toBe(ROWS.length);
      expect(res.headers['x-total-count']).toBe(String(ROWS.length));
      seen.push(...body.items.map((i) => i.id));
      cursor = body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(7);
    expect(seen).toEqual([...ROWS].reverse().map((r) => r.id));
    expect((await a.inject({ url: '/list?sort=name' })).statusCode).toBe(400);
    expect((await a.inject({ url: '/list?sort=id&cursor=bm9wZQ' })).statusCode).toBe(400);
  });

  it('answers CSV with every row (three batches of 500), formula-safe, whatever the limit', async () => {
    const { a, windows } = app();
    const res = await a.inject({ url: '/list?limit=5&offset=100', headers: { accept: 'text/csv' } });
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    const lines = res.body.trim().split('\n');
    expect(lines[0]).toBe('id,name');
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(ROWS.map((r) => r.id));
    expect(lines.filter((l) => l.endsWith(",'=1+1")).length).toBe(
      ROWS.filter((r) => r.name === '=1+1').length,
    );
    expect(lines.some((l) => l.split(',')[1]?.startsWith('='))).toBe(false);
    expect(windows).toEqual([0, 500, 1000]);
  });
});
