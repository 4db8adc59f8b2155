import { InputType, PartialType } from '@nestjs/graphql';
import { CreateEventInput } from './create-event.input';

/** Every field optional; what is given replaces the current value and the whole event is re-checked. */
@InputType()
export class UpdateEventInput extends PartialType(CreateEventInput, { omitDefaultValues: true }) {}
