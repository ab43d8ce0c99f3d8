/**
 * The reference guide's REST endpoints at exactly its paths, with its JSON names, on the same
 * tokens, roles and CSRF rules as GraphQL, and the OpenAPI document that describes them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rest, restOperation } from '../support/operations.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { startVendor, type Vendor } from './fixtures/vendor.ts';

const SECRET = 'echo-CANARY-rest-secret';
/** Small enough to reach with one request; the guide tests below use the admin token's budget twice. */
const MAX_BODY_BYTES = 65_536;
const MAX_CHECKS_PER_MINUTE = 3;
let server: TestServer;
let vendor: Vendor;

beforeAll(async () => {
  [server, vendor] = await Promise.all([
    startTestServer({ env: { PLUGFORM_MAX_BODY_BYTES: String(MAX_BODY_BYTES), PLUGFORM_MAX_CHECKS_PER_MINUTE: String(MAX_CHECKS_PER_MINUTE) } }),
    startVendor(),
  ]);
});
afterAll(async () => {
  const everything = server.responses.map((r) => r.text).join('\n');
  expect(everything).not.toContain(SECRET);
  await Promise.all([server?.close(), vendor?.close()]);
});

async function createEcho(name: string) {
  const created = await rest(server, 'POST', '/plugins/instances', { plugin_name: 'example-echo', instance_name: name, configuration: { senderName: 'Guide', apiToken: SECRET } });
  expect(created.status, created.text).toBe(201);
  return created.body;
}

describe("the guide's endpoints", () => {
  it('GET /api/v1/plugins/ lists every plugin with its schema', async () => {
    const listed = await rest(server, 'GET', '/plugins/');
    expect(listed.status).toBe(200);
    const echo = listed.body.find((p: { name: string }) => p.name === 'example-echo');
    expect(echo).toMatchObject({ name: 'example-echo', display_name: 'Example Echo', type: 'NOTIFICATION', supports_health_check: true, operations: ['sendNotification'] });
    expect(echo.fields.find((f: { key: string }) => f.key === 'apiToken')).toMatchObject({ type: 'SECRET', is_secret: true });
  });

  it('POST /api/v1/plugins/instances with a client_mutation_id: a retry answers 201 with the instance the first one made', async () => {
    const body = { plugin_name: 'example-echo', instance_name: 'guide-retried', configuration: { senderName: 'Guide', apiToken: SECRET }, client_mutation_id: 'rest-create-1' };
    const first = await rest(server, 'POST', '/plugins/instances', body);
    const again = await rest(server, 'POST', '/plugins/instances', body);
    expect(first.status, first.text).toBe(201);
    expect(again.status, again.text).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    expect(await server.running.services.prisma.pluginInstance.count({ where: { name: 'guide-retried' } })).toBe(1);
    const reused = await rest(server, 'POST', '/plugins/instances', { ...body, instance_name: 'guide-other' });
    expect(reused.status).toBe(400);
    expect(reused.body.errors[0].extensions.field_errors).toEqual([expect.objectContaining({ field: 'clientMutationId', rule: 'reused' })]);
  });

  it('GET /api/v1/plugins/{plugin_name}/schema returns one schema, 404 for an unknown plugin', async () => {
    const schema = await rest(server, 'GET', '/plugins/example-echo/schema');
    expect(schema.status).toBe(200);
    expect(schema.body.json_schema).toMatchObject({ type: 'object' });
    const missing = await rest(server, 'GET', '/plugins/no-such-plugin/schema');
    expect(missing.status).toBe(404);
    expect(missing.body.errors[0].extensions.code).toBe('NOT_FOUND');
  });

  it('POST /api/v1/plugins/instances takes plugin_name, instance_name and configuration; secrets come back masked', async () => {
    const created = await createEcho('guide-create');
    expect(created).toMatchObject({ plugin_name: 'example-echo', instance_name: 'guide-create', status: 'active', version: 1 });
    expect(created.configuration).toEqual({ senderName: 'Guide', maxMessages: 100, apiToken: '••••••••' });
    expect(created.secrets).toEqual([{ key: 'apiToken', is_set: true, updated_at: expect.any(String) }]);
  });

  it('bad input: 400 with the field errors, never the values, nothing stored', async () => {
    const refused = await rest(server, 'POST', '/plugins/instances', { plugin_name: 'example-echo', instance_name: 'guide-bad', configuration: { senderName: 'x', apiToken: 'not-echo-CANARY-value', typo: 1 } });
    expect(refused.status).toBe(400);
    expect(refused.body.errors[0].extensions.field_errors.map((e: { field: string }) => e.field)).toContain('typo');
    expect(refused.text).not.toContain('not-echo-CANARY-value');
    expect(await server.running.services.prisma.pluginInstance.count({ where: { name: 'guide-bad' } })).toBe(0);
  });

  it('GET …/configuration, POST …/test (with an override merged over the stored secrets) and GET …/health', async () => {
    const { id } = await createEcho('guide-read');
    const configuration = await rest(server, 'GET', `/plugins/instances/${id}/configuration`);
    expect(configuration.status).toBe(200);
    expect(configuration.body.configuration.apiToken).toBe('••••••••');

    const tested = await rest(server, 'POST', `/plugins/instances/${id}/test`, { configuration: { senderName: 'Override' } });
    expect(tested.status, tested.text).toBe(200);
    expect(tested.body).toMatchObject({ success: true, response_time_ms: expect.any(Number), timestamp: expect.any(String) });
    // The override is validated like a save, and named by field.
    const badToken = await rest(server, 'POST', `/plugins/instances/${id}/test`, { configuration: { apiToken: 'CANARY-not-an-echo-token' } });
    expect(badToken.status).toBe(400);
    expect(badToken.body.errors[0].extensions.field_errors).toEqual([expect.objectContaining({ field: 'apiToken', rule: 'pattern' })]);
    expect(badToken.text).not.toContain('CANARY-not-an-echo-token');

    const before = await rest(server, 'GET', `/plugins/instances/${id}/health`);
    expect(before.body, before.text + before.status).toMatchObject({ plugin_instance_id: id, status: 'unknown' });
    await server.gql('mutation ($id: ID!) { checkPluginInstanceHealth(id: $id) { __typename } }', { id });
    const after = await rest(server, 'GET', `/plugins/instances/${id}/health`);
    expect(after.body).toMatchObject({ plugin_instance_id: id, status: 'healthy', response_time_ms: expect.any(Number) });
    expect((await rest(server, 'GET', '/plugins/instances/00000000-0000-0000-0000-000000000000/health')).status).toBe(404);
  });
});

describe('same tokens, roles and CSRF rules as GraphQL', () => {
  it('anonymous: 401; viewer: reads but never writes or invokes; a bad header: 401', async () => {
    const { id } = await createEcho('guide-roles');
    expect((await rest(server, 'GET', '/plugins/', undefined, null)).status).toBe(401);
    const viewer = await server.tokenFor('viewer');
    expect((await rest(server, 'GET', '/plugins/', undefined, viewer)).status).toBe(200);
    const create = await rest(server, 'POST', '/plugins/instances', { plugin_name: 'example-echo', instance_name: 'by-viewer', configuration: {} }, viewer);
    expect(create.status).toBe(403);
    const invoke = await restOperation(server, id, 'sendNotification', { recipient: 'r', message: 'm' }, { token: viewer });
    expect(invoke.status).toBe(403);
    const revoked = await server.fetch('/api/v1/plugins/', { headers: { authorization: 'Bearer pf_unknown' } });
    expect(revoked.status).toBe(401);
  });

  it('a service token invokes its scoped operation and nothing else', async () => {
    const { id } = await createEcho('guide-service');
    const other = await createEcho('guide-service-other');
    const created = await server.gql(
      `mutation ($scopes: [OperationScopeInput!]) { createApiToken(name: "rest svc", role: OPERATOR, scopes: $scopes) { ... on MutationCreateApiTokenSuccess { data { token } } } }`,
      { scopes: [{ instanceId: id, operations: ['sendNotification'] }] },
    );
    const token = created.body.data.createApiToken.data.token;
    expect((await restOperation(server, id, 'sendNotification', { recipient: 'r', message: 'm' }, { token })).status).toBe(200);
    expect((await restOperation(server, other.id, 'sendNotification', { recipient: 'r', message: 'm' }, { token })).status).toBe(403);
    expect((await rest(server, 'GET', `/plugins/instances/${id}/configuration`, undefined, token)).status).toBe(403);
  });

  it('refuses cross-site requests: a form POST without the CSRF header, and foreign origins', async () => {
    const form = await server.fetch('/api/v1/plugins/instances', {
      method: 'POST',
      headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'text/plain' },
      body: JSON.stringify({ plugin_name: 'example-echo', instance_name: 'csrf', configuration: {} }),
    });
    expect(form.status).toBe(403);
    const foreign = await server.fetch('/api/v1/plugins/', { headers: { authorization: `Bearer ${server.adminToken}`, origin: 'https://evil.example' } });
    expect(foreign.status).toBe(403);
    expect(await server.running.services.prisma.pluginInstance.count({ where: { name: 'csrf' } })).toBe(0);
  });

  it('an unknown REST path is a 404, not the console page', async () => {
    const unknown = await server.fetch('/api/v1/no-such-endpoint', { headers: { authorization: `Bearer ${server.adminToken}` } });
    expect(unknown.status).toBe(404);
    expect(unknown.text).not.toContain('<html');
  });
});

describe('same limits as GraphQL', () => {
  /** A body of `bytes` sent in 1000-byte chunks, so no Content-Length tells its size. */
  const chunked = (text: string) => {
    const bytes = new TextEncoder().encode(text);
    return new ReadableStream<Uint8Array>({
      start(controller) {
        for (let at = 0; at < bytes.length; at += 1000) controller.enqueue(bytes.slice(at, at + 1000));
        controller.close();
      },
    });
  };
  const oversized = () => JSON.stringify({ plugin_name: 'example-echo', instance_name: 'guide-oversized', configuration: { senderName: 'x'.repeat(MAX_BODY_BYTES), apiToken: SECRET } });

  it.each([
    ['with a Content-Length', () => ({ body: oversized() })],
    ['streamed without a Content-Length', () => ({ body: chunked(oversized()), duplex: 'half' })],
  ])('a body larger than PLUGFORM_MAX_BODY_BYTES, %s: 413 with a JSON error naming the setting, nothing stored', async (_how, body) => {
    const response = await server.fetch('/api/v1/plugins/instances', {
      method: 'POST',
      headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/json' },
      ...body(),
    } as RequestInit);
    expect(response.status).toBe(413);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(JSON.parse(response.text).errors).toEqual([
      expect.objectContaining({
        message: expect.stringContaining(`larger than ${MAX_BODY_BYTES} bytes (PLUGFORM_MAX_BODY_BYTES)`),
        extensions: expect.objectContaining({ code: 'LIMIT_EXCEEDED', limit: 'PLUGFORM_MAX_BODY_BYTES', max: MAX_BODY_BYTES }),
      }),
    ]);
    expect(response.text).not.toContain('xxxxxxxxxx');
    expect(await server.running.services.prisma.pluginInstance.count({ where: { name: 'guide-oversized' } })).toBe(0);
  });

  it.each([
    ['POST /plugins/instances', () => '/api/v1/plugins/instances', (nested: string) => `{"plugin_name":"example-echo","instance_name":"guide-nested","configuration":{"senderName":"x","apiToken":"${SECRET}","headers":${nested}}}`],
    ['an operation', (id: string) => `/api/v1/plugins/instances/${id}/operations/sendNotification`, (nested: string) => `{"input":{"recipient":"r","message":"m","metadata":${nested}},"idempotency_key":"guide-nested"}`],
  ])('%s: a JSON body nested past PLUGFORM_MAX_INPUT_DEPTH is refused with 400 naming the setting before anything reads it', async (_route, path, body) => {
    const { id } = await createEcho(`guide-nested-${Math.random().toString(36).slice(2)}`);
    const depth = 10_000;
    // As JSON text: JSON.stringify itself would overflow the test's stack.
    const nested = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    const response = await server.fetch(path(id), {
      method: 'POST',
      headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/json' },
      body: body(nested),
    });
    expect(response.status).toBe(400);
    expect(JSON.parse(response.text).errors).toEqual([
      expect.objectContaining({
        message: expect.stringContaining('nests deeper than 32 levels (PLUGFORM_MAX_INPUT_DEPTH)'),
        extensions: expect.objectContaining({ code: 'LIMIT_EXCEEDED', limit: 'PLUGFORM_MAX_INPUT_DEPTH', max: 32 }),
      }),
    ]);
    expect(await server.running.services.prisma.pluginInstance.count({ where: { name: 'guide-nested' } })).toBe(0);
  });

  it('an operation route refuses an oversized body the same way', async () => {
    const { id } = await createEcho('guide-oversized-operation');
    const sent = await restOperation(server, id, 'sendNotification', { recipient: 'r', message: 'x'.repeat(MAX_BODY_BYTES) });
    expect(sent.status).toBe(413);
    expect(sent.body.errors[0].extensions).toMatchObject({ code: 'LIMIT_EXCEEDED', limit: 'PLUGFORM_MAX_BODY_BYTES' });
  });

  it('POST …/test spends the token’s PLUGFORM_MAX_CHECKS_PER_MINUTE: past it, 429 naming the setting, and the vendor is not called', async () => {
    const created = await rest(server, 'POST', '/plugins/instances', {
      plugin_name: 'api-notify',
      instance_name: 'guide-check-budget',
      configuration: { endpoint: vendor.url, apiKey: 'good-key-rest-budget', senderName: 'Budget' },
    });
    expect(created.status, created.text).toBe(201);
    const operator = await server.tokenFor('operator', 'rest check budget');
    const test = () => rest(server, 'POST', `/plugins/instances/${created.body.id}/test`, { configuration: {} }, operator);
    vendor.requests.length = 0;
    for (let i = 0; i < MAX_CHECKS_PER_MINUTE; i++) {
      const tested = await test();
      expect(tested.status, tested.text).toBe(200);
      expect(tested.body.success).toBe(true);
    }
    const reached = vendor.requests.length;
    expect(reached).toBeGreaterThan(0);

    const refused = await test();
    expect(refused.status).toBe(429);
    expect(refused.body.errors[0]).toMatchObject({
      message: expect.stringContaining('PLUGFORM_MAX_CHECKS_PER_MINUTE'),
      extensions: { code: 'LIMIT_EXCEEDED', limit: 'PLUGFORM_MAX_CHECKS_PER_MINUTE', max: MAX_CHECKS_PER_MINUTE, retry_after_seconds: expect.any(Number) },
    });
    expect(Number(refused.headers.get('retry-after'))).toBe(refused.body.errors[0].extensions.retry_after_seconds);
    expect(vendor.requests).toHaveLength(reached);
  });
});

describe('/api/v1/openapi.json', () => {
  it("describes the guide's paths and every operation", async () => {
    const document = await rest(server, 'GET', '/openapi.json', undefined, null);
    expect(document.status).toBe(200);
    expect(document.body.servers).toEqual([{ url: '/api/v1' }]);
    const paths = Object.keys(document.body.paths).map((path) => `/api/v1${path}`);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/v1/plugins/',
        '/api/v1/plugins/{plugin_name}/schema',
        '/api/v1/plugins/instances',
        '/api/v1/plugins/instances/{instance_id}/configuration',
        '/api/v1/plugins/instances/{instance_id}/test',
        '/api/v1/plugins/instances/{instance_id}/health',
        '/api/v1/plugins/instances/{instance_id}/operations/sendNotification',
        '/api/v1/plugins/instances/{instance_id}/operations/createPayment',
      ]),
    );
    expect(document.body.paths['/plugins/instances'].post.requestBody.content['application/json'].schema.required).toEqual(
      expect.arrayContaining(['plugin_name', 'instance_name']),
    );
  });
});
