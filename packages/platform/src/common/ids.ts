/**
 * The id shapes the platform's entities use: a MongoDB ObjectId in hex (events, ticket types, orders,
 * tickets, transfers) or a UUID (reservations). Anything else names nothing, so a service can answer it
 * without a database read.
 */
export const ENTITY_ID =
  /^(?:[0-9a-fA-F]{24}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$/;

/** True for a string of one of the entity id shapes. */
export function isEntityId(value: unknown): value is string {
  return typeof value === 'string' && ENTITY_ID.test(value);
}
