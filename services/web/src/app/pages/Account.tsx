import { useState, type FormEvent } from 'react';
import { useClient, useMutation } from 'urql';
import { ErrorBanner, Field, Notice } from '../components/ui';
import { CHANGE_PASSWORD, LOCK_ACCOUNT, UNLOCK_ACCOUNT, USER_BY_EMAIL, USER_BY_ID } from '../api/documents';
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

interface AdminUser {
  id: string;
  name: string;
  email: string | null;
  role: string | null;
  locked: boolean | null;
}

/**
 * ADMIN: find an account by its email address or its user id, see whether it is locked, and lock it (it can
 * no longer sign in; its sessions end at once) or unlock it. The account is shown before anything is done
 * to it, so an admin sees whom they are about to lock.
 */
function AccountLocks() {
  const client = useClient();
  const [search, setSearch] = useState('');
  const [finding, setFinding] = useState(false);
  const [account, setAccount] = useState<AdminUser | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [lockResult, lock] = useMutation<{ lockAccount: number }>(LOCK_ACCOUNT);
  const [unlockResult, unlock] = useMutation<{ unlockAccount: boolean }>(UNLOCK_ACCOUNT);
  const busy = finding || lockResult.fetching || unlockResult.fetching;
  const err = fieldErrors(problem);
  // The API names `email` or `id` for the lookup and `userId` for the lock: all are this one field.
  const searchError = err('email') ?? err('id') ?? err('userId');

  /** Reads the account afresh (after a lock, to show what the server now holds). */
  async function load(term: string): Promise<AdminUser | null> {
    const byEmail = term.includes('@');
    const res = await client
      .query<{ userByEmail?: AdminUser; user?: AdminUser }>(
        byEmail ? USER_BY_EMAIL : USER_BY_ID,
        byEmail ? { email: term } : { id: term },
        { requestPolicy: 'network-only' },
      )
      .toPromise();
    const found = (byEmail ? res.data?.userByEmail : res.data?.user) ?? null;
    if (!found) setProblem(problemOf(res.error));
    return found;
  }

  async function find(e: FormEvent) {
    e.preventDefault();
    const term = search.trim();
    if (!term) return;
    setFinding(true);
    setNotice(null);
    setProblem(null);
    setAccount(null);
    try {
      setAccount(await load(term));
    } finally {
      setFinding(false);
    }
  }

  async function setLocked(target: AdminUser, locked: boolean) {
    setNotice(null);
    setProblem(null);
    const res = locked ? await lock({ userId: target.id }) : await unlock({ userId: target.id });
    if (res.error) {
      setProblem(problemOf(res.error));
      return;
    }
    const ended = (res.data as { lockAccount?: number } | undefined)?.lockAccount ?? 0;
    setNotice(
      locked
        ? `${target.name} (${target.email ?? target.id}) is locked; ${ended} session${ended === 1 ? '' : 's'} ended.`
        : `${target.name} (${target.email ?? target.id}) is unlocked.`,
    );
    setAccount((await load(target.id)) ?? { ...target, locked });
  }

  return (
    <section className="card stack" aria-labelledby="account-locks-heading">
      <h2 id="account-locks-heading">Lock or unlock an account</h2>
      <p className="muted">A locked account cannot sign in, and every session of it ends at once.</p>
      {notice ? <Notice>{notice}</Notice> : null}
      <ErrorBanner problem={searchError ? null : problem} />
      <form className="stack" aria-label="Find an account" onSubmit={find}>
        <Field
          label="Email or user ID"
          required
          autoComplete="off"
          value={search}
          error={searchError}
          onChange={(e) => setSearch(e.target.value)}
        />
        <div className="actions">
          <button type="submit" className="button secondary" disabled={busy}>
            {finding ? 'Finding…' : 'Find account'}
          </button>
        </div>
      </form>
      {account ? (
        <div className="stack" aria-label="Account found" role="group">
          <dl className="account-facts">
            <dt>Name</dt>
            <dd>{account.name}</dd>
            <dt>Email</dt>
            <dd>{account.email ?? '—'}</dd>
            <dt>Account type</dt>
            <dd>{account.role ? titleCase(account.role) : '—'}</dd>
            <dt>User ID</dt>
            <dd>
              <code>{account.id}</code>
            </dd>
            <dt>Status</dt>
            <dd>{account.locked ? 'Locked' : 'Active'}</dd>
          </dl>
          <div className="actions">
            {account.locked ? (
              <button
                type="button"
                className="button secondary"
                disabled={busy}
                onClick={() => void setLocked(account, false)}
              >
                Unlock account
              </button>
            ) : (
              <button
                type="button"
                className="button danger"
                disabled={busy}
                onClick={() => void setLocked(account, true)}
              >
                Lock account
              </button>
            )}
          </div>
        </div>
      ) : null}
    </section>
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
