import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { newEnvelope } from '@ticketing/contracts';
import { conflict, currentTraceId, InjectConfig, OutboxRelay, type OutboxFields } from '@ticketing/platform';
import type { Model } from 'mongoose';
import { randomUUID } from 'node:crypto';
import { AUTH_SERVICE_NAME, type AuthConfig } from '../config';
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

const DUPLICATE_KEY = 11000;

/** The `users` collection: accounts, their password hashes, and the `user.registered` outbox. */
@Injectable()
export class UsersService implements OnModuleInit {
  private readonly logger = new Logger(UsersService.name);
  private readonly adminEmails: ReadonlySet<string>;

  constructor(
    @InjectModel(UserRecord.name) private readonly users: Model<StoredUser>,
    @InjectConfig() config: AuthConfig,
    private readonly relay: OutboxRelay,
  ) {
    this.adminEmails = new Set(config.AUTH_ADMIN_EMAILS);
  }

  async onModuleInit(): Promise<void> {
    // The unique email index must exist before the first sign-up.
    await this.users.init();
    this.relay.register(this.users);
    await this.promoteConfiguredAdmins();
  }

  /**
   * Inserts the account and its `user.registered` envelope in one document write. Answers CONFLICT on
   * `input.email` when the address is taken (the unique index decides, also under races).
   */
  async create(account: NewAccount): Promise<StoredUser> {
    const id = randomUUID();
    const now = new Date();
    const role = this.adminEmails.has(account.email) ? UserRole.ADMIN : account.role;
    const envelope = newEnvelope(
      'user.registered',
      id,
      {
        userId: id,
        email: account.email,
        name: account.name,
        role,
        registeredAt: now.toISOString(),
        aggregateVersion: 1,
      },
      { source: AUTH_SERVICE_NAME, traceId: currentTraceId() ?? undefined, occurredAt: now },
    );
    try {
      const created = await this.users.create({
        _id: id,
        email: account.email,
        name: account.name,
        role,
        passwordHash: account.passwordHash,
        passwordChangedAt: now,
        version: 1,
        outbox: [envelope],
      });
      this.relay.nudge();
      return created.toObject();
    } catch (err) {
      if ((err as { code?: number }).code === DUPLICATE_KEY) {
        throw conflict('An account with this email already exists', 'input.email');
      }
      throw err;
    }
  }

  findById(id: string): Promise<StoredUser | null> {
    return this.users.findById(id).lean<StoredUser>().exec();
  }

  findByEmail(email: string): Promise<StoredUser | null> {
    return this.users.findOne({ email }).lean<StoredUser>().exec();
  }

  findByIds(ids: readonly string[]): Promise<StoredUser[]> {
    return this.users
      .find({ _id: { $in: ids } })
      .lean<StoredUser[]>()
      .exec();
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

  /** Gives ADMIN to an account listed in `AUTH_ADMIN_EMAILS` that does not hold it yet; returns the user. */
  async ensureConfiguredRole(user: StoredUser): Promise<StoredUser> {
    if (!this.adminEmails.has(user.email) || user.role === UserRole.ADMIN) return user;
    await this.users
      .updateOne(
        { _id: user._id, role: { $ne: UserRole.ADMIN } },
        { $set: { role: UserRole.ADMIN }, $inc: { version: 1 } },
      )
      .exec();
    this.logger.log(`granted ADMIN to ${user._id} (AUTH_ADMIN_EMAILS)`);
    return { ...user, role: UserRole.ADMIN };
  }

  private async promoteConfiguredAdmins(): Promise<void> {
    if (this.adminEmails.size === 0) return;
    const result = await this.users
      .updateMany(
        { email: { $in: [...this.adminEmails] }, role: { $ne: UserRole.ADMIN } },
        { $set: { role: UserRole.ADMIN }, $inc: { version: 1 } },
      )
      .exec();
    if (result.modifiedCount > 0)
      this.logger.log(`granted ADMIN to ${result.modifiedCount} account(s) from AUTH_ADMIN_EMAILS`);
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
  return model;
}
