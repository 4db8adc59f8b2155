import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useMutation } from 'urql';
import { ErrorBanner, Field, SelectField } from '../components/ui';
import { SIGN_IN, SIGN_UP } from '../api/documents';
import type { User } from '../api/types';
import { useSession } from '../lib/auth';
import { fieldName, problemOf } from '../lib/errors';

/** Only same-app paths are followed after sign-in. */
function useNext(): string {
  const [params] = useSearchParams();
  const next = params.get('next') ?? '/';
  return next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

export function SignInPage() {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [result, signIn] = useMutation<{ signIn: { user: User } | null }>(SIGN_IN);
  const { signedIn, ended } = useSession();
  const navigate = useNavigate();
  const next = useNext();
  const problem = problemOf(result.error);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const res = await signIn({ input: { email: email.trim(), password } });
    const user = res.data?.signIn?.user;
    if (user) {
      signedIn(user);
      navigate(next, { replace: true });
    }
  }

  return (
    <section className="narrow">
      <h1>Sign in</h1>
      <form onSubmit={submit} className="card stack">
        {ended && !problem ? (
          <p className="banner" role="status" data-testid="session-ended">
            Your session has ended (signed out on another device, your password changed, or your account was
            locked). Please sign in again.
          </p>
        ) : null}
        {/* A refused sign-in is UNAUTHENTICATED: its own words say why (wrong password, locked account). */}
        <ErrorBanner problem={problem} precise={['UNAUTHENTICATED', 'FORBIDDEN']} />
        <Field
          label="Email"
          type="email"
          autoComplete="email"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <Field
          label="Password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <button type="submit" className="button" disabled={result.fetching}>
          {result.fetching ? 'Signing in…' : 'Sign in'}
        </button>
        <p>
          No account? <Link to={`/signup?next=${encodeURIComponent(next)}`}>Create one</Link>
        </p>
      </form>
    </section>
  );
}

export function SignUpPage() {
  const [form, setForm] = useState({ name: '', email: '', password: '', role: 'ATTENDEE' });
  const [result, signUp] = useMutation<{ signUp: { user: User } }>(SIGN_UP);
  const { signedIn } = useSession();
  const navigate = useNavigate();
  const next = useNext();
  const problem = problemOf(result.error);
  const bad = fieldName(problem);
  const set = (key: keyof typeof form) => (value: string) => setForm((f) => ({ ...f, [key]: value }));

  async function submit(e: FormEvent) {
    e.preventDefault();
    const res = await signUp({ input: { ...form, email: form.email.trim(), name: form.name.trim() } });
    const user = res.data?.signUp.user;
    if (user) {
      signedIn(user);
      navigate(user.role === 'ORGANIZER' && next === '/' ? '/organizer' : next, { replace: true });
    }
  }

  return (
    <section className="narrow">
      <h1>Create an account</h1>
      <form onSubmit={submit} className="card stack">
        <ErrorBanner problem={problem} />
        <Field
          label="Name"
          autoComplete="name"
          required
          value={form.name}
          error={bad === 'name' ? problem?.message : null}
          onChange={(e) => set('name')(e.target.value)}
        />
        <Field
          label="Email"
          type="email"
          autoComplete="email"
          required
          value={form.email}
          error={bad === 'email' ? problem?.message : null}
          onChange={(e) => set('email')(e.target.value)}
        />
        <Field
          label="Password"
          type="password"
          autoComplete="new-password"
          required
          minLength={12}
          hint="At least 12 characters; very common passwords are refused."
          value={form.password}
          error={bad === 'password' ? problem?.message : null}
          onChange={(e) => set('password')(e.target.value)}
        />
        <SelectField
          label="I want to"
          value={form.role}
          onChange={set('role')}
          options={[
            { value: 'ATTENDEE', label: 'Buy tickets' },
            { value: 'ORGANIZER', label: 'Organize events' },
          ]}
        />
        <button type="submit" className="button" disabled={result.fetching}>
          {result.fetching ? 'Creating…' : 'Create account'}
        </button>
        <p>
          Already registered? <Link to={`/signin?next=${encodeURIComponent(next)}`}>Sign in</Link>
        </p>
      </form>
    </section>
  );
}
