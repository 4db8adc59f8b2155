/** A Set-Cookie header, parsed. Attribute names are lower-cased. */
export interface SetCookie {
  name: string;
  value: string;
  attributes: Record<string, string | true>;
  raw: string;
}

export function parseSetCookie(raw: string): SetCookie {
  const [pair, ...attrs] = raw.split(';').map((part) => part.trim());
  const eq = pair.indexOf('=');
  const attributes: Record<string, string | true> = {};
  for (const attr of attrs) {
    const i = attr.indexOf('=');
    if (i === -1) attributes[attr.toLowerCase()] = true;
    else attributes[attr.slice(0, i).toLowerCase()] = attr.slice(i + 1);
  }
  return { name: pair.slice(0, eq), value: decodeURIComponent(pair.slice(eq + 1)), attributes, raw };
}

// Tests read deep into answers; `any` keeps them short (the shape is asserted by the tests themselves).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface GqlResult<T = any> {
  status: number;
  data: T | null | undefined;
  errors: Array<{ message: string; extensions?: Record<string, unknown>; path?: unknown[] }> | undefined;
  cookies: Record<string, SetCookie>;
}

export interface GqlOptions {
  /** Sent as the Cookie header: name → value. */
  cookies?: Record<string, string | undefined>;
  bearer?: string;
  headers?: Record<string, string>;
}

/** POSTs one GraphQL operation as JSON (the CSRF-safe way) and returns the body and the Set-Cookie headers. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function gql<T = any>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  options: GqlOptions = {},
): Promise<GqlResult<T>> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
  const cookiePairs = Object.entries(options.cookies ?? {}).filter(([, v]) => v !== undefined);
  if (cookiePairs.length > 0)
    headers.cookie = cookiePairs.map(([k, v]) => `${k}=${encodeURIComponent(v as string)}`).join('; ');
  if (options.bearer) headers.authorization = `Bearer ${options.bearer}`;
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  let body: { data?: T; errors?: GqlResult['errors'] } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    body = { errors: [{ message: text }] };
  }
  const cookies: Record<string, SetCookie> = {};
  for (const raw of response.headers.getSetCookie()) {
    const cookie = parseSetCookie(raw);
    cookies[cookie.name] = cookie;
  }
  return { status: response.status, data: body.data, errors: body.errors, cookies };
}

/** The first error's code and field. */
export function errorOf(result: GqlResult): { code: unknown; field: unknown; message: string } | undefined {
  const first = result.errors?.[0];
  return first && { code: first.extensions?.code, field: first.extensions?.field, message: first.message };
}
