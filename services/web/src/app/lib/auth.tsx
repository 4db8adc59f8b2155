import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { Provider } from 'urql';
import { makeClient, type AppClient } from '../api/client';
import { ME, SIGN_OUT } from '../api/documents';
import type { User } from '../api/types';

interface Session {
  /** undefined while loading, null when signed out. */
  user: User | null | undefined;
  /** After sign-in/up: a fresh client (no cached data of the previous user) and the new user. */
  signedIn(user: User): void;
  signOut(): Promise<void>;
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

  const signedIn = useCallback((next: User) => {
    setApp(makeClient());
    setUser(next);
  }, []);

  const signOut = useCallback(async () => {
    await app.client.mutation(SIGN_OUT, {}).toPromise();
    setApp(makeClient());
    setUser(null);
  }, [app]);

  const value = useMemo(() => ({ user, signedIn, signOut }), [user, signedIn, signOut]);
  return (
    <SessionContext.Provider value={value}>
      <Provider value={app.client}>{children}</Provider>
    </SessionContext.Provider>
  );
}
