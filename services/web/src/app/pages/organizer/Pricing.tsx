import { useEffect, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { ErrorBanner, Field, Loading, Notice, SelectField } from '../../components/ui';
import { PRICE_HISTORY, PRICING_SETTINGS, SET_PRICING_POLICY } from '../../api/documents';
import type { PriceChange, PricingKind, PricingSettings, TicketType } from '../../api/types';
import { fieldErrors, fieldName, problemOf } from '../../lib/errors';
import { fromZonedInput, money, toZonedInput, when } from '../../lib/format';

interface TierDraft {
  price: string;
  until: string;
  untilSold: string;
}

const major = (minor: number | null | undefined) => (minor == null ? '' : (minor / 100).toFixed(2));
const minor = (value: string) => Math.round(Number(value) * 100);
const text = (value: number | null | undefined) => (value == null ? '' : String(value));
/** An optional number: left empty, the API's default applies. */
const optional = (value: string) => (value.trim() === '' ? undefined : Number(value));

/**
 * A ticket type's pricing policy (pricing subgraph): FIXED, TIERED by date or quantity, or DEMAND in bounds.
 * Tier dates are typed and shown in the event's time zone, like every other time of the event.
 */
export function PricingPanel({ type, timeZone }: { type: TicketType; timeZone: string }) {
  const [{ data, error }, refetch] = useQuery<{ pricingSettings: PricingSettings }>({
    query: PRICING_SETTINGS,
    variables: { ticketTypeId: type.id },
  });
  // A new ticket type reaches the pricing service through Kafka a moment later: ask again until it is known.
  const missing = problemOf(error)?.code === 'NOT_FOUND' && !data;
  useEffect(() => {
    if (!missing) return;
    const timer = window.setInterval(() => refetch({ requestPolicy: 'network-only' }), 2000);
    return () => window.clearInterval(timer);
  }, [missing, refetch]);
  if (missing) return <Loading label="Waiting for the pricing service to know this ticket type…" />;
  if (error && !data) return <ErrorBanner problem={problemOf(error)} />;
  if (!data) return <Loading label="Loading pricing…" />;
  return <PricingForm type={type} timeZone={timeZone} settings={data.pricingSettings} />;
}

function PricingForm({
  type,
  timeZone,
  settings,
}: {
  type: TicketType;
  timeZone: string;
  settings: PricingSettings;
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
  const problem = problemOf(result.error);
  const bad = fieldName(problem);
  const price = result.data?.setPricingPolicy.price ?? settings.price;
  /** The API's message when it blamed exactly this field. */
  const errorOf = fieldErrors(problem);
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
    await save({ ticketTypeId: type.id, input });
  }

  return (
    <form className="stack pricing" onSubmit={submit} aria-label={`Pricing of ${type.name}`}>
      <p>
        Price now:{' '}
        <strong data-testid="current-price">{price ? money(price.amount, price.currency) : '—'}</strong>
      </p>
      <ErrorBanner problem={problem} />
      {result.data && !result.error ? <Notice>Pricing saved.</Notice> : null}
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
              type="number"
              step="0.01"
              required
              value={floor}
              hint="Lowest price"
              error={errorOf('floor')}
              onChange={(e) => setFloor(e.target.value)}
            />
            <Field
              label="Ceiling"
              type="number"
              step="0.01"
              required
              value={ceiling}
              hint="Highest price"
              error={errorOf('ceiling')}
              onChange={(e) => setCeiling(e.target.value)}
            />
            <Field
              label="Largest step (%)"
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
              type="number"
              step="1"
              value={minInterval}
              hint="Least time between two changes, 0 to 86400; empty for the default"
              error={errorOf('minIntervalSeconds')}
              onChange={(e) => setMinInterval(e.target.value)}
            />
            <Field
              label="Sensitivity"
              type="number"
              step="any"
              value={sensitivity}
              hint="How strongly demand moves the price, 0 to 5; empty for the default"
              error={errorOf('sensitivity')}
              onChange={(e) => setSensitivity(e.target.value)}
            />
            <Field
              label="Hysteresis (%)"
              type="number"
              step="any"
              value={hysteresis}
              hint="Ignore moves smaller than this, 0 to 50; empty for the default"
              error={errorOf('hysteresisPct')}
              onChange={(e) => setHysteresis(e.target.value)}
            />
            <Field
              label="Price ending (cents)"
              type="number"
              step="1"
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
                type="number"
                step="0.01"
                min={0}
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
                    type="number"
                    min={1}
                    value={t.untilSold}
                    error={errorOf(`tiers.${i}.untilSold`)}
                    onChange={(e) => setTier(i, { untilSold: e.target.value })}
                  />
                </>
              ) : null}
            </div>
          ))}
          {bad === 'tiers' || /^tiers\.\d+$/.test(bad ?? '') ? (
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
                      {f.name.replace(/_/g, ' ').toLowerCase()}: {Number(f.value.toFixed(3))}
                      {f.detail ? <span className="muted"> — {f.detail}</span> : null}
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
