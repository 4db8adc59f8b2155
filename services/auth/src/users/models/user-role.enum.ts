import { registerEnumType } from '@nestjs/graphql';

/** Every role an account can hold (mirrors `ROLES` in the contracts). */
export enum UserRole {
  ATTENDEE = 'ATTENDEE',
  ORGANIZER = 'ORGANIZER',
  STAFF = 'STAFF',
  ADMIN = 'ADMIN',
}

/** The roles anyone may pick at sign-up. ADMIN only comes from the seed command (`src/seed-admin.ts`). */
export enum SignUpRole {
  ATTENDEE = 'ATTENDEE',
  ORGANIZER = 'ORGANIZER',
}

registerEnumType(UserRole, { name: 'UserRole', description: 'What an account may do across the platform.' });
registerEnumType(SignUpRole, { name: 'SignUpRole', description: 'Roles open to self-service sign-up.' });
