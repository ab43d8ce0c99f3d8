/**
 * Who may do what, over HTTP: the role matrix (every root field × anonymous (always a 401),
 * viewer, operator, admin), API tokens (shown once, listed by prefix, stored hashed, revoked → 401),
 * and CSRF protection for browser requests.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_TOKENS, CREATE, CREATE_TOKEN, REVOKE_TOKEN, mutate, succeed, UPDATE } from '../support/graphql.ts';
import { startTestServer, type GqlBody, type GqlResponse, type TestServer } from '../support/server.ts';

const ALLOWED_ORIGIN = 'https://console.example';

let server: TestServer;
const tokens: Record<Caller, string | null> = { anonymous: null, viewer: null, operator: null, admin: null };
let shared: { id: string };

beforeAll(async () => {
  storageDir = await mkdtemp(join(tmpdir(), 'plugform-access-files-'));
  server = await startTestServer({ env: { PLUGFORM_ALLOWED_ORIGINS: ALLOWED_ORIGIN, PLUGFORM_LOCAL_STORAGE_ROOTS: storageDir } });
  tokens.viewer = await server.tokenFor('viewer', 'matrix viewer');
  tokens.operator = await server.tokenFor('operator', 'matrix operator');
  tokens.admin = await server.tokenFor('admin', 'matrix admin');
  shared = await newInstance();
});
afterAll(async () => {
  await server?.close();
  if (storageDir) await rm(storageDir, { recursive: true, force: true });
});

let instances = 0;
async function newInstance(pluginName = 'api-analytics', configuration: Record<string, unknown> = { projectId: 'p1' }) {
  return succeed<{ id: string; version: number }>(server, CREATE, 'createPluginInstance', {
    input: { pluginName, name: `access-${++instances}`, configuration },
  });
}

async function newTokenId(): Promise<string> {
  const created = await succeed(server, CREATE_TOKEN, 'createApiToken', { name: `to revoke ${++instances}`, role: 'VIEWER' });
  return created.apiToken.id;
}

// ---------------------------------------------------------------------------------------
// The role matrix

type Caller = 'anonymous' | 'viewer' | 'operator' | 'admin';
const CALLERS: Caller[] = ['anonymous', 'viewer', 'operator', 'admin'];
const RANK: Record<Caller, number> = { anonymous: 0, viewer: 1, operator: 2, admin: 3 };

interface Row {
  field: string;
  kind: 'query' | 'mutation' | 'subscription';
  /** The least role allowed. */
  min: Exclude<Caller, 'anonymous'>;
  query: string;
  /** Fresh variables for each call (a new instance to delete, a new token to revoke …). */
  variables?: () => Promise<Record<string, unknown>>;
  /** What an allowed mutation returns (default: its success type). */
  allowedResult?: RegExp;
  /** Sends the request itself (a multipart upload) instead of a JSON POST. */
  send?: (token: string | null, variables: Record<string, unknown>) => Promise<GqlResponse>;
}

/**
 * An operation's row. Plugins that need no vendor run for real (Success); for the others an
 * unknown instance id proves the role gate let the caller through (NotFoundError).
 */
function operationRow(field: string, args: string, variables: () => Promise<Record<string, unknown>>, allowedResult?: RegExp): Row {
  return {
    kind: 'mutation',
    field,
    min: 'operator',
    query: `mutation ($id: ID!) { ${field}(instanceId: $id, ${args}) { __typename } }`,
    variables,
    ...(allowedResult ? { allowedResult } : {}),
  };
}
const NO_SUCH_INSTANCE = async () => ({ id: 'no-such-instance' });
let storageDir = '';
const storageInstance = async () => ({ id: (await newInstance('local-storage', { baseDirectory: storageDir, createIfMissing: true })).id });

async function upload(token: string | null, variables: Record<string, unknown>): Promise<GqlResponse> {
  const form = new FormData();
  form.set('operations', JSON.stringify({ query: 'mutation ($id: ID!, $file: File!) { storeFile(instanceId: $id, key: "m.txt", file: $file) { __typename } }', variables: { ...variables, file: null } }));
  form.set('map', JSON.stringify({ 0: ['variables.file'] }));
  form.set('0', new Blob(['matrix'], { type: 'text/plain' }), 'm.txt');
  const response = await fetch(server.graphqlUrl, { method: 'POST', headers: { 'x-plugform-csrf': '1', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: form });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, body: JSON.parse(text) as GqlBody<any> };
}

const ROWS: Row[] = [
  { kind: 'query', field: 'plugins', min: 'viewer', query: '{ plugins { name } }' },
  { kind: 'query', field: 'plugin', min: 'viewer', query: '{ plugin(name: "api-analytics") { name fields { key } } }' },
  { kind: 'query', field: 'pluginLoadErrors', min: 'viewer', query: '{ pluginLoadErrors { path reason } }' },
  { kind: 'query', field: 'pluginInstances', min: 'viewer', query: '{ pluginInstances(first: 5) { edges { node { id configuration } } } }' },
  {
    kind: 'query',
    field: 'pluginInstance',
    min: 'viewer',
    query: 'query ($id: ID!) { pluginInstance(id: $id) { id configuration secrets { key isSet } } }',
    variables: async () => ({ id: shared.id }),
  },
  { kind: 'query', field: 'viewer', min: 'viewer', query: '{ viewer { role tokenName } }' },
  { kind: 'query', field: 'apiTokens', min: 'admin', query: '{ apiTokens { id prefix role } }' },
  { kind: 'query', field: 'auditEvents', min: 'admin', query: '{ auditEvents(last: 5) { action actor actorTokenId } }' },
  { kind: 'query', field: 'exportConfigurationDocument', min: 'viewer', query: '{ exportConfigurationDocument }' },
  {
    kind: 'mutation',
    field: 'applyConfigurationDocument',
    min: 'operator',
    query: 'mutation ($document: JSON!) { applyConfigurationDocument(document: $document) { __typename } }',
    variables: async () => ({
      document: { instances: [{ plugin: 'api-analytics', name: `matrix-document-${++instances}`, configuration: { projectId: 'p' } }] },
    }),
  },
  {
    kind: 'mutation',
    field: 'createPluginInstance',
    min: 'operator',
    query: 'mutation ($input: CreatePluginInstanceInput!) { createPluginInstance(input: $input) { __typename } }',
    variables: async () => ({ input: { pluginName: 'api-analytics', name: `matrix-${++instances}`, configuration: { projectId: 'p' } } }),
  },
  {
    kind: 'mutation',
    field: 'updatePluginInstance',
    min: 'operator',
    query: 'mutation ($input: UpdatePluginInstanceInput!) { updatePluginInstance(input: $input) { __typename } }',
    variables: async () => ({ input: { id: (await newInstance()).id, version: 1, configuration: { projectId: 'changed' } } }),
  },
  {
    kind: 'mutation',
    field: 'deletePluginInstance',
    min: 'operator',
    query: 'mutation ($id: ID!) { deletePluginInstance(id: $id) { __typename } }',
    variables: async () => ({ id: (await newInstance()).id }),
  },
  {
    kind: 'mutation',
    field: 'rollbackPluginInstance',
    min: 'operator',
    query: 'mutation ($id: ID!) { rollbackPluginInstance(id: $id, toVersion: 1, version: 2) { __typename } }',
    variables: async () => {
      const { id } = await newInstance();
      await succeed(server, UPDATE, 'updatePluginInstance', { input: { id, version: 1, configuration: { projectId: 'p2' } } });
      return { id };
    },
  },
  {
    kind: 'mutation',
    field: 'setPluginInstanceEnabled',
    min: 'operator',
    query: 'mutation ($id: ID!) { setPluginInstanceEnabled(id: $id, enabled: false) { __typename } }',
    variables: async () => ({ id: (await newInstance()).id }),
  },
  {
    kind: 'mutation',
    field: 'testPluginConnection',
    min: 'operator',
    query: 'mutation ($input: TestPluginConnectionInput!) { testPluginConnection(input: $input) { __typename } }',
    variables: async () => ({ input: { pluginName: 'api-analytics', configuration: { projectId: 'p' } } }),
  },
  {
    kind: 'mutation',
    field: 'testPluginInstanceConnection',
    min: 'operator',
    query: 'mutation ($id: ID!) { testPluginInstanceConnection(input: { id: $id }) { __typename } }',
    variables: async () => ({ id: shared.id }),
  },
  {
    kind: 'mutation',
    field: 'checkPluginInstanceHealth',
    min: 'operator',
    query: 'mutation ($id: ID!) { checkPluginInstanceHealth(id: $id) { __typename } }',
    variables: async () => ({ id: shared.id }),
  },
  {
    kind: 'mutation',
    field: 'createApiToken',
    min: 'admin',
    query: 'mutation { createApiToken(name: "made in the matrix", role: VIEWER) { __typename } }',
  },
  {
    kind: 'mutation',
    field: 'revokeApiToken',
    min: 'admin',
    query: 'mutation ($id: ID!) { revokeApiToken(id: $id) { __typename } }',
    variables: async () => ({ id: await newTokenId() }),
  },
  operationRow('sendNotification', 'input: { recipient: "r", message: "m" }', async () => ({
    id: (await newInstance('example-echo', { senderName: 'Matrix', apiToken: 'echo-matrix' })).id,
  })),
  operationRow('captureEvent', 'input: { event: "e" }', async () => ({ id: (await newInstance()).id })),
  operationRow('captureEvents', 'events: [{ event: "e" }]', async () => ({ id: (await newInstance()).id })),
  { kind: 'mutation', field: 'storeFile', min: 'operator', query: '', variables: storageInstance, send: upload },
  operationRow('createFileDownloadUrl', 'key: "m.txt"', storageInstance),
  operationRow('listFiles', 'prefix: ""', storageInstance),
  operationRow('deleteFile', 'key: "m.txt"', storageInstance),
  operationRow('createPayment', 'input: { amountMinor: 100, currency: "EUR", paymentMethod: "pm" }', NO_SUCH_INSTANCE, /^NotFoundError$/),
  operationRow('capturePayment', 'input: { paymentId: "pi_1" }', NO_SUCH_INSTANCE, /^NotFoundError$/),
  operationRow('refundPayment', 'input: { paymentId: "pi_1" }', NO_SUCH_INSTANCE, /^NotFoundError$/),
  operationRow('indexDocuments', 'index: "i", documents: [{ id: "1", document: {} }]', NO_SUCH_INSTANCE, /^NotFoundError$/),
  operationRow('searchDocuments', 'input: { index: "i", query: "q" }', NO_SUCH_INSTANCE, /^NotFoundError$/),
  operationRow('verifyCredentials', 'input: { username: "u", password: "p" }', NO_SUCH_INSTANCE, /^NotFoundError$/),
  operationRow('triggerWorkflow', 'workflowId: "w"', NO_SUCH_INSTANCE, /^NotFoundError$/),
  operationRow('deliverEvent', 'event: "e"', NO_SUCH_INSTANCE, /^NotFoundError$/),
  {
    kind: 'subscription',
    field: 'pluginInstanceHealthChanged',
    min: 'viewer',
    query: 'subscription ($id: ID) { pluginInstanceHealthChanged(id: $id) { instanceId status } }',
    // A fresh example-echo instance: its first check moves it from UNKNOWN to HEALTHY.
    variables: async () => ({ id: (await newInstance('example-echo', { senderName: 'Matrix', apiToken: 'echo-matrix' })).id }),
  },
];

/** What must not change when a mutation is refused. */
async function fingerprint() {
  const prisma = server.running.services.prisma;
  const [instanceCount, versions, tokenCount, revoked, audit, health] = await Promise.all([
    prisma.pluginInstance.count(),
    prisma.pluginInstance.aggregate({ _sum: { version: true } }),
    prisma.apiToken.count(),
    prisma.apiToken.count({ where: { revokedAt: { not: null } } }),
    prisma.auditEvent.count(),
    prisma.healthCheck.count(),
  ]);
  return { instanceCount, versions: versions._sum.version, tokenCount, revoked, audit, health };
}

/**
 * A subscription over SSE: opens it, makes a health change happen, and returns the first
 * event's payload (or what the server answered instead of a stream).
 */
async function subscribeOnce(row: Row, token: string | null, variables: Record<string, unknown>, trigger: boolean): Promise<GqlResponse> {
  const controller = new AbortController();
  const response = await fetch(server.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query: row.query, variables }),
    signal: controller.signal,
  });
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const timer = setTimeout(() => controller.abort(), 5000);
  // Once the stream is open, the instance's first health check is a change from UNKNOWN.
  // A refused subscriber gets no change: its refusal must come when it subscribes.
  const change = trigger
    ? setTimeout(() => void server.gql('mutation ($id: ID!) { checkPluginInstanceHealth(id: $id) { __typename } }', variables), 100)
    : undefined;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
      if (/^data: /m.test(text)) break;
    }
  } catch {
    // aborted: no event in time
  } finally {
    clearTimeout(timer);
    clearTimeout(change);
    controller.abort();
  }
  const data = /^data: (.*)$/m.exec(text)?.[1];
  server.responses.push({ status: response.status, headers: [...response.headers.entries()], text });
  return { status: response.status, headers: response.headers, text, body: data ? (JSON.parse(data) as GqlBody<any>) : {} };
}

async function call(row: Row & { allowed: boolean }, caller: Caller, variables: Record<string, unknown>): Promise<GqlResponse> {
  const token = tokens[caller];
  if (row.kind === 'subscription') return subscribeOnce(row, token, variables, row.allowed);
  if (row.send) return row.send(token, variables);
  return server.gql(row.query, variables, { token });
}

describe('role matrix', () => {
  it('covers every root field of the schema', async () => {
    const { body } = await server.gql(`{ __schema {
      queryType { fields { name } } mutationType { fields { name } } subscriptionType { fields { name } }
    } }`);
    const schema = body.data.__schema;
    const inSchema = [
      ...schema.queryType.fields.map((f: { name: string }) => `query ${f.name}`),
      ...schema.mutationType.fields.map((f: { name: string }) => `mutation ${f.name}`),
      ...(schema.subscriptionType?.fields ?? []).map((f: { name: string }) => `subscription ${f.name}`),
    ].sort();
    expect(ROWS.map((row) => `${row.kind} ${row.field}`).sort()).toEqual(inSchema);
  });

  const cases = ROWS.flatMap((row) => CALLERS.map((caller) => ({ ...row, caller, allowed: RANK[caller] >= RANK[row.min] })));

  it.each(cases)('$kind $field as $caller: allowed=$allowed', async (row) => {
    const variables = (await row.variables?.()) ?? {};
    const before = !row.allowed && row.kind === 'mutation' ? await fingerprint() : undefined;
    const response = await call(row, row.caller, variables);
    if (row.caller === 'anonymous') {
      // No token is a 401 like a bad token, for every field (test/security/sessions.test.ts).
      expect(response.status).toBe(401);
      expect(response.body.errors).toEqual([
        expect.objectContaining({ message: 'Sign in: send an API token as "Authorization: Bearer <token>"', extensions: { code: 'UNAUTHENTICATED' } }),
      ]);
      if (before) expect(await fingerprint()).toEqual(before);
      return;
    }
    expect(response.status).toBe(200);
    const value = (response.body.data as Record<string, unknown> | null | undefined)?.[row.field];
    if (row.allowed) {
      expect(response.body.errors).toBeUndefined();
      expect(value).toBeTruthy();
      if (row.kind === 'mutation') expect((value as { __typename: string }).__typename).toMatch(row.allowedResult ?? /Success$/);
      return;
    }
    expect(value ?? null).toBeNull();
    expect(response.body.errors).toEqual([
      expect.objectContaining({
        message: `Your token's role (${row.caller}) does not allow this`,
        path: [row.field],
        extensions: { code: 'FORBIDDEN' },
      }),
    ]);
    if (before) expect(await fingerprint()).toEqual(before);
  });
});

// ---------------------------------------------------------------------------------------
// API tokens

describe('API tokens', () => {
  it('a new token is shown once; lists show its prefix, role, creator and use, never the token', async () => {
    const created = await succeed(server, CREATE_TOKEN, 'createApiToken', { name: '  ci bot  ', role: 'OPERATOR' });
    expect(created.token).toMatch(/^pf_[A-Za-z0-9_-]{43}$/);
    expect(created.apiToken).toEqual({
      id: expect.any(String),
      name: 'ci bot',
      prefix: created.token.slice(0, 9),
      role: 'OPERATOR',
      createdAt: expect.any(String),
      createdBy: 'admin (PLUGFORM_ADMIN_TOKEN)', // the caller's token
      lastUsedAt: null,
      revokedAt: null,
    });

    // The token works, and its use is recorded.
    const me = await server.gql('{ viewer { tokenName role } }', undefined, { token: created.token });
    expect(me.body.data).toEqual({ viewer: { tokenName: 'ci bot', role: 'OPERATOR' } });

    const listed = await server.gql(API_TOKENS);
    const mine = listed.body.data.apiTokens.find((t: { id: string }) => t.id === created.apiToken.id);
    expect(mine).toMatchObject({ name: 'ci bot', prefix: created.token.slice(0, 9), role: 'OPERATOR', createdBy: 'admin (PLUGFORM_ADMIN_TOKEN)', lastUsedAt: expect.any(String), revokedAt: null });
    // The bootstrap admin token was made by no one.
    expect(listed.body.data.apiTokens.find((t: { name: string }) => t.name === 'admin (PLUGFORM_ADMIN_TOKEN)').createdBy).toBeNull();
    expect(listed.text).not.toContain(created.token);
    expect(listed.body.data.apiTokens.map((t: { name: string }) => t.name)).toEqual(
      expect.arrayContaining(['admin (PLUGFORM_ADMIN_TOKEN)', 'matrix viewer', 'matrix operator', 'matrix admin', 'ci bot']),
    );

    // Only a hash is stored.
    const row = await server.running.services.prisma.apiToken.findUniqueOrThrow({ where: { id: created.apiToken.id } });
    expect(row.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(created.token);
  });

  it('a retried createApiToken with the same clientMutationId mints no second token: a ValidationError names the one made', async () => {
    const variables = { name: 'deploy bot', role: 'OPERATOR', clientMutationId: 'make-deploy-bot-1' };
    const created = await succeed(server, CREATE_TOKEN, 'createApiToken', variables);
    const retried = await mutate(server, CREATE_TOKEN, 'createApiToken', variables);
    expect(retried).toMatchObject({
      __typename: 'ValidationError',
      fieldErrors: [{ field: 'clientMutationId', rule: 'alreadyCreated', message: expect.stringContaining(created.apiToken.id) }],
    });
    expect(JSON.stringify(retried)).not.toContain(created.token);
    const rows = await server.running.services.prisma.apiToken.findMany({ where: { name: 'deploy bot' } });
    expect(rows.map((row) => row.id)).toEqual([created.apiToken.id]);
    // The same key for a different token is a reuse, not a retry.
    const other = await mutate(server, CREATE_TOKEN, 'createApiToken', { ...variables, name: 'other bot' });
    expect(other).toMatchObject({ __typename: 'ValidationError', fieldErrors: [expect.objectContaining({ field: 'clientMutationId', rule: 'reused' })] });
    expect(await server.running.services.prisma.apiToken.count({ where: { name: 'other bot' } })).toBe(0);
  });

  it('a revoked token is refused with 401; revoking twice keeps the first revocation', async () => {
    const created = await succeed(server, CREATE_TOKEN, 'createApiToken', { name: 'short-lived', role: 'ADMIN' });
    expect((await server.gql('{ viewer { role } }', undefined, { token: created.token })).status).toBe(200);

    const revoked = await succeed(server, REVOKE_TOKEN, 'revokeApiToken', { id: created.apiToken.id });
    expect(revoked).toMatchObject({ id: created.apiToken.id, name: 'short-lived', revokedAt: expect.any(String) });

    const refused = await server.gql('{ viewer { role } }', undefined, { token: created.token });
    expect(refused.status).toBe(401);
    expect(refused.body).toEqual({ errors: [expect.objectContaining({ message: 'This API token is unknown or revoked', extensions: { code: 'UNAUTHENTICATED' } })] });

    const again = await succeed(server, REVOKE_TOKEN, 'revokeApiToken', { id: created.apiToken.id });
    expect(again.revokedAt).toBe(revoked.revokedAt);
    const listed = await server.gql(API_TOKENS);
    expect(listed.body.data.apiTokens.find((t: { id: string }) => t.id === created.apiToken.id).revokedAt).toBe(revoked.revokedAt);
  });

  it.each([
    { case: 'an unknown token', authorization: 'Bearer pf_not-a-real-token', message: 'This API token is unknown or revoked' },
    { case: 'another scheme', authorization: 'Basic YWRtaW46YWRtaW4=', message: 'The Authorization header must be "Bearer <token>"' },
    { case: 'a bearer without a token', authorization: 'Bearer', message: 'The Authorization header must be "Bearer <token>"' },
  ])('$case is a 401', async ({ authorization, message }) => {
    const response = await server.gql('{ plugins { name } }', undefined, { token: null, headers: { authorization } });
    expect(response.status).toBe(401);
    expect(response.body.errors).toEqual([expect.objectContaining({ message, extensions: { code: 'UNAUTHENTICATED' } })]);
  });

  it('revoking an unknown id is a NotFoundError', async () => {
    const id = '00000000-0000-4000-8000-0000000000ff';
    const result = await server.gql(REVOKE_TOKEN, { id });
    expect(result.body.data.revokeApiToken).toEqual({ __typename: 'NotFoundError', message: expect.stringContaining(id), resource: 'API token', id });
  });

  it.each([
    { case: 'an empty name', variables: { name: '   ', role: 'VIEWER' } },
  ])('$case is a ValidationError', async ({ variables }) => {
    const result = await server.gql(CREATE_TOKEN, variables);
    expect(result.body.data.createApiToken).toMatchObject({ __typename: 'ValidationError', fieldErrors: [{ field: 'name', rule: 'required' }] });
  });

  it('an unknown role is a standard GraphQL input error', async () => {
    const result = await server.gql(CREATE_TOKEN, { name: 'x', role: 'ROOT' });
    expect(result.status).toBeLessThan(500);
    expect(result.body.errors?.[0]?.message).toMatch(/Expected type "Role"/);
    expect(result.text).not.toContain('ROOT');
  });
});

describe('the first admin token', () => {
  it('without PLUGFORM_ADMIN_TOKEN, a first start generates one and announces it once', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'plugform-first-start-'));
    try {
      const first = await startTestServer({ dataDir, pluginPaths: [], env: { PLUGFORM_ADMIN_TOKEN: '' } });
      let token: string | undefined;
      try {
        expect(first.announcements).toHaveLength(1);
        token = /\b(pf_[A-Za-z0-9_-]{43})\b/.exec(first.announcements[0]!)?.[1];
        expect(token).toBeDefined();
        const me = await first.gql('{ viewer { tokenName role } }', undefined, { token });
        expect(me.body.data).toEqual({ viewer: { tokenName: 'admin (generated at first start)', role: 'ADMIN' } });
        expect(first.logs.join('\n')).not.toContain(token!); // announced, not logged
      } finally {
        await first.close();
      }
      const second = await startTestServer({ dataDir, pluginPaths: [], env: { PLUGFORM_ADMIN_TOKEN: '' } });
      try {
        expect(second.announcements).toEqual([]);
        expect((await second.gql('{ viewer { role } }', undefined, { token })).body.data).toEqual({ viewer: { role: 'ADMIN' } });
      } finally {
        await second.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});

// ---------------------------------------------------------------------------------------
// CSRF

describe('CSRF protection', () => {
  const body = JSON.stringify({ query: 'mutation { createApiToken(name: "csrf", role: ADMIN) { __typename } }' });
  const post = (headers: Record<string, string>, payload: BodyInit = body) =>
    server.fetch('/graphql', { method: 'POST', headers: { authorization: `Bearer ${server.adminToken}`, ...headers }, body: payload });
  const tokensNamedCsrf = () => server.running.services.prisma.apiToken.count({ where: { name: 'csrf' } });

  it.each([
    { case: 'text/plain', headers: { 'content-type': 'text/plain' } },
    { case: 'text/plain with a charset', headers: { 'content-type': 'text/plain;charset=UTF-8' } },
    { case: 'a form', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
    { case: 'multipart', headers: { 'content-type': 'multipart/form-data; boundary=x' } },
    { case: 'a foreign Origin', headers: { 'content-type': 'application/json', origin: 'https://evil.example' } },
    { case: 'Origin null (a sandboxed page)', headers: { 'content-type': 'application/json', origin: 'null' } },
    { case: 'a foreign Origin on a look-alike host', headers: { 'content-type': 'application/json', origin: 'http://127.0.0.1.evil.example' } },
  ])('a POST with $case is refused (403) and changes nothing', async ({ headers }) => {
    const before = await tokensNamedCsrf();
    const response = await post(headers as Record<string, string>);
    expect(response.status).toBe(403);
    expect(JSON.parse(response.text)).toEqual({ errors: [{ message: expect.any(String), extensions: { code: 'CSRF_REFUSED' } }] });
    expect(await tokensNamedCsrf()).toBe(before);
  });

  it('a POST without any content type is refused', async () => {
    const response = await post({}, new TextEncoder().encode(body));
    expect(response.status).toBe(403);
  });

  it.each([
    { case: 'the same origin', origin: () => server.url },
    { case: 'an allowed origin (PLUGFORM_ALLOWED_ORIGINS)', origin: () => ALLOWED_ORIGIN },
    { case: 'no Origin (a script, curl)', origin: () => undefined },
  ])('a JSON POST from $case is served', async ({ origin }) => {
    const value = origin();
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (value) headers.origin = value;
    const response = await post(headers);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text)).toEqual({ data: { createApiToken: { __typename: 'MutationCreateApiTokenSuccess' } } });
  });

  it('GET: a same-origin query is served, a foreign one refused, a mutation never runs', async () => {
    const query = encodeURIComponent('{ viewer { role } }');
    const auth = { authorization: `Bearer ${server.adminToken}` };
    const same = await server.fetch(`/graphql?query=${query}`, { headers: { ...auth, origin: server.url, accept: 'application/json' } });
    expect(same.status).toBe(200);
    expect(JSON.parse(same.text)).toEqual({ data: { viewer: { role: 'ADMIN' } } });

    const foreign = await server.fetch(`/graphql?query=${query}`, { headers: { ...auth, origin: 'https://evil.example' } });
    expect(foreign.status).toBe(403);

    const before = await tokensNamedCsrf();
    const mutation = encodeURIComponent('mutation { createApiToken(name: "csrf", role: ADMIN) { __typename } }');
    const viaGet = await server.fetch(`/graphql?query=${mutation}`, { headers: { ...auth, accept: 'application/json' } });
    expect(viaGet.status).toBe(405);
    expect(await tokensNamedCsrf()).toBe(before);
  });

  const preflight = (origin: string) =>
    server.fetch('/graphql', {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' },
    });

  it('a preflight from a foreign origin gets no CORS permission, so the browser stops there', async () => {
    const response = await preflight('https://evil.example');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('a preflight from an allowed origin is permitted, without credentials', async () => {
    const response = await preflight(ALLOWED_ORIGIN);
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
    expect(response.headers.get('access-control-allow-headers')).toMatch(/authorization/);
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
  });
});
