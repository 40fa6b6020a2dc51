import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvCell, csvDecimal, csvRow } from './csv.ts';

describe('csv', () => {
  it('neutralises every cell a spreadsheet would read as a formula', () => {
    for (const danger of ['=1+2', '+1', '-1+2', '@SUM(A1)', '\tx', '\rx', '=HYPERLINK("http://x","y")']) {
      const [row] = parse(csvRow([danger, 'ok']), { relax_quotes: false }) as string[][];
      expect(row).toEqual([`'${danger}`, 'ok']);
    }
  });

  it('leaves other text and our own numbers alone, and quotes what needs quoting', () => {
    expect(csvRow(['Contoso, Ltd', 'say "hi"', 'a\nb', 12, -3, 'plain'])).toBe(
      '"Contoso, Ltd","say ""hi""","a\nb",12,-3,plain\n',
    );
    expect(csvCell('12.50')).toBe('12.50');
    // Our own decimal text (money in major units) passes even when negative; a string does not.
    expect(csvRow([csvDecimal('-12.50'), '-12.50'])).toBe("-12.50,'-12.50\n");
    expect(() => csvDecimal('-1+2')).toThrow(RangeError);
  });

  it('reads back as the same cells (neutralised), whatever the text', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'grapheme', maxLength: 30 }), { minLength: 1, maxLength: 6 }),
        (cells) => {
          const [row] = parse(csvRow(cells)) as string[][];
          const back = row!;
          expect(back).toHaveLength(cells.length);
          for (const [i, cell] of cells.entries()) {
            const danger = /^[=+\-@\t\r]/.test(cell);
            expect(back[i]).toBe(danger ? `'${cell}` : cell);
            expect(/^[=+\-@\t\r]/.test(back[i]!)).toBe(false);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
