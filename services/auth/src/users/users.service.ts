import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { newEnvelope } from '@ticketing/contracts';
import {
  conflict,
  currentTraceId,
  isDuplicateKeyError,
  OutboxRelay,
  type OutboxFields,
} from '@ticketing/platform';
import type { Model } from 'mongoose';
import { randomUUID } from 'node:crypto';
import { AUTH_SERVICE_NAME } from '../config';
import { UserRole } from './models/user-role.enum';
import { User } from './models/user.model';
import { UserRecord } from './schemas/user.schema';

export type StoredUser = UserRecord & OutboxFields;

export interface NewAccount {
  email: string;
  name: string;
  role: UserRole;
  passwordHash: string;
}

/** The stored form of a new account with its `user.registered` envelope in the outbox (one insert). */
export function newAccountDocument(account: NewAccount, now = new Date()): StoredUser {
  const id = randomUUID();
  const envelope = newEnvelope(
    'user.registered',
    id,
    {
      userId: id,
      email: account.email,
      name: account.name,
      role: account.role,
      registeredAt: now.toISOString(),
      aggregateVersion: 1,
    },
    { source: AUTH_SERVICE_NAME, traceId: currentTraceId() ?? undefined, occurredAt: now },
  );
  return {
    _id: id,
    email: account.email,
    name: account.name,
    role: account.role,
    passwordHash: account.passwordHash,
    passwordChangedAt: now,
    lockedAt: null,
    version: 1,
    outbox: [envelope],
    outboxPending: true,
    outboxLeaseUntil: null,
    createdAt: now,
    updatedAt: now,
  };
}

/**
 * The `users` collection: accounts, their password hashes, and the `user.registered` outbox. Roles come
 * from the caller (sign-up allows ATTENDEE and ORGANIZER only); ADMIN is given by the seed command
 * (`src/seed-admin.ts`), never by signing up or in.
 */
@Injectable()
export class UsersService implements OnModuleInit {
  constructor(
    @InjectModel(UserRecord.name) private readonly users: Model<StoredUser>,
    private readonly relay: OutboxRelay,
  ) {}

  async onModuleInit(): Promise<void> {
    // The unique email index must exist before the first sign-up.
    await this.users.init();
    this.relay.register(this.users);
  }

  /**
   * Inserts the account and its `user.registered` envelope in one document write. Answers CONFLICT on
   * `input.email` when the address is taken (the unique index decides, also under races).
   */
  async create(account: NewAccount): Promise<StoredUser> {
    try {
      const created = await this.users.create(newAccountDocument(account));
      this.relay.nudge();
      return created.toObject();
    } catch (err) {
      if (isDuplicateKeyError(err))
        throw conflict('An account with this email already exists', 'input.email');
      throw err;
    }
  }

  findById(id: string): Promise<StoredUser | null> {
    return this.users.findById(id).lean<StoredUser>().exec();
  }

  findByEmail(email: string): Promise<StoredUser | null> {
    return this.users.findOne({ email }).lean<StoredUser>().exec();
  }

  /** Locks (now) or unlocks an account. False when there is no such account. */
  async setLocked(id: string, locked: boolean): Promise<boolean> {
    const result = await this.users
      .updateOne({ _id: id }, { $set: { lockedAt: locked ? new Date() : null } })
      .exec();
    return result.matchedCount === 1;
  }

  /** Replaces the password hash; `expectedHash` guards against a concurrent change. */
  async replacePasswordHash(id: string, expectedHash: string, newHash: string): Promise<boolean> {
    const result = await this.users
      .updateOne(
        { _id: id, passwordHash: expectedHash },
        { $set: { passwordHash: newHash, passwordChangedAt: new Date() }, $inc: { version: 1 } },
      )
      .exec();
    return result.modifiedCount === 1;
  }
}

/** The GraphQL view of a stored account. */
export function toUserModel(user: StoredUser): User {
  const model = new User();
  model.id = user._id;
  model.name = user.name;
  model.email = user.email;
  model.role = user.role;
  model.createdAt = user.createdAt;
  model.locked = user.lockedAt != null;
  return model;
}
