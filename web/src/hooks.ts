import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, newIdempotencyKey } from './api.ts';

/** Loads data for a view; `reload()` fetches again. Errors are kept for an alert, never swallowed. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]) {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiError | Error | null>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: deps are the caller's
  useEffect(() => {
    let alive = true;
    setLoading(true);
    load()
      .then((d) => {
        if (!alive) return;
        setData(d);
        setError(null);
      })
      .catch((e: unknown) => {
        if (alive) setError(e instanceof Error ? e : new Error(String(e)));
      })
      .finally(() => {
        if (alive) setLoading(false);
      });
    return () => {
      alive = false;
    };
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { data, error, loading, reload, setData };
}

/**
 * One user action that calls the API. The idempotency key is made once per action and reused on a
 * retry after a network or server failure; a definitive answer (success or 4xx) starts a new action.
 */
export function useAction<A extends unknown[], R>(fn: (key: string, ...args: A) => Promise<R>) {
  const keyRef = useRef<string | null>(null);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<ApiError | Error | null>(null);
  const run = useCallback(
    async (...args: A): Promise<R | undefined> => {
      if (!keyRef.current) keyRef.current = newIdempotencyKey();
      setPending(true);
      setError(null);
      try {
        const result = await fn(keyRef.current, ...args);
        keyRef.current = null;
        return result;
      } catch (e) {
        const err = e instanceof Error ? e : new Error(String(e));
        if (err instanceof ApiError && err.status >= 400 && err.status < 500 && err.status !== 429) {
          keyRef.current = null;
        }
        setError(err);
        return undefined;
      } finally {
        setPending(false);
      }
    },
    [fn],
  );
  return { run, pending, error, clearError: () => setError(null) };
}
