import { describe, expect, it } from 'vitest';
import { jsonRows } from './json-rows.ts';

describe('jsonRows', () => {
  it('gives the rows as one JSON array, a JSON-text column spliced in as the value it holds', () => {
    const rows = [
      { id: 'a', n: 1, detail: '{"x":[1,{"y":"€ \\"q\\""}]}' },
      { id: 'b', n: null, detail: undefined },
      { detail: '[]' },
      { id: 'c\n"d"', n: 2 },
    ];
    expect(JSON.parse(jsonRows(rows, 'detail'))).toEqual([
      { id: 'a', n: 1, detail: { x: [1, { y: '€ "q"' }] } },
      { id: 'b', n: null },
      { detail: [] },
      { id: 'c\n"d"', n: 2 },
    ]);
  });

  it('without a JSON-text column, is JSON.stringify of the rows', () => {
    const rows = [{ at: new Date('2026-01-02T03:04:05.000Z'), roles: ['a', 'b'] }];
    expect(jsonRows(rows)).toBe(JSON.stringify(rows));
    expect(jsonRows([])).toBe('[]');
  });
});
