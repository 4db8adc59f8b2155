import {
  baseConfigSchema,
  envByteSize,
  envDisplayCodeMasterKey,
  envInt,
  envUrl,
  refuseDevDisplayCodeKey,
} from '@ticketing/platform';
import type { z } from 'zod';

export const CHECKIN_SERVICE_NAME = 'checkin';
export const CHECKIN_DEFAULT_PORT = 4004;

// `safeExtend`: BODY_LIMIT replaces the base field (a plain `extend` may not overwrite keys of a refined object).
export const checkinConfigSchema = baseConfigSchema(CHECKIN_SERVICE_NAME, CHECKIN_DEFAULT_PORT)
  .safeExtend({
    /**
     * The ticket subgraph (`http://<host>:4003/graphql`); only its origin is used, to fetch the QR
     * verification keys from `/.well-known/ticket-keys.json`. Scans never call it.
     */
    TICKET_URL: envUrl(['http', 'https'], 'http://127.0.0.1:4003/graphql'),
    /**
     * How often the QR key set is refetched (an unknown key id refetches at once, at most every 2 s); also
     * the longest a key the ticket service stopped listing keeps verifying here.
     */
    TICKET_KEYS_REFRESH_MS: envInt({ default: 60_000, min: 1_000, max: 86_400_000 }),
    /** Master key of the rotating display codes, the same Secret as the ticket service's. */
    DISPLAY_CODE_MASTER_KEY: envDisplayCodeMasterKey(),
    /**
     * How old the in-process copy of an event's replica row (times, cancellation, staff) may be when a scan
     * uses it. Applying a change in this process drops it at once; other check-in replicas see the change
     * within this time. 0 reads MongoDB on every scan.
     */
    EVENT_CACHE_MS: envInt({ default: 250, min: 0, max: 5_000 }),
    /** Doors open this many minutes before the event starts; earlier scans answer NOT_YET_OPEN. */
    DOORS_OPEN_MINUTES: envInt({ default: 120, min: 0, max: 7 * 24 * 60 }),
    /**
     * Largest request body (the platform's default, pinned here): an oversized syncScans batch (10,000 scans
     * are about 3 MB) must reach validation and get BAD_USER_INPUT on `input.scans` instead of HTTP 413.
     */
    BODY_LIMIT: envByteSize('5mb'),
    /**
     * Shortest time between two attendanceUpdated snapshots to one dashboard: the scans of a burst within it
     * arrive as one update. At most 1 s, so a scan reaches the dashboard within about a second.
     */
    ATTENDANCE_UPDATE_MIN_INTERVAL_MS: envInt({ default: 100, min: 20, max: 1_000 }),
    /**
     * How long an online scan of a genuine code (signature or HMAC checked) waits for the ticket.issued of a
     * ticket this replica has not heard of yet: one bought a moment ago at the door. Only such codes wait;
     * 0 answers UNKNOWN_TICKET at once.
     */
    JUST_ISSUED_WAIT_MS: envInt({ default: 1_500, min: 0, max: 10_000 }),
    /** An offline scan uploaded by syncScans may be at most this old. */
    OFFLINE_MAX_AGE_HOURS: envInt({ default: 72, min: 1, max: 24 * 30 }),
  })
  .superRefine((cfg, ctx) => {
    refuseDevDisplayCodeKey(cfg, ctx);
  });

export type CheckinConfig = z.infer<typeof checkinConfigSchema>;
