import type { PricingPolicy, TicketTypeSnapshot } from '@ticketing/contracts';
import type { PricingConfig } from '../config';
import type { StoredPolicy } from '../catalog/schemas/ticket-price.schema';
import type { EnginePolicy } from '../engine';

/** DEMAND knobs the event service's policy does not carry, from config. */
export interface DemandDefaults {
  minIntervalMs: number;
  sensitivity: number;
  hysteresisPct: number;
}

export function demandDefaults(config: PricingConfig): DemandDefaults {
  return {
    minIntervalMs: config.DEFAULT_MIN_INTERVAL_SECONDS * 1000,
    sensitivity: config.DEFAULT_SENSITIVITY_PCT / 100,
    hysteresisPct: config.DEFAULT_HYSTERESIS_PCT,
  };
}

/** The event service's policy of a ticket type, as pricing stores it. */
export function policyFromSnapshot(snapshot: TicketTypeSnapshot, defaults: DemandDefaults): StoredPolicy {
  const policy: PricingPolicy = snapshot.pricingPolicy;
  switch (policy.kind) {
    case 'FIXED':
      return { kind: 'FIXED' };
    case 'TIERED':
      return {
        kind: 'TIERED',
        tiers: policy.tiers.map((t) => ({
          amount: t.price.amount,
          untilSold: t.untilSold ?? null,
          until: t.until ? new Date(t.until) : null,
        })),
      };
    case 'DEMAND':
      return {
        kind: 'DEMAND',
        floor: policy.floor.amount,
        ceiling: policy.ceiling.amount,
        maxStepPct: policy.maxStepPct,
        hysteresisPct: policy.hysteresisPct ?? defaults.hysteresisPct,
        minIntervalMs: defaults.minIntervalMs,
        sensitivity: defaults.sensitivity,
        ending: null,
      };
  }
}

/** The stored policy as the pricing function takes it. */
export function enginePolicy(policy: StoredPolicy, defaults: DemandDefaults): EnginePolicy {
  switch (policy.kind) {
    case 'FIXED':
      return { kind: 'FIXED' };
    case 'TIERED':
      return {
        kind: 'TIERED',
        tiers: (policy.tiers ?? []).map((t) => ({
          amount: t.amount,
          ...(t.untilSold != null ? { untilSold: t.untilSold } : {}),
          ...(t.until != null ? { until: new Date(t.until).getTime() } : {}),
        })),
      };
    case 'DEMAND':
      return {
        kind: 'DEMAND',
        floor: policy.floor!,
        ceiling: policy.ceiling!,
        maxStepPct: policy.maxStepPct!,
        minIntervalMs: policy.minIntervalMs ?? defaults.minIntervalMs,
        sensitivity: policy.sensitivity ?? defaults.sensitivity,
        hysteresisPct: policy.hysteresisPct ?? defaults.hysteresisPct,
        ending: policy.ending ?? null,
      };
  }
}

/** DEMAND and TIERED prices move with time and sales; FIXED ones only with the base price. */
export const isDynamic = (policy: StoredPolicy) => policy.kind !== 'FIXED';
