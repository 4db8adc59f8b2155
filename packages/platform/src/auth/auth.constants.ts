/** Reflector metadata keys of the auth decorators. */
export const IS_PUBLIC_KEY = 'ticketing:auth:public';
export const ROLES_KEY = 'ticketing:auth:roles';
export const EVENT_STAFF_KEY = 'ticketing:auth:event-staff';
