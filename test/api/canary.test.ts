/**
 * The canary check over the API: canary secrets go in through every door (create, update,
 * connection tests before and after saving, health checks, subscriptions), including a
 * plugin steered to leak them every way it can (logs, messages, details, thrown errors,
 * a refused createProvider()), and through every error path (validation, conflicts, a failing
 * secret store). Then every response this server sent (bodies and headers) and every line
 * it logged is searched: no canary appears anywhere.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECRET_MASK } from '../../server/instances/secret-values.ts';
import { SecretStoreError } from '../../server/secrets/index.ts';
import { CHECK_HEALTH, CREATE, DELETE, INSTANCE, SET_ENABLED, TEST_SAVED, TEST_UNSAVED, UPDATE, mutate, succeed } from '../support/graphql.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { startVendor, type Vendor } from './fixtures/vendor.ts';

const canary = (label: string) => `canary${label}${randomBytes(8).toString('hex')}`;
const API_KEY = canary('Key');
const WEBHOOK = canary('Hook');
const REPLACED = canary('New');
const TESTED = canary('Test');
const CANARIES = [API_KEY, WEBHOOK, REPLACED, TESTED];

let server: TestServer;
let vendor: Vendor;
beforeAll(async () => {
  [server, vendor] = await Promise.all([startTestServer(), startVendor()]);
});
afterAll(async () => {
  await Promise.all([server?.close(), vendor?.close()]);
});

let names = 0;
const config = (extra: Record<string, unknown> = {}) => ({ endpoint: vendor.url, senderName: 'Canary Sender', ...extra });
const secrets = (key = API_KEY) => [
  { key: 'apiKey', value: key },
  { key: 'webhookSecret', value: WEBHOOK },
];

async function create(extra: Record<string, unknown> = {}) {
  return succeed(server, CREATE, 'createPluginInstance', {
    input: { pluginName: 'api-notify', name: `canary-${++names}`, configuration: config(extra), secrets: secrets() },
  });
}

/**
 * Listens to health changes over SSE for the whole file; every event is kept for the search.
 * `listening` resolves with the stream's first bytes: yoga sends a ping, then pulls the first
 * event, which subscribes to the bus, before anything else of this process can run.
 */
function listenToHealthChanges(): { listening: Promise<void>; stop(): Promise<string> } {
  const controller = new AbortController();
  let text = '';
  let heard!: () => void;
  const listening = new Promise<void>((resolve) => (heard = resolve));
  const done = (async () => {
    try {
      const response = await fetch(server.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${server.adminToken}` },
        body: JSON.stringify({ query: 'subscription { pluginInstanceHealthChanged { instanceId status previousStatus check { message details } } }' }),
        signal: controller.signal,
      });
      const reader = response.body!.getReader();
      const decoder = new TextDecoder();
      for (let next = await reader.read(); !next.done; next = await reader.read()) {
        text += decoder.decode(next.value, { stream: true });
        heard();
      }
    } catch {
      // aborted at the end of the file's flow
    }
  })();
  return {
    listening,
    async stop() {
      controller.abort();
      await done;
      server.responses.push({ status: 200, headers: [], text });
      return text;
    },
  };
}

describe('canary secrets never come back out', () => {
  it('goes through every operation, the leaking plugin included', async () => {
    const events = listenToHealthChanges();
    await events.listening;

    // Test before saving: plain, leaking in its result, and throwing with the secret.
    for (const faults of [{}, { test: 'leak' }, { test: 'throw-leak' }, { configure: 'leak' }]) {
      const result = await mutate(server, TEST_UNSAVED, 'testPluginConnection', {
        input: { pluginName: 'api-notify', configuration: config({ apiKey: TESTED, faults }), secrets: [{ key: 'webhookSecret', value: WEBHOOK }] },
      });
      expect(result.__typename).toBe('MutationTestPluginConnectionSuccess');
    }

    // Create: fine, and refused by a createProvider() that leaks.
    const instance = await create();
    expect(instance.configuration).toMatchObject({ apiKey: SECRET_MASK, webhookSecret: SECRET_MASK });
    const refused = await mutate(server, CREATE, 'createPluginInstance', {
      input: { pluginName: 'api-notify', name: `canary-${++names}`, configuration: config({ faults: { configure: 'leak' } }), secrets: secrets() },
    });
    expect(refused.__typename).toBe('ConfigureError');

    // Invalid input carrying secrets: the errors name fields and rules, never values.
    const invalid = await mutate(server, CREATE, 'createPluginInstance', {
      input: {
        pluginName: 'api-notify',
        name: `canary-${++names}`,
        configuration: config({ apiKey: `${API_KEY}!!`, colour: API_KEY, senderName: `${API_KEY} ` }),
        secrets: [{ key: 'webhookSecret', value: WEBHOOK }],
      },
    });
    expect(invalid.__typename).toBe('ValidationError');
    const wrongSecret = await mutate(server, CREATE, 'createPluginInstance', {
      input: { pluginName: 'api-notify', name: `canary-${++names}`, configuration: config(), secrets: [{ key: 'region', value: API_KEY }, ...secrets()] },
    });
    expect(wrongSecret.__typename).toBe('ValidationError');

    // Read it every way.
    await server.gql(INSTANCE, { id: instance.id });
    await server.gql('{ pluginInstances(first: 50) { edges { node { configuration secrets { key isSet value } auditEvents { changedKeys } } } } }');

    // Update: keep (mask), replace, a stale version, a refused createProvider() that leaks the new key.
    await succeed(server, UPDATE, 'updatePluginInstance', { input: { id: instance.id, version: 1, configuration: { apiKey: SECRET_MASK, retries: 2 } } });
    await succeed(server, UPDATE, 'updatePluginInstance', { input: { id: instance.id, version: 2, secrets: [{ key: 'apiKey', value: REPLACED }] } });
    const stale = await mutate(server, UPDATE, 'updatePluginInstance', { input: { id: instance.id, version: 1, secrets: [{ key: 'apiKey', value: TESTED }] } });
    expect(stale.__typename).toBe('ConflictError');
    const leakyConfigure = await mutate(server, UPDATE, 'updatePluginInstance', {
      input: { id: instance.id, version: 3, configuration: { faults: { configure: 'leak' } }, secrets: [{ key: 'apiKey', value: TESTED }] },
    });
    expect(leakyConfigure.__typename).toBe('ConfigureError');

    // Test the saved instance: stored secrets, an override, and the plugin leaking both.
    for (const input of [
      { id: instance.id },
      { id: instance.id, configuration: { faults: { test: 'leak' } } },
      { id: instance.id, configuration: { faults: { test: 'throw-leak' } } },
      { id: instance.id, secrets: [{ key: 'apiKey', value: TESTED }], configuration: { faults: { test: 'leak' } } },
    ]) {
      expect((await mutate(server, TEST_SAVED, 'testPluginInstanceConnection', { input })).__typename).toBe('MutationTestPluginInstanceConnectionSuccess');
    }

    // Health: live providers that leak in their report, and that throw with the secret.
    await succeed(server, CHECK_HEALTH, 'checkPluginInstanceHealth', { id: instance.id });
    for (const health of ['leak', 'throw-leak']) {
      const leaky = await create({ faults: { health } });
      const check = await succeed(server, CHECK_HEALTH, 'checkPluginInstanceHealth', { id: leaky.id });
      expect(check.status).not.toBe('HEALTHY');
      await server.gql(INSTANCE, { id: leaky.id });
    }

    // Disable and enable (a provider from the stored secrets), then a failing secret store.
    await succeed(server, SET_ENABLED, 'setPluginInstanceEnabled', { id: instance.id, enabled: false });
    await succeed(server, SET_ENABLED, 'setPluginInstanceEnabled', { id: instance.id, enabled: true });
    server.secretFaults.write = new SecretStoreError('unreachable', 'the secret store is unreachable (test fault)');
    try {
      const failed = await server.gql(UPDATE, { input: { id: instance.id, version: 5, secrets: [{ key: 'apiKey', value: TESTED }] } });
      expect(failed.body.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    } finally {
      delete server.secretFaults.write;
    }

    await succeed(server, DELETE, 'deletePluginInstance', { id: instance.id });
    const text = await events.stop();
    expect(text).toMatch(/pluginInstanceHealthChanged/); // the subscription did see the checks

    // The vendor did get the keys: they were used, just never shown.
    expect(vendor.requests.map((r) => r.authorization)).toEqual(expect.arrayContaining([`Bearer ${TESTED}`, `Bearer ${REPLACED}`]));
  });

  it('no response body or header holds a canary', () => {
    expect(server.responses.length).toBeGreaterThan(20);
    for (const response of server.responses) {
      const everything = `${response.text}\n${response.headers.map(([name, value]) => `${name}: ${value}`).join('\n')}`;
      for (const value of CANARIES) {
        if (everything.includes(value)) throw new Error(`a response holds a canary: ${everything.slice(0, 2000)}`);
      }
    }
  });

  it('no log line holds a canary, though the plugin logged its secrets', () => {
    expect(server.logs.some((line) => line.includes('leaking [redacted]'))).toBe(true);
    const leaked = server.logs.filter((line) => CANARIES.some((value) => line.includes(value)));
    expect(leaked).toEqual([]);
  });
});
