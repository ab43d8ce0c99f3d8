/**
 * The operation mutations the API tests send, written once, each selecting every member of
 * its result union, plus helpers to create an instance and to call an operation.
 */
import { expect } from 'vitest';
import { CREATE } from './graphql.ts';
import type { TestServer } from './server.ts';

export const OPERATION_ERROR_FIELDS = `
  ... on Error { message }
  ... on ValidationError { fieldErrors { field message rule } }
  ... on NotFoundError { resource id }
  ... on PluginUnavailableError { pluginName }
  ... on InstanceUnavailableError { instanceId status }
  ... on OperationNotSupportedError { operation pluginName }
  ... on OperationForbiddenError { operation instanceId }
  ... on OperationFailedError { operation pluginName timedOut vendorStatus vendorCode }
  ... on IdempotencyConflictError { inProgress }
`;

const result = (field: string, fields: string) =>
  `__typename ... on Mutation${field[0]!.toUpperCase()}${field.slice(1)}Success { data { ${fields} } } ${OPERATION_ERROR_FIELDS}`;

export const SEND_NOTIFICATION = `mutation ($id: ID!, $input: SendNotificationInput!, $key: String) {
  sendNotification(instanceId: $id, input: $input, idempotencyKey: $key) { ${result('sendNotification', 'messageId details')} }
}`;

const PAYMENT = 'paymentId status amountMinor currency details';
export const CREATE_PAYMENT = `mutation ($id: ID!, $input: CreatePaymentInput!, $key: String) {
  createPayment(instanceId: $id, input: $input, idempotencyKey: $key) { ${result('createPayment', PAYMENT)} }
}`;
export const CAPTURE_PAYMENT = `mutation ($id: ID!, $input: PaymentChangeInput!, $key: String) {
  capturePayment(instanceId: $id, input: $input, idempotencyKey: $key) { ${result('capturePayment', PAYMENT)} }
}`;
export const REFUND_PAYMENT = `mutation ($id: ID!, $input: PaymentChangeInput!, $key: String) {
  refundPayment(instanceId: $id, input: $input, idempotencyKey: $key) { ${result('refundPayment', 'refundId status amountMinor currency details')} }
}`;

export const STORE_FILE = `mutation ($id: ID!, $key: String!, $file: File!, $contentType: String, $metadata: JSONObject) {
  storeFile(instanceId: $id, key: $key, file: $file, contentType: $contentType, metadata: $metadata) { ${result('storeFile', 'key size location')} }
}`;
export const DOWNLOAD_URL = `mutation ($id: ID!, $key: String!) {
  createFileDownloadUrl(instanceId: $id, key: $key) { ${result('createFileDownloadUrl', 'key url expiresAt')} }
}`;
export const LIST_FILES = `mutation ($id: ID!, $prefix: String, $limit: Int) {
  listFiles(instanceId: $id, prefix: $prefix, limit: $limit) { ${result('listFiles', 'files { key size lastModified }')} }
}`;
export const DELETE_FILE = `mutation ($id: ID!, $key: String!) {
  deleteFile(instanceId: $id, key: $key) { ${result('deleteFile', 'key deleted')} }
}`;

export const INDEX_DOCUMENTS = `mutation ($id: ID!, $index: String!, $documents: [SearchDocumentInput!]!) {
  indexDocuments(instanceId: $id, index: $index, documents: $documents) { ${result('indexDocuments', 'index indexed')} }
}`;
export const SEARCH_DOCUMENTS = `mutation ($id: ID!, $input: SearchDocumentsInput!) {
  searchDocuments(instanceId: $id, input: $input) { ${result('searchDocuments', 'hits { id score document } limit offset')} }
}`;

export const VERIFY_CREDENTIALS = `mutation ($id: ID!, $input: CredentialsInput!) {
  verifyCredentials(instanceId: $id, input: $input) { ${result('verifyCredentials', 'authenticated subject attributes message')} }
}`;

export const CAPTURE_EVENT = `mutation ($id: ID!, $input: AnalyticsEventInput!, $key: String) {
  captureEvent(instanceId: $id, input: $input, idempotencyKey: $key) { ${result('captureEvent', 'accepted')} }
}`;
export const CAPTURE_EVENTS = `mutation ($id: ID!, $events: [AnalyticsEventInput!]!) {
  captureEvents(instanceId: $id, events: $events) { ${result('captureEvents', 'accepted')} }
}`;

export const TRIGGER_WORKFLOW = `mutation ($id: ID!, $workflowId: String!, $input: JSONObject, $key: String) {
  triggerWorkflow(instanceId: $id, workflowId: $workflowId, input: $input, idempotencyKey: $key) { ${result('triggerWorkflow', 'runId status details')} }
}`;

export const DELIVER_EVENT = `mutation ($id: ID!, $event: String!, $payload: JSONObject, $key: String) {
  deliverEvent(instanceId: $id, event: $event, payload: $payload, idempotencyKey: $key) { ${result('deliverEvent', 'result')} }
}`;

export const CALL_LOG = `query ($id: ID!) {
  pluginInstance(id: $id) {
    operations
    operationCalls(last: 50) { operation caller outcome errorType errorMessage vendorStatus timedOut durationMs at }
    operationStats(hours: 24) { windowHours calls errors errorRate p95LatencyMs perHour { hour calls errors } lastFailures { operation outcome errorType errorMessage } }
  }
}`;

/** Creates an instance (secrets as configuration keys) and returns its id. */
export async function createInstance(server: TestServer, pluginName: string, name: string, configuration: Record<string, unknown>): Promise<string> {
  const created = await server.gql(CREATE, { input: { pluginName, name, configuration } });
  const payload = created.body.data?.createPluginInstance;
  expect(payload?.__typename, JSON.stringify(created.body)).toBe('MutationCreatePluginInstanceSuccess');
  return payload.data.id as string;
}

/** Runs an operation mutation and returns its result union member (`__typename` and its fields). */
export async function operation(server: TestServer, query: string, variables: Record<string, unknown>, token?: string | null): Promise<any> {
  const response = await server.gql(query, variables, token === undefined ? {} : { token });
  expect(response.body.errors, JSON.stringify(response.body.errors)).toBeUndefined();
  const [value] = Object.values(response.body.data ?? {});
  return value;
}

/** Sends a GraphQL multipart request (the spec yoga implements) with one file as variable `file`. */
export async function multipart(server: TestServer, query: string, variables: Record<string, unknown>, file: { name: string; type: string; content: string }, token?: string): Promise<any> {
  const form = new FormData();
  form.set('operations', JSON.stringify({ query, variables: { ...variables, file: null } }));
  form.set('map', JSON.stringify({ 0: ['variables.file'] }));
  form.set('0', new Blob([file.content], { type: file.type }), file.name);
  const response = await server.fetch('/graphql', {
    method: 'POST',
    // Multipart is a "simple" content type: browsers could send it cross-site, so the CSRF
    // header is required.
    headers: { authorization: `Bearer ${token ?? server.adminToken}`, 'x-plugform-csrf': '1' },
    body: form,
  });
  const body = JSON.parse(response.text) as { data?: Record<string, unknown>; errors?: unknown };
  expect(body.errors, response.text).toBeUndefined();
  return Object.values(body.data ?? {})[0];
}

export interface RestAnswer {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

/** A REST call to /api/v1 with a JSON body (the admin token unless told otherwise). */
export async function rest(server: TestServer, method: 'GET' | 'POST', path: string, body?: unknown, token?: string | null): Promise<RestAnswer> {
  const bearer = token === undefined ? server.adminToken : token;
  const response = await server.fetch(`/api/v1${path}`, {
    method,
    headers: { ...(bearer ? { authorization: `Bearer ${bearer}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  let parsed: unknown;
  try {
    parsed = JSON.parse(response.text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, body: parsed, text: response.text };
}

/** Runs an operation through REST: POST /api/v1/plugins/instances/{id}/operations/{name}. */
export function restOperation(server: TestServer, instanceId: string, name: string, input: Record<string, unknown>, options: { key?: string; token?: string | null } = {}): Promise<RestAnswer> {
  return rest(server, 'POST', `/plugins/instances/${instanceId}/operations/${name}`, { input, ...(options.key ? { idempotency_key: options.key } : {}) }, options.token);
}
