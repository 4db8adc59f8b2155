import { InputType, PartialType } from '@nestjs/graphql';
import { TicketTypeInput } from './ticket-type.input';

/** Every field optional; what is given replaces the current value and the ticket type is re-checked. */
@InputType()
export class UpdateTicketTypeInput extends PartialType(TicketTypeInput, { omitDefaultValues: true }) {}
