import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { Provider } from 'urql';
import { makeClient, SESSION_ENDED, type AppClient } from '../api/client';
import { ME, SIGN_OUT } from '../api/documents';
import type { User } from '../api/types';

interface Session {
  /** undefined while loading, null when signed out. */
  user: User | null | undefined;
  /** After sign-in/up: a fresh client (no cached data of the previous user) and the new user. */
  signedIn(user: User): void;
  signOut(): Promise<void>;
  /** The server ended the session under us (not a sign-out of this tab): the sign-in page says so. */
  ended: boolean;
}

const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [app, setApp] = useState<AppClient>(() => makeClient());
  const [user, setUser] = useState<User | null | undefined>(undefined);
  const [ended, setEnded] = useState(false);

  useEffect(() => () => app.dispose(), [app]);

  useEffect(() => {
    let live = true;
    void app.client
      .query<{ me: User }>(ME, {}, { requestPolicy: 'network-only' })
      .toPromise()
      .then((result) => {
        if (live) setUser(result.data?.me ?? null);
      });
    return () => {
      live = false;
    };
  }, [app]);

  // A refused session renewal while someone is signed in: show them signed out (pages that need a session
  // send them to sign in) instead of leaving a signed-in header over "please sign in" errors.
  const signedInNow = Boolean(user);
  useEffect(() => {
    if (!signedInNow) return;
    const onEnded = () => {
      setApp(makeClient());
      setUser(null);
      setEnded(true);
    };
    window.addEventListener(SESSION_ENDED, onEnded);
    return () => window.removeEventListener(SESSION_ENDED, onEnded);
  }, [signedInNow]);

  const signedIn = useCallback((next: User) => {
    setApp(makeClient());
    setUser(next);
    setEnded(false);
  }, []);

  const signOut = useCallback(async () => {
    await app.client.mutation(SIGN_OUT, {}).toPromise();
    setApp(makeClient());
    setUser(null);
    setEnded(false);
  }, [app]);

  const value = useMemo(() => ({ user, signedIn, signOut, ended }), [user, signedIn, signOut, ended]);
  return (
    <SessionContext.Provider value={value}>
      <Provider value={app.client}>{children}</Provider>
    </SessionContext.Provider>
  );
}
