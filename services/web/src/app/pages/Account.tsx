import { useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { ErrorBanner, Field, Notice } from '../components/ui';
import { CHANGE_PASSWORD, LOCK_ACCOUNT, UNLOCK_ACCOUNT } from '../api/documents';
import { useSession } from '../lib/auth';
import { fieldErrors, problemOf, type ApiProblem } from '../lib/errors';
import { titleCase } from '../lib/format';

function ChangePasswordForm() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const [done, setDone] = useState(false);
  const [result, change] = useMutation<{ changePassword: boolean }>(CHANGE_PASSWORD);
  const problem = problemOf(result.error);
  const err = fieldErrors(problem);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setDone(false);
    // Checked here: the API only sees the new password once.
    if (next !== repeat) {
      setMismatch(true);
      return;
    }
    setMismatch(false);
    const res = await change({ input: { currentPassword: current, newPassword: next } });
    if (res.data?.changePassword) {
      setCurrent('');
      setNext('');
      setRepeat('');
      setDone(true);
    }
  }

  return (
    <form className="card stack" onSubmit={submit} aria-label="Change password">
      <h2>Change password</h2>
      {done ? <Notice>Password changed. Your other devices were signed out.</Notice> : null}
      <ErrorBanner problem={problem} />
      <Field
        label="Current password"
        type="password"
        autoComplete="current-password"
        required
        value={current}
        error={err('currentPassword')}
        onChange={(e) => setCurrent(e.target.value)}
      />
      <Field
        label="New password"
        type="password"
        autoComplete="new-password"
        required
        minLength={12}
        hint="At least 12 characters; very common passwords are refused."
        value={next}
        error={err('newPassword')}
        onChange={(e) => setNext(e.target.value)}
      />
      <Field
        label="Repeat the new password"
        type="password"
        autoComplete="new-password"
        required
        value={repeat}
        error={mismatch ? 'The two new passwords differ.' : null}
        onChange={(e) => setRepeat(e.target.value)}
      />
      <button type="submit" className="button" disabled={result.fetching}>
        {result.fetching ? 'Changing…' : 'Change password'}
      </button>
    </form>
  );
}

/** ADMIN: lock an account (it can no longer sign in; its sessions end at once) or unlock it, by user id. */
function AccountLocks() {
  const [userId, setUserId] = useState('');
  const [lockResult, lock] = useMutation<{ lockAccount: number }>(LOCK_ACCOUNT);
  const [unlockResult, unlock] = useMutation<{ unlockAccount: boolean }>(UNLOCK_ACCOUNT);
  const [outcome, setOutcome] = useState<{ text: string } | { problem: ApiProblem | null } | null>(null);
  const busy = lockResult.fetching || unlockResult.fetching;
  const problem = outcome && 'problem' in outcome ? outcome.problem : null;

  async function run(action: 'lock' | 'unlock') {
    const id = userId.trim();
    if (!id) return;
    if (action === 'lock') {
      const res = await lock({ userId: id });
      setOutcome(
        res.data
          ? {
              text: `Account ${id} locked; ${res.data.lockAccount} session${res.data.lockAccount === 1 ? '' : 's'} ended.`,
            }
          : { problem: problemOf(res.error) },
      );
    } else {
      const res = await unlock({ userId: id });
      setOutcome(res.data ? { text: `Account ${id} unlocked.` } : { problem: problemOf(res.error) });
    }
  }

  return (
    <form
      className="card stack"
      aria-label="Lock or unlock an account"
      onSubmit={(e) => {
        e.preventDefault();
        void run('lock');
      }}
    >
      <h2>Lock or unlock an account</h2>
      <p className="muted">A locked account cannot sign in, and every session of it ends at once.</p>
      {outcome && 'text' in outcome ? <Notice>{outcome.text}</Notice> : null}
      <ErrorBanner problem={problem} />
      <Field
        label="User ID"
        required
        autoComplete="off"
        value={userId}
        error={fieldErrors(problem)('userId')}
        onChange={(e) => setUserId(e.target.value)}
      />
      <div className="actions">
        <button type="submit" className="button danger" disabled={busy}>
          Lock account
        </button>
        <button type="button" className="button secondary" disabled={busy} onClick={() => void run('unlock')}>
          Unlock account
        </button>
      </div>
    </form>
  );
}

export function AccountPage() {
  const { user } = useSession();
  if (!user) return null;
  return (
    <section className="narrow stack">
      <h1>Your account</h1>
      <dl className="card account-facts">
        <dt>Name</dt>
        <dd>{user.name}</dd>
        <dt>Email</dt>
        <dd>{user.email ?? '—'}</dd>
        <dt>Account type</dt>
        <dd>{user.role ? titleCase(user.role) : '—'}</dd>
        <dt>User ID</dt>
        <dd>
          <code>{user.id}</code>
        </dd>
      </dl>
      <ChangePasswordForm />
      {user.role === 'ADMIN' ? <AccountLocks /> : null}
    </section>
  );
}
