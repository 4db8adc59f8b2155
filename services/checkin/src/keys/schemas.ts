import { Schema } from 'mongoose';

export const KNOWN_TICKET_KEY = 'KnownTicketKey';

/**
 * A QR verification key fetched from the ticket service, kept so a restarted process verifies tokens even
 * while the ticket service is down. Public keys only; `_id` is the key id.
 */
export interface KnownTicketKeyDoc {
  _id: string;
  jwk: { kty: string; crv: string; x: string };
  fetchedAt: Date;
}

export const KnownTicketKeySchema = new Schema<KnownTicketKeyDoc>(
  {
    _id: { type: String, required: true },
    jwk: { type: Schema.Types.Mixed, required: true },
    fetchedAt: { type: Date, required: true },
  },
  { collection: 'ticket_keys', versionKey: false, minimize: false },
);
