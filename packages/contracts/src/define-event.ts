import type { z } from 'zod';
import type { Topic } from './topics';

/** The producing services named in ARCHITECTURE.md §2. */
export type ProducerService = 'auth' | 'event' | 'ticket' | 'pricing' | 'checkin';

export interface EventDefinition<TType extends string = string, TSchema extends z.ZodType = z.ZodType> {
  /** Event type carried in the envelope's `type`. */
  type: TType;
  /** Current contract version of `data`. */
  version: number;
  topic: Topic;
  /** The service that publishes it (documentation; not enforced on consume). */
  producer: ProducerService;
  schema: TSchema;
  /** The partition key a message of this event must carry, derived from its data. */
  key: (data: z.output<TSchema>) => string;
  /** One line for the catalogue. */
  description: string;
}

/** Declares an event while keeping its literal type string and schema type. */
export function defineEvent<TType extends string, TSchema extends z.ZodType>(
  definition: EventDefinition<TType, TSchema>,
): EventDefinition<TType, TSchema> {
  return Object.freeze(definition);
}
