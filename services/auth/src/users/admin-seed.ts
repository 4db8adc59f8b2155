import { isDuplicateKeyError, isValidEmail, normaliseEmail } from '@ticketing/platform';
import type { Model } from 'mongoose';
import type { PasswordHasher } from '../passwords/password-hasher.service';
import { passwordProblem } from '../passwords/password-policy';
import { UserRole } from './models/user-role.enum';
import { checkPersonName } from './person-name';
import { newAccountDocument, type StoredUser } from './users.service';

export interface AdminSeedInput {
  email: string;
  /** Needed only when the account is created. */
  name?: string;
  password: string;
}

export type AdminSeedOutcome = 'created' | 'promoted' | 'already-admin';

/** A refusal the operator must act on; the message names the variable at fault. */
export class AdminSeedError extends Error {}

/**
 * The only way an account becomes ADMIN. Run by an operator (`src/seed-admin.ts`), never reachable over
 * the network:
 * - no account with that address: one is created with the ADMIN role (and its `user.registered`
 *   envelope, which the running service's outbox relay publishes);
 * - an account exists: it is promoted only when `password` is its password. Sign-up has no email
 *   verification, so anyone could have registered the address first; promoting an account nobody
 *   proved to control would hand ADMIN to whoever squatted the address.
 */
export async function seedAdmin(
  users: Model<StoredUser>,
  hasher: PasswordHasher,
  input: AdminSeedInput,
): Promise<{ outcome: AdminSeedOutcome; userId: string }> {
  const email = normaliseEmail(input.email);
  if (!isValidEmail(email)) throw new AdminSeedError('ADMIN_EMAIL is not a valid email address');

  const existing = await users.findOne({ email }).lean<StoredUser>().exec();
  if (existing !== null) {
    if (!(await hasher.verify(existing.passwordHash, input.password))) {
      throw new AdminSeedError(
        'an account with ADMIN_EMAIL exists and ADMIN_PASSWORD is not its password; refusing to promote ' +
          'an account not proven to be yours',
      );
    }
    if (existing.role === UserRole.ADMIN) return { outcome: 'already-admin', userId: existing._id };
    const result = await users
      .updateOne(
        { _id: existing._id, passwordHash: existing.passwordHash },
        { $set: { role: UserRole.ADMIN }, $inc: { version: 1 } },
      )
      .exec();
    if (result.modifiedCount !== 1) throw new AdminSeedError('the account changed meanwhile; run again');
    return { outcome: 'promoted', userId: existing._id };
  }

  const name = checkPersonName(input.name ?? '');
  if (!name.ok) throw new AdminSeedError(`ADMIN_NAME: ${name.problem}`);
  const problem = passwordProblem(input.password, email);
  if (problem !== null) throw new AdminSeedError(`ADMIN_PASSWORD ${problem}`);
  const passwordHash = await hasher.hash(input.password);
  try {
    const created = await users.create(
      newAccountDocument({ email, name: name.name, role: UserRole.ADMIN, passwordHash }),
    );
    return { outcome: 'created', userId: created._id };
  } catch (err) {
    if (isDuplicateKeyError(err)) throw new AdminSeedError('the address was registered meanwhile; run again');
    throw err;
  }
}
