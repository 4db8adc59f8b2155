import 'reflect-metadata';
import { loadConfig } from '@ticketing/platform';
import mongoose, { type Model } from 'mongoose';
import { seedAdminEnvSchema } from './config';
import { PasswordHasher } from './passwords/password-hasher.service';
import { AdminSeedError, seedAdmin } from './users/admin-seed';
import { UserRecord, UserSchema } from './users/schemas/user.schema';
import type { StoredUser } from './users/users.service';

/**
 * Operator command: creates (or, with proof of its password, promotes) an ADMIN account.
 *   ADMIN_EMAIL=ops@example.com ADMIN_NAME="Ops" ADMIN_PASSWORD=... node services/auth/dist/seed-admin.js
 * (ADMIN_NAME is needed only when the account is created; blank otherwise is fine.)
 * (or `npm run seed:admin -w @ticketing/auth`; in Kubernetes: `kubectl exec` into an auth pod).
 * Reads MONGO_URL / MONGO_DB like the service (`seedAdminEnvSchema`). Exit 0 on success, 1 with one
 * line naming the problem. Tested as a child process by test/seed-admin-command.e2e-spec.ts.
 */
async function main(): Promise<number> {
  const config = loadConfig(seedAdminEnvSchema);
  const connection = await mongoose
    .createConnection(config.MONGO_URL, { dbName: config.MONGO_DB, serverSelectionTimeoutMS: 5000 })
    .asPromise();
  try {
    const users = connection.model(UserRecord.name, UserSchema) as unknown as Model<StoredUser>;
    await users.init();
    const { outcome, userId } = await seedAdmin(users, new PasswordHasher(), {
      email: config.ADMIN_EMAIL,
      name: config.ADMIN_NAME,
      password: config.ADMIN_PASSWORD,
    });
    process.stdout.write(`seed-admin: ${outcome} ${userId}\n`);
    return 0;
  } finally {
    await connection.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    const known = err instanceof AdminSeedError || (err as Error).name === 'ConfigError';
    process.stderr.write(
      `seed-admin: ${known ? (err as Error).message : String((err as Error).stack ?? err)}\n`,
    );
    process.exit(1);
  },
);
