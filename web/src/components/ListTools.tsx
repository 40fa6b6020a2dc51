import { useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { downloadCsv } from '../api.ts';
import { ErrorAlert } from './Alert.tsx';

/**
 * The pieces every server-sorted list shares (issue 21): column headers that sort on the server
 * (`aria-sort` on the header, a button inside it), the count the filter shows, and "Export CSV",
 * which downloads every row the filter shows through the API client.
 */

/** `field` ascending, `-field` descending (the server's `?sort=`). */
export type Sort = string;

export function useSort(initial: Sort) {
  const [sort, setSort] = useState<Sort>(initial);
  const toggle = (field: string) =>
    setSort((s) => (s === field ? `-${field}` : s === `-${field}` ? field : field));
  return { sort, setSort, toggle };
}

export function SortHeader({
  field,
  label,
  sort,
  onSort,
}: {
  field: string;
  label: string;
  sort: Sort;
  onSort: (field: string) => void;
}) {
  const { t } = useTranslation();
  const state = sort === field ? 'ascending' : sort === `-${field}` ? 'descending' : 'none';
  return (
    <th scope="col" aria-sort={state} data-sort-field={field}>
      <button
        type="button"
        className="sort-button"
        onClick={() => onSort(field)}
        title={t('lists.sortBy', { column: label })}
      >
        {label}
        <span aria-hidden="true">{state === 'ascending' ? ' ▲' : state === 'descending' ? ' ▼' : ''}</span>
      </button>
    </th>
  );
}

export function ListCount({ total }: { total: number | undefined }) {
  const { t } = useTranslation();
  if (total === undefined) return null;
  return (
    <p className="muted" data-testid="list-count" data-total={total} aria-live="polite">
      {t('lists.count', { count: total })}
    </p>
  );
}

export function ExportCsv({
  path,
  query,
  filename,
}: {
  path: string;
  query: Record<string, string | number | undefined | null>;
  filename: string;
}) {
  const { t } = useTranslation();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  return (
    <>
      <button
        type="button"
        className="secondary"
        data-testid="export-csv"
        disabled={pending}
        onClick={() => {
          setPending(true);
          setError(null);
          downloadCsv(path, query, filename)
            .catch((e: unknown) => setError(e instanceof Error ? e : new Error(String(e))))
            .finally(() => setPending(false));
        }}
      >
        {pending ? t('lists.exporting') : t('lists.export')}
      </button>
      <ErrorAlert error={error} />
    </>
  );
}

/**
 * Keyset pages: the cursors of the pages seen so far, so "Previous page" goes back the way it came.
 * `reset` starts again from the first page (a new filter or order).
 */
export function useCursorPages() {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const reset = useCallback(() => setCursors([null]), []);
  return {
    cursor: cursors[cursors.length - 1] ?? null,
    hasPrevious: cursors.length > 1,
    previous: () => setCursors((c) => c.slice(0, -1)),
    next: (cursor: string | null) => {
      if (cursor) setCursors((c) => [...c, cursor]);
    },
    reset,
  };
}

export type CursorPages = ReturnType<typeof useCursorPages>;

/** "Previous page" and "Next page" under a keyset-paged list. */
export function CursorPager({ pages, nextCursor }: { pages: CursorPages; nextCursor: string | null }) {
  const { t } = useTranslation();
  return (
    <div className="pager">
      <button type="button" className="secondary" disabled={!pages.hasPrevious} onClick={pages.previous}>
        {t('common.previousPage')}
      </button>
      <button
        type="button"
        className="secondary"
        disabled={!nextCursor}
        onClick={() => pages.next(nextCursor)}
      >
        {t('common.nextPage')}
      </button>
    </div>
  );
}
