import { type FocusEvent, type KeyboardEvent, useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type Customer, type ListPage } from '../api.ts';
import { ErrorAlert } from './Alert.tsx';

const SHOWN = 20;
// A failed search is tried again on its own this many times, a little later each time; then the
// reader is told, and can search again.
const AUTO_RETRIES = 3;
const RETRY_MS = 500;
// Typing or coming back to the box starts the tries over (a search runs then if they had begun).
const restart = (a: { tries: number }) => (a.tries === 0 ? a : { tries: 0 });

/**
 * A searchable customer picker (issue 21): an ARIA combobox whose options come from the server's
 * `q` search as one types (name or domain), for a book of any size. Arrow keys move through the
 * options, Enter picks, Escape closes; the picked customer's name stays in the box.
 */
export function CustomerPicker({
  id,
  label,
  value,
  onChange,
}: {
  id: string;
  label: string;
  value: Customer | null;
  onChange: (c: Customer) => void;
}) {
  const { t } = useTranslation();
  const listId = useId();
  const [text, setText] = useState(value ? value.companyName : '');
  const [open, setOpen] = useState(false);
  const [options, setOptions] = useState<Customer[]>([]);
  const [total, setTotal] = useState<number | undefined>(undefined);
  const [active, setActive] = useState(-1);
  const [failure, setFailure] = useState<Error | null>(null);
  // A new object for each search to run: "Search again" always searches, whatever the count.
  const [attempt, setAttempt] = useState({ tries: 0 });
  const typed = useRef(false);
  const refocusing = useRef(false);
  const box = useRef<HTMLInputElement>(null);
  const picker = useRef<HTMLDivElement>(null);
  const retryButton = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!typed.current) setText(value ? value.companyName : '');
  }, [value]);

  useEffect(() => {
    if (!open) return;
    let alive = true;
    let retry: ReturnType<typeof setTimeout> | undefined;
    const timer = setTimeout(() => {
      const q = typed.current ? text.trim() : '';
      api<ListPage<Customer>>('/api/customers', { query: { q, sort: 'companyName', limit: SHOWN } })
        .then((page) => {
          if (!alive) return;
          // An automatic try that answers takes "Search again" away: if the reader was on it, the
          // focus goes back to the box (a removed button would take it, and the popup, away).
          if (retryButton.current && retryButton.current === document.activeElement) {
            refocusing.current = true;
            box.current?.focus();
          }
          setFailure(null);
          setOptions(page.items);
          setTotal(page.total);
          setActive(page.items.length > 0 ? 0 : -1);
        })
        .catch((e: Error) => {
          if (!alive) return;
          // Not "no customer matches": the search did not answer. Say so, and try again.
          setFailure(e);
          setOptions([]);
          setActive(-1);
          const { tries } = attempt;
          if (tries < AUTO_RETRIES)
            retry = setTimeout(() => setAttempt({ tries: tries + 1 }), RETRY_MS * (tries + 1));
        });
    }, 200);
    return () => {
      alive = false;
      clearTimeout(timer);
      clearTimeout(retry);
    };
  }, [text, open, attempt]);

  const pick = (c: Customer) => {
    typed.current = false;
    setText(c.companyName);
    setOpen(false);
    onChange(c);
  };

  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      if (!open) setOpen(true);
      else setActive((i) => Math.min(i + 1, options.length - 1));
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((i) => Math.max(i - 1, 0));
    } else if (e.key === 'Enter') {
      if (open && active >= 0 && options[active]) {
        e.preventDefault();
        pick(options[active]);
      }
    } else if (e.key === 'Escape') {
      setOpen(false);
      typed.current = false;
      setText(value ? value.companyName : '');
    }
  };

  // The popup closes when the focus leaves the picker, not when it moves from the box to the
  // popup's own button ("Search again", reached with Tab).
  const onBlur = (e: FocusEvent<HTMLElement>) => {
    if (picker.current?.contains(e.relatedTarget as Node | null)) return;
    setTimeout(() => setOpen(false), 150);
  };

  const optionId = (i: number) => `${listId}-opt-${i}`;
  return (
    <div className="field combobox" ref={picker}>
      <label htmlFor={id}>{label}</label>
      <input
        ref={box}
        id={id}
        type="text"
        role="combobox"
        autoComplete="off"
        aria-autocomplete="list"
        aria-expanded={open}
        aria-controls={listId}
        aria-activedescendant={open && active >= 0 ? optionId(active) : undefined}
        aria-describedby={`${id}-help`}
        data-tenant-id={value?.id ?? ''}
        value={text}
        placeholder={t('picker.placeholder')}
        onChange={(e) => {
          typed.current = true;
          setText(e.target.value);
          setAttempt(restart);
          setOpen(true);
        }}
        onFocus={() => {
          if (refocusing.current) refocusing.current = false;
          else setAttempt(restart);
          setOpen(true);
        }}
        onKeyDown={onKey}
        onBlur={onBlur}
      />
      <span id={`${id}-help`} className="sr-only">
        {t('picker.help')}
      </span>
      {open && (
        <div className="combobox-popup">
          <div id={listId} role="listbox" aria-label={t('picker.results', { label })}>
            {options.map((c, i) => (
              <div
                key={c.id}
                id={optionId(i)}
                role="option"
                tabIndex={-1}
                aria-selected={i === active}
                data-tenant-id={c.id}
                onMouseDown={(e) => {
                  e.preventDefault();
                  pick(c);
                }}
              >
                {c.companyName} <span className="muted small">({c.defaultDomain})</span>
              </div>
            ))}
          </div>
          {failure && (
            <>
              <ErrorAlert error={failure} />
              <button
                ref={retryButton}
                type="button"
                className="secondary small"
                // A click keeps the focus in the box; Enter or Space on the button (reached with Tab)
                // brings it back there, where the arrow keys move through what the search finds.
                onMouseDown={(e) => e.preventDefault()}
                onBlur={onBlur}
                onClick={() => {
                  box.current?.focus();
                  setAttempt({ tries: 0 });
                }}
              >
                {t('picker.retry')}
              </button>
            </>
          )}
          <p className="muted small" aria-live="polite">
            {failure
              ? ''
              : options.length === 0
                ? t('picker.none')
                : total !== undefined && total > options.length
                  ? t('picker.more', { count: total - options.length })
                  : ''}
          </p>
        </div>
      )}
    </div>
  );
}
