import type { Money } from '../api/types';

/**
 * The price a buyer was shown when they chose, per reservation and ticket type, so checkout can say when the
 * hold's price differs (a change the event page missed). Kept for the tab (sessionStorage), so a reload of the
 * checkout still knows it.
 */
const key = (reservationId: string) => `seen-price:${reservationId}`;

export function rememberSeenPrice(reservationId: string, ticketTypeId: string, price: Money): void {
  try {
    const seen = seenPrices(reservationId);
    seen[ticketTypeId] = { amount: price.amount, currency: price.currency };
    sessionStorage.setItem(key(reservationId), JSON.stringify(seen));
  } catch {
    // No storage (private mode, full): checkout then only states the held price.
  }
}

export function seenPrices(reservationId: string): Record<string, Money> {
  try {
    return (JSON.parse(sessionStorage.getItem(key(reservationId)) ?? 'null') as Record<string, Money>) ?? {};
  } catch {
    return {};
  }
}
