/* eslint-disable @typescript-eslint/no-explicit-any */
/** A GraphQL answer (tests read deep into `data`, hence `any`). */
export interface GqlAnswer {
  status: number;
  data: any;
  errors: Array<{ message: string; extensions?: { code?: string; field?: string | null } }> | undefined;
}

/** POSTs one operation with an optional bearer token. */
export async function gql(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<GqlAnswer> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json().catch(() => ({}))) as { data?: unknown; errors?: GqlAnswer['errors'] };
  return { status: response.status, data: body.data, errors: body.errors };
}

/** Code and field of the first error, if any. */
export function firstError(answer: GqlAnswer): { code?: string; field?: string | null } | undefined {
  const error = answer.errors?.[0];
  return error && { code: error.extensions?.code, field: error.extensions?.field };
}
