import { registerEnumType } from '@nestjs/graphql';
import {
  EVENT_CATEGORIES,
  EVENT_STATUSES,
  PRICING_TYPES,
  TICKET_KINDS,
  TIER_BASES,
} from '../domain/event.types';

const asEnum = <T extends string>(values: readonly T[]) =>
  Object.fromEntries(values.map((v) => [v, v])) as { [K in T]: K };

export const EventStatusEnum = asEnum(EVENT_STATUSES);
export const EventCategoryEnum = asEnum(EVENT_CATEGORIES);
export const TicketKindEnum = asEnum(TICKET_KINDS);
export const PricingTypeEnum = asEnum(PRICING_TYPES);
export const TierBasisEnum = asEnum(TIER_BASES);

registerEnumType(EventStatusEnum, {
  name: 'EventStatus',
  description: 'DRAFT is visible to its organizer only.',
});
registerEnumType(EventCategoryEnum, { name: 'EventCategory' });
registerEnumType(TicketKindEnum, {
  name: 'TicketKind',
  description: 'GENERAL_ADMISSION sells a quantity; RESERVED sells the listed seats.',
});
registerEnumType(PricingTypeEnum, { name: 'PricingType' });
registerEnumType(TierBasisEnum, {
  name: 'TierBasis',
  description: 'What ends a price tier: a date or a sold quantity.',
});
