/**
 * The QR token (`T1.<payload>.<signature>`) lives in `@ticketing/platform` so the check-in service verifies
 * it with the very code that signs it here; see packages/platform/src/tickets/ticket-token.ts.
 */
export {
  keyIdOf,
  signTicketToken,
  TICKET_TOKEN_PREFIX,
  verifyTicketToken,
  type TicketClaims,
} from '@ticketing/platform';
