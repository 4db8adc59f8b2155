/** What checkout asks a payment provider to do. */
export interface ChargeRequest {
  /** The provider must charge at most once per key (a retried call returns the first answer). */
  idempotencyKey: string;
  amount: number;
  currency: string;
  /** The client's payment token (card token, wallet token...). */
  token: string;
}

export type ChargeResult =
  | { status: 'CAPTURED'; chargeId: string }
  | { status: 'DECLINED'; reason: string };

/** The provider could not be reached or failed: the outcome of this attempt is unknown or nil. */
export class PaymentProviderError extends Error {}

/** A payment provider. Implementations must be idempotent by `idempotencyKey`. */
export interface PaymentProvider {
  charge(request: ChargeRequest): Promise<ChargeResult>;
  /** The answer already given for a key, if any (crash recovery). */
  lookup(idempotencyKey: string): Promise<ChargeResult | null>;
}

export const PAYMENT_PROVIDER = Symbol.for('ticketing.ticket.payment-provider');
