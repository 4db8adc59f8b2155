export { RecentCache, type RecentCacheOptions } from './recent-cache';
export { withTimeout } from './with-timeout';
export { EMAIL_LOCAL_PART_MAX_OCTETS, EMAIL_MAX_LENGTH, isValidEmail, normaliseEmail } from './email';
export { ENTITY_ID, isEntityId } from './ids';
export { hasVisibleText } from './visible-text';
