/** One GraphQL answer as the browser would see it. */
export interface GraphqlAnswer<T = any> {
  status: number;
  headers: Headers;
  body: { data?: T; errors?: Array<{ message: string; extensions?: Record<string, any> }> } & Record<
    string,
    any
  >;
  setCookies: string[];
}

export interface PostOptions {
  headers?: Record<string, string>;
  /** Raw body instead of `{ query, variables }`. */
  rawBody?: string;
}

/** POSTs a GraphQL document (or any JSON body) to `url`. */
export async function postGraphql<T = any>(
  url: string,
  query: string | unknown,
  variables?: Record<string, unknown>,
  options: PostOptions = {},
): Promise<GraphqlAnswer<T>> {
  const body = options.rawBody ?? JSON.stringify(typeof query === 'string' ? { query, variables } : query);
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...options.headers },
    body,
  });
  const text = await res.text();
  let parsed: GraphqlAnswer<T>['body'];
  try {
    parsed = JSON.parse(text) as GraphqlAnswer<T>['body'];
  } catch {
    parsed = { raw: text };
  }
  return { status: res.status, headers: res.headers, body: parsed, setCookies: res.headers.getSetCookie() };
}

/** A browser-like session: keeps cookies from `Set-Cookie` and sends them back (names and values only). */
export class CookieSession {
  private readonly jar = new Map<string, string>();

  constructor(
    private readonly url: string,
    private readonly baseHeaders: Record<string, string> = {},
  ) {}

  get cookies(): ReadonlyMap<string, string> {
    return this.jar;
  }

  cookie(name: string): string | undefined {
    return this.jar.get(name);
  }

  /** Replaces the jar (e.g. to replay an old refresh token). */
  setCookie(name: string, value: string): void {
    this.jar.set(name, value);
  }

  async post<T = any>(
    query: string,
    variables?: Record<string, unknown>,
    headers: Record<string, string> = {},
  ) {
    const cookie = [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const answer = await postGraphql<T>(this.url, query, variables, {
      headers: { ...this.baseHeaders, ...(cookie ? { cookie } : {}), ...headers },
    });
    for (const line of answer.setCookies) {
      const [pair, ...attributes] = line.split(';').map((p) => p.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      const expired = attributes.some(
        (a) => /^max-age=0$/i.test(a) || (/^expires=/i.test(a) && Date.parse(a.slice(8)) <= Date.now()),
      );
      if (expired || value === '') this.jar.delete(name);
      else this.jar.set(name, value);
    }
    return answer;
  }
}

/** The `extensions.code` of every error of an answer. */
export const errorCodes = (answer: GraphqlAnswer) =>
  (answer.body.errors ?? []).map((e) => e.extensions?.code);

let counter = 0;
/** A unique email for this run. */
export function uniqueEmail(tag: string): string {
  counter += 1;
  return `${tag}-${Date.now().toString(36)}-${counter}@example.test`;
}

/** A distinct documentation address (TEST-NET-3) per test, so per-address throttles do not interfere. */
export function clientAddress(n: number): string {
  return `203.0.113.${n}`;
}

export const STRONG_PASSWORD = 'correct horse battery staple 42';
