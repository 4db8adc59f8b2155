import { validateEventData } from '@ticketing/contracts';
import { describe, expect, it } from 'vitest';
import { eventDocFixture, ticketTypeFixture } from '../../testing/event-fixtures';
import {
  cancelledData,
  changedSnapshotFields,
  publishedData,
  staffChangedData,
  ticketTypeSnapshot,
  updatedData,
} from './event-snapshots';

function eventWithTypes() {
  const ga = ticketTypeFixture({
    pricing: { type: 'DEMAND', floorMinor: 1000, ceilingMinor: 6000, maxStepPct: null, tiers: [] },
  });
  const reserved = ticketTypeFixture({
    name: 'Front row',
    kind: 'RESERVED',
    quantity: 2,
    seatIds: ['A-1-1', 'A-1-2'],
    perOrderMax: 2,
    perBuyerMax: 2,
    pricing: {
      type: 'TIERED',
      tierBasis: 'DATE',
      tiers: [{ priceMinor: 1500, until: new Date('2027-03-01T00:00:00.000Z'), upToQuantity: null }],
    },
  });
  const quantityTiers = ticketTypeFixture({
    name: 'Early birds',
    quantity: 20,
    pricing: {
      type: 'TIERED',
      tierBasis: 'QUANTITY',
      tiers: [{ priceMinor: 900, upToQuantity: 5, until: null }],
    },
  });
  return eventDocFixture({
    ticketTypes: [ga, reserved, quantityTiers],
    allocated: 72,
    assignedSeats: ['A-1-1', 'A-1-2'],
  });
}

describe('contract snapshots', () => {
  it('event.published carries every ticket type and satisfies the contract', () => {
    const event = eventWithTypes();
    const data = validateEventData('event.published', publishedData(event));
    expect(data.ticketTypes).toHaveLength(3);
    expect(data.salesStart).toBe(event.publishedAt!.toISOString());
    expect(data.salesEnd).toBe(event.endsAt.toISOString());
    const demand = data.ticketTypes[0]!.pricingPolicy;
    expect(demand).toEqual({
      kind: 'DEMAND',
      floor: { amount: 1000, currency: 'EUR' },
      ceiling: { amount: 6000, currency: 'EUR' },
      maxStepPct: 10,
    });
  });

  it('maps organizer tiers to bounded tiers followed by the open-ended base price', () => {
    const event = eventWithTypes();
    const reserved = ticketTypeSnapshot(event, event.ticketTypes[1]!);
    expect(reserved.kind).toBe('RESERVED');
    expect(reserved.pricingPolicy).toEqual({
      kind: 'TIERED',
      tiers: [
        { price: { amount: 1500, currency: 'EUR' }, until: '2027-03-01T00:00:00.000Z' },
        { price: { amount: 2500, currency: 'EUR' } },
      ],
    });
    const byQuantity = validateEventData(
      'ticket-type.upserted',
      ticketTypeSnapshot(event, event.ticketTypes[2]!),
    );
    expect(byQuantity.pricingPolicy).toMatchObject({ kind: 'TIERED', tiers: [{ untilSold: 5 }, {}] });
  });

  it('event.updated names the changed snapshot fields', () => {
    const before = eventWithTypes();
    const after = {
      ...before,
      title: 'Jazz on the Quay',
      venue: { ...before.venue, capacity: 120 },
      version: 4,
    };
    const changed = changedSnapshotFields(before, after);
    expect(changed.sort()).toEqual(['title', 'venue']);
    expect(validateEventData('event.updated', updatedData(after, changed)).changedFields).toEqual(changed);
  });

  it('event.cancelled and event.staff-changed satisfy their contracts (pending staff has no user id)', () => {
    const event = eventDocFixture({
      status: 'CANCELLED',
      cancelReason: 'Storm warning',
      cancelledAt: new Date('2027-05-01T00:00:00.000Z'),
      staff: [
        { userId: null, email: 'gate@example.com', name: null, addedAt: new Date() },
        { userId: '5f1b2c3d4e5f6a7b8c9d0e1f', email: 'door@example.com', name: 'Door', addedAt: new Date() },
      ],
    });
    expect(validateEventData('event.cancelled', cancelledData(event, event.organizerId)).reason).toBe(
      'Storm warning',
    );
    const staff = validateEventData('event.staff-changed', staffChangedData(event, event.staff));
    expect(staff.staff).toEqual([
      { userId: null, email: 'gate@example.com' },
      { userId: '5f1b2c3d4e5f6a7b8c9d0e1f', email: 'door@example.com' },
    ]);
  });
});
