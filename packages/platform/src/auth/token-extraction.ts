/** Access-token cookie when cookies are `Secure` (production): the `__Host-` prefix pins it to our host. */
export const ACCESS_COOKIE = '__Host-at';
/** Access-token cookie on plain-http local development (`COOKIE_SECURE=false`). */
export const ACCESS_COOKIE_INSECURE = 'at';
/** Longest token we are willing to parse; real access tokens are well under 1 KiB. */
export const MAX_TOKEN_LENGTH = 8192;

type HeaderValue = string | string[] | undefined;

/** What a token can be read from: an Express request, a raw upgrade request, or a header bag. */
export interface TokenCarrier {
  headers?: Record<string, HeaderValue> | object;
  cookies?: Record<string, unknown>;
}

export interface TokenExtractionOptions {
  /** With secure cookies only `__Host-at` is read, so a cookie planted by a sibling subdomain is ignored. */
  cookieSecure: boolean;
}

/** The cookie names read for the access token, most trusted first. */
export function accessCookieNames(cookieSecure: boolean): readonly string[] {
  return cookieSecure ? [ACCESS_COOKIE] : [ACCESS_COOKIE, ACCESS_COOKIE_INSECURE];
}

/** Parses a `Cookie` header; the first occurrence of a name wins and bad encodings are kept raw. */
export function parseCookieHeader(header: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = {};
  if (!header) return cookies;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (!name || name in cookies) continue;
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    try {
      cookies[name] = decodeURIComponent(value);
    } catch {
      cookies[name] = value;
    }
  }
  return cookies;
}

/** The token of an `Authorization: Bearer <token>` value (scheme case-insensitive). */
export function bearerToken(authorization: unknown): string | undefined {
  if (typeof authorization !== 'string') return undefined;
  const match = /^\s*Bearer\s+([^\s]+)\s*$/i.exec(authorization);
  return match?.[1];
}

function header(carrier: TokenCarrier, name: string): string | undefined {
  const value = (carrier.headers as Record<string, HeaderValue> | undefined)?.[name];
  return Array.isArray(value) ? value[0] : value;
}

function usable(token: string | undefined): string | undefined {
  return token && token.length <= MAX_TOKEN_LENGTH ? token : undefined;
}

/**
 * The access token of a request: `Authorization: Bearer` first (explicit beats ambient), then the
 * access cookie. Reads `req.cookies` when cookie-parser ran, else the raw `Cookie` header (upgrade
 * requests of WebSockets never pass through Express middleware).
 */
export function extractAccessToken(
  carrier: TokenCarrier,
  options: TokenExtractionOptions,
): string | undefined {
  const fromHeader = bearerToken(header(carrier, 'authorization'));
  if (fromHeader) return usable(fromHeader);
  const cookies = carrier.cookies ?? parseCookieHeader(header(carrier, 'cookie'));
  for (const name of accessCookieNames(options.cookieSecure)) {
    const value = cookies[name];
    if (typeof value === 'string' && value) return usable(value);
  }
  return undefined;
}

/** The token sent in graphql-ws `connectionParams` (`authorization` / `Authorization`, Bearer or bare). */
export function connectionParamsToken(
  params: Readonly<Record<string, unknown>> | undefined | null,
): string | undefined {
  if (!params) return undefined;
  const raw = params.authorization ?? params.Authorization;
  if (typeof raw !== 'string') return undefined;
  return usable(bearerToken(raw) ?? (/^[\w-]+\.[\w-]+\.[\w-]*$/.test(raw.trim()) ? raw.trim() : undefined));
}
