/** Turns `TRUST_PROXY` into Express's `trust proxy` value: boolean, hop count, or address list. */
export function parseTrustProxy(raw: string): boolean | number | string {
  const value = raw.trim();
  if (/^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  if (/^\d+$/.test(value)) return Number(value);
  return value;
}
