import { describe, expect, it } from 'vitest';
import { formatForInput, fractionDigits, parseLocaleNumber, separators } from './number.ts';

describe('parseLocaleNumber', () => {
  it('learns the separators from Intl', () => {
    expect(separators('en-US')).toEqual({ group: ',', decimal: '.' });
    expect(separators('es-ES')).toEqual({ group: '.', decimal: ',' });
  });

  it('reads English numbers', () => {
    expect(parseLocaleNumber('1234.56', 'en-US')).toBe(1234.56);
    expect(parseLocaleNumber('1,234.56', 'en-US')).toBe(1234.56);
    expect(parseLocaleNumber(' 70 ', 'en-US')).toBe(70);
    expect(parseLocaleNumber('0.5', 'en-US')).toBe(0.5);
    expect(parseLocaleNumber('.5', 'en-US')).toBe(0.5);
    expect(parseLocaleNumber('-3', 'en-US')).toBe(-3);
    expect(parseLocaleNumber('1,234,567', 'en-US')).toBe(1234567);
  });

  it('reads Spanish numbers', () => {
    expect(parseLocaleNumber('1.234,56', 'es-ES')).toBe(1234.56);
    expect(parseLocaleNumber('1234,56', 'es-ES')).toBe(1234.56);
    expect(parseLocaleNumber('12,5', 'es-ES')).toBe(12.5);
    expect(parseLocaleNumber('1.000.000', 'es-ES')).toBe(1_000_000);
    expect(parseLocaleNumber('70', 'es-ES')).toBe(70);
  });

  it('refuses what is not a number in the language', () => {
    for (const text of [
      'siete euros',
      '1.234,56',
      '1,23,4',
      '12.5.1',
      '€12',
      '12 USD',
      '',
      ' ',
      '-',
      '.',
      '1e3',
    ])
      expect(parseLocaleNumber(text, 'en-US'), text).toBeNull();
    for (const text of ['siete euros', '1,234.56', '1234.56', '12.5', '1,2,3', ''])
      expect(parseLocaleNumber(text, 'es-ES'), text).toBeNull();
  });

  it('accepts a plain space where the locale groups with a no-break space', () => {
    expect(parseLocaleNumber('1 234,5', 'fr-FR')).toBe(1234.5);
  });

  it('counts the decimals typed', () => {
    expect(fractionDigits('12.345', 'en-US')).toBe(3);
    expect(fractionDigits('1.234', 'es-ES')).toBe(0);
    expect(fractionDigits('12,5', 'es-ES')).toBe(1);
  });

  it('writes numbers that read back the same', () => {
    for (const locale of ['en-US', 'es-ES'])
      for (const n of [0, 12.5, 1234.56, 150, 99999.99]) {
        const text = formatForInput(n, locale, 2);
        expect(parseLocaleNumber(text, locale), `${locale} ${text}`).toBe(n);
      }
    expect(formatForInput(1234.5, 'es-ES', 2)).toBe('1234,50');
  });
});
