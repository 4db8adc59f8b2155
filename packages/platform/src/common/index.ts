export { RecentCache, type RecentCacheOptions } from './recent-cache';
export { withTimeout } from './with-timeout';
