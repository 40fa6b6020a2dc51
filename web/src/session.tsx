import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import type { Action } from './actions.ts';
import { ApiError, api, type LoginResponse, setCsrfToken, setSessionLostHandler, type User } from './api.ts';

interface Session {
  /** undefined while loading, null when signed out. */
  user: User | null | undefined;
  can(action: Action): boolean;
  signIn(email: string, password: string): Promise<User>;
  signOut(): Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

async function fetchMe(): Promise<User | null> {
  try {
    const me = await api<User>('/api/auth/me');
    setCsrfToken(me.csrfToken);
    return me;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return null;
    throw e;
  }
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<User | null | undefined>(undefined);

  useEffect(() => {
    fetchMe()
      .then(setUser)
      .catch(() => setUser(null));
    setSessionLostHandler(() => {
      setCsrfToken(undefined);
      setUser(null);
    });
    return () => setSessionLostHandler(undefined);
  }, []);

  const signIn = useCallback(async (email: string, password: string) => {
    const res = await api<LoginResponse>('/api/auth/login', { method: 'POST', body: { email, password } });
    setCsrfToken(res.csrfToken);
    // The session cookie is set by the login answer; /me confirms it and gives the full profile.
    const me = await fetchMe();
    if (!me) throw new ApiError(401, 'session_cookie_missing', 'session_cookie_missing');
    const signedIn = me;
    setUser(signedIn);
    return signedIn;
  }, []);

  const signOut = useCallback(async () => {
    try {
      await api('/api/auth/logout', { method: 'POST' });
    } finally {
      setCsrfToken(undefined);
      setUser(null);
    }
  }, []);

  const value = useMemo<Session>(() => {
    // The server says which actions the user may take (/me computes them from the permission table).
    const allowed = new Set(user?.permissions ?? []);
    return { user, can: (action) => allowed.has(action), signIn, signOut };
  }, [user, signIn, signOut]);

  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}
