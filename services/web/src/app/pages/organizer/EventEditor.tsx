import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useMutation, useQuery, useSubscription } from 'urql';
import {
  ErrorBanner,
  Field,
  Loading,
  Notice,
  SelectField,
  StatusBadge,
  useHasPassed,
} from '../../components/ui';
import {
  ADD_STAFF,
  ADD_TICKET_TYPE,
  CANCEL_EVENT,
  CREATE_EVENT,
  EVENT_ADMIN,
  PRICE_CHANGED,
  PUBLISH_EVENT,
  REMOVE_STAFF,
  TICKET_PRICES,
  UPDATE_EVENT,
  UPDATE_TICKET_TYPE,
} from '../../api/documents';
import { CATEGORIES, type EventDetail, type TicketPrice, type TicketType } from '../../api/types';
import { fieldErrors, fieldName, problemOf, type ApiProblem } from '../../lib/errors';
import {
  count,
  fromZonedInput,
  money,
  titleCase,
  toZonedInput,
  when,
  type FieldRule,
} from '../../lib/format';
import { MAX_AMOUNT, pointerTo, useLocalErrors, worded } from '../../lib/forms';
import { serverNow } from '../../lib/serverClock';
import { useUnsaved, useUnsavedChangesGuard, type UnsavedChanges } from '../../lib/unsaved';
import { useWhileVisible } from '../../lib/visible';
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

/** The event service's limits (services/event/src/events/dto), by the field path its errors name. */
const EVENT_RULES: Record<string, FieldRule> = {
  title: { label: 'Title', minLength: 3, maxLength: 120 },
  description: { label: 'Description', maxLength: 5000 },
  startsAt: { label: 'Starts' },
  endsAt: { label: 'Ends' },
  timeZone: { label: 'Time zone', minLength: 1, maxLength: 64 },
  salesStartAt: { label: 'Sales start' },
  salesEndAt: { label: 'Sales end' },
  transferPolicy: { label: 'Transfers allowed until' },
  'transferPolicy.deadline': { label: 'Transfers allowed until' },
  doorsOpenAt: { label: 'Doors open' },
  'venue.name': { label: 'Venue name', minLength: 1, maxLength: 120 },
  'venue.address': { label: 'Address', minLength: 1, maxLength: 300 },
  'venue.city': { label: 'City', minLength: 1, maxLength: 120 },
  'venue.capacity': { label: 'Capacity', min: 1, max: 1_000_000 },
  'venue.seatMap': { label: 'Seat map' },
};
const SECTION = { nameLength: 10, rows: 500, seatsPerRow: 1000 };

type SectionPart = 'name' | 'rows' | 'seatsPerRow';

/**
 * Which section field an API error is about: one it blames by path (`venue.seatMap.sections.0.name`,
 * `….sections.0.rows.3.seatCount`), or a seat-map error naming a section (`Section "A" appears twice`).
 */
function sectionOf(field: string | null, message: string, sections: SectionDraft[]) {
  const path = /^venue\.seatMap\.sections\.(\d+)(?:\.(name|rows)(?:\.\d+\.(\w+))?)?$/.exec(field ?? '');
  if (path) {
    const index = Number(path[1]);
    const part: SectionPart = path[2] !== 'rows' ? 'name' : path[3] === 'seatCount' ? 'seatsPerRow' : 'rows';
    return index < sections.length ? { index, part } : null;
  }
  if (field !== 'venue.seatMap') return null;
  const named = /^Section (?:name )?"([^"]*)"/.exec(message);
  if (!named) return null;
  const indexes = sections.flatMap((s, i) => (s.name.trim() === named[1] ? [i] : []));
  if (!indexes.length) return null;
  // The second of two sections with one name is the one to rename.
  const index = / appears twice/.test(message) ? indexes.at(-1)! : indexes[0]!;
  return { index, part: (/ has no rows/.test(message) ? 'rows' : 'name') as SectionPart };
}

function sectionRule(index: number, part: SectionPart): FieldRule {
  const label = `Section ${index + 1} ${part === 'name' ? 'name' : part === 'rows' ? 'rows' : 'seats per row'}`;
  if (part === 'name') return { label, minLength: 1, maxLength: SECTION.nameLength };
  return { label, min: 1, max: part === 'rows' ? SECTION.rows : SECTION.seatsPerRow };
}

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

/**
 * The event's details form, for creating (no event) and editing. `onEdited` is called when a field changes or
 * a save starts (the page's "Saved." notice then goes), `onSaved` when a save succeeded.
 */
function EventForm({
  event,
  onSaved,
  onEdited,
  guard,
}: {
  event?: EventDetail;
  onSaved?(): void;
  onEdited?(): void;
  /** The page's question before typed input is lost. */
  guard?: UnsavedChanges;
}) {
  const navigate = useNavigate();
  const [draft, setDraft] = useState<EventDraft>(() => draftOf(event));
  // What the form held when loaded or last saved: anything else typed would be lost by leaving.
  const [baseline, setBaseline] = useState<EventDraft>(() => draftOf(event));
  useUnsaved(guard, 'details', JSON.stringify(draft) !== JSON.stringify(baseline));
  // Edits not saved yet. A new version of the event (this form's own save coming back, or a change made
  // elsewhere) refills the form only when there are none: typing right after a save is never wiped.
  const dirty = useRef(false);
  const version = event?.version;
  useEffect(() => {
    if (dirty.current) return;
    setDraft(draftOf(event));
    setBaseline(draftOf(event));
    // Only a new version refills (`event` is a new object on every fetch).
  }, [version]);
  const [createResult, create] = useMutation<{ createEvent: { id: string } }>(CREATE_EVENT);
  const [updateResult, update] = useMutation<{ updateEvent: EventDetail }>(UPDATE_EVENT);
  const [unchanged, setUnchanged] = useState(false);
  const local = useLocalErrors();
  const result = event ? updateResult : createResult;
  const raw = problemOf(result.error);
  const section = raw ? sectionOf(fieldName(raw), raw.message, draft.sections) : null;
  const problem = worded(raw, (field) =>
    section ? sectionRule(section.index, section.part) : EVENT_RULES[field],
  );
  const bad = fieldName(problem);
  const apiError = fieldErrors(problem);
  /** The browser's own verdict on the input named `local` first, else the API's on the field `api`. */
  const err = (api: string, localName: string = api) => local.error(localName) ?? apiError(api);
  const sectionErr = (index: number, part: SectionPart) =>
    local.error(`sections.${index}.${part}`) ??
    (section && section.index === index && section.part === part ? problem!.message : null);
  // The top banner points at the field that shows the message; the whole message only when no field does.
  const shownAt = section
    ? sectionRule(section.index, section.part).label
    : bad && EVENT_RULES[bad]
      ? EVENT_RULES[bad].label
      : null;
  const set = <K extends keyof EventDraft>(key: K, value: EventDraft[K]) =>
    setDraft((d) => ({ ...d, [key]: value }));

  async function submit(e: FormEvent) {
    e.preventDefault();
    onEdited?.();
    setUnchanged(false);
    const input = eventInput(draft);
    if (!event) {
      const res = await create({ input });
      if (res.data) {
        // Saved: the way to the new event's editor is not held back by the question about unsaved input.
        guard?.mark('details', false);
        navigate(`/organizer/events/${res.data.createEvent.id}`);
      }
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
      dirty.current = false;
      const sent = draft;
      const res = await update({ id: event.id, input: changed });
      if (res.error) dirty.current = true;
      else {
        setBaseline(sent);
        onSaved?.();
      }
    } else {
      // Only white space or a value typed back: nothing would be lost by leaving either.
      setBaseline(draft);
      setUnchanged(true);
    }
  }

  const setSection = (i: number, patch: Partial<SectionDraft>) =>
    set(
      'sections',
      draft.sections.map((s, j) => (i === j ? { ...s, ...patch } : s)),
    );

  return (
    <form
      className="card stack"
      onSubmit={submit}
      aria-label="Event details"
      onInvalidCapture={local.formProps.onInvalidCapture}
      onSubmitCapture={local.formProps.onSubmitCapture}
      onChange={(e) => {
        dirty.current = true;
        local.formProps.onChange(e);
        setUnchanged(false);
        onEdited?.();
      }}
    >
      <ErrorBanner problem={pointerTo(problem, shownAt)} />
      {unchanged ? <Notice>Nothing to save: no field has changed.</Notice> : null}
      <Field
        label="Title"
        name="title"
        required
        maxLength={EVENT_RULES.title.maxLength}
        value={draft.title}
        error={err('title')}
        onChange={(e) => set('title', e.target.value)}
      />
      <div className="field">
        <label htmlFor="event-description">Description</label>
        <textarea
          id="event-description"
          name="description"
          rows={4}
          maxLength={EVENT_RULES.description.maxLength}
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
        name="timeZone"
        hint="IANA name, e.g. Europe/Paris; every time on this form is in this zone"
        required
        maxLength={EVENT_RULES.timeZone.maxLength}
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
          name="venueName"
          required
          maxLength={EVENT_RULES['venue.name'].maxLength}
          value={draft.venueName}
          error={err('venue.name', 'venueName')}
          onChange={(e) => set('venueName', e.target.value)}
        />
        <Field
          label="Address"
          name="venueAddress"
          required
          maxLength={EVENT_RULES['venue.address'].maxLength}
          value={draft.venueAddress}
          error={err('venue.address', 'venueAddress')}
          onChange={(e) => set('venueAddress', e.target.value)}
        />
        <Field
          label="City"
          name="venueCity"
          required
          maxLength={EVENT_RULES['venue.city'].maxLength}
          value={draft.venueCity}
          error={err('venue.city', 'venueCity')}
          onChange={(e) => set('venueCity', e.target.value)}
        />
        <Field
          label="Capacity"
          name="capacity"
          type="number"
          step={1}
          min={EVENT_RULES['venue.capacity'].min}
          max={EVENT_RULES['venue.capacity'].max}
          required
          value={draft.capacity}
          error={err('venue.capacity', 'capacity')}
          onChange={(e) => set('capacity', e.target.value)}
        />
      </fieldset>
      <fieldset>
        <legend>Seat map (reserved seating, optional)</legend>
        {draft.sections.map((s, i) => (
          <div className="row section-row" key={i}>
            <Field
              label={`Section ${i + 1} name`}
              name={`sections.${i}.name`}
              hint="Letters or digits"
              required
              maxLength={SECTION.nameLength}
              value={s.name}
              error={sectionErr(i, 'name')}
              onChange={(e) => setSection(i, { name: e.target.value })}
            />
            <Field
              label="Rows"
              name={`sections.${i}.rows`}
              type="number"
              step={1}
              min={1}
              max={SECTION.rows}
              value={s.rows}
              error={sectionErr(i, 'rows')}
              onChange={(e) => setSection(i, { rows: Number(e.target.value) })}
            />
            <Field
              label="Seats per row"
              name={`sections.${i}.seatsPerRow`}
              type="number"
              step={1}
              min={1}
              max={SECTION.seatsPerRow}
              value={s.seatsPerRow}
              error={sectionErr(i, 'seatsPerRow')}
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
        {!section && apiError('venue.seatMap') ? (
          <p className="field-error">{apiError('venue.seatMap')}</p>
        ) : null}
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

/** The event service's limits of a ticket type (capacity: the venue's, the most a type could sell). */
function ticketRules(event: EventDetail): Record<string, FieldRule> {
  return {
    name: { label: 'Name', minLength: 1, maxLength: 80 },
    priceMinor: { label: 'Price', min: 0, max: MAX_AMOUNT },
    quantity: { label: 'Tickets on sale', min: 1, max: event.venue.capacity },
    seatIds: { label: 'Sections sold by this type' },
    perOrderMax: { label: 'Most per order', min: 1, max: 50 },
    perBuyerMax: { label: 'Most per buyer', min: 1, max: 1000 },
    salesStartAt: { label: 'Sales start' },
    salesEndAt: { label: 'Sales end' },
  };
}

/** The event service's sentences about a ticket type, for a form typed in money and counts. */
function ticketWording(problem: ApiProblem | null): ApiProblem | null {
  if (!problem) return problem;
  const message = problem.message
    .replace('a whole, non-negative amount in minor units', '0 or more, with at most 2 decimals')
    .replace(/^1 more tickets /, '1 more ticket ')
    // The two ways this form offers to end a type's sales window.
    .replace(
      'end its sales window to stop selling it',
      'to stop selling it, use "Stop selling" or set its Sales end',
    );
  return { ...problem, message };
}

/** A new type's "Most per order" until the organizer types one (never above "Most per buyer"). */
const PER_ORDER_DEFAULT = 10;

interface TypeDraft {
  name: string;
  price: string;
  currency: string;
  kind: TicketType['kind'];
  quantity: string;
  sections: string[];
  perOrderMax: string;
  perBuyerMax: string;
  /** The type's own sales window, typed in the event's time zone; empty: the event's. */
  salesStartAt: string;
  salesEndAt: string;
}

function typeDraftOf(event: EventDetail, type?: TicketType, currency = 'EUR'): TypeDraft {
  return {
    name: type?.name ?? '',
    price: type ? (type.priceMinor / 100).toFixed(2) : '',
    currency: type?.currency ?? currency,
    kind: type?.kind ?? 'GENERAL_ADMISSION',
    quantity: type ? String(type.quantity) : '',
    sections: [],
    perOrderMax: String(type?.perOrderMax ?? PER_ORDER_DEFAULT),
    perBuyerMax: String(type?.perBuyerMax ?? 10),
    salesStartAt: toZonedInput(type?.salesStartAt, event.timeZone),
    salesEndAt: toZonedInput(type?.salesEndAt, event.timeZone),
  };
}

function TicketTypeForm({
  event,
  type,
  onDone,
  onCancel,
  guard,
}: {
  event: EventDetail;
  type?: TicketType;
  onDone?(): void;
  /** Editing: closes the form without saving. */
  onCancel?(): void;
  guard?: UnsavedChanges;
}) {
  const sections = event.venue.seatMap?.sections ?? [];
  const [draft, setDraft] = useState<TypeDraft>(() => typeDraftOf(event, type));
  // What the form held when opened or after the last type was added: anything else would be lost by leaving.
  const [baseline, setBaseline] = useState<TypeDraft>(draft);
  useUnsaved(guard, `type-${type?.id ?? 'new'}`, JSON.stringify(draft) !== JSON.stringify(baseline));
  // "Most per order" follows "Most per buyer" down (a per-buyer limit below it is refused) until typed in.
  const perOrderTyped = useRef(false);
  const perOrderPrefill = type?.perOrderMax ?? PER_ORDER_DEFAULT;
  const [addResult, add] = useMutation(ADD_TICKET_TYPE);
  const [updateResult, update] = useMutation(UPDATE_TICKET_TYPE);
  const result = type ? updateResult : addResult;
  const rules = ticketRules(event);
  const problem = ticketWording(worded(problemOf(result.error), (field) => rules[field], draft.currency));
  const bad = fieldName(problem);
  const local = useLocalErrors();
  const apiError = fieldErrors(problem);
  const err = (name: string) => local.error(name) ?? apiError(name);
  // Fields this form shows (seatIds only while choosing sections): their message is not repeated on top.
  const shown =
    bad && rules[bad] && (bad !== 'seatIds' || (draft.kind === 'RESERVED' && !type))
      ? rules[bad].label
      : null;
  const set = <K extends keyof TypeDraft>(key: K, value: TypeDraft[K]) =>
    setDraft((d) => ({ ...d, [key]: value }));
  const setPerBuyer = (value: string) =>
    setDraft((d) => {
      const n = Number(value);
      const capped =
        !perOrderTyped.current && value.trim() !== '' && Number.isInteger(n) && n >= 1
          ? String(Math.min(perOrderPrefill, n))
          : d.perOrderMax;
      return { ...d, perBuyerMax: value, perOrderMax: capped };
    });

  /**
   * The sales window as the API takes it: instants from the event's zone. Editing, only a bound that was
   * changed is sent (a stored end keeps its seconds; re-sending it rounded to the minute could put it in the
   * past), and an emptied one is sent as null, which clears it (the event's window applies again).
   */
  function windowInput(d: TypeDraft) {
    const opened = typeDraftOf(event, type);
    const out: { salesStartAt?: string | null; salesEndAt?: string | null } = {};
    for (const key of ['salesStartAt', 'salesEndAt'] as const) {
      if (type ? d[key] !== opened[key] : d[key] !== '') out[key] = fromZonedInput(d[key], event.timeZone);
    }
    return out;
  }

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
      ...windowInput(draft),
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
      if (!type) {
        // The next type starts afresh (general admission, no window of its own); currency and limits stay.
        const next: TypeDraft = {
          ...typeDraftOf(event, undefined, draft.currency),
          perOrderMax: draft.perOrderMax,
          perBuyerMax: draft.perBuyerMax,
        };
        perOrderTyped.current = false;
        setDraft(next);
        setBaseline(next);
      }
      onDone?.();
    }
  }

  return (
    <form
      className="stack"
      onSubmit={submit}
      aria-label={type ? `Edit ${type.name}` : 'New ticket type'}
      {...local.formProps}
    >
      <ErrorBanner problem={pointerTo(problem, shown)} />
      <Field
        label="Name"
        name="name"
        required
        maxLength={rules.name.maxLength}
        // Opening a type's edit form puts the cursor in it.
        autoFocus={Boolean(type)}
        value={draft.name}
        error={err('name')}
        onChange={(e) => set('name', e.target.value)}
      />
      <div className="row">
        <Field
          label="Price"
          name="priceMinor"
          type="number"
          min={rules.priceMinor.min}
          max={rules.priceMinor.max}
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
          onChange={(v) => set('kind', v as TypeDraft['kind'])}
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
          name="quantity"
          type="number"
          step={1}
          min={rules.quantity.min}
          max={rules.quantity.max}
          required
          value={draft.quantity}
          error={err('quantity')}
          onChange={(e) => set('quantity', e.target.value)}
        />
      ) : null}
      <div className="row">
        <Field
          label="Most per order"
          name="perOrderMax"
          type="number"
          step={1}
          min={rules.perOrderMax.min}
          max={rules.perOrderMax.max}
          value={draft.perOrderMax}
          error={err('perOrderMax')}
          onChange={(e) => {
            perOrderTyped.current = true;
            set('perOrderMax', e.target.value);
          }}
        />
        <Field
          label="Most per buyer"
          name="perBuyerMax"
          type="number"
          step={1}
          min={rules.perBuyerMax.min}
          max={rules.perBuyerMax.max}
          value={draft.perBuyerMax}
          error={err('perBuyerMax')}
          onChange={(e) => setPerBuyer(e.target.value)}
        />
      </div>
      <div className="row">
        <Field
          label="Sales start (optional)"
          name="salesStartAt"
          type="datetime-local"
          hint={`In the event's time zone, ${event.timeZone}. Empty: when the event's sales start.`}
          value={draft.salesStartAt}
          error={err('salesStartAt')}
          onChange={(e) => set('salesStartAt', e.target.value)}
        />
        <Field
          label="Sales end (optional)"
          name="salesEndAt"
          type="datetime-local"
          hint={`In the event's time zone, ${event.timeZone}. Empty: when the event's sales end.`}
          value={draft.salesEndAt}
          error={err('salesEndAt')}
          onChange={(e) => set('salesEndAt', e.target.value)}
        />
      </div>
      <div className="actions">
        <button type="submit" className="button" disabled={result.fetching}>
          {type ? 'Save ticket type' : 'Add ticket type'}
        </button>
        {onCancel ? (
          <button type="button" className="button secondary" onClick={onCancel}>
            Cancel <span className="visually-hidden">editing {type?.name}</span>
          </button>
        ) : null}
      </div>
    </form>
  );
}

function StaffSection({ event, locked }: { event: EventDetail; locked: boolean }) {
  const [email, setEmail] = useState('');
  const [addResult, add] = useMutation(ADD_STAFF);
  const [removeResult, remove] = useMutation(REMOVE_STAFF);
  // Only the last action's outcome is shown: an old refusal goes once something else is done.
  const [last, setLast] = useState<'add' | 'remove' | null>(null);
  const [removed, setRemoved] = useState<string | null>(null);
  const removedRef = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    // The removed row (and its button) is gone: focus goes to what happened, not to the page's body.
    if (removed) removedRef.current?.focus();
  }, [removed]);
  const staff = event.staff ?? [];
  const addProblem = last === 'add' ? problemOf(addResult.error) : null;
  const removeProblem = last === 'remove' ? problemOf(removeResult.error) : null;
  const emailError = fieldErrors(addProblem)('email');
  return (
    <section className="card stack" aria-labelledby="staff-heading">
      <h2 id="staff-heading">Venue staff</h2>
      <p className="muted">People who may scan tickets at the gate, by the email they sign in with.</p>
      <ErrorBanner problem={removeProblem ?? pointerTo(addProblem, emailError ? 'Staff email' : null)} />
      {removed ? (
        <p ref={removedRef} tabIndex={-1} className="banner banner-ok" role="status">
          {removed} is no longer on the staff.
        </p>
      ) : null}
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
                  onClick={() => {
                    setLast('remove');
                    setRemoved(null);
                    void remove({ eventId: event.id, email: m.email }).then((r) => {
                      if (!r.error) setRemoved(m.email);
                    });
                  }}
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
            setLast('add');
            setRemoved(null);
            void add({ eventId: event.id, email: email.trim() }).then((r) => {
              if (!r.error) setEmail('');
            });
          }}
        >
          <Field
            label="Staff email"
            type="email"
            required
            maxLength={254}
            error={emailError}
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

const REASON = { min: 3, max: 500 };

/**
 * Publish, and cancel. Cancelling cannot be undone and refunds every buyer, so it takes two steps: the first
 * press checks the reason and says what will happen, the second sends it.
 */
function Lifecycle({
  event,
  onChange,
  onCancelled,
}: {
  event: EventDetail;
  onChange(): void;
  onCancelled(): void;
}) {
  const [publishResult, publish] = useMutation(PUBLISH_EVENT);
  const [cancelResult, cancel] = useMutation(CANCEL_EVENT);
  const [last, setLast] = useState<'publish' | 'cancel' | null>(null);
  const [reason, setReason] = useState('');
  const [reasonError, setReasonError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const confirmRef = useRef<HTMLParagraphElement>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (confirming) confirmRef.current?.focus();
  }, [confirming]);
  const problem = problemOf(
    last === 'publish' ? publishResult.error : last === 'cancel' ? cancelResult.error : null,
  );
  const apiReasonError = fieldErrors(problem)('reason');

  function ask(e: FormEvent) {
    e.preventDefault();
    const length = reason.trim().length;
    if (length < REASON.min || length > REASON.max) {
      setReasonError(`Give a reason of ${REASON.min} to ${REASON.max} characters`);
      setConfirming(false);
      return;
    }
    setReasonError(null);
    setConfirming(true);
  }

  async function confirmCancel() {
    setLast('cancel');
    const r = await cancel({ id: event.id, reason: reason.trim() });
    setConfirming(false);
    if (!r.error) {
      onCancelled();
      onChange();
    }
  }

  return (
    <section className="card stack" aria-labelledby="status-heading">
      <h2 id="status-heading" ref={headingRef} tabIndex={-1}>
        Status <StatusBadge status={event.status} />
      </h2>
      <ErrorBanner problem={pointerTo(problem, apiReasonError ? 'Reason shown to attendees' : null)} />
      {event.status === 'DRAFT' ? (
        <>
          <p className="muted">
            A draft is visible to you only. Publishing needs a future start and a ticket type.
          </p>
          <button
            type="button"
            className="button"
            disabled={publishResult.fetching}
            onClick={() => {
              setLast('publish');
              void publish({ id: event.id }).then((r) => {
                if (r.error) return;
                onChange();
                // The button is gone: focus the status it changed.
                headingRef.current?.focus();
              });
            }}
          >
            Publish event
          </button>
        </>
      ) : null}
      {event.status === 'DRAFT' || event.status === 'PUBLISHED' ? (
        <details>
          <summary>Cancel this event</summary>
          <form className="stack" onSubmit={ask}>
            <Field
              label="Reason shown to attendees"
              required
              maxLength={REASON.max}
              error={reasonError ?? apiReasonError}
              value={reason}
              onChange={(e) => {
                setReason(e.target.value);
                setReasonError(null);
                setConfirming(false);
              }}
            />
            {confirming ? (
              <div className="stack confirm" role="group" aria-labelledby="cancel-confirm">
                <p id="cancel-confirm" ref={confirmRef} tabIndex={-1} className="banner banner-warn">
                  <strong>This cannot be undone.</strong>{' '}
                  {event.status === 'PUBLISHED'
                    ? 'Every buyer is refunded and their tickets stop being valid; pending transfers end.'
                    : 'The draft can never be published.'}{' '}
                  Attendees will read: “{reason.trim()}”.
                </p>
                <div className="actions">
                  <button
                    type="button"
                    className="button danger"
                    disabled={cancelResult.fetching}
                    onClick={() => void confirmCancel()}
                  >
                    {event.status === 'PUBLISHED'
                      ? 'Yes, cancel and refund everyone'
                      : 'Yes, cancel the event'}
                  </button>
                  <button type="button" className="button secondary" onClick={() => setConfirming(false)}>
                    Keep the event
                  </button>
                </div>
              </div>
            ) : (
              <button type="submit" className="button danger">
                Cancel event
              </button>
            )}
          </form>
        </details>
      ) : null}
      {event.cancelReason ? <p>Cancelled: {event.cancelReason}</p> : null}
    </section>
  );
}

/** How far ahead "Stop selling" puts the end of sales: the API refuses one already past when it arrives. */
const STOP_MARGIN_MS = 5_000;
/** Prices are asked again this often while the editor is visible, in case the live feed missed a change. */
const PRICE_REFRESH_MS = 10_000;

/**
 * A ticket type's sales window as buyers get it (each bound its own, else the event's; the event's end closes
 * sales at the latest), and, while it is on sale, "Stop selling": its sales end now, after a confirmation.
 */
function TypeSales({ event, type, locked }: { event: EventDetail; type: TicketType; locked: boolean }) {
  const start = type.salesStartAt ?? event.salesStartAt;
  const end = type.salesEndAt ?? event.salesEndAt ?? event.endsAt;
  const started = useHasPassed(start);
  const over = useHasPassed(end);
  const published = event.status === 'PUBLISHED';
  const onSale = published && (!start || started) && !over;
  const [confirming, setConfirming] = useState(false);
  const [stopped, setStopped] = useState(false);
  const [result, update] = useMutation(UPDATE_TICKET_TYPE);
  const confirmRef = useRef<HTMLParagraphElement>(null);
  const stoppedRef = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    if (confirming) confirmRef.current?.focus();
  }, [confirming]);
  useEffect(() => {
    // The button is gone: focus goes to what happened.
    if (stopped) stoppedRef.current?.focus();
  }, [stopped]);
  const zone = event.timeZone;
  const at = (iso: string) => <time dateTime={iso}>{when(iso, zone)}</time>;

  async function stop() {
    // "Now" on the server's clock, a few seconds ahead so that it is still ahead when the API checks it.
    const r = await update({
      id: type.id,
      input: { salesEndAt: new Date(serverNow() + STOP_MARGIN_MS).toISOString() },
    });
    setConfirming(false);
    if (!r.error) setStopped(true);
  }

  let state;
  if (!published) {
    state = (
      <>
        Sales {start ? <>from {at(start)}</> : 'from publication'} until {at(end)}
      </>
    );
  } else if (start && !started) state = <>Not on sale yet: sales start {at(start)}</>;
  else if (over) state = <>Not on sale: sales ended {at(end)}</>;
  else state = <>On sale until {at(end)}</>;
  if (event.status === 'CANCELLED' || event.status === 'ENDED') return null;
  return (
    <div className="stack">
      <p className="muted" data-testid="sales-state">
        {state}
      </p>
      <ErrorBanner problem={problemOf(result.error)} />
      {stopped ? (
        <p ref={stoppedRef} tabIndex={-1} className="banner banner-ok" role="status">
          {type.name}: sales stopped. Buyers can no longer reserve it; tickets sold stay valid.
        </p>
      ) : null}
      {onSale && !locked && !stopped ? (
        confirming ? (
          <div className="stack confirm" role="group" aria-labelledby={`stop-${type.id}`}>
            <p id={`stop-${type.id}`} ref={confirmRef} tabIndex={-1} className="banner banner-warn">
              <strong>Stop selling {type.name} now?</strong> Buyers can no longer reserve it; the tickets
              already sold stay valid. To sell it again, set a later Sales end in its form.
            </p>
            <div className="actions">
              <button
                type="button"
                className="button danger small"
                disabled={result.fetching}
                onClick={() => void stop()}
              >
                Yes, stop selling {type.name}
              </button>
              <button type="button" className="button secondary small" onClick={() => setConfirming(false)}>
                Keep selling
              </button>
            </div>
          </div>
        ) : (
          <p>
            <button type="button" className="button secondary small" onClick={() => setConfirming(true)}>
              Stop selling <span className="visually-hidden">{type.name}</span>
            </button>
          </p>
        )
      ) : null}
    </div>
  );
}

/** "€25.00", or "base €25.00 · now €30.00" when buyers are quoted another price (tiers, demand). */
function typePrice(type: TicketType, price: TicketPrice | null | undefined): string {
  const base = money(type.priceMinor, type.currency);
  if (!price || (price.amount === type.priceMinor && price.currency === type.currency)) return base;
  return `base ${base} · now ${money(price.amount, price.currency)}`;
}

export function EventEditorPage() {
  const { id } = useParams();
  const { user } = useSession();
  // Typed input that is not saved yet: the page asks before it is lost (reload, close, links, Back).
  const guard = useUnsavedChangesGuard();
  const [{ data, fetching, error }, refetch] = useQuery<{ event: EventDetail | null }>({
    query: EVENT_ADMIN,
    variables: { id },
    pause: !id,
    requestPolicy: 'cache-and-network',
  });
  const published = data?.event?.status === 'PUBLISHED';
  // What buyers are quoted now (pricing subgraph): only a published event's types are priced.
  const [{ data: priceData }, refetchPrices] = useQuery<{
    event: { ticketTypes: { id: string; price: TicketPrice | null }[] } | null;
  }>({
    query: TICKET_PRICES,
    variables: { id },
    pause: !id || !published,
    requestPolicy: 'cache-and-network',
  });
  const [{ data: priceEvent }] = useSubscription<{ priceChanged: { version: number } }>({
    query: PRICE_CHANGED,
    variables: { eventId: id },
    pause: !id || !published,
  });
  const reloadPrices = useCallback(() => {
    if (published) refetchPrices({ requestPolicy: 'network-only' });
  }, [published, refetchPrices]);
  // A base price saved here reaches pricing through Kafka: its new price comes on the live feed a moment later.
  useEffect(() => {
    if (priceEvent) reloadPrices();
  }, [priceEvent, reloadPrices]);
  // And in case that feed missed it (a dropped WebSocket, a laptop that slept), asked again now and then.
  useWhileVisible(reloadPrices, PRICE_REFRESH_MS);
  const prices = new Map((priceData?.event?.ticketTypes ?? []).map((t) => [t.id, t.price]));
  const [editing, setEditing] = useState<string | null>(null);
  // The details form restarts from the saved event (its key is the version), so the notice lives here.
  const [saved, setSaved] = useState(false);
  const [cancelledHere, setCancelledHere] = useState(false);
  const lockedRef = useRef<HTMLParagraphElement>(null);
  const status = data?.event?.status;
  useEffect(() => {
    // Cancelled from this page: the form that had focus is gone, so focus lands on the notice that says so.
    if (cancelledHere && status === 'CANCELLED') lockedRef.current?.focus();
  }, [cancelledHere, status]);
  /** Closes a ticket type's edit form, putting focus back on its Edit button. */
  const stopEditing = (typeId: string) => {
    setEditing(null);
    window.setTimeout(() => document.getElementById(`edit-${typeId}`)?.focus());
  };
  const reload = () => refetch({ requestPolicy: 'network-only' });

  if (!id) {
    return (
      <section className="narrow">
        <h1>New event</h1>
        <EventForm guard={guard} />
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
          <Lifecycle event={event} onChange={reload} onCancelled={() => setCancelledHere(true)} />
          <section className="card stack" aria-labelledby="types-heading">
            <h2 id="types-heading">Ticket types</h2>
            {event.ticketTypes.length === 0 ? <p className="empty">No ticket types yet.</p> : null}
            <ul className="plain stack">
              {event.ticketTypes.map((t) => (
                <li key={t.id} className="ticket-type-admin" data-testid="ticket-type">
                  <p>
                    <strong>{t.name}</strong> · {typePrice(t, prices.get(t.id))} ·{' '}
                    {t.kind === 'RESERVED' ? count(t.seatIds.length, 'seat') : count(t.quantity, 'ticket')}
                  </p>
                  <TypeSales event={event} type={t} locked={locked} />
                  {locked ? null : editing === t.id ? (
                    <TicketTypeForm
                      event={event}
                      type={t}
                      guard={guard}
                      onDone={() => {
                        stopEditing(t.id);
                        reloadPrices();
                      }}
                      onCancel={() => stopEditing(t.id)}
                    />
                  ) : (
                    <button
                      type="button"
                      id={`edit-${t.id}`}
                      className="button secondary small"
                      onClick={() => setEditing(t.id)}
                    >
                      Edit <span className="visually-hidden">{t.name}</span>
                    </button>
                  )}
                  {locked ? null : (
                    <details className="pricing-details">
                      <summary>
                        Pricing <span className="visually-hidden">of {t.name}</span>
                      </summary>
                      <PricingPanel
                        type={t}
                        timeZone={event.timeZone}
                        eventStatus={event.status}
                        livePrice={prices.get(t.id)}
                      />
                    </details>
                  )}
                </li>
              ))}
            </ul>
            {locked ? null : (
              <>
                <h3>Add a ticket type</h3>
                <TicketTypeForm event={event} guard={guard} onDone={reload} />
              </>
            )}
          </section>
          <StaffSection event={event} locked={locked} />
        </div>
        <div className="stack">
          <h2>Details</h2>
          {locked ? (
            <p className="banner" data-testid="event-locked" ref={lockedRef} tabIndex={-1}>
              This event is {event.status === 'CANCELLED' ? 'cancelled' : 'over'}: it can no longer change.
            </p>
          ) : (
            <>
              {saved ? <Notice>Saved.</Notice> : null}
              <EventForm
                key={event.id}
                event={event}
                guard={guard}
                onSaved={() => setSaved(true)}
                onEdited={() => setSaved(false)}
              />
            </>
          )}
        </div>
      </div>
    </section>
  );
}
