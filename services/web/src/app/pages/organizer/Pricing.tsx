import { useEffect, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { ErrorBanner, Field, Loading, Notice, SelectField } from '../../components/ui';
import { PRICE_HISTORY, PRICING_SETTINGS, SET_PRICING_POLICY } from '../../api/documents';
import type {
  EventStatus,
  PriceChange,
  PricingKind,
  PricingSettings,
  TicketPrice,
  TicketType,
} from '../../api/types';
import { fieldErrors, fieldName, problemOf } from '../../lib/errors';
import {
  count,
  fromZonedInput,
  money,
  moneyInText,
  toZonedInput,
  when,
  type FieldRule,
} from '../../lib/format';
import { MAX_AMOUNT, pointerTo, useLocalErrors, worded } from '../../lib/forms';

interface TierDraft {
  price: string;
  until: string;
  untilSold: string;
}

const major = (minor: number | null | undefined) => (minor == null ? '' : (minor / 100).toFixed(2));
const minor = (value: string) => Math.round(Number(value) * 100);
/** The demand fields with the pricing service's limits (amounts in major units, as typed). */
const RULES: Record<string, FieldRule> = {
  floor: { label: 'Floor', min: 0.01, max: MAX_AMOUNT },
  ceiling: { label: 'Ceiling', min: 0.01, max: MAX_AMOUNT },
  maxStepPct: { label: 'Largest step (%)', min: 0, max: 100 },
  minIntervalSeconds: { label: 'Minimum interval (seconds)', min: 0, max: 86_400 },
  sensitivity: { label: 'Sensitivity', min: 0, max: 5 },
  hysteresisPct: { label: 'Hysteresis (%)', min: 0, max: 50 },
  priceEnding: { label: 'Price ending (cents)', min: 0, max: 99 },
};
const TIER_LABELS: Record<string, string> = {
  amount: 'price',
  until: 'until',
  untilSold: 'while fewer sold than',
};
const text = (value: number | null | undefined) => (value == null ? '' : String(value));
/** An optional number: left empty, the API's default applies. */
const optional = (value: string) => (value.trim() === '' ? undefined : Number(value));

/**
 * A ticket type's pricing policy (pricing subgraph): FIXED, TIERED by date or quantity, or DEMAND in bounds.
 * Tier dates are typed and shown in the event's time zone, like every other time of the event.
 */
export function PricingPanel({
  type,
  timeZone,
  eventStatus,
  livePrice,
}: {
  type: TicketType;
  timeZone: string;
  /** A draft's ticket types reach the pricing service only when it is published: nothing to ask before. */
  eventStatus?: EventStatus;
  /** The price buyers are quoted now, as the page last heard it (live feed and refreshes). */
  livePrice?: TicketPrice | null;
}) {
  const draft = eventStatus === 'DRAFT';
  const [{ data, error }, refetch] = useQuery<{ pricingSettings: PricingSettings }>({
    query: PRICING_SETTINGS,
    variables: { ticketTypeId: type.id },
    pause: draft,
  });
  // A new ticket type of a published event reaches the pricing service through Kafka a moment later: ask
  // again until it is known.
  const missing = !draft && problemOf(error)?.code === 'NOT_FOUND' && !data;
  useEffect(() => {
    if (!missing) return;
    const timer = window.setInterval(() => refetch({ requestPolicy: 'network-only' }), 2000);
    return () => window.clearInterval(timer);
  }, [missing, refetch]);
  // A newer price than the settings' (a base price saved in the ticket-type form, a tier that ended): the
  // settings are read again, so the base price and the policy shown are the ones that priced it.
  const settingsVersion = data?.pricingSettings.price?.version;
  const liveVersion = livePrice?.version;
  useEffect(() => {
    if (liveVersion != null && settingsVersion != null && liveVersion > settingsVersion)
      refetch({ requestPolicy: 'network-only' });
  }, [liveVersion, settingsVersion, refetch]);
  if (draft) {
    // Drafts are private, so the pricing service learns their ticket types from `event.published` (by design).
    return (
      <div className="stack pricing" data-testid="pricing-draft">
        <p>
          Pricing rules (tiers by date or quantity, prices that follow demand) can be set once the event is
          published. Until then the base price applies: {money(type.priceMinor, type.currency)}.
        </p>
        <p className="muted">
          To have an early-bird tier in place before anyone can buy: publish with a sales start date in the
          future (this ticket type&apos;s Sales start, or the event&apos;s), then set the tiers here; sales
          open with them.
        </p>
      </div>
    );
  }
  if (missing) return <Loading label="Waiting for the pricing service to know this ticket type…" />;
  if (error && !data) return <ErrorBanner problem={problemOf(error)} />;
  if (!data) return <Loading label="Loading pricing…" />;
  return (
    <PricingForm type={type} timeZone={timeZone} settings={data.pricingSettings} livePrice={livePrice} />
  );
}

function PricingForm({
  type,
  timeZone,
  settings,
  livePrice,
}: {
  type: TicketType;
  timeZone: string;
  settings: PricingSettings;
  livePrice?: TicketPrice | null;
}) {
  const [kind, setKind] = useState<PricingKind>(settings.kind);
  const [floor, setFloor] = useState(major(settings.floor));
  const [ceiling, setCeiling] = useState(major(settings.ceiling));
  const [maxStep, setMaxStep] = useState(settings.maxStepPct == null ? '10' : String(settings.maxStepPct));
  const [minInterval, setMinInterval] = useState(text(settings.minIntervalSeconds));
  const [sensitivity, setSensitivity] = useState(text(settings.sensitivity));
  const [hysteresis, setHysteresis] = useState(text(settings.hysteresisPct));
  const [ending, setEnding] = useState(text(settings.priceEnding));
  const [tiers, setTiers] = useState<TierDraft[]>(
    settings.tiers.length
      ? settings.tiers.map((t) => ({
          price: major(t.amount),
          until: toZonedInput(t.until, timeZone),
          untilSold: t.untilSold == null ? '' : String(t.untilSold),
        }))
      : [
          { price: major(type.priceMinor), until: '', untilSold: '' },
          { price: major(type.priceMinor), until: '', untilSold: '' },
        ],
  );
  const [result, save] = useMutation<{ setPricingPolicy: PricingSettings }>(SET_PRICING_POLICY);
  const amount = { min: 0.01, max: MAX_AMOUNT };
  const ruleOf = (field: string): FieldRule | undefined => {
    const tier = /^tiers\.(\d+)\.(amount|until|untilSold)$/.exec(field);
    if (!tier) return RULES[field];
    const label = `Tier ${Number(tier[1]) + 1} ${TIER_LABELS[tier[2]!]}`;
    return tier[2] === 'amount' ? { label, ...amount } : { label, min: 1, max: type.quantity };
  };
  const problem = worded(problemOf(result.error), ruleOf, type.currency);
  const bad = fieldName(problem);
  // The newest of what this form heard: the settings, its own save's answer, the page's live price.
  const price = [settings.price, result.data?.setPricingPolicy.price, livePrice].reduce<
    PricingSettings['price'] | null
  >((newest, p) => (p && (!newest || p.version > newest.version) ? p : newest), null);
  /** The API's message when it blamed exactly this field; a message of the browser's own checks first. */
  const apiError = fieldErrors(problem);
  const local = useLocalErrors();
  const errorOf = (name: string) => local.error(name) ?? apiError(name);
  // "Pricing saved." stays until the form is changed again (a new save starts without it).
  const [edited, setEdited] = useState(false);
  const tiersBox = bad === 'tiers' || /^tiers\.\d+$/.test(bad ?? '');
  const shownAt = tiersBox ? 'Tiers' : bad ? ruleOf(bad)?.label : null;
  const setTier = (i: number, patch: Partial<TierDraft>) =>
    setTiers((all) => all.map((t, j) => (i === j ? { ...t, ...patch } : t)));

  async function submit(e: FormEvent) {
    e.preventDefault();
    const input: Record<string, unknown> = { kind, currency: type.currency };
    if (kind === 'DEMAND')
      Object.assign(input, {
        floor: minor(floor),
        ceiling: minor(ceiling),
        maxStepPct: Number(maxStep),
        minIntervalSeconds: optional(minInterval),
        sensitivity: optional(sensitivity),
        hysteresisPct: optional(hysteresis),
        priceEnding: optional(ending),
      });
    if (kind === 'TIERED') {
      input.tiers = tiers.map((t) => ({
        amount: minor(t.price),
        ...(t.until ? { until: fromZonedInput(t.until, timeZone) } : {}),
        ...(t.untilSold ? { untilSold: Number(t.untilSold) } : {}),
      }));
    }
    setEdited(false);
    await save({ ticketTypeId: type.id, input });
  }

  return (
    <form
      className="stack pricing"
      onSubmit={submit}
      aria-label={`Pricing of ${type.name}`}
      onInvalidCapture={local.formProps.onInvalidCapture}
      onSubmitCapture={local.formProps.onSubmitCapture}
      onChange={(e) => {
        local.formProps.onChange(e);
        setEdited(true);
      }}
    >
      <p>
        Price now:{' '}
        <strong data-testid="current-price">{price ? money(price.amount, price.currency) : '—'}</strong>
      </p>
      <ErrorBanner problem={pointerTo(problem, shownAt)} />
      {result.data && !result.error && !edited ? <Notice>Pricing saved.</Notice> : null}
      <SelectField
        label="Pricing"
        value={kind}
        onChange={(v) => setKind(v as PricingKind)}
        options={[
          { value: 'FIXED', label: 'Fixed (the base price)' },
          { value: 'TIERED', label: 'Tiers by date or quantity sold' },
          { value: 'DEMAND', label: 'Follows demand, within bounds' },
        ]}
      />
      {kind === 'DEMAND' ? (
        <fieldset className="demand">
          <legend>Demand pricing</legend>
          <div className="row">
            <Field
              label="Floor"
              name="floor"
              type="number"
              step="0.01"
              min={amount.min}
              max={amount.max}
              required
              value={floor}
              hint="Lowest price"
              error={errorOf('floor')}
              onChange={(e) => setFloor(e.target.value)}
            />
            <Field
              label="Ceiling"
              name="ceiling"
              type="number"
              step="0.01"
              min={amount.min}
              max={amount.max}
              required
              value={ceiling}
              hint="Highest price"
              error={errorOf('ceiling')}
              onChange={(e) => setCeiling(e.target.value)}
            />
            <Field
              label="Largest step (%)"
              name="maxStepPct"
              type="number"
              step="any"
              required
              value={maxStep}
              hint="Most a price moves at once, above 0 and up to 100"
              error={errorOf('maxStepPct')}
              onChange={(e) => setMaxStep(e.target.value)}
            />
          </div>
          <div className="row">
            <Field
              label="Minimum interval (seconds)"
              name="minIntervalSeconds"
              type="number"
              step="1"
              min={0}
              max={86_400}
              value={minInterval}
              hint="Least time between two changes, 0 to 86400; empty for the default"
              error={errorOf('minIntervalSeconds')}
              onChange={(e) => setMinInterval(e.target.value)}
            />
            <Field
              label="Sensitivity"
              name="sensitivity"
              type="number"
              step="any"
              value={sensitivity}
              hint="How strongly demand moves the price, 0 to 5; empty for the default"
              error={errorOf('sensitivity')}
              onChange={(e) => setSensitivity(e.target.value)}
            />
            <Field
              label="Hysteresis (%)"
              name="hysteresisPct"
              type="number"
              step="any"
              value={hysteresis}
              hint="Ignore moves smaller than this, 0 to 50; empty for the default"
              error={errorOf('hysteresisPct')}
              onChange={(e) => setHysteresis(e.target.value)}
            />
            <Field
              label="Price ending (cents)"
              name="priceEnding"
              type="number"
              step="1"
              min={0}
              max={99}
              value={ending}
              hint="Every new price ends with it, e.g. 99 for x.99; empty for none"
              error={errorOf('priceEnding')}
              onChange={(e) => setEnding(e.target.value)}
            />
          </div>
        </fieldset>
      ) : null}
      {kind === 'TIERED' ? (
        <fieldset>
          <legend>Tiers, in order (the last one has no end)</legend>
          {tiers.map((t, i) => (
            <div className="row" key={i}>
              <Field
                label={`Tier ${i + 1} price`}
                name={`tiers.${i}.amount`}
                type="number"
                step="0.01"
                min={amount.min}
                max={amount.max}
                required
                value={t.price}
                error={errorOf(`tiers.${i}.amount`)}
                onChange={(e) => setTier(i, { price: e.target.value })}
              />
              {i < tiers.length - 1 ? (
                <>
                  <Field
                    label={`Tier ${i + 1} until`}
                    type="datetime-local"
                    value={t.until}
                    hint={`In the event's time zone, ${timeZone}`}
                    error={errorOf(`tiers.${i}.until`)}
                    onChange={(e) => setTier(i, { until: e.target.value })}
                  />
                  <Field
                    label={`Tier ${i + 1} while fewer sold than`}
                    name={`tiers.${i}.untilSold`}
                    type="number"
                    step="1"
                    min={1}
                    max={type.quantity}
                    value={t.untilSold}
                    error={errorOf(`tiers.${i}.untilSold`)}
                    onChange={(e) => setTier(i, { untilSold: e.target.value })}
                  />
                </>
              ) : null}
            </div>
          ))}
          {tiersBox ? (
            <p className="field-error" role="alert">
              {/^tiers\.\d+$/.test(bad ?? '') ? `Tier ${Number(bad!.split('.')[1]) + 1}: ` : ''}
              {problem?.message}
            </p>
          ) : null}
          <div className="actions">
            <button
              type="button"
              className="button secondary small"
              onClick={() =>
                setTiers((all) => [...all, { price: all.at(-1)?.price ?? '', until: '', untilSold: '' }])
              }
            >
              Add a tier
            </button>
            {tiers.length > 1 ? (
              <button
                type="button"
                className="button secondary small"
                onClick={() => setTiers((all) => all.slice(0, -1))}
              >
                Remove the last tier
              </button>
            ) : null}
          </div>
        </fieldset>
      ) : null}
      <button type="submit" className="button secondary" disabled={result.fetching}>
        Save pricing
      </button>
    </form>
  );
}

/** Factors whose value is an amount (minor units): shown as money, like every price on the page. */
const MONEY_FACTORS = new Set(['BASE', 'TARGET', 'CEILING', 'FLOOR']);

function factorValue(f: PriceChange['factors'][number], currency: string): string {
  if (MONEY_FACTORS.has(f.name)) return money(f.value, currency);
  if (f.name === 'ENDING') return count(f.value, 'cent');
  return String(Number(f.value.toFixed(3)));
}

function factorDetail(f: PriceChange['factors'][number], currency: string): string {
  return f.name === 'ENDING' ? f.detail.replace(/minor units/g, 'cents') : moneyInText(f.detail, currency);
}

/** A step chart of a ticket type's prices, and each change with the factors behind it. */
export function PriceHistory({
  ticketTypeId,
  name,
  refreshKey,
}: {
  ticketTypeId: string;
  name: string;
  refreshKey: number;
}) {
  const [{ data, error }, refetch] = useQuery<{ priceHistory: PriceChange[] }>({
    query: PRICE_HISTORY,
    variables: { ticketTypeId },
    requestPolicy: 'network-only',
  });
  useEffect(() => {
    if (refreshKey) refetch({ requestPolicy: 'network-only' });
  }, [refreshKey, refetch]);
  if (error && !data) return <ErrorBanner problem={problemOf(error)} />;
  const changes = data?.priceHistory ?? [];
  if (changes.length === 0) return <p className="muted">No price changes for {name} yet.</p>;
  const amounts = changes.map((c) => c.price.amount);
  const lo = Math.min(...amounts);
  const hi = Math.max(...amounts);
  const w = 320;
  const h = 120;
  const y = (a: number) => (hi === lo ? h / 2 : h - 10 - ((a - lo) / (hi - lo)) * (h - 20));
  const x = (i: number) => (changes.length === 1 ? w / 2 : 10 + (i / (changes.length - 1)) * (w - 20));
  // A step line: each price holds until the next change.
  const path = changes
    .map((c, i) => (i === 0 ? `M${x(0)},${y(c.price.amount)}` : `H${x(i)} V${y(c.price.amount)}`))
    .join(' ');
  const currency = changes[0].price.currency;
  return (
    <figure className="card price-history" data-testid="price-history">
      <figcaption>
        {name}: {money(lo, currency)} – {money(hi, currency)}, {changes.length} change
        {changes.length === 1 ? '' : 's'}
      </figcaption>
      <svg viewBox={`0 0 ${w} ${h}`} role="img" aria-label={`Price of ${name} over time`} className="chart">
        <path d={path} fill="none" stroke="currentColor" strokeWidth="2" />
        {changes.map((c, i) => (
          <circle key={c.version} cx={x(i)} cy={y(c.price.amount)} r="3" fill="currentColor" />
        ))}
      </svg>
      <ol className="plain changes">
        {changes
          .slice()
          .reverse()
          .map((c) => (
            <li key={c.version}>
              <strong>{money(c.price.amount, c.price.currency)}</strong>{' '}
              <span className="badge">{c.reason.replace(/_/g, ' ').toLowerCase()}</span>{' '}
              <time className="muted" dateTime={c.at}>
                {when(c.at)}
              </time>
              {c.factors.length ? (
                <ul className="factors">
                  {c.factors.map((f) => (
                    <li key={f.name}>
                      {f.name.replace(/_/g, ' ').toLowerCase()}: {factorValue(f, c.price.currency)}
                      {f.detail ? (
                        <span className="muted"> — {factorDetail(f, c.price.currency)}</span>
                      ) : null}
                    </li>
                  ))}
                </ul>
              ) : null}
            </li>
          ))}
      </ol>
    </figure>
  );
}
