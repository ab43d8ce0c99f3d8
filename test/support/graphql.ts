/**
 * The operations the API tests send, written once. Mutations select every union member, so
 * a test sees exactly which result came back (`__typename`) and everything it carries.
 */
import type { GqlResponse, TestServer } from './server.ts';

export const ERROR_FIELDS = `
  ... on Error { message }
  ... on ValidationError { fieldErrors { field message rule } }
  ... on NotFoundError { resource id }
  ... on ConflictError { expectedVersion currentVersion }
  ... on PluginUnavailableError { pluginName }
  ... on ConfigureError { pluginName }
`;

export const INSTANCE_FIELDS = `
  id pluginName name enabled status statusMessage version configuration
  secrets { key label isSet updatedAt value }
  healthStatus healthSince lastHealthCheckAt createdAt updatedAt
  plugin { name type }
`;

const result = (success: string, fields: string) => `__typename ... on ${success} { data { ${fields} } } ${ERROR_FIELDS}`;

export const CREATE = `mutation ($input: CreatePluginInstanceInput!) {
  createPluginInstance(input: $input) { ${result('MutationCreatePluginInstanceSuccess', INSTANCE_FIELDS)} }
}`;

export const UPDATE = `mutation ($input: UpdatePluginInstanceInput!) {
  updatePluginInstance(input: $input) { ${result('MutationUpdatePluginInstanceSuccess', INSTANCE_FIELDS)} }
}`;

export const DELETE = `mutation ($id: ID!, $version: Int, $clientMutationId: String) {
  deletePluginInstance(id: $id, version: $version, clientMutationId: $clientMutationId) { ${result('MutationDeletePluginInstanceSuccess', 'id pluginName name')} }
}`;

export const SET_ENABLED = `mutation ($id: ID!, $enabled: Boolean!, $version: Int, $clientMutationId: String) {
  setPluginInstanceEnabled(id: $id, enabled: $enabled, version: $version, clientMutationId: $clientMutationId) {
    ${result('MutationSetPluginInstanceEnabledSuccess', INSTANCE_FIELDS)}
  }
}`;

const TEST_RESULT = 'success message details responseTimeMs timestamp';

export const TEST_UNSAVED = `mutation ($input: TestPluginConnectionInput!) {
  testPluginConnection(input: $input) { ${result('MutationTestPluginConnectionSuccess', TEST_RESULT)} }
}`;

export const TEST_SAVED = `mutation ($input: TestPluginInstanceConnectionInput!) {
  testPluginInstanceConnection(input: $input) { ${result('MutationTestPluginInstanceConnectionSuccess', TEST_RESULT)} }
}`;

export const CHECK_HEALTH = `mutation ($id: ID!) {
  checkPluginInstanceHealth(id: $id) {
    ${result('MutationCheckPluginInstanceHealthSuccess', 'pluginInstanceId status message details responseTimeMs timestamp')}
  }
}`;

export const INSTANCE = `query ($id: ID!, $last: Int) {
  pluginInstance(id: $id) {
    ${INSTANCE_FIELDS}
    healthHistory(last: $last) { id status message details responseTimeMs checkedAt }
    auditEvents(last: $last) { id actor action changedKeys at }
  }
}`;

export const CREATE_TOKEN = `mutation ($name: String!, $role: Role!, $clientMutationId: String) {
  createApiToken(name: $name, role: $role, clientMutationId: $clientMutationId) {
    __typename
    ... on MutationCreateApiTokenSuccess { data { token apiToken { id name prefix role createdAt createdBy lastUsedAt revokedAt } } }
    ... on ValidationError { message fieldErrors { field message rule } }
  }
}`;

export const REVOKE_TOKEN = `mutation ($id: ID!) {
  revokeApiToken(id: $id) {
    __typename
    ... on MutationRevokeApiTokenSuccess { data { id name prefix role revokedAt } }
    ... on NotFoundError { message resource id }
  }
}`;

export const API_TOKENS = `{ apiTokens { id name prefix role createdAt createdBy lastUsedAt revokedAt } }`;

/** One mutation's result: its `__typename`, its data on success, the error's fields otherwise. */
export interface MutationResult<T = any> {
  __typename: string;
  data?: T;
  message?: string;
  fieldErrors?: { field: string; message: string; rule: string }[];
  [key: string]: unknown;
}

export function resultOf<T = any>(response: GqlResponse, field: string): MutationResult<T> {
  const data = response.body.data as Record<string, MutationResult<T> | undefined> | null | undefined;
  const value = data?.[field];
  if (!value) throw new Error(`${field}: no result (HTTP ${response.status}): ${response.text}`);
  return value;
}

/** Runs a mutation and returns its result, failing with the whole response when it is missing. */
export async function mutate<T = any>(
  server: TestServer,
  query: string,
  field: string,
  variables: Record<string, unknown>,
  token?: string | null,
): Promise<MutationResult<T>> {
  return resultOf<T>(await server.gql(query, variables, token === undefined ? {} : { token }), field);
}

/** Like `mutate`, and the result must be the success type. */
export async function succeed<T = any>(
  server: TestServer,
  query: string,
  field: string,
  variables: Record<string, unknown>,
  token?: string | null,
): Promise<T> {
  const value = await mutate<T>(server, query, field, variables, token);
  if (!value.__typename.endsWith('Success') || value.data === undefined) {
    throw new Error(`${field} did not succeed: ${JSON.stringify(value)}`);
  }
  return value.data;
}
