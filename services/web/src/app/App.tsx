import { lazy, Suspense, useEffect, useRef, type ReactNode } from 'react';
import { Link, Navigate, NavLink, Route, Routes, useLocation, useNavigate } from 'react-router';
import { ErrorBoundary } from './components/ErrorBoundary';
import { Loading } from './components/ui';
import { useSession } from './lib/auth';
import type { Role } from './api/types';
import { titleCase } from './lib/format';
import { SignInPage, SignUpPage } from './pages/Auth';
import { EventsPage } from './pages/Events';
import { EventPage } from './pages/EventPage';
import { CheckoutPage } from './pages/Checkout';
import { MyTicketsPage } from './pages/MyTickets';
import { TransfersPage } from './pages/Transfers';
import { OrganizerEventsPage } from './pages/organizer/OrganizerEvents';
import { EventEditorPage } from './pages/organizer/EventEditor';
import { DashboardPage } from './pages/organizer/Dashboard';
import { ScannerPage } from './pages/Scanner';
import { AccountPage } from './pages/Account';

// The GraphQL IDE exists in development builds only; production bundles do not contain it.
const DevIdePage = import.meta.env.DEV ? lazy(() => import('./pages/DevIde')) : null;

const ORGANIZERS: Role[] = ['ORGANIZER', 'ADMIN'];

function RequireAuth({ roles, children }: { roles?: Role[]; children: ReactNode }) {
  const { user } = useSession();
  const location = useLocation();
  if (user === undefined) return <Loading />;
  if (user === null) {
    const next = encodeURIComponent(location.pathname + location.search);
    return <Navigate to={`/signin?next=${next}`} replace />;
  }
  if (roles && !(user.role && roles.includes(user.role))) {
    const who = roles.includes('ORGANIZER') ? 'organizers' : 'administrators';
    return (
      <section data-testid="not-allowed">
        <h1>Not allowed</h1>
        <p>
          This page is for {who}; you are signed in as {user.name}
          {user.role ? ` (${titleCase(user.role).toLowerCase()})` : ''}.{' '}
          {who === 'organizers' ? 'Sign in with an organizer account to use it.' : ''}
        </p>
        <p>
          <Link to="/">Back to the events</Link>
        </p>
      </section>
    );
  }
  return <>{children}</>;
}

function Header() {
  const { user, signOut } = useSession();
  const navigate = useNavigate();
  return (
    <header className="site-header">
      <div className="container header-row">
        <Link to="/" className="brand">
          <svg viewBox="0 0 32 32" width="28" height="28" aria-hidden="true">
            <rect width="32" height="32" rx="6" fill="currentColor" />
            <path d="M8 11h16v3a2 2 0 0 0 0 4v3H8v-3a2 2 0 0 0 0-4z" fill="#fff" />
          </svg>
          <span>Ticketing</span>
        </Link>
        <nav aria-label="Main">
          <ul className="nav-list">
            <li>
              <NavLink to="/" end>
                Events
              </NavLink>
            </li>
            {user ? (
              <>
                <li>
                  <NavLink to="/tickets">My tickets</NavLink>
                </li>
                <li>
                  <NavLink to="/transfers">Transfers</NavLink>
                </li>
                <li>
                  <NavLink to="/scan">Scanner</NavLink>
                </li>
                {user.role && ORGANIZERS.includes(user.role) ? (
                  <li>
                    <NavLink to="/organizer">Organizer</NavLink>
                  </li>
                ) : null}
                {import.meta.env.DEV ? (
                  <li>
                    <NavLink to="/dev/graphql">GraphQL IDE</NavLink>
                  </li>
                ) : null}
                <li>
                  <NavLink to="/account">Account</NavLink>
                </li>
                <li>
                  <button
                    type="button"
                    className="link-button"
                    // The next person starts from the events, not from the last user's page (which would
                    // otherwise send them to sign in and back there): leave it first, then sign out.
                    onClick={() => {
                      navigate('/');
                      void signOut();
                    }}
                  >
                    Sign out <span className="visually-hidden">({user.name})</span>
                  </button>
                </li>
              </>
            ) : user === null ? (
              <>
                <li>
                  <NavLink to="/signin">Sign in</NavLink>
                </li>
                <li>
                  <NavLink to="/signup">Sign up</NavLink>
                </li>
              </>
            ) : null}
          </ul>
        </nav>
      </div>
    </header>
  );
}

/** Moves focus to the main region after each navigation, so keyboard users start at the new page. */
function useFocusOnNavigate() {
  const ref = useRef<HTMLElement>(null);
  const { pathname } = useLocation();
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    ref.current?.focus();
  }, [pathname]);
  return ref;
}

export function App() {
  const mainRef = useFocusOnNavigate();
  const { pathname } = useLocation();
  return (
    <>
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <Header />
      <main id="main" ref={mainRef} tabIndex={-1} className="container">
        <ErrorBoundary resetKey={pathname}>
          <Routes>
            <Route path="/" element={<EventsPage />} />
            <Route path="/events/:id" element={<EventPage />} />
            <Route path="/signin" element={<SignInPage />} />
            <Route path="/signup" element={<SignUpPage />} />
            <Route
              path="/reservations/:id"
              element={
                <RequireAuth>
                  <CheckoutPage />
                </RequireAuth>
              }
            />
            <Route
              path="/tickets"
              element={
                <RequireAuth>
                  <MyTicketsPage />
                </RequireAuth>
              }
            />
            <Route
              path="/transfers"
              element={
                <RequireAuth>
                  <TransfersPage />
                </RequireAuth>
              }
            />
            {['/scan', '/scan/:eventId'].map((path) => (
              <Route
                key={path}
                path={path}
                element={
                  <RequireAuth>
                    <ScannerPage />
                  </RequireAuth>
                }
              />
            ))}
            <Route
              path="/account"
              element={
                <RequireAuth>
                  <AccountPage />
                </RequireAuth>
              }
            />
            <Route
              path="/organizer"
              element={
                <RequireAuth roles={ORGANIZERS}>
                  <OrganizerEventsPage />
                </RequireAuth>
              }
            />
            <Route
              path="/organizer/events/new"
              element={
                <RequireAuth roles={ORGANIZERS}>
                  <EventEditorPage />
                </RequireAuth>
              }
            />
            <Route
              path="/organizer/events/:id"
              element={
                <RequireAuth roles={ORGANIZERS}>
                  <EventEditorPage />
                </RequireAuth>
              }
            />
            <Route
              path="/organizer/events/:id/dashboard"
              element={
                <RequireAuth roles={ORGANIZERS}>
                  <DashboardPage />
                </RequireAuth>
              }
            />
            {DevIdePage ? (
              <Route
                path="/dev/graphql"
                element={
                  <Suspense fallback={<Loading />}>
                    <DevIdePage />
                  </Suspense>
                }
              />
            ) : null}
            <Route
              path="*"
              element={
                <section>
                  <h1>Page not found</h1>
                  <p>
                    <Link to="/">Back to the events</Link>
                  </p>
                </section>
              }
            />
          </Routes>
        </ErrorBoundary>
      </main>
      <footer className="site-footer">
        <div className="container muted">
          At the gate, show the QR code from My tickets, with its live code moving beneath it.
        </div>
      </footer>
    </>
  );
}
