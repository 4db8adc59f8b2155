import { baseConfigSchema, envBool, envInt } from '@ticketing/platform';
import { z } from 'zod';

export const PRICING_SERVICE_NAME = 'pricing';
export const PRICING_DEFAULT_PORT = 4005;

export const pricingConfigSchema = baseConfigSchema(PRICING_SERVICE_NAME, PRICING_DEFAULT_PORT)
  .extend({
    /** Size of one demand bucket (one document per ticket type, or per event for views, per bucket). */
    BUCKET_MS: envInt({ default: 60_000, min: 100, max: 3_600_000 }),
    /** Length of the sliding demand window the pricing function reads. */
    DEMAND_WINDOW_MS: envInt({ default: 900_000, min: 100, max: 86_400_000 }),
    /** Period of the repricing timer over the DEMAND/TIERED ticket types on sale. */
    REPRICE_INTERVAL_MS: envInt({ default: 5_000, min: 50, max: 600_000 }),
    /**
     * A ticket type's signals are repriced at once, then at most once per this period while they keep coming
     * (the last signal of a burst is always followed by a repricing).
     */
    REPRICE_DEBOUNCE_MS: envInt({ default: 250, min: 0, max: 60_000 }),
    /** Run the repricing timer in this process (safe on every replica: each change is version-guarded). */
    REPRICER_ENABLED: envBool(true),
    /** DEMAND defaults when the policy does not say (policies from the event service carry none). */
    DEFAULT_MIN_INTERVAL_SECONDS: envInt({ default: 60, min: 0, max: 86_400 }),
    /** Sensitivity in hundredths: 50 means target = base × (1 + 0.5 × demand score). */
    DEFAULT_SENSITIVITY_PCT: envInt({ default: 50, min: 0, max: 500 }),
    DEFAULT_HYSTERESIS_PCT: envInt({ default: 2, min: 0, max: 100 }),
    /**
     * How long a demand signal's receipt (its envelope id) is kept: a copy of the same envelope published again
     * within it is not counted twice. Redelivery of the same record is caught by the offset guards forever.
     */
    SIGNAL_RECEIPT_RETENTION_HOURS: envInt({ default: 48, min: 1, max: 24 * 30 }),
    /** Life of a Redis read copy (a type's price state, an event's organizer) after its last write. */
    READ_COPY_TTL_SECONDS: envInt({ default: 600, min: 1, max: 86_400 }),
  })
  .superRefine((cfg, ctx) => {
    if (cfg.DEMAND_WINDOW_MS < cfg.BUCKET_MS) {
      ctx.addIssue({ code: 'custom', path: ['DEMAND_WINDOW_MS'], message: 'must be at least BUCKET_MS' });
    }
  });

export type PricingConfig = z.infer<typeof pricingConfigSchema>;
