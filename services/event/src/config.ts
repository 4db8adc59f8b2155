import { isCurrencyCode } from '@ticketing/contracts';
import { baseConfigSchema, envBool, envInt, envList } from '@ticketing/platform';

export const EVENT_SERVICE_NAME = 'event';
export const EVENT_DEFAULT_PORT = 4002;

/** Currencies organizers may price in unless EVENT_CURRENCIES says otherwise. */
export const DEFAULT_CURRENCIES = [
  'EUR',
  'USD',
  'GBP',
  'CHF',
  'CAD',
  'AUD',
  'JPY',
  'SEK',
  'NOK',
  'DKK',
  'PLN',
  'CZK',
];

export const eventConfigSchema = baseConfigSchema(EVENT_SERVICE_NAME, EVENT_DEFAULT_PORT).extend({
  /** Serve listings and details from Redis. `false` reads Mongo on every request (benchmarks, debugging). */
  EVENT_CACHE_ENABLED: envBool(true),
  /** Seconds a cached listing page counts as fresh. Writes invalidate at once regardless. */
  EVENT_CACHE_LIST_TTL_SECONDS: envInt({ default: 30, min: 1, max: 3600 }),
  /** Seconds a cached event detail counts as fresh. */
  EVENT_CACHE_DETAIL_TTL_SECONDS: envInt({ default: 120, min: 1, max: 86_400 }),
  /** After the fresh period, a value may still be served for this long while one caller refreshes it. */
  EVENT_CACHE_STALE_SECONDS: envInt({ default: 30, min: 0, max: 3600 }),
  /** How long the Redis rebuild lock on a cache key lives (ms). */
  EVENT_CACHE_LOCK_MS: envInt({ default: 3000, min: 100, max: 60_000 }),
  /** How long a request without the lock waits for the holder to fill a missing key (ms) before reading Mongo. */
  EVENT_CACHE_LOCK_WAIT_MS: envInt({ default: 200, min: 0, max: 5000 }),
  /** Demand signals: views are counted per event and flushed as one `event.viewed` per event this often. */
  EVENT_VIEW_FLUSH_MS: envInt({ default: 5000, min: 100, max: 600_000 }),
  /** Currencies ticket types may be priced in (ISO 4217). */
  EVENT_CURRENCIES: envList(DEFAULT_CURRENCIES, { nonEmpty: true }).refine(
    (codes) => codes.every(isCurrencyCode),
    {
      error: 'expected comma-separated ISO 4217 codes',
    },
  ),
  /** How often published events whose end has passed are marked ENDED (ms). */
  EVENT_END_SWEEP_MS: envInt({ default: 60_000, min: 1000, max: 3_600_000 }),
  /** Largest page `events(first:)` returns. */
  EVENT_LIST_MAX_PAGE: envInt({ default: 50, min: 1, max: 200 }),
});

export type EventConfig = ReturnType<typeof eventConfigSchema.parse>;
