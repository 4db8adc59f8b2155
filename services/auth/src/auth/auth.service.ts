import { Injectable } from '@nestjs/common';
import {
  badInput,
  domainError,
  isValidEmail,
  normaliseEmail,
  notFound,
  unauthenticated,
} from '@ticketing/platform';
import type { AuthUser } from '@ticketing/platform';
import type { GraphQLError } from 'graphql';
import { TokenIssuer } from '../keys/token-issuer.service';
import { PasswordHasher } from '../passwords/password-hasher.service';
import { passwordProblem } from '../passwords/password-policy';
import { SessionRevoker } from '../sessions/session-revoker';
import { SessionsService, type IssuedRefreshToken } from '../sessions/sessions.service';
import { LoginThrottle } from '../throttle/login-throttle.service';

import { checkPersonName } from '../users/person-name';
import { UserRole } from '../users/models/user-role.enum';
import { toUserModel, UsersService, type StoredUser } from '../users/users.service';
import type { ChangePasswordInput } from './dto/change-password.input';
import type { SignInInput } from './dto/sign-in.input';
import type { SignUpInput } from './dto/sign-up.input';
import type { AuthPayload } from './models/auth-payload.model';

/** A started or refreshed session: what the resolver puts in the body and in the cookies. */
export interface SessionResult {
  payload: AuthPayload;
  refresh: IssuedRefreshToken;
}

/** Deliberately one message for an unknown email and a wrong password (no account enumeration). */
export function invalidCredentials(): GraphQLError {
  return unauthenticated('Invalid email or password');
}

export function invalidSession(): GraphQLError {
  return unauthenticated('Session expired or revoked; sign in again');
}

export function accountLocked(): GraphQLError {
  return unauthenticated('This account is locked; contact an administrator');
}

/** Sign-up, sign-in, refresh, sign-out and password change. Cookies are the resolver's job. */
@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly hasher: PasswordHasher,
    private readonly tokens: TokenIssuer,
    private readonly throttle: LoginThrottle,
    private readonly revoker: SessionRevoker,
  ) {}

  async signUp(input: SignUpInput, clientAddress: string): Promise<SessionResult> {
    const email = normaliseEmail(input.email);
    if (!isValidEmail(email)) throw badInput('input.email', 'Enter a valid email address');
    const checked = checkPersonName(input.name);
    if (!checked.ok) throw badInput('input.name', checked.problem);
    const name = checked.name;
    const problem = passwordProblem(input.password, email);
    if (problem !== null) throw badInput('input.password', `Password ${problem}`);
    const role = input.role === undefined ? UserRole.ATTENDEE : (input.role as unknown as UserRole);
    if (role !== UserRole.ATTENDEE && role !== UserRole.ORGANIZER) {
      throw badInput('input.role', 'Role must be ATTENDEE or ORGANIZER');
    }

    // Counted before the (costly) hash and before a taken address could be revealed.
    await this.throttle.reserveSignUp(clientAddress);
    // Hash before the insert: taken and free addresses cost the same time.
    const passwordHash = await this.hasher.hash(input.password);
    const user = await this.users.create({ email, name, role, passwordHash });
    return this.startSession(user);
  }

  async signIn(input: SignInInput, clientAddress: string): Promise<SessionResult> {
    const email = normaliseEmail(input.email);
    // Counted before the password is looked at: parallel or aliased attempts each count.
    const reservation = await this.throttle.reserve(email, clientAddress);
    const found = input.password.length > 0 && email.length > 0 ? await this.users.findByEmail(email) : null;
    const ok =
      found === null
        ? await this.hasher.verifyDummy(input.password)
        : await this.hasher.verify(found.passwordHash, input.password);
    if (!ok || found === null) throw invalidCredentials();
    await this.throttle.release(reservation);
    // Told only to whoever knows the password.
    if (found.lockedAt) throw accountLocked();
    return this.startSession(found);
  }

  /**
   * Exchanges the refresh cookie for new tokens. A replayed token (or the loser of a parallel refresh)
   * ends its session like a sign-out: revoked in MongoDB, then announced, so its access tokens are
   * refused everywhere at once rather than at the revoker's next repair.
   */
  async refresh(refreshToken: string | undefined): Promise<SessionResult> {
    const rotation = await this.sessions.rotate(refreshToken);
    if (!rotation.ok) {
      if (rotation.endedSessionId !== undefined) await this.revoker.announce([rotation.endedSessionId]);
      throw invalidSession();
    }
    const user = await this.users.findById(rotation.issued.userId);
    if (user === null || user.lockedAt) {
      await this.sessions.revokeByToken(
        rotation.issued.token,
        user === null ? 'account-gone' : 'account-locked',
      );
      await this.revoker.announce([rotation.issued.familyId]);
      throw user === null ? invalidSession() : accountLocked();
    }
    const access = await this.tokens.issue(subjectOf(user), rotation.issued.familyId);
    return {
      payload: { user: ownUser(user), accessToken: access.token, accessTokenExpiresAt: access.expiresAt },
      refresh: rotation.issued,
    };
  }

  /**
   * Ends the session of the refresh cookie, and the session of the access token when the caller sent one
   * (a Bearer-only client has no refresh cookie), and tells every subgraph at once. Always succeeds:
   * signing out twice is fine.
   */
  async signOut(refreshToken: string | undefined, caller: AuthUser | undefined): Promise<void> {
    const ended: string[] = [];
    const fromCookie = await this.sessions.revokeByToken(refreshToken, 'sign-out');
    if (fromCookie !== null) ended.push(fromCookie);
    const fromToken = caller?.sessionId;
    if (fromToken !== undefined && fromToken !== fromCookie) {
      await this.sessions.revokeById(fromToken, caller!.id, 'sign-out');
      // Announced even when already ended in Mongo: the access token must stop at once either way.
      ended.push(fromToken);
    }
    await this.revoker.announce(ended);
  }

  /**
   * Checks the current password (throttled like a sign-in), stores the new hash and ends every other
   * session of the account. The session making the call (its refresh cookie) stays signed in.
   */
  async changePassword(
    caller: AuthUser,
    input: ChangePasswordInput,
    refreshToken: string | undefined,
    clientAddress: string,
  ): Promise<number> {
    const user = await this.users.findById(caller.id);
    if (user === null) throw invalidSession();
    const reservation = await this.throttle.reserve(user.email, clientAddress);
    if (!(await this.hasher.verify(user.passwordHash, input.currentPassword))) {
      throw badInput('input.currentPassword', 'Current password is wrong');
    }
    await this.throttle.release(reservation);
    const problem = passwordProblem(input.newPassword, user.email);
    if (problem !== null) throw badInput('input.newPassword', `Password ${problem}`);
    if (input.newPassword === input.currentPassword) {
      throw badInput('input.newPassword', 'New password must differ from the current one');
    }
    const newHash = await this.hasher.hash(input.newPassword);
    if (!(await this.users.replacePasswordHash(user._id, user.passwordHash, newHash))) {
      throw domainError('CONFLICT', 'The password was changed meanwhile; try again', 'input.currentPassword');
    }
    // The calling session stays: its refresh cookie's family, else the session of its access token.
    const current = await this.sessions.familyOf(refreshToken);
    const keep = current !== null && current.userId === user._id ? current.id : caller.sessionId;
    const ended = await this.sessions.revokeAllForUser(user._id, 'password-changed', keep);
    await this.revoker.announce(ended);
    return ended.length;
  }

  /**
   * ADMIN: locks an account (it cannot sign in or refresh) and ends every session of it at once; or
   * unlocks it. Returns the number of sessions ended.
   */
  async setLocked(admin: AuthUser, userId: string, locked: boolean): Promise<number> {
    if (locked && userId === admin.id) throw badInput('userId', 'An admin cannot lock their own account');
    if (!(await this.users.setLocked(userId, locked))) throw notFound('User', 'userId');
    if (!locked) return 0;
    const ended = await this.sessions.revokeAllForUser(userId, 'account-locked');
    await this.revoker.announce(ended);
    return ended.length;
  }

  async me(userId: string): Promise<StoredUser> {
    const user = await this.users.findById(userId);
    if (user === null) throw invalidSession();
    return user;
  }

  private async startSession(user: StoredUser): Promise<SessionResult> {
    const refresh = await this.sessions.start(user._id);
    const access = await this.tokens.issue(subjectOf(user), refresh.familyId);
    return {
      payload: { user: ownUser(user), accessToken: access.token, accessTokenExpiresAt: access.expiresAt },
      refresh,
    };
  }
}

/** The account as shown to its own, just-started session. */
function ownUser(user: StoredUser) {
  const model = toUserModel(user);
  model.ownSession = true;
  return model;
}

function subjectOf(user: StoredUser): { id: string; email: string; role: string; name: string } {
  return { id: user._id, email: user.email, role: user.role, name: user.name };
}
