/**
 * The one way Traslado writes CSV. A cell a spreadsheet would read as a formula (starting with
 * `=`, `+`, `-`, `@`, a tab or a carriage return: a customer named `=HYPERLINK(…)`) is neutralised
 * with a leading `'`, as OWASP recommends for CSV injection; then cells are quoted as RFC 4180
 * says. Numbers we format ourselves pass as they are (a spreadsheet must still add them up).
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const DECIMAL = /^-?\d+(\.\d+)?$/;

/**
 * A number we wrote ourselves as decimal text (money in major units: "-12.50"): it passes as it
 * is, like a `number`, so a spreadsheet adds it up; only a plain decimal is accepted.
 */
export class CsvDecimal {
  constructor(readonly text: string) {
    if (!DECIMAL.test(text)) throw new RangeError(`not a plain decimal: ${text}`);
  }
}

export const csvDecimal = (text: string) => new CsvDecimal(text);

export function csvCell(value: string | number | CsvDecimal): string {
  if (value instanceof CsvDecimal) return value.text;
  const text = typeof value === 'number' ? String(value) : neutralise(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function neutralise(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** One CSV line, with its line break. */
export function csvRow(values: (string | number | CsvDecimal)[]): string {
  return `${values.map(csvCell).join(',')}\n`;
}
