/** Platform roles. ADMIN passes every role check; STAFF is scoped per event by EventStaffGuard. */
export const Role = {
  ATTENDEE: 'ATTENDEE',
  ORGANIZER: 'ORGANIZER',
  STAFF: 'STAFF',
  ADMIN: 'ADMIN',
} as const;

export type Role = (typeof Role)[keyof typeof Role];

export const ROLES: readonly Role[] = Object.values(Role);

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** The signed-in user, from the access token's claims `sub`, `email`, `role`, `name` (and `sid`). */
export interface AuthUser {
  id: string;
  email: string;
  role: Role;
  name: string;
  /** The session (`sid` claim) the request's access token belongs to. */
  sessionId?: string;
}
