/* eslint-disable @typescript-eslint/no-explicit-any */
/** What a GraphQL POST answered (tests read deep into `data`, hence `any`). */
export interface GqlAnswer {
  status: number;
  data: any;
  errors: Array<{ message: string; extensions?: { code?: string; field?: string | null } }> | undefined;
}

/** POSTs one operation as JSON with an optional bearer token (and any headers of the caller's). */
export async function gql(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
  extraHeaders: Record<string, string> = {},
): Promise<GqlAnswer> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...extraHeaders };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json().catch(() => ({}))) as { data?: unknown; errors?: GqlAnswer['errors'] };
  return { status: response.status, data: body.data, errors: body.errors };
}

/** The code and field of the first error, or undefined. */
export function firstError(
  answer: GqlAnswer,
): { code?: string; field?: string | null; message: string } | undefined {
  const error = answer.errors?.[0];
  return error && { code: error.extensions?.code, field: error.extensions?.field, message: error.message };
}
