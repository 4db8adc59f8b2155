import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { EventData } from '@ticketing/contracts';
import { normaliseEmail } from '@ticketing/platform';
import type { Model } from 'mongoose';
import { USER_MODEL, type UserReplica } from './schemas/user.schema';

@Injectable()
export class UsersService {
  constructor(@InjectModel(USER_MODEL) private readonly users: Model<UserReplica>) {}

  async findByEmail(email: string): Promise<UserReplica | null> {
    return this.users
      .findOne({ email: normaliseEmail(email) })
      .lean<UserReplica>()
      .exec();
  }

  /**
   * Applies `user.registered` idempotently: inserts the user, or updates it when this version is newer.
   * Returns true when the replica changed.
   */
  async applyRegistered(data: EventData<'user.registered'>): Promise<boolean> {
    const doc = {
      email: normaliseEmail(data.email),
      name: data.name,
      aggregateVersion: data.aggregateVersion,
      registeredAt: new Date(data.registeredAt),
    };
    const updated = await this.users
      .updateOne({ _id: data.userId, aggregateVersion: { $lt: data.aggregateVersion } }, { $set: doc })
      .exec();
    if (updated.matchedCount > 0) return true;
    try {
      await this.users.create({ _id: data.userId, ...doc });
      return true;
    } catch (error) {
      // Duplicate key: the user is already there with this or a newer version (redelivery or reordering).
      if ((error as { code?: number }).code === 11000) return false;
      throw error;
    }
  }
}
