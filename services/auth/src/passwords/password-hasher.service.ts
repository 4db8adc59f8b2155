import { Injectable, OnModuleInit } from '@nestjs/common';
import { hash, verify, type Options } from '@node-rs/argon2';
import { randomBytes } from 'node:crypto';

/** argon2id (the package's `Algorithm.Argon2id`, a const enum that cannot be imported under SWC). */
const ARGON2ID = 2;

/** OWASP's argon2id recommendation: 19 MiB of memory, 2 passes, 1 lane. */
export const ARGON2_OPTIONS: Options = {
  algorithm: ARGON2ID as Options['algorithm'],
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
};

@Injectable()
export class PasswordHasher implements OnModuleInit {
  private dummyHash: string | undefined;

  /** A hash of a random secret, verified when the account does not exist so both paths cost the same. */
  async onModuleInit(): Promise<void> {
    this.dummyHash = await hash(randomBytes(24).toString('base64url'), ARGON2_OPTIONS);
  }

  hash(password: string): Promise<string> {
    return hash(password, ARGON2_OPTIONS);
  }

  async verify(passwordHash: string, password: string): Promise<boolean> {
    try {
      return await verify(passwordHash, password);
    } catch {
      return false;
    }
  }

  /** Spends the same work as a real verification and always answers `false`. */
  async verifyDummy(password: string): Promise<false> {
    if (this.dummyHash === undefined) await this.onModuleInit();
    await this.verify(this.dummyHash as string, password);
    return false;
  }
}
