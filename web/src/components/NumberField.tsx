import { useCallback, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useFormat } from '../format.ts';
import { formatForInput, fractionDigits, parseLocaleNumber } from '../number.ts';

export interface NumberRules {
  min?: number;
  max?: number;
  /** Most digits after the decimal separator: 0 for whole numbers, 2 for money. */
  maxFractionDigits?: number;
}

/**
 * A number typed in the console's language. `read()` is called on submit: it gives the number,
 * or null after marking the field invalid with the reason (and moving the focus there), so the
 * caller saves nothing.
 */
export function useNumberField(initial: string, rules: NumberRules = {}) {
  const { t } = useTranslation();
  const { locale } = useFormat();
  const [value, setValue] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const ref = useRef<HTMLInputElement>(null);
  const example = formatForInput(1234.5, locale, rules.maxFractionDigits === 0 ? 0 : 2);
  const { min, max, maxFractionDigits } = rules;
  const read = useCallback((): number | null => {
    const n = parseLocaleNumber(value, locale);
    let why: string | null = null;
    if (n === null)
      why =
        maxFractionDigits === 0
          ? t('numbers.notWhole', { example: formatForInput(1234, locale) })
          : t('numbers.notNumber', { example });
    else if (maxFractionDigits !== undefined && fractionDigits(value, locale) > maxFractionDigits)
      why =
        maxFractionDigits === 0
          ? t('numbers.notWhole', { example: formatForInput(1234, locale) })
          : t('numbers.tooManyDecimals', { digits: maxFractionDigits });
    else if ((min !== undefined && n < min) || (max !== undefined && n > max))
      why = t('numbers.outOfRange', {
        min: formatForInput(min ?? 0, locale),
        max: formatForInput(max ?? Number.MAX_SAFE_INTEGER, locale),
      });
    setError(why);
    if (why) {
      ref.current?.focus();
      return null;
    }
    return n;
  }, [value, locale, t, example, min, max, maxFractionDigits]);
  const onChange = useCallback((v: string) => {
    setValue(v);
    setError(null);
  }, []);
  return { value, setValue: onChange, error, read, ref, clear: () => setError(null) };
}

export type NumberFieldState = ReturnType<typeof useNumberField>;

/**
 * The input of a `useNumberField`: plain text (a `type=number` input would silently drop what the
 * browser cannot read, and follows the browser's locale, not the console's), with the reason it
 * was refused bound to it.
 */
export function NumberField({
  id,
  label,
  field,
  decimal = true,
  required,
  help,
}: {
  id: string;
  label: string;
  field: NumberFieldState;
  decimal?: boolean;
  required?: boolean;
  help?: string;
}) {
  const errorId = `${id}-error`;
  const helpId = `${id}-help`;
  const describedBy = [help ? helpId : null, field.error ? errorId : null].filter(Boolean).join(' ');
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        ref={field.ref}
        type="text"
        inputMode={decimal ? 'decimal' : 'numeric'}
        autoComplete="off"
        value={field.value}
        onChange={(e) => field.setValue(e.target.value)}
        required={required}
        aria-invalid={field.error ? true : undefined}
        aria-describedby={describedBy || undefined}
      />
      {help && (
        <span id={helpId} className="muted small">
          {help}
        </span>
      )}
      {field.error && (
        <span id={errorId} className="field-error" data-testid="field-error">
          {field.error}
        </span>
      )}
    </div>
  );
}
