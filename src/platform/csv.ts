/**
 * The one way Traslado writes CSV. A cell a spreadsheet would read as a formula (starting with
 * `=`, `+`, `-`, `@`, a tab or a carriage return: a customer named `=HYPERLINK(…)`) is neutralised
 * with a leading `'`, as OWASP recommends for CSV injection; then cells are quoted as RFC 4180
 * says. Numbers we format ourselves pass as they are (a spreadsheet must still add them up).
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: string | number): string {
  const text = typeof value === 'number' ? String(value) : neutralise(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function neutralise(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** One CSV line, with its line break. */
export function csvRow(values: (string | number)[]): string {
  return `${values.map(csvCell).join(',')}\n`;
}
