/** The CLI's GraphQL client: one POST per call with the API token; errors say what to fix. */

export class CliError extends Error {
  override readonly name = 'CliError';
}

export interface Connection {
  url: string;
  token: string | undefined;
}

interface GraphQLAnswer<T> {
  data?: T | null;
  errors?: { message: string }[];
}

export async function graphql<T>(connection: Connection, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  if (!connection.token) throw new CliError('No API token: set PLUGFORM_TOKEN or pass --token');
  const endpoint = `${connection.url.replace(/\/+$/, '')}/graphql`;
  let response: Response;
  try {
    response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${connection.token}` },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(120_000),
    });
  } catch (error) {
    throw new CliError(`Cannot reach ${endpoint} (${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message}); check PLUGFORM_URL or --url`);
  }
  if (response.status === 401) throw new CliError(`${endpoint} refused the API token (401): check PLUGFORM_TOKEN or --token`);
  const text = await response.text();
  let answer: GraphQLAnswer<T>;
  try {
    answer = JSON.parse(text) as GraphQLAnswer<T>;
  } catch {
    throw new CliError(`${endpoint} answered ${response.status} without a GraphQL result`);
  }
  if (answer.errors?.length) throw new CliError(answer.errors.map((error) => error.message).join('; '));
  if (!answer.data) throw new CliError(`${endpoint} answered ${response.status} without data`);
  return answer.data;
}

/** A mutation's union result: the success's `data`, or a CliError naming the problem (and each field). */
export function unwrap<T>(result: {
  __typename: string;
  data?: T;
  message?: string;
  fieldErrors?: { field: string; message: string }[];
}): T {
  if (result.data !== undefined) return result.data;
  const fields = result.fieldErrors?.map((error) => `\n  ${error.field}: ${error.message}`).join('') ?? '';
  throw new CliError(`${result.__typename}: ${result.message ?? 'failed'}${fields}`);
}

export const ERROR_SELECTION = `... on Error { message } ... on ValidationError { fieldErrors { field message } }`;
