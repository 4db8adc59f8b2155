import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useMutation, useQuery } from 'urql';
import { ErrorBanner, Field, Loading, Notice, SelectField, StatusBadge } from '../../components/ui';
import {
  ADD_STAFF,
  ADD_TICKET_TYPE,
  CANCEL_EVENT,
  CREATE_EVENT,
  EVENT_ADMIN,
  PUBLISH_EVENT,
  REMOVE_STAFF,
  UPDATE_EVENT,
  UPDATE_TICKET_TYPE,
} from '../../api/documents';
import { CATEGORIES, type EventDetail, type TicketType } from '../../api/types';
import { fieldErrors, fieldName, problemOf } from '../../lib/errors';
import { fromZonedInput, money, titleCase, toZonedInput } from '../../lib/format';
import { PricingPanel } from './Pricing';
import { EventNotFound, mayManage, NotYourEvent } from './access';
import { useSession } from '../../lib/auth';

interface SectionDraft {
  name: string;
  rows: number;
  seatsPerRow: number;
}

interface EventDraft {
  title: string;
  description: string;
  category: string;
  startsAt: string;
  endsAt: string;
  timeZone: string;
  salesStartAt: string;
  salesEndAt: string;
  transfersAllowed: boolean;
  transferDeadline: string;
  doorsOpenAt: string;
  allowReentry: boolean;
  venueName: string;
  venueAddress: string;
  venueCity: string;
  capacity: string;
  sections: SectionDraft[];
}

const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

function draftOf(event?: EventDetail): EventDraft {
  const sections = (event?.venue.seatMap?.sections ?? []).map((s) => ({
    name: s.name,
    rows: s.rows.length,
    seatsPerRow: Math.max(0, ...s.rows.map((r) => r.seats.length)),
  }));
  const zone = event?.timeZone ?? browserZone;
  return {
    title: event?.title ?? '',
    description: event?.description ?? '',
    category: event?.category ?? 'MUSIC',
    startsAt: toZonedInput(event?.startsAt, zone),
    endsAt: toZonedInput(event?.endsAt, zone),
    timeZone: event?.timeZone ?? browserZone,
    salesStartAt: toZonedInput(event?.salesStartAt, zone),
    salesEndAt: toZonedInput(event?.salesEndAt, zone),
    transfersAllowed: event?.transferPolicy.allowed ?? true,
    transferDeadline: toZonedInput(event?.transferPolicy.deadline, zone),
    doorsOpenAt: toZonedInput(event?.doorsOpenAt, zone),
    allowReentry: event?.allowReentry ?? false,
    venueName: event?.venue.name ?? '',
    venueAddress: event?.venue.address ?? '',
    venueCity: event?.venue.city ?? '',
    capacity: event ? String(event.venue.capacity) : '',
    sections,
  };
}

function venueInput(d: EventDraft) {
  const seatMap = d.sections.length
    ? {
        sections: d.sections.map((s) => ({
          name: s.name.trim(),
          rows: Array.from({ length: s.rows }, (_, i) => ({ name: String(i + 1), seatCount: s.seatsPerRow })),
        })),
      }
    : null;
  return {
    name: d.venueName.trim(),
    address: d.venueAddress.trim(),
    city: d.venueCity.trim(),
    capacity: Number(d.capacity),
    ...(seatMap ? { seatMap } : {}),
  };
}

function eventInput(d: EventDraft) {
  // Times are typed as the venue's clocks show them: in the event's time zone.
  const zone = d.timeZone.trim();
  const at = (value: string) => fromZonedInput(value, zone);
  return {
    title: d.title.trim(),
    description: d.description.trim(),
    category: d.category,
    venue: venueInput(d),
    startsAt: at(d.startsAt),
    endsAt: at(d.endsAt),
    timeZone: d.timeZone.trim(),
    salesStartAt: at(d.salesStartAt),
    salesEndAt: at(d.salesEndAt),
    transferPolicy: {
      allowed: d.transfersAllowed,
      deadline: d.transfersAllowed ? at(d.transferDeadline) : null,
    },
    doorsOpenAt: at(d.doorsOpenAt),
    allowReentry: d.allowReentry,
  };
}

/** The event's details form, for creating (no event) and editing. */
function EventForm({ event, onSaved }: { event?: EventDetail; onSaved?(): void }) {
  const navigate = useNavigate();
  const [draft, setDraft] = useState<EventDraft>(() => draftOf(event));
  const [createResult, create] = useMutation<{ createEvent: { id: string } }>(CREATE_EVENT);
  const [updateResult, update] = useMutation<{ updateEvent: EventDetail }>(UPDATE_EVENT);
  const result = event ? updateResult : createResult;
  const problem = problemOf(result.error);
  const bad = fieldName(problem);
  const err = fieldErrors(problem);
  const set = <K extends keyof EventDraft>(key: K, value: EventDraft[K]) =>
    setDraft((d) => ({ ...d, [key]: value }));

  async function submit(e: FormEvent) {
    e.preventDefault();
    const input = eventInput(draft);
    if (!event) {
      const res = await create({ input });
      if (res.data) navigate(`/organizer/events/${res.data.createEvent.id}`);
      return;
    }
    // Send only what changed: a venue (and its seat map) is replaced only when edited.
    const before = eventInput(draftOf(event));
    const changed = Object.fromEntries(
      Object.entries(input).filter(
        ([k, v]) => JSON.stringify(v) !== JSON.stringify((before as Record<string, unknown>)[k]),
      ),
    );
    if (Object.keys(changed).length) {
      const res = await update({ id: event.id, input: changed });
      if (!res.error) onSaved?.();
    }
  }

  const setSection = (i: number, patch: Partial<SectionDraft>) =>
    set(
      'sections',
      draft.sections.map((s, j) => (i === j ? { ...s, ...patch } : s)),
    );

  return (
    <form className="card stack" onSubmit={submit} aria-label="Event details">
      <ErrorBanner problem={problem} />
      <Field
        label="Title"
        required
        value={draft.title}
        error={err('title')}
        onChange={(e) => set('title', e.target.value)}
      />
      <div className="field">
        <label htmlFor="event-description">Description</label>
        <textarea
          id="event-description"
          rows={4}
          value={draft.description}
          aria-invalid={err('description') ? true : undefined}
          aria-describedby={err('description') ? 'event-description-error' : undefined}
          onChange={(e) => set('description', e.target.value)}
        />
        {err('description') ? (
          <small id="event-description-error" className="field-error">
            {err('description')}
          </small>
        ) : null}
      </div>
      <SelectField
        label="Category"
        value={draft.category}
        onChange={(v) => set('category', v)}
        options={CATEGORIES.map((c) => ({ value: c, label: titleCase(c) }))}
      />
      <div className="row">
        <Field
          label="Starts"
          type="datetime-local"
          required
          value={draft.startsAt}
          error={err('startsAt')}
          onChange={(e) => set('startsAt', e.target.value)}
        />
        <Field
          label="Ends"
          type="datetime-local"
          required
          value={draft.endsAt}
          error={err('endsAt')}
          onChange={(e) => set('endsAt', e.target.value)}
        />
      </div>
      <Field
        label="Time zone"
        hint="IANA name, e.g. Europe/Paris; every time on this form is in this zone"
        required
        value={draft.timeZone}
        error={err('timeZone')}
        onChange={(e) => set('timeZone', e.target.value)}
      />
      <div className="row">
        <Field
          label="Sales start (optional)"
          type="datetime-local"
          value={draft.salesStartAt}
          error={err('salesStartAt')}
          onChange={(e) => set('salesStartAt', e.target.value)}
        />
        <Field
          label="Sales end (optional)"
          type="datetime-local"
          value={draft.salesEndAt}
          error={err('salesEndAt')}
          onChange={(e) => set('salesEndAt', e.target.value)}
        />
      </div>
      <label className="checkbox">
        <input
          type="checkbox"
          checked={draft.transfersAllowed}
          onChange={(e) => set('transfersAllowed', e.target.checked)}
        />{' '}
        Attendees may transfer their tickets
      </label>
      {draft.transfersAllowed ? (
        <Field
          label="Transfers allowed until (optional)"
          type="datetime-local"
          hint="Empty: until the event starts. An offer not accepted by then ends by itself."
          value={draft.transferDeadline}
          error={err('transferPolicy.deadline') ?? err('transferPolicy')}
          onChange={(e) => set('transferDeadline', e.target.value)}
        />
      ) : null}
      <div className="row">
        <Field
          label="Doors open (optional)"
          type="datetime-local"
          hint="Empty: 2 hours before the start"
          value={draft.doorsOpenAt}
          error={err('doorsOpenAt')}
          onChange={(e) => set('doorsOpenAt', e.target.value)}
        />
      </div>
      <label className="checkbox">
        <input
          type="checkbox"
          checked={draft.allowReentry}
          aria-invalid={bad === 'allowReentry' ? true : undefined}
          onChange={(e) => set('allowReentry', e.target.checked)}
        />{' '}
        Ticket holders may leave and come back in (exit and re-entry scans)
      </label>
      <fieldset>
        <legend>Venue</legend>
        <Field
          label="Venue name"
          required
          value={draft.venueName}
          error={err('venue.name')}
          onChange={(e) => set('venueName', e.target.value)}
        />
        <Field
          label="Address"
          required
          value={draft.venueAddress}
          error={err('venue.address')}
          onChange={(e) => set('venueAddress', e.target.value)}
        />
        <Field
          label="City"
          required
          value={draft.venueCity}
          error={err('venue.city')}
          onChange={(e) => set('venueCity', e.target.value)}
        />
        <Field
          label="Capacity"
          type="number"
          min={1}
          required
          value={draft.capacity}
          error={err('venue.capacity')}
          onChange={(e) => set('capacity', e.target.value)}
        />
      </fieldset>
      <fieldset>
        <legend>Seat map (reserved seating, optional)</legend>
        {draft.sections.map((s, i) => (
          <div className="row section-row" key={i}>
            <Field
              label={`Section ${i + 1} name`}
              value={s.name}
              onChange={(e) => setSection(i, { name: e.target.value })}
            />
            <Field
              label="Rows"
              type="number"
              min={1}
              value={s.rows}
              onChange={(e) => setSection(i, { rows: Number(e.target.value) })}
            />
            <Field
              label="Seats per row"
              type="number"
              min={1}
              value={s.seatsPerRow}
              onChange={(e) => setSection(i, { seatsPerRow: Number(e.target.value) })}
            />
            <button
              type="button"
              className="button secondary"
              onClick={() =>
                set(
                  'sections',
                  draft.sections.filter((_, j) => j !== i),
                )
              }
            >
              Remove section {i + 1}
            </button>
          </div>
        ))}
        {err('venue.seatMap') ? <p className="field-error">{err('venue.seatMap')}</p> : null}
        <button
          type="button"
          className="button secondary"
          onClick={() =>
            set('sections', [
              ...draft.sections,
              { name: String.fromCharCode(65 + draft.sections.length), rows: 5, seatsPerRow: 10 },
            ])
          }
        >
          Add a section
        </button>
      </fieldset>
      <button type="submit" className="button" disabled={result.fetching}>
        {result.fetching ? 'Saving…' : event ? 'Save changes' : 'Create event'}
      </button>
    </form>
  );
}

function TicketTypeForm({ event, type, onDone }: { event: EventDetail; type?: TicketType; onDone?(): void }) {
  const sections = event.venue.seatMap?.sections ?? [];
  const [draft, setDraft] = useState({
    name: type?.name ?? '',
    price: type ? (type.priceMinor / 100).toFixed(2) : '',
    currency: type?.currency ?? 'EUR',
    kind: type?.kind ?? 'GENERAL_ADMISSION',
    quantity: type ? String(type.quantity) : '',
    sections: [] as string[],
    perOrderMax: String(type?.perOrderMax ?? 10),
    perBuyerMax: String(type?.perBuyerMax ?? 10),
  });
  const [addResult, add] = useMutation(ADD_TICKET_TYPE);
  const [updateResult, update] = useMutation(UPDATE_TICKET_TYPE);
  const result = type ? updateResult : addResult;
  const problem = problemOf(result.error);
  const err = fieldErrors(problem);
  const set = (key: keyof typeof draft, value: string | string[]) =>
    setDraft((d) => ({ ...d, [key]: value }));

  function seatIdsOf(names: string[]): string[] {
    return sections
      .filter((s) => names.includes(s.name))
      .flatMap((s) => s.rows.flatMap((r) => r.seats.map((seat) => `${s.name}-${r.name}-${seat}`)));
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    const reserved = draft.kind === 'RESERVED';
    const input = {
      name: draft.name.trim(),
      priceMinor: Math.round(Number(draft.price) * 100),
      currency: draft.currency,
      perOrderMax: Number(draft.perOrderMax),
      perBuyerMax: Number(draft.perBuyerMax),
      ...(type
        ? reserved
          ? {}
          : { quantity: Number(draft.quantity) }
        : {
            kind: draft.kind,
            ...(reserved ? { seatIds: seatIdsOf(draft.sections) } : { quantity: Number(draft.quantity) }),
          }),
    };
    const res = type ? await update({ id: type.id, input }) : await add({ eventId: event.id, input });
    if (!res.error) {
      if (!type) setDraft((d) => ({ ...d, name: '', price: '', quantity: '', sections: [] }));
      onDone?.();
    }
  }

  return (
    <form className="stack" onSubmit={submit} aria-label={type ? `Edit ${type.name}` : 'New ticket type'}>
      <ErrorBanner problem={problem} />
      <Field
        label="Name"
        required
        value={draft.name}
        error={err('name')}
        onChange={(e) => set('name', e.target.value)}
      />
      <div className="row">
        <Field
          label="Price"
          type="number"
          min={0}
          step="0.01"
          inputMode="decimal"
          required
          value={draft.price}
          error={err('priceMinor')}
          onChange={(e) => set('price', e.target.value)}
        />
        <SelectField
          label="Currency"
          value={draft.currency}
          onChange={(v) => set('currency', v)}
          options={['EUR', 'USD', 'GBP', 'CHF'].map((c) => ({ value: c, label: c }))}
        />
      </div>
      {!type ? (
        <SelectField
          label="Kind"
          value={draft.kind}
          onChange={(v) => set('kind', v)}
          options={[
            { value: 'GENERAL_ADMISSION', label: 'General admission' },
            ...(sections.length ? [{ value: 'RESERVED', label: 'Reserved seating' }] : []),
          ]}
        />
      ) : null}
      {draft.kind === 'RESERVED' && !type ? (
        <fieldset>
          <legend>Sections sold by this type</legend>
          {sections.map((s) => (
            <label key={s.name} className="checkbox">
              <input
                type="checkbox"
                checked={draft.sections.includes(s.name)}
                onChange={(e) =>
                  set(
                    'sections',
                    e.target.checked
                      ? [...draft.sections, s.name]
                      : draft.sections.filter((n) => n !== s.name),
                  )
                }
              />{' '}
              Section {s.name} ({s.rows.reduce((n, r) => n + r.seats.length, 0)} seats)
            </label>
          ))}
          {err('seatIds') ? <p className="field-error">{err('seatIds')}</p> : null}
        </fieldset>
      ) : draft.kind !== 'RESERVED' ? (
        <Field
          label="Tickets on sale"
          type="number"
          min={1}
          required
          value={draft.quantity}
          error={err('quantity')}
          onChange={(e) => set('quantity', e.target.value)}
        />
      ) : null}
      <div className="row">
        <Field
          label="Most per order"
          type="number"
          min={1}
          value={draft.perOrderMax}
          error={err('perOrderMax')}
          onChange={(e) => set('perOrderMax', e.target.value)}
        />
        <Field
          label="Most per buyer"
          type="number"
          min={1}
          value={draft.perBuyerMax}
          error={err('perBuyerMax')}
          onChange={(e) => set('perBuyerMax', e.target.value)}
        />
      </div>
      <button type="submit" className="button" disabled={result.fetching}>
        {type ? 'Save ticket type' : 'Add ticket type'}
      </button>
    </form>
  );
}

function StaffSection({ event, locked }: { event: EventDetail; locked: boolean }) {
  const [email, setEmail] = useState('');
  const [addResult, add] = useMutation(ADD_STAFF);
  const [removeResult, remove] = useMutation(REMOVE_STAFF);
  const staff = event.staff ?? [];
  const addProblem = problemOf(addResult.error);
  return (
    <section className="card stack" aria-labelledby="staff-heading">
      <h2 id="staff-heading">Venue staff</h2>
      <p className="muted">People who may scan tickets at the gate, by the email they sign in with.</p>
      <ErrorBanner problem={problemOf(removeResult.error) ?? addProblem} />
      {staff.length ? (
        <ul className="plain stack">
          {staff.map((m) => (
            <li key={m.email} className="staff-row">
              <span>
                {m.name ?? m.email} {m.name ? <span className="muted">({m.email})</span> : null}
                {m.userId ? null : <span className="muted"> · not registered yet</span>}
              </span>
              {locked ? null : (
                <button
                  type="button"
                  className="button secondary small"
                  disabled={removeResult.fetching}
                  onClick={() => void remove({ eventId: event.id, email: m.email })}
                >
                  Remove <span className="visually-hidden">{m.email}</span>
                </button>
              )}
            </li>
          ))}
        </ul>
      ) : (
        <p className="empty">No staff yet.</p>
      )}
      {locked ? null : (
        <form
          className="row"
          onSubmit={(e) => {
            e.preventDefault();
            void add({ eventId: event.id, email: email.trim() }).then((r) => {
              if (!r.error) setEmail('');
            });
          }}
        >
          <Field
            label="Staff email"
            type="email"
            required
            error={fieldErrors(addProblem)('email')}
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
          <button type="submit" className="button secondary" disabled={addResult.fetching}>
            Add staff
          </button>
        </form>
      )}
    </section>
  );
}

function Lifecycle({ event, onChange }: { event: EventDetail; onChange(): void }) {
  const [publishResult, publish] = useMutation(PUBLISH_EVENT);
  const [cancelResult, cancel] = useMutation(CANCEL_EVENT);
  const [reason, setReason] = useState('');
  return (
    <section className="card stack" aria-labelledby="status-heading">
      <h2 id="status-heading">
        Status <StatusBadge status={event.status} />
      </h2>
      <ErrorBanner problem={problemOf(publishResult.error ?? cancelResult.error)} />
      {event.status === 'DRAFT' ? (
        <>
          <p className="muted">
            A draft is visible to you only. Publishing needs a future start and a ticket type.
          </p>
          <button
            type="button"
            className="button"
            disabled={publishResult.fetching}
            onClick={() => void publish({ id: event.id }).then((r) => !r.error && onChange())}
          >
            Publish event
          </button>
        </>
      ) : null}
      {event.status === 'DRAFT' || event.status === 'PUBLISHED' ? (
        <details>
          <summary>Cancel this event</summary>
          <form
            className="stack"
            onSubmit={(e) => {
              e.preventDefault();
              void cancel({ id: event.id, reason: reason.trim() }).then((r) => !r.error && onChange());
            }}
          >
            <Field
              label="Reason shown to attendees"
              required
              error={fieldErrors(problemOf(cancelResult.error))('reason')}
              value={reason}
              onChange={(e) => setReason(e.target.value)}
            />
            <button type="submit" className="button danger" disabled={cancelResult.fetching}>
              Cancel event
            </button>
          </form>
        </details>
      ) : null}
      {event.cancelReason ? <p>Cancelled: {event.cancelReason}</p> : null}
    </section>
  );
}

export function EventEditorPage() {
  const { id } = useParams();
  const { user } = useSession();
  const [{ data, fetching, error }, refetch] = useQuery<{ event: EventDetail | null }>({
    query: EVENT_ADMIN,
    variables: { id },
    pause: !id,
    requestPolicy: 'cache-and-network',
  });
  const [editing, setEditing] = useState<string | null>(null);
  // The details form restarts from the saved event (its key is the version), so the notice lives here.
  const [saved, setSaved] = useState(false);
  const reload = () => refetch({ requestPolicy: 'network-only' });

  if (!id) {
    return (
      <section className="narrow">
        <h1>New event</h1>
        <EventForm />
      </section>
    );
  }
  if (fetching && !data) return <Loading label="Loading event…" />;
  if (error) return <ErrorBanner problem={problemOf(error)} />;
  const event = data?.event;
  if (!event) return <EventNotFound />;
  if (!mayManage(user, event.organizerId)) return <NotYourEvent eventId={event.id} title={event.title} />;
  // A cancelled or ended event can no longer change (the API refuses): nothing is offered for editing.
  const locked = event.status === 'CANCELLED' || event.status === 'ENDED';
  return (
    <section>
      <div className="page-head">
        <h1>{event.title}</h1>
        <p className="actions">
          <Link to={`/organizer/events/${event.id}/dashboard`}>Dashboard</Link>
          {/* Tickets can be scanned once the event is published. */}
          {event.status === 'PUBLISHED' ? <Link to={`/scan/${event.id}`}>Scanner</Link> : null}
          <Link to={`/events/${event.id}`}>Public page</Link>
        </p>
      </div>
      <div className="columns">
        <div className="stack">
          <Lifecycle event={event} onChange={reload} />
          <section className="card stack" aria-labelledby="types-heading">
            <h2 id="types-heading">Ticket types</h2>
            {event.ticketTypes.length === 0 ? <p className="empty">No ticket types yet.</p> : null}
            <ul className="plain stack">
              {event.ticketTypes.map((t) => (
                <li key={t.id} className="ticket-type-admin">
                  <p>
                    <strong>{t.name}</strong> · {money(t.priceMinor, t.currency)} ·{' '}
                    {t.kind === 'RESERVED' ? `${t.seatIds.length} seats` : `${t.quantity} tickets`}
                  </p>
                  {locked ? null : editing === t.id ? (
                    <TicketTypeForm event={event} type={t} onDone={() => setEditing(null)} />
                  ) : (
                    <button type="button" className="button secondary small" onClick={() => setEditing(t.id)}>
                      Edit <span className="visually-hidden">{t.name}</span>
                    </button>
                  )}
                  {locked ? null : (
                    <details className="pricing-details">
                      <summary>
                        Pricing <span className="visually-hidden">of {t.name}</span>
                      </summary>
                      <PricingPanel type={t} timeZone={event.timeZone} />
                    </details>
                  )}
                </li>
              ))}
            </ul>
            {locked ? null : (
              <>
                <h3>Add a ticket type</h3>
                <TicketTypeForm event={event} onDone={reload} />
              </>
            )}
          </section>
          <StaffSection event={event} locked={locked} />
        </div>
        <div className="stack">
          <h2>Details</h2>
          {locked ? (
            <p className="banner" data-testid="event-locked">
              This event is {event.status === 'CANCELLED' ? 'cancelled' : 'over'}: it can no longer change.
            </p>
          ) : (
            <>
              {saved ? <Notice>Saved.</Notice> : null}
              <EventForm key={event.version} event={event} onSaved={() => setSaved(true)} />
            </>
          )}
        </div>
      </div>
    </section>
  );
}
