import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { endingAtOrAbove, endingAtOrBelow, minorUnitOf, nearestEndingWithin } from './money';
import type { DemandRule, PricingInput, TierRule } from './policy';
import { computePrice, demandTarget } from './price';

const RUNS = { numRuns: 3000 };
const NOW = Date.parse('2027-01-15T12:00:00.000Z');
const HOUR = 3_600_000;

const unitArb = fc.constantFrom(1, 100, 1000);

const ruleArb = (unit: number): fc.Arbitrary<DemandRule> =>
  fc
    .record({
      floor: fc.integer({ min: 1, max: 100_000 }),
      span: fc.integer({ min: 0, max: 200_000 }),
      maxStepPct: fc.double({ min: 0.01, max: 100, noNaN: true }),
      minIntervalMs: fc.integer({ min: 0, max: 2 * HOUR }),
      sensitivity: fc.double({ min: 0, max: 5, noNaN: true }),
      hysteresisPct: fc.double({ min: 0, max: 20, noNaN: true }),
      ending: fc.option(fc.integer({ min: 0, max: unit - 1 }), { nil: null }),
    })
    .map(({ floor, span, ...rest }) => ({ kind: 'DEMAND' as const, floor, ceiling: floor + span, ...rest }));

const windowArb = fc
  .record({
    windowMs: fc.integer({ min: 1_000, max: HOUR }),
    views: fc.integer({ min: 0, max: 100_000 }),
    held: fc.integer({ min: 0, max: 5_000 }),
    lapsedShare: fc.double({ min: 0, max: 1, noNaN: true }),
    sold: fc.integer({ min: 0, max: 5_000 }),
  })
  .map(({ lapsedShare, ...w }) => ({ ...w, lapsed: Math.floor(w.held * lapsedShare) }));

/** Inputs for a DEMAND policy; `current` is inside the bounds unless `outside` is true. */
const demandInputArb = (
  opts: { outside?: boolean } = {},
): fc.Arbitrary<PricingInput & { policy: DemandRule }> =>
  unitArb.chain((unit) =>
    fc
      .record({
        rule: ruleArb(unit),
        baseShare: fc.double({ min: -0.2, max: 1.2, noNaN: true }),
        currentShare: fc.option(
          fc.double({ min: opts.outside ? -1 : 0, max: opts.outside ? 2 : 1, noNaN: true }),
          {
            nil: null,
          },
        ),
        sinceChange: fc.option(fc.integer({ min: 0, max: 3 * HOUR }), { nil: null }),
        window: windowArb,
        capacity: fc.integer({ min: 1, max: 100_000 }),
        leftShare: fc.double({ min: 0, max: 1, noNaN: true }),
        salesEndIn: fc.integer({ min: -HOUR, max: 90 * 24 * HOUR }),
      })
      .map(({ rule, baseShare, currentShare, sinceChange, window, capacity, leftShare, salesEndIn }) => {
        const span = rule.ceiling - rule.floor;
        const at = (share: number) => Math.max(1, Math.round(rule.floor + share * span));
        const stockLeft = Math.floor(capacity * leftShare);
        return {
          policy: rule,
          basePrice: at(baseShare),
          minorUnit: unit,
          current: currentShare === null ? null : at(currentShare),
          lastChangedAt: currentShare === null || sinceChange === null ? null : NOW - sinceChange,
          now: NOW,
          window,
          capacity,
          soldTotal: capacity - stockLeft,
          stockLeft,
          salesEndAt: NOW + salesEndIn,
        };
      }),
  );

const inBounds = (input: PricingInput & { policy: DemandRule }) =>
  input.current !== null && input.current >= input.policy.floor && input.current <= input.policy.ceiling;

describe('pricing function: DEMAND properties', () => {
  it('always prices within floor and ceiling, in whole minor units', () => {
    fc.assert(
      fc.property(demandInputArb({ outside: true }), (input) => {
        const { price } = computePrice(input);
        expect(Number.isInteger(price)).toBe(true);
        expect(price).toBeGreaterThanOrEqual(input.policy.floor);
        expect(price).toBeLessThanOrEqual(input.policy.ceiling);
      }),
      RUNS,
    );
  });

  it('never moves more than the maximum step from a price inside the bounds', () => {
    fc.assert(
      fc.property(demandInputArb(), (input) => {
        fc.pre(inBounds(input));
        const { price } = computePrice(input);
        const limit = Math.floor((input.current! * input.policy.maxStepPct) / 100);
        expect(Math.abs(price - input.current!)).toBeLessThanOrEqual(limit);
      }),
      RUNS,
    );
  });

  it('never moves again inside the minimum interval', () => {
    fc.assert(
      fc.property(demandInputArb(), (input) => {
        fc.pre(inBounds(input) && input.lastChangedAt !== null);
        fc.pre(input.now - input.lastChangedAt! < input.policy.minIntervalMs);
        const result = computePrice(input);
        expect(result.price).toBe(input.current);
        expect(result.factors.map((f) => f.name)).toContain('MIN_INTERVAL');
      }),
      RUNS,
    );
  });

  it('rises (never falls) with sales velocity', () => {
    fc.assert(
      fc.property(demandInputArb(), fc.integer({ min: 1, max: 5_000 }), (input, extra) => {
        const faster = { ...input, window: { ...input.window, sold: input.window.sold + extra } };
        expect(computePrice(faster).price).toBeGreaterThanOrEqual(computePrice(input).price);
      }),
      RUNS,
    );
  });

  it('rises (never falls) with scarcity', () => {
    fc.assert(
      fc.property(demandInputArb(), fc.double({ min: 0, max: 1, noNaN: true }), (input, share) => {
        const fewer = Math.floor(input.stockLeft * share);
        const scarcer = { ...input, stockLeft: fewer, soldTotal: input.capacity - fewer };
        expect(computePrice(scarcer).price).toBeGreaterThanOrEqual(computePrice(input).price);
      }),
      RUNS,
    );
  });

  it('strictly rises when sales run far above pace, the interval has passed and the step allows it', () => {
    fc.assert(
      fc.property(demandInputArb(), (input) => {
        const rule = { ...input.policy, sensitivity: 1, hysteresisPct: 0, ending: null, maxStepPct: 50 };
        const busy: PricingInput & { policy: DemandRule } = {
          ...input,
          policy: rule,
          lastChangedAt: null,
          window: { ...input.window, sold: input.stockLeft + 10_000 },
        };
        fc.pre(inBounds(busy) && busy.current! < rule.ceiling && busy.current! >= 2);
        fc.pre(demandTarget(busy, rule).target > busy.current!);
        expect(computePrice(busy).price).toBeGreaterThan(busy.current!);
      }),
      RUNS,
    );
  });

  it('falls back toward base when demand fades, without overshooting it', () => {
    fc.assert(
      fc.property(demandInputArb(), (input) => {
        const quiet = { ...input, window: { ...input.window, views: 0, held: 0, lapsed: 0, sold: 0 } };
        fc.pre(inBounds(quiet));
        const base = Math.min(quiet.policy.ceiling, Math.max(quiet.policy.floor, quiet.basePrice));
        const { price } = computePrice(quiet);
        const [lo, hi] = [Math.min(base, quiet.current!), Math.max(base, quiet.current!)];
        expect(price).toBeGreaterThanOrEqual(lo);
        expect(price).toBeLessThanOrEqual(hi);
        // With the interval passed, no ending, a step of at least one minor unit and a gap beyond the
        // hysteresis band, it does move.
        const free = { ...quiet, lastChangedAt: null, policy: { ...quiet.policy, ending: null } };
        const gap = Math.abs(base - quiet.current!);
        if (gap * 100 >= quiet.policy.hysteresisPct * quiet.current! && gap > 0) {
          if (Math.floor((quiet.current! * quiet.policy.maxStepPct) / 100) >= 1) {
            expect(computePrice(free).price).not.toBe(quiet.current);
          }
        }
      }),
      RUNS,
    );
  });

  it('ignores target moves inside the hysteresis band', () => {
    fc.assert(
      fc.property(demandInputArb(), (input) => {
        fc.pre(inBounds(input));
        const open = { ...input, lastChangedAt: null };
        const { target } = demandTarget(open, open.policy);
        fc.pre(Math.abs(target - open.current!) * 100 < open.policy.hysteresisPct * open.current!);
        const result = computePrice(open);
        expect(result.price).toBe(open.current);
      }),
      RUNS,
    );
  });

  it('does not flap: under steady demand successive prices move one way only', () => {
    fc.assert(
      fc.property(demandInputArb(), (input) => {
        fc.pre(inBounds(input));
        let current = input.current!;
        let now = input.now;
        let direction = 0;
        for (let i = 0; i < 12; i += 1) {
          const step = computePrice({
            ...input,
            current,
            now,
            lastChangedAt: now - input.policy.minIntervalMs,
            salesEndAt: input.salesEndAt + (now - input.now),
          });
          const sign = Math.sign(step.price - current);
          if (sign !== 0) {
            expect(direction === 0 || direction === sign).toBe(true);
            direction = sign;
          }
          current = step.price;
          now += input.policy.minIntervalMs + 1;
        }
      }),
      { numRuns: 1000 },
    );
  });

  it("ends every new price with the organizer's ending", () => {
    fc.assert(
      fc.property(demandInputArb({ outside: true }), (input) => {
        const ending = input.policy.ending;
        fc.pre(ending !== null && input.policy.ceiling - input.policy.floor >= input.minorUnit);
        const { price } = computePrice(input);
        if (price !== input.current)
          expect(((price % input.minorUnit) + input.minorUnit) % input.minorUnit).toBe(ending);
      }),
      RUNS,
    );
  });

  it('is deterministic and explains itself', () => {
    fc.assert(
      fc.property(demandInputArb({ outside: true }), (input) => {
        const a = computePrice(input);
        const b = computePrice(structuredClone(input));
        expect(b).toEqual(a);
        const names = a.factors.map((f) => f.name);
        expect(names).toEqual(expect.arrayContaining(['BASE', 'PACE', 'SCARCITY', 'VIEWS', 'TARGET']));
        for (const factor of a.factors) expect(Number.isFinite(factor.value)).toBe(true);
      }),
      RUNS,
    );
  });
});

describe('pricing function: FIXED and TIERED', () => {
  it('FIXED is the base price whatever the demand', () => {
    fc.assert(
      fc.property(demandInputArb({ outside: true }), (input) => {
        const result = computePrice({ ...input, policy: { kind: 'FIXED' } });
        expect(result.price).toBe(input.basePrice);
        expect(result.nextTier).toBeNull();
      }),
      RUNS,
    );
  });

  const tiersArb = fc
    .array(
      fc.record({
        amount: fc.integer({ min: 1, max: 100_000 }),
        soldStep: fc.option(fc.integer({ min: 1, max: 500 }), { nil: undefined }),
        dateStep: fc.option(fc.integer({ min: 1, max: 30 * 24 * HOUR }), { nil: undefined }),
      }),
      { minLength: 1, maxLength: 6 },
    )
    .map((raw) => {
      let sold = 0;
      let at = NOW - 10 * 24 * HOUR;
      return raw.map((t, i): TierRule => {
        if (i === raw.length - 1) return { amount: t.amount };
        const tier: TierRule = { amount: t.amount };
        if (t.soldStep !== undefined || t.dateStep === undefined) tier.untilSold = sold += t.soldStep ?? 1;
        if (t.dateStep !== undefined) tier.until = at += t.dateStep;
        return tier;
      });
    });

  it('TIERED is the first tier still open (by date and quantity), else the last', () => {
    fc.assert(
      fc.property(
        tiersArb,
        fc.integer({ min: 0, max: 4_000 }),
        fc.integer({ min: 0, max: 60 * 24 * HOUR }),
        (tiers, soldTotal, offset) => {
          const now = NOW - 10 * 24 * HOUR + offset;
          const result = computePrice({
            policy: { kind: 'TIERED', tiers },
            basePrice: 5000,
            minorUnit: 100,
            current: null,
            lastChangedAt: null,
            now,
            window: { windowMs: 60_000, views: 0, held: 0, lapsed: 0, sold: 0 },
            capacity: 5000,
            soldTotal,
            stockLeft: 5000 - soldTotal,
            salesEndAt: now + HOUR,
          });
          const open = tiers.findIndex(
            (t) =>
              (t.untilSold === undefined || soldTotal < t.untilSold) &&
              (t.until === undefined || now < t.until),
          );
          const index = open === -1 ? tiers.length - 1 : open;
          expect(result.price).toBe(tiers[index]!.amount);
          if (index < tiers.length - 1) {
            expect(result.nextTier).toEqual({
              amount: tiers[index + 1]!.amount,
              at: tiers[index]!.until ?? null,
              afterSold: tiers[index]!.untilSold ?? null,
            });
          } else {
            expect(result.nextTier).toBeNull();
          }
        },
      ),
      RUNS,
    );
  });

  it("TIERED's quantity ladder gives the price the function gives at every later quantity sold (same time)", () => {
    fc.assert(
      fc.property(
        tiersArb,
        fc.integer({ min: 0, max: 3_000 }),
        fc.integer({ min: 0, max: 60 * 24 * HOUR }),
        (tiers, soldTotal, offset) => {
          const now = NOW - 10 * 24 * HOUR + offset;
          const at = (sold: number) =>
            computePrice({
              policy: { kind: 'TIERED', tiers },
              basePrice: 5000,
              minorUnit: 100,
              current: null,
              lastChangedAt: null,
              now,
              window: { windowMs: 60_000, views: 0, held: 0, lapsed: 0, sold: 0 },
              capacity: 5000,
              soldTotal: sold,
              stockLeft: 5000 - sold,
              salesEndAt: now + HOUR,
            });
          const result = at(soldTotal);
          const steps = result.untilSold ?? [];
          expect(result.untilSold === undefined || steps.length > 0).toBe(true);
          steps.forEach((step, i) =>
            expect(step.count).toBeGreaterThan(i > 0 ? steps[i - 1]!.count : soldTotal),
          );
          for (let sold = soldTotal; sold <= soldTotal + 3_100; sold += sold < soldTotal + 40 ? 1 : 97) {
            const passed = steps.filter((step) => sold >= step.count);
            const expected = passed.length === 0 ? result.price : passed.at(-1)!.next;
            expect(at(sold).price).toBe(expected);
          }
        },
      ),
      { ...RUNS, numRuns: 300 },
    );
  });

  it('TIERED switches exactly at its date and at its quantity', () => {
    const until = NOW + HOUR;
    const tiers: TierRule[] = [{ amount: 3900, untilSold: 10 }, { amount: 4900, until }, { amount: 5900 }];
    const at = (soldTotal: number, now: number) =>
      computePrice({
        policy: { kind: 'TIERED', tiers },
        basePrice: 5900,
        minorUnit: 100,
        current: null,
        lastChangedAt: null,
        now,
        window: { windowMs: 60_000, views: 0, held: 0, lapsed: 0, sold: 0 },
        capacity: 100,
        soldTotal,
        stockLeft: 100 - soldTotal,
        salesEndAt: NOW + 10 * HOUR,
      }).price;
    expect(at(9, NOW)).toBe(3900);
    expect(at(10, NOW)).toBe(4900);
    expect(at(10, until - 1)).toBe(4900);
    expect(at(10, until)).toBe(5900);
  });
});

describe('money helpers', () => {
  it('knows minor units per currency', () => {
    expect(minorUnitOf('EUR')).toBe(100);
    expect(minorUnitOf('JPY')).toBe(1);
    expect(minorUnitOf('KWD')).toBe(1000);
  });

  it('rounds to an ending on the requested side', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e7 }), unitArb, fc.nat(), (x, unit, e) => {
        const ending = e % unit;
        const below = endingAtOrBelow(x, ending, unit);
        const above = endingAtOrAbove(x, ending, unit);
        expect(below).toBeLessThanOrEqual(x);
        expect(above).toBeGreaterThanOrEqual(x);
        expect(x - below).toBeLessThan(unit);
        expect(above - x).toBeLessThan(unit);
        expect(((below % unit) + unit) % unit).toBe(ending);
        expect(((above % unit) + unit) % unit).toBe(ending);
        const near = nearestEndingWithin(x, ending, unit, x - unit, x + unit);
        expect(near === below || near === above).toBe(true);
      }),
      RUNS,
    );
  });
});
