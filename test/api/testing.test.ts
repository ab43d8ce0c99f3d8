/**
 * Connection tests and health checks over HTTP: test before saving, test a saved instance
 * with a partial override (stored secrets merged on the server), check health on demand;
 * plugins that fail, throw, hang or return garbage produce a clear result for that plugin
 * alone while the server keeps serving; unexpected errors are masked with a request id.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SecretStoreError } from '../../server/secrets/index.ts';
import { CHECK_HEALTH, CREATE, INSTANCE, TEST_SAVED, TEST_UNSAVED, UPDATE, mutate, succeed, type MutationResult } from '../support/graphql.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { startVendor, type Vendor } from './fixtures/vendor.ts';

let server: TestServer;
let vendor: Vendor;
let otherVendor: Vendor;
let hangingVendor: Vendor;
/** Started first, finished last: everything else in this file is served while these hang. */
let hanging: { health: Promise<MutationResult>; create: Promise<MutationResult> };

beforeAll(async () => {
  [server, vendor, otherVendor, hangingVendor] = await Promise.all([startTestServer(), startVendor(), startVendor(), startVendor()]);
  hangingVendor.hangPaths.add('/health'); // a vendor that stopped answering health probes
  const instance = await create({ endpoint: hangingVendor.url });
  hanging = {
    health: checkHealth(instance.id),
    create: mutate(server, CREATE, 'createPluginInstance', {
      input: { pluginName: 'api-notify', name: 'hangs-in-configure', configuration: { ...baseConfig(), faults: { configure: 'hang' } } },
    }),
  };
});
afterAll(async () => {
  await Promise.all([server?.close(), vendor?.close(), otherVendor?.close(), hangingVendor?.close()]);
});
beforeEach(() => {
  vendor.requests.length = 0;
  otherVendor.requests.length = 0;
});

let names = 0;
const baseConfig = () => ({ endpoint: vendor.url, apiKey: 'good-key-0001', senderName: 'Acme Alerts' });

async function create(configuration: Record<string, unknown> = {}, pluginName = 'api-notify') {
  return succeed(server, CREATE, 'createPluginInstance', {
    input: { pluginName, name: `testing-${++names}`, configuration: pluginName === 'api-notify' ? { ...baseConfig(), ...configuration } : configuration },
  });
}

const testUnsaved = (input: Record<string, unknown>) => mutate(server, TEST_UNSAVED, 'testPluginConnection', { input });
const testSaved = (input: Record<string, unknown>) => mutate(server, TEST_SAVED, 'testPluginInstanceConnection', { input });
const checkHealth = (id: string) => mutate(server, CHECK_HEALTH, 'checkPluginInstanceHealth', { id });

/** What nothing-is-saved means: no instance, no secret written. */
async function storedState() {
  return { instances: await server.running.services.prisma.pluginInstance.count(), writes: server.secretCalls.write };
}

describe('testPluginConnection (test before saving)', () => {
  it.each([
    { case: 'secrets as configuration keys', input: () => ({ configuration: baseConfig() }) },
    {
      case: 'secrets through `secrets`',
      input: () => ({ configuration: { endpoint: vendor.url, senderName: 'Acme Alerts' }, secrets: [{ key: 'apiKey', value: 'good-key-0001' }] }),
    },
  ])('succeeds against the vendor with $case, and saves nothing', async ({ input }) => {
    const before = await storedState();
    const result = await testUnsaved({ pluginName: 'api-notify', ...input() });
    expect(result).toEqual({
      __typename: 'MutationTestPluginConnectionSuccess',
      data: { success: true, message: 'the vendor accepted the key', details: { status: 200 }, responseTimeMs: expect.any(Number), timestamp: expect.any(String) },
    });
    expect(vendor.requests).toEqual([{ path: '/ping', authorization: 'Bearer good-key-0001' }]);
    expect(await storedState()).toEqual(before);
  });

  it('a key the vendor refuses is an unsuccessful result, not an error', async () => {
    const result = await testUnsaved({ pluginName: 'api-notify', configuration: { ...baseConfig(), apiKey: 'bad-key-0001' } });
    expect(result.data).toMatchObject({ success: false, message: 'the vendor answered 401', details: { status: 401 } });
  });

  it('an invalid configuration is a ValidationError; nothing reaches the vendor', async () => {
    const result = await testUnsaved({ pluginName: 'api-notify', configuration: { endpoint: vendor.url, apiKey: 'short' } });
    expect(result.__typename).toBe('ValidationError');
    expect(result.fieldErrors!.map((e) => `${e.field}:${e.rule}`).sort()).toEqual(['apiKey:minLength', 'senderName:required']);
    expect(vendor.requests).toEqual([]);
  });

  it('an unknown plugin is a PluginUnavailableError', async () => {
    expect(await testUnsaved({ pluginName: 'no-such-plugin', configuration: {} })).toMatchObject({
      __typename: 'PluginUnavailableError',
      pluginName: 'no-such-plugin',
    });
  });

  it.each([
    { fault: 'fail', message: /^the vendor refused the test$/ },
    { fault: 'throw', message: /test exploded/ },
    { fault: 'garbage', message: /testConnection returned a malformed result/ },
    { fault: 'hang', message: /did not finish within 1500 ms/ }, // the plugin's testTimeoutMs
  ])('a test that does "$fault" is an unsuccessful result naming the problem', async ({ fault, message }) => {
    const result = await testUnsaved({ pluginName: 'api-notify', configuration: { ...baseConfig(), faults: { test: fault } } });
    expect(result).toMatchObject({ __typename: 'MutationTestPluginConnectionSuccess', data: { success: false, message: expect.stringMatching(message) } });
  });

  it('a createProvider() that refuses the configuration is an unsuccessful result', async () => {
    const result = await testUnsaved({ pluginName: 'api-notify', configuration: { ...baseConfig(), faults: { configure: 'fail' } } });
    expect(result.data).toMatchObject({ success: false, message: expect.stringContaining('the vendor account is suspended') });
  });

  it('a plugin without a connection test accepts a valid configuration', async () => {
    const result = await testUnsaved({ pluginName: 'api-analytics', configuration: { projectId: 'p1' } });
    expect(result.data).toMatchObject({ success: true, message: expect.stringMatching(/no connection test/) });
  });
});

describe('testPluginInstanceConnection (a saved instance, optional partial override)', () => {
  it('uses the stored configuration and secrets', async () => {
    const instance = await create();
    vendor.requests.length = 0;
    const result = await testSaved({ id: instance.id });
    expect(result.data).toMatchObject({ success: true, message: 'the vendor accepted the key' });
    expect(vendor.requests).toEqual([{ path: '/ping', authorization: 'Bearer good-key-0001' }]);
  });

  it('merges a partial override over the stored configuration; the stored secret is kept on the server', async () => {
    const instance = await create();
    vendor.requests.length = 0;
    const result = await testSaved({ id: instance.id, configuration: { retries: 1 } });
    expect(result.data.success).toBe(true);
    expect(vendor.requests).toEqual([{ path: '/ping', authorization: 'Bearer good-key-0001' }]);
  });

  it('sends a secret to a new endpoint only when the override gives it again (destination binding)', async () => {
    const instance = await create();
    const refused = await testSaved({ id: instance.id, configuration: { endpoint: otherVendor.url } });
    expect(refused).toMatchObject({
      __typename: 'ValidationError',
      fieldErrors: [{ field: 'apiKey', rule: 'destinationChanged', message: 're-enter API Key: Endpoint changed' }],
    });
    expect(otherVendor.requests).toEqual([]);
    const result = await testSaved({ id: instance.id, configuration: { endpoint: otherVendor.url }, secrets: [{ key: 'apiKey', value: 'good-key-0001' }] });
    expect(result.data.success).toBe(true);
    expect(otherVendor.requests).toEqual([{ path: '/ping', authorization: 'Bearer good-key-0001' }]);
  });

  it.each([
    { case: 'an echoed mask', override: { configuration: { apiKey: '••••••••' } }, sent: 'Bearer good-key-0001' },
    { case: 'a new secret through `secrets`', override: { secrets: [{ key: 'apiKey', value: 'good-key-override' }] }, sent: 'Bearer good-key-override' },
    { case: 'a new secret as a configuration key', override: { configuration: { apiKey: 'good-key-override' } }, sent: 'Bearer good-key-override' },
  ])('with $case, tests that key and saves nothing, touching no live provider', async ({ override, sent }) => {
    const instance = await create();
    const before = { ...(await storedState()), version: instance.version };
    vendor.requests.length = 0;
    const result = await testSaved({ id: instance.id, ...override });
    expect(result.data.success).toBe(true);
    expect(vendor.requests).toEqual([{ path: '/ping', authorization: sent }]);
    // Nothing saved: same version, same stored secret; the live provider still uses it.
    const after = await server.gql(INSTANCE, { id: instance.id });
    expect(after.body.data.pluginInstance.version).toBe(before.version);
    expect(await storedState()).toEqual({ instances: before.instances, writes: before.writes });
    vendor.requests.length = 0;
    expect((await checkHealth(instance.id)).data.status).toBe('HEALTHY');
    expect(vendor.requests).toEqual([{ path: '/health', authorization: 'Bearer good-key-0001' }]);
  });

  it('an override that breaks the configuration is a ValidationError', async () => {
    const instance = await create();
    const result = await testSaved({ id: instance.id, configuration: { endpoint: null, colour: 'red' } });
    expect(result.__typename).toBe('ValidationError');
    expect(result.fieldErrors!.map((e) => `${e.field}:${e.rule}`).sort()).toEqual(['colour:unknown', 'endpoint:required']);
  });

  it('the same key in configuration and secrets is a ValidationError', async () => {
    const instance = await create();
    const result = await testSaved({ id: instance.id, configuration: { apiKey: 'good-key-aaaa' }, secrets: [{ key: 'apiKey', value: 'good-key-bbbb' }] });
    expect(result).toMatchObject({ __typename: 'ValidationError', fieldErrors: [{ field: 'apiKey', rule: 'duplicate' }] });
  });

  it('an unknown id is a NotFoundError', async () => {
    const id = '00000000-0000-4000-8000-00000000000a';
    expect(await testSaved({ id })).toMatchObject({ __typename: 'NotFoundError', resource: 'Plugin instance', id });
  });
});

describe('checkPluginInstanceHealth', () => {
  it('asks the live provider, records the check and updates the instance', async () => {
    const instance = await create();
    const result = await checkHealth(instance.id);
    expect(result).toEqual({
      __typename: 'MutationCheckPluginInstanceHealthSuccess',
      data: {
        pluginInstanceId: instance.id,
        status: 'HEALTHY',
        message: 'vendor reachable',
        details: null,
        responseTimeMs: expect.any(Number),
        timestamp: expect.any(String),
      },
    });
    const { body } = await server.gql(INSTANCE, { id: instance.id });
    expect(body.data.pluginInstance).toMatchObject({
      healthStatus: 'HEALTHY',
      lastHealthCheckAt: result.data.timestamp,
      healthSince: result.data.timestamp,
      healthHistory: [{ status: 'HEALTHY', message: 'vendor reachable', checkedAt: result.data.timestamp }],
    });
  });

  it.each([
    { fault: 'fail', status: 'UNHEALTHY', message: /^the vendor is down$/ },
    { fault: 'throw', status: 'UNHEALTHY', message: /health exploded/ },
    { fault: 'garbage', status: 'UNHEALTHY', message: /healthCheck returned a malformed result/ },
  ])('a health check that does "$fault" is $status, naming the problem', async ({ fault, status, message }) => {
    const instance = await create({ faults: { health: fault } });
    const result = await checkHealth(instance.id);
    expect(result.data).toMatchObject({ status, message: expect.stringMatching(message) });
  });

  it('a plugin without a health check is UNKNOWN', async () => {
    const instance = await create({ projectId: 'p1' }, 'api-analytics');
    expect((await checkHealth(instance.id)).data).toMatchObject({ status: 'UNKNOWN', message: 'This plugin has no health check' });
  });

  it('an unknown id is a NotFoundError', async () => {
    const id = '00000000-0000-4000-8000-00000000000b';
    expect(await checkHealth(id)).toMatchObject({ __typename: 'NotFoundError', id });
  });
});

describe('unexpected errors', () => {
  it('an unexpected error is masked for the client, with the request id it is logged under', async () => {
    const instance = await create();
    server.secretFaults.read = new SecretStoreError('unreachable', 'the secret store is unreachable (test fault)');
    try {
      const response = await server.gql(UPDATE, { input: { id: instance.id, version: 1, configuration: { retries: 2 } } }, { headers: { 'x-request-id': 'req-masking-1' } });
      // GraphQL over HTTP with application/json: a 200 whose body says what went wrong.
      expect(response.status).toBe(200);
      expect(response.body.data).toBeNull();
      expect(response.headers.get('x-request-id')).toBe('req-masking-1');
      expect(response.body.errors).toEqual([
        {
          message: 'Unexpected error; the server log has the details under request id req-masking-1',
          locations: expect.any(Array),
          path: ['updatePluginInstance'],
          extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'req-masking-1' },
        },
      ]);
      expect(response.text).not.toContain('unreachable');
      const logged = server.logs.filter((line) => line.includes('req-masking-1'));
      expect(logged).toEqual([expect.stringMatching(/^error graphql: unexpected error .*the secret store is unreachable \(test fault\)/)]);
      expect(logged[0]).toContain('"path":"updatePluginInstance"');
    } finally {
      delete server.secretFaults.read;
    }
    // Nothing was changed, and the server goes on.
    const { body } = await server.gql(INSTANCE, { id: instance.id });
    expect(body.data.pluginInstance.version).toBe(1);
  });

  it('an x-request-id that is not a sane id is replaced, never echoed', async () => {
    const response = await server.gql('{ viewer { role } }', undefined, { headers: { 'x-request-id': 'evil id\twith <tags>' } });
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('without an x-request-id, the server makes one and the error and the header agree', async () => {
    const instance = await create();
    server.secretFaults.read = new Error('disk on fire');
    try {
      const response = await server.gql(TEST_SAVED, { input: { id: instance.id } });
      const requestId = response.headers.get('x-request-id');
      expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(response.body.errors?.[0]?.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR', requestId });
      expect(server.logs.some((line) => line.includes(requestId!) && line.includes('disk on fire'))).toBe(true);
    } finally {
      delete server.secretFaults.read;
    }
  });
});

describe('faults are contained (last: these hung while every test above ran)', () => {
  it('a hanging health check and a hanging createProvider() time out, and meanwhile the server kept serving', async () => {
    // Both started before the first test of this file; every test above ran while they hung.
    const answered = server.responses.length;
    expect(answered).toBeGreaterThan(30);
    const { body } = await server.gql('{ viewer { role } plugins { name } }');
    expect(body.data.viewer.role).toBe('ADMIN');

    const health = await hanging.health;
    expect(health.data).toMatchObject({ status: 'UNHEALTHY', message: expect.stringMatching(/timed out|did not finish/) });
    const created = await hanging.create;
    expect(created).toMatchObject({ __typename: 'ConfigureError', message: expect.stringMatching(/did not finish within \d+ ms/) });
    const list = await server.gql('query { pluginInstances(pluginName: "api-notify", first: 100) { edges { node { name } } } }');
    expect(list.body.data.pluginInstances.edges.map((e: { node: { name: string } }) => e.node.name)).not.toContain('hangs-in-configure');
  }, 40_000);
});
