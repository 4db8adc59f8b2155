import { Schema } from 'mongoose';

export const SIGNING_KEY = 'TicketSigningKey';

/** A generated QR signing key (development and tests only; production reads TICKET_SIGNING_KEY). */
export interface SigningKeyDoc {
  _id: string;
  privateKeyPem: string;
  createdAt: Date;
}

export const SigningKeySchema = new Schema<SigningKeyDoc>(
  {
    _id: { type: String, required: true },
    privateKeyPem: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  { collection: 'ticket_signing_keys', versionKey: false },
);
