// Request-protection probes run against any gateway URL, so the runtime comparison states which protections a
// candidate keeps, not only how fast it is. Each probe sends one hostile (or control) request and reports what
// came back; `pass` means the gateway behaved like the production gateway must (issue 3, "Done means").

const SIGN_UP = 'mutation($input: SignUpInput!) { signUp(input: $input) { user { id } } }';
// events → edges → node → venue → seatMap → sections → rows → seats: 8 field levels (the limit is 7).
const DEPTH_8 = '{ events { edges { node { venue { seatMap { sections { rows { seats } } } } } } } }';
// Aliases of a real field (armor lets `__typename` aliases through: they cost nothing).
const ALIASES_20 = `{ ${Array.from({ length: 20 }, (_, i) => `a${i}: events(first: 1) { pageInfo { hasNextPage } }`).join(' ')} }`;
// 1100 repeated fields: over the parser's 1000-token limit, and nothing else is wrong with it.
const TOKENS_1100 = `{ ${Array.from({ length: 1100 }, () => '__typename').join(' ')} }`;

async function send(url, { body, contentType = 'application/json', headers = {} }) {
  // The Accept header current GraphQL clients send; with it, GraphQL-over-HTTP servers answer 4xx for requests that
  // fail before execution (with a bare application/json Accept some answer 200 with `errors`).
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      accept: 'application/graphql-response+json, application/json;q=0.9',
      'content-type': contentType,
      ...headers,
    },
    body,
  });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json, headers: res.headers };
}

const refusedBeforeExecution = (r) => r.status === 400 && !r.json?.data;

/** Runs every probe against `url` (a gateway's /graphql) and returns `[{ name, pass, detail }]`. */
export async function probeProtections(url, { foreignOrigin = 'http://evil.test' } = {}) {
  const probes = [];
  const record = (name, pass, detail) => probes.push({ name, pass, detail });
  const json = (query, variables) => JSON.stringify({ query, variables });
  const email = () => `probe-${Math.random().toString(16).slice(2, 10)}@example.com`;
  const signUpInput = (address) => ({
    input: { email: address, password: 'probe-Password-2026!', name: 'Probe', role: 'ATTENDEE' },
  });

  // CSRF: a "simple" text/plain POST without a preflight header must not run (it would carry the cookies).
  const csrfEmail = email();
  let r = await send(url, { body: json(SIGN_UP, signUpInput(csrfEmail)), contentType: 'text/plain' });
  record('text/plain POST without preflight header → 400', refusedBeforeExecution(r), `HTTP ${r.status}`);

  r = await send(url, { body: json(DEPTH_8) });
  record(
    'depth 8 → 400',
    refusedBeforeExecution(r),
    `HTTP ${r.status} ${r.json?.errors?.[0]?.message?.slice(0, 60) ?? ''}`,
  );

  r = await send(url, { body: json(ALIASES_20) });
  record(
    '20 aliases → 400',
    refusedBeforeExecution(r),
    `HTTP ${r.status} ${r.json?.errors?.[0]?.message?.slice(0, 60) ?? ''}`,
  );

  r = await send(url, { body: json(TOKENS_1100) });
  record(
    'over 1000 tokens → 400',
    refusedBeforeExecution(r),
    `HTTP ${r.status} ${r.json?.errors?.[0]?.message?.slice(0, 60) ?? ''}`,
  );

  const batchEmail = email();
  r = await send(url, {
    body: JSON.stringify([
      { query: SIGN_UP, variables: signUpInput(batchEmail) },
      { query: '{ __typename }' },
    ]),
  });
  record('batched JSON array → 400', r.status === 400 && !Array.isArray(r.json), `HTTP ${r.status}`);

  r = await send(url, { body: json('{ __schema { types { name } } }') });
  record('introspection refused (production)', !r.json?.data?.__schema, `HTTP ${r.status}`);

  r = await send(url, { body: json('{ evnts(first: 1) { pageInfo { hasNextPage } } }') });
  record(
    'no "Did you mean" (production)',
    r.status >= 400 && !/did you mean/i.test(r.text),
    `HTTP ${r.status} ${r.json?.errors?.[0]?.message?.slice(0, 60) ?? ''}`,
  );

  r = await send(url, {
    body: JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(150 * 1024) } }),
  });
  record('150 KiB body → 413', r.status === 413, `HTTP ${r.status}`);

  const cors = await fetch(url, {
    method: 'OPTIONS',
    headers: { origin: foreignOrigin, 'access-control-request-method': 'POST' },
  });
  await cors.arrayBuffer();
  const allowOrigin = cors.headers.get('access-control-allow-origin');
  record(
    'CORS: a foreign origin is not allowed',
    !allowOrigin || (allowOrigin !== '*' && allowOrigin !== foreignOrigin),
    `HTTP ${cors.status}, Allow-Origin: ${allowOrigin ?? 'none'}`,
  );

  r = await send(url, {
    body: JSON.stringify({ query: '{ __typename }' }),
    headers: { 'x-forwarded-for': '203.0.113.9' },
  });
  record(
    'control: plain JSON query answers 200',
    r.status === 200 && r.json?.data?.__typename === 'Query',
    `HTTP ${r.status}`,
  );

  r = await send(url, { body: json(SIGN_UP, signUpInput(email())) });
  const cookies = r.headers.getSetCookie().map((c) => c.split('=')[0]);
  record(
    'sign-up through it sets both session cookies',
    cookies.includes('__Host-at') && cookies.includes('__Host-rt'),
    cookies.join(', ') || 'none',
  );

  // The refused sign-ups above must not have created their accounts: signing up the same address again works.
  for (const [name, address] of [
    ['text/plain', csrfEmail],
    ['batched', batchEmail],
  ]) {
    r = await send(url, { body: json(SIGN_UP, signUpInput(address)) });
    record(
      `refused ${name} sign-up did not run`,
      r.status === 200 && !r.json?.errors,
      r.json?.errors?.[0]?.message?.slice(0, 60) ?? 'account was free',
    );
  }
  return probes;
}
