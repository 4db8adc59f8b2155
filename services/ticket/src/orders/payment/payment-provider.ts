/** What checkout asks a payment provider to do. */
export interface ChargeRequest {
  /** The provider must charge at most once per key (a retried call returns the first answer). */
  idempotencyKey: string;
  amount: number;
  currency: string;
  /** The client's payment token (card token, wallet token...). */
  token: string;
}

export type ChargeResult = { status: 'CAPTURED'; chargeId: string } | { status: 'DECLINED'; reason: string };

/** Gives a captured charge back in full. */
export interface RefundRequest {
  /** The provider must refund at most once per key (a retried call returns the first answer). */
  idempotencyKey: string;
  /** The provider's id of the captured charge. */
  chargeId: string;
  /** The idempotency key the charge was made with. */
  chargeIdempotencyKey: string;
  amount: number;
  currency: string;
}

export interface RefundResult {
  status: 'REFUNDED';
  refundId: string;
}

/** The provider failed and says so: nothing was charged for this attempt. */
export class PaymentProviderError extends Error {}

/** The provider did not answer within PAYMENT_TIMEOUT_MS: the outcome is unknown until looked up. */
export class PaymentTimeoutError extends Error {
  constructor() {
    super('payment provider timed out');
  }
}

/** A payment provider. Implementations must be idempotent by `idempotencyKey`. */
export interface PaymentProvider {
  charge(request: ChargeRequest): Promise<ChargeResult>;
  /** The answer already given for a key, if any (crash recovery). */
  lookup(idempotencyKey: string): Promise<ChargeResult | null>;
  /**
   * Refunds a captured charge in full; idempotent by `idempotencyKey`. Throws PaymentProviderError when
   * it could not (the caller retries later: recovery finishes REFUNDING orders).
   */
  refund(request: RefundRequest): Promise<RefundResult>;
}

export const PAYMENT_PROVIDER = Symbol.for('ticketing.ticket.payment-provider');
