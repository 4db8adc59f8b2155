import type { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { DemandDefaults } from '../common/policy-mapping';
import type { SetPricingPolicyInput } from './dto/set-pricing-policy.input';
import { PricingPolicyKind } from './models/price.models';
import { MAX_PRICE_MINOR } from '@ticketing/contracts';
import { maxPriceText, policyFromInput } from './policy-input';

const defaults: DemandDefaults = { minIntervalMs: 60_000, sensitivity: 0.5, hysteresisPct: 2 };
const endsAt = new Date('2027-06-01T23:00:00.000Z');

function tiered(...untils: string[]): SetPricingPolicyInput {
  return {
    kind: PricingPolicyKind.TIERED,
    currency: 'EUR',
    tiers: [
      ...untils.map((until, i) => ({ amount: 3000 + i * 100, until: new Date(until) })),
      { amount: 5000 },
    ],
  };
}

function refusal(fn: () => unknown): { code: unknown; field: unknown } {
  try {
    fn();
  } catch (error) {
    const { extensions } = error as GraphQLError;
    if (extensions) return { code: extensions.code, field: extensions.field };
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('TIERED tier dates and the end of the event', () => {
  const check = (input: SetPricingPolicyInput, end: Date | null | undefined) =>
    policyFromInput(input, 'EUR', 100, defaults, 5000, 1000, { eventEndsAt: end });

  it('refuses a tier date after the end, on that tier', () => {
    expect(refusal(() => check(tiered('2027-06-01T23:00:01.000Z'), endsAt))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'input.tiers.0.until',
    });
    expect(
      refusal(() => check(tiered('2027-05-01T00:00:00.000Z', '2027-06-02T00:00:00.000Z'), endsAt)),
    ).toEqual({ code: 'BAD_USER_INPUT', field: 'input.tiers.1.until' });
  });

  it('accepts tiers up to the end itself, and does not check an end it does not know', () => {
    expect(check(tiered('2027-05-01T00:00:00.000Z', '2027-06-01T23:00:00.000Z'), endsAt).tiers).toHaveLength(
      3,
    );
    expect(check(tiered('2030-01-01T00:00:00.000Z'), null).tiers).toHaveLength(2);
  });
});

describe('TIERED tiers that could never apply', () => {
  const now = new Date('2027-03-01T00:00:00.000Z');
  const check = (input: SetPricingPolicyInput, storedUntil?: ReadonlySet<number>) =>
    policyFromInput(input, 'EUR', 100, defaults, 5000, 1000, { eventEndsAt: endsAt, now, storedUntil });

  it('refuses a tier date already past when it is set, not when the stored policy has it', () => {
    const past = '2027-02-01T00:00:00.000Z';
    expect(refusal(() => check(tiered(past, '2027-04-01T00:00:00.000Z')))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'input.tiers.0.until',
    });
    // The organizer's form re-sends an early-bird tier that ended since it was stored.
    expect(check(tiered(past, '2027-04-01T00:00:00.000Z'), new Set([Date.parse(past)])).tiers).toHaveLength(
      3,
    );
  });
});

describe('prices above MAX_PRICE_MINOR', () => {
  const demand = (floor: number, ceiling: number): SetPricingPolicyInput => ({
    kind: PricingPolicyKind.DEMAND,
    currency: 'EUR',
    floor,
    ceiling,
    maxStepPct: 10,
  });
  const tiers = (...amounts: number[]): SetPricingPolicyInput => ({
    kind: PricingPolicyKind.TIERED,
    currency: 'EUR',
    tiers: amounts.map((amount, i) => (i < amounts.length - 1 ? { amount, untilSold: i + 1 } : { amount })),
  });
  const check = (input: SetPricingPolicyInput) => policyFromInput(input, 'EUR', 100, defaults, 5000, 1000);
  const huge = 2_147_483_647;

  it('refuses a floor, a ceiling or a tier above it, on that field', () => {
    expect(refusal(() => check(demand(1000, huge)))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'input.ceiling',
    });
    expect(refusal(() => check(demand(1000, MAX_PRICE_MINOR + 1)))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'input.ceiling',
    });
    expect(refusal(() => check(demand(huge, huge)))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'input.floor',
    });
    expect(refusal(() => check(tiers(huge, 5000)))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'input.tiers.0.amount',
    });
    expect(refusal(() => check(tiers(3000, MAX_PRICE_MINOR + 1)))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'input.tiers.1.amount',
    });
  });

  it('accepts it exactly, and says it in the currency', () => {
    expect(check(demand(1000, MAX_PRICE_MINOR)).ceiling).toBe(MAX_PRICE_MINOR);
    expect(check(tiers(3000, MAX_PRICE_MINOR)).tiers).toHaveLength(2);
    expect(maxPriceText('EUR', 100)).toBe('1,000,000.00 EUR');
    expect(maxPriceText('JPY', 1)).toBe('100,000,000 JPY');
    expect(maxPriceText('KWD', 1000)).toBe('100,000.000 KWD');
    expect(() => check(demand(1000, huge))).toThrow('The ceiling must be at most 1,000,000.00 EUR');
  });
});
