/**
 * The instance lifecycle over HTTP: create, read (masked), update with a version, enable and
 * disable, delete; every error a client reacts to comes back as data and leaves stored state
 * as it was; secret merge semantics (omitted kept, null cleared, echoed mask kept, typed
 * `secrets` and configuration keys, never both for one key).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { SECRET_MASK } from '../../server/instances/secret-values.ts';
import { CHECK_HEALTH, CREATE, DELETE, INSTANCE, SET_ENABLED, TEST_SAVED, UPDATE, mutate, succeed } from '../support/graphql.ts';
import { FIXTURE_PLUGINS, startTestServer, type TestServer } from '../support/server.ts';
import { startVendor, type Vendor } from './fixtures/vendor.ts';

let server: TestServer;
let vendor: Vendor;
beforeAll(async () => {
  [server, vendor] = await Promise.all([startTestServer(), startVendor()]);
});
afterAll(async () => {
  await Promise.all([server?.close(), vendor?.close()]);
});
beforeEach(() => {
  vendor.requests.length = 0;
});

let names = 0;
const uniqueName = (prefix = 'notify') => `${prefix}-${++names}`;
const baseConfig = () => ({ endpoint: vendor.url, apiKey: 'good-key-0001', senderName: 'Acme Alerts' });

async function create(overrides: Record<string, unknown> = {}) {
  return succeed(server, CREATE, 'createPluginInstance', {
    input: { pluginName: 'api-notify', name: uniqueName(), configuration: baseConfig(), ...overrides },
  });
}

async function read(id: string, last = 20) {
  const { body } = await server.gql(INSTANCE, { id, last });
  expect(body.errors).toBeUndefined();
  return body.data.pluginInstance;
}

async function instanceCount(): Promise<number> {
  return server.running.services.prisma.pluginInstance.count();
}

/** The key the live provider of an instance sends to the vendor (its health check calls it). */
async function liveKey(id: string): Promise<string | undefined> {
  vendor.requests.length = 0;
  const health = await succeed(server, CHECK_HEALTH, 'checkPluginInstanceHealth', { id });
  expect(health.status).toBe('HEALTHY');
  return vendor.requests.at(-1)?.authorization;
}

/** The key a connection test of the saved instance sends (stored secrets merged on the server). */
async function storedKey(id: string): Promise<string | undefined> {
  vendor.requests.length = 0;
  const result = await succeed(server, TEST_SAVED, 'testPluginInstanceConnection', { input: { id } });
  expect(result.success).toBe(true);
  return vendor.requests.at(-1)?.authorization;
}

describe('createPluginInstance', () => {
  it('validates, stores secrets apart, configures a live provider and returns the instance masked', async () => {
    const name = uniqueName();
    const writes = server.secretCalls.write;
    const created = await succeed(server, CREATE, 'createPluginInstance', {
      input: {
        pluginName: 'api-notify',
        name: `  ${name}  `,
        configuration: { ...baseConfig(), retries: '5', topics: ['alerts'] },
        secrets: [{ key: 'webhookSecret', value: 'whsec-0001' }],
      },
    });
    expect(created).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      pluginName: 'api-notify',
      name, // trimmed
      enabled: true,
      status: 'ACTIVE',
      statusMessage: null,
      version: 1,
      healthStatus: 'UNKNOWN',
      healthSince: null,
      lastHealthCheckAt: null,
      plugin: { name: 'api-notify', type: 'NOTIFICATION' },
    });
    // Coerced and defaulted values are stored; secrets appear only as the mask.
    expect(created.configuration).toEqual({
      endpoint: vendor.url,
      senderName: 'Acme Alerts',
      retries: 5,
      topics: ['alerts'],
      channel: 'email',
      verbose: false,
      apiKey: SECRET_MASK,
      webhookSecret: SECRET_MASK,
    });
    expect(created.secrets).toEqual([
      { key: 'apiKey', label: 'API Key', isSet: true, updatedAt: expect.any(String), value: SECRET_MASK },
      { key: 'webhookSecret', label: 'Webhook Secret', isSet: true, updatedAt: expect.any(String), value: SECRET_MASK },
    ]);
    expect(server.secretCalls.write).toBe(writes + 1); // one document for both secrets
    // The database row holds no secret; the store holds both.
    const row = await server.running.services.prisma.pluginInstance.findUniqueOrThrow({ where: { id: created.id } });
    expect(JSON.stringify(row)).not.toMatch(/good-key-0001|whsec-0001/);
    expect((await server.running.services.secrets.read(created.id)).values).toEqual({ apiKey: 'good-key-0001', webhookSecret: 'whsec-0001' });
    expect(await liveKey(created.id)).toBe('Bearer good-key-0001');
  });

  it('takes its input as literals too (as typed in GraphiQL), secrets included', async () => {
    const name = uniqueName('literal');
    const { body } = await server.gql(`mutation {
      createPluginInstance(input: {
        pluginName: "api-notify", name: "${name}",
        configuration: { endpoint: "${vendor.url}", senderName: "Literal Sender", headers: { x: [1, true, null] }, ports: [25] },
        secrets: [{ key: "apiKey", value: "good-key-literal" }]
      }) { __typename ... on MutationCreatePluginInstanceSuccess { data { id configuration } } }
    }`);
    const created = body.data.createPluginInstance;
    expect(created.__typename).toBe('MutationCreatePluginInstanceSuccess');
    expect(created.data.configuration).toMatchObject({ headers: { x: [1, true, null] }, ports: [25], apiKey: SECRET_MASK });
    expect(await liveKey(created.data.id)).toBe('Bearer good-key-literal');
  });

  it('an unset optional secret is reported unset, and a disabled instance gets no provider', async () => {
    const created = await create({ enabled: false });
    expect(created).toMatchObject({ enabled: false, status: 'INACTIVE' });
    expect(created.secrets).toEqual([
      expect.objectContaining({ key: 'apiKey', isSet: true }),
      { key: 'webhookSecret', label: 'Webhook Secret', isSet: false, updatedAt: null, value: null },
    ]);
    expect(created.configuration).not.toHaveProperty('webhookSecret');
    expect(server.running.services.instances.pool.get(created.id)).toBeUndefined();
  });

  const invalid: { case: string; input: Record<string, unknown>; errors: { field: string; rule: string; message?: RegExp }[] }[] = [
    {
      case: 'missing required fields',
      input: { replaceConfiguration: {} },
      errors: [
        { field: 'endpoint', rule: 'required' },
        { field: 'apiKey', rule: 'required' },
        { field: 'senderName', rule: 'required' },
      ],
    },
    { case: 'an unknown key (never dropped)', input: { configuration: { colour: 'red' } }, errors: [{ field: 'colour', rule: 'unknown', message: /colour/ }] },
    { case: 'a value above maxValue', input: { configuration: { retries: 11 } }, errors: [{ field: 'retries', rule: 'maxValue', message: /Retries/ }] },
    { case: 'a secret too short', input: { configuration: { apiKey: 'short' } }, errors: [{ field: 'apiKey', rule: 'minLength' }] },
    {
      case: 'a secret breaking its pattern rule',
      input: { configuration: { apiKey: 'has spaces in it' } },
      errors: [{ field: 'apiKey', rule: 'pattern', message: /API Key may hold letters/ }],
    },
    { case: 'a custom rule', input: { configuration: { senderName: 'root' } }, errors: [{ field: 'senderName', rule: 'custom', message: /cannot be root/ }] },
    { case: 'an enum rule on items', input: { configuration: { ports: [25, 80] } }, errors: [{ field: 'ports[1]', rule: 'enum', message: /SMTP ports/ }] },
    { case: 'an option that does not exist', input: { configuration: { channel: 'pigeon' } }, errors: [{ field: 'channel', rule: expect.any(String) }] },
    { case: 'a malformed URL', input: { configuration: { endpoint: 'not a url' } }, errors: [{ field: 'endpoint', rule: expect.any(String) }] },
    { case: 'an empty name', input: { name: '   ' }, errors: [{ field: 'name', rule: 'required' }] },
    { case: 'a secret given twice', input: { secrets: [{ key: 'apiKey', value: 'good-key-0002' }] }, errors: [{ field: 'apiKey', rule: 'duplicate' }] },
    {
      case: 'a secret input for a field that is not a secret',
      input: { secrets: [{ key: 'region', value: 'eu-west' }] },
      errors: [{ field: 'region', rule: 'notSecret', message: /not a secret/ }],
    },
  ];

  it.each(invalid)('$case: ValidationError with fieldErrors, nothing stored', async ({ input, errors }) => {
    const before = { instances: await instanceCount(), writes: server.secretCalls.write };
    const { replaceConfiguration, configuration, ...rest } = input as { replaceConfiguration?: object; configuration?: object };
    const result = await mutate(server, CREATE, 'createPluginInstance', {
      input: { pluginName: 'api-notify', name: uniqueName(), ...rest, configuration: replaceConfiguration ?? { ...baseConfig(), ...configuration } },
    });
    expect(result.__typename).toBe('ValidationError');
    expect(result.message).toEqual(expect.any(String));
    expect(result.fieldErrors).toEqual(
      errors.map((e) => ({ field: e.field, rule: e.rule, message: e.message ? expect.stringMatching(e.message) : expect.any(String) })),
    );
    expect(await instanceCount()).toBe(before.instances);
    expect(server.secretCalls.write).toBe(before.writes);
  });

  it('a taken name is a ValidationError on `name`', async () => {
    const first = await create();
    const result = await mutate(server, CREATE, 'createPluginInstance', {
      input: { pluginName: 'api-notify', name: first.name, configuration: baseConfig() },
    });
    expect(result).toMatchObject({ __typename: 'ValidationError', fieldErrors: [{ field: 'name', rule: 'unique' }] });
  });

  it.each(['no-such-plugin', 'broken-schema'])('plugin %s: PluginUnavailableError', async (pluginName) => {
    const result = await mutate(server, CREATE, 'createPluginInstance', { input: { pluginName, name: uniqueName(), configuration: {} } });
    expect(result).toMatchObject({ __typename: 'PluginUnavailableError', pluginName, message: expect.stringContaining(pluginName) });
  });

  it.each([
    { fault: 'fail', message: /the vendor account is suspended/ },
    { fault: 'throw', message: /configure exploded/ },
  ])('createProvider() that $fault-s: ConfigureError, nothing stored', async ({ fault, message }) => {
    const before = { instances: await instanceCount(), writes: server.secretCalls.write };
    const result = await mutate(server, CREATE, 'createPluginInstance', {
      input: { pluginName: 'api-notify', name: uniqueName(), configuration: { ...baseConfig(), faults: { configure: fault } } },
    });
    expect(result).toMatchObject({ __typename: 'ConfigureError', pluginName: 'api-notify', message: expect.stringMatching(message) });
    expect(await instanceCount()).toBe(before.instances);
    expect(server.secretCalls.write).toBe(before.writes);
  });
});

describe('pluginInstance(id)', () => {
  it.each(['00000000-0000-4000-8000-000000000000', 'not-a-uuid'])('is null for an unknown id (%s)', async (id) => {
    const { status, body } = await server.gql(INSTANCE, { id });
    expect(status).toBe(200);
    expect(body).toEqual({ data: { pluginInstance: null } });
  });

  it('returns health history and audit events, newest first, limited by `last`', async () => {
    const created = await create();
    for (let i = 0; i < 3; i++) await succeed(server, CHECK_HEALTH, 'checkPluginInstanceHealth', { id: created.id });
    await succeed(server, UPDATE, 'updatePluginInstance', { input: { id: created.id, version: 1, configuration: { retries: 7 } } });
    const instance = await read(created.id);
    expect(instance).toMatchObject({ healthStatus: 'HEALTHY', healthSince: expect.any(String), lastHealthCheckAt: expect.any(String) });
    expect(instance.healthHistory).toHaveLength(3);
    expect(instance.healthHistory[0]).toEqual({
      id: expect.any(String),
      status: 'HEALTHY',
      message: 'vendor reachable',
      details: null,
      responseTimeMs: expect.any(Number),
      checkedAt: instance.lastHealthCheckAt,
    });
    const times = instance.healthHistory.map((c: { checkedAt: string }) => c.checkedAt);
    expect(times).toEqual([...times].sort().reverse());
    const check = { id: expect.any(String), actor: 'token:admin (PLUGFORM_ADMIN_TOKEN)', action: 'instance.check', changedKeys: [], at: expect.any(String) };
    expect(instance.auditEvents).toEqual([
      { id: expect.any(String), actor: 'token:admin (PLUGFORM_ADMIN_TOKEN)', action: 'instance.update', changedKeys: ['retries'], at: expect.any(String) },
      check,
      check,
      check,
      {
        id: expect.any(String),
        actor: 'token:admin (PLUGFORM_ADMIN_TOKEN)',
        action: 'instance.create',
        changedKeys: ['apiKey', 'channel', 'endpoint', 'retries', 'senderName', 'verbose'],
        at: expect.any(String),
      },
    ]);
    const limited = await read(created.id, 1);
    expect(limited.healthHistory).toHaveLength(1);
    expect(limited.auditEvents).toHaveLength(1);
    expect(limited.auditEvents[0].action).toBe('instance.update');
  });
});

describe('updatePluginInstance', () => {
  it('patches the configuration with the version it edits and bumps the version', async () => {
    const created = await create({ configuration: { ...baseConfig(), footer: 'bye', rateLimit: 2.5 } });
    const updated = await succeed(server, UPDATE, 'updatePluginInstance', {
      input: { id: created.id, version: 1, name: 'renamed', configuration: { footer: null, retries: 9, channel: 'sms' } },
    });
    expect(updated).toMatchObject({ id: created.id, name: 'renamed', version: 2, status: 'ACTIVE' });
    expect(updated.configuration).toEqual({
      endpoint: vendor.url,
      senderName: 'Acme Alerts',
      rateLimit: 2.5, // omitted: kept
      retries: 9,
      channel: 'sms',
      verbose: false,
      apiKey: SECRET_MASK,
    }); // footer: null removed it
    expect(updated.updatedAt >= created.updatedAt).toBe(true);
  });

  it('a stale version is a ConflictError and changes nothing', async () => {
    const created = await create();
    await succeed(server, UPDATE, 'updatePluginInstance', { input: { id: created.id, version: 1, configuration: { retries: 1 } } });
    const stale = await mutate(server, UPDATE, 'updatePluginInstance', {
      input: { id: created.id, version: 1, configuration: { retries: 2 }, secrets: [{ key: 'apiKey', value: 'good-key-stale' }] },
    });
    expect(stale).toMatchObject({ __typename: 'ConflictError', expectedVersion: 1, currentVersion: 2, message: expect.stringMatching(/reload/) });
    const after = await read(created.id);
    expect(after).toMatchObject({ version: 2, configuration: expect.objectContaining({ retries: 1 }) });
    expect(await storedKey(created.id)).toBe('Bearer good-key-0001');
  });

  it('an unknown id is a NotFoundError', async () => {
    const id = '00000000-0000-4000-8000-000000000001';
    const result = await mutate(server, UPDATE, 'updatePluginInstance', { input: { id, version: 1, configuration: {} } });
    expect(result).toMatchObject({ __typename: 'NotFoundError', resource: 'Plugin instance', id, message: expect.stringContaining(id) });
  });

  it('an invalid patch is a ValidationError and keeps the stored configuration and secrets', async () => {
    const created = await create();
    const result = await mutate(server, UPDATE, 'updatePluginInstance', {
      input: { id: created.id, version: 1, configuration: { retries: -1, endpoint: null }, secrets: [{ key: 'apiKey', value: null }] },
    });
    expect(result.__typename).toBe('ValidationError');
    expect(result.fieldErrors!.map((e) => `${e.field}:${e.rule}`).sort()).toEqual(['apiKey:required', 'endpoint:required', 'retries:minValue']);
    const after = await read(created.id);
    expect(after).toMatchObject({ version: 1, configuration: created.configuration });
    expect(await storedKey(created.id)).toBe('Bearer good-key-0001');
  });

  it('a configuration createProvider() refuses is a ConfigureError; the old provider stays live', async () => {
    const created = await create();
    const result = await mutate(server, UPDATE, 'updatePluginInstance', {
      input: { id: created.id, version: 1, configuration: { faults: { configure: 'fail' } }, secrets: [{ key: 'apiKey', value: 'good-key-new1' }] },
    });
    expect(result).toMatchObject({ __typename: 'ConfigureError', pluginName: 'api-notify' });
    expect(await read(created.id)).toMatchObject({ version: 1, status: 'ACTIVE', configuration: created.configuration });
    expect(await liveKey(created.id)).toBe('Bearer good-key-0001');
    expect(await storedKey(created.id)).toBe('Bearer good-key-0001');
  });

  it('renaming to an empty name is a ValidationError, not a silent no-op', async () => {
    const created = await create();
    const result = await mutate(server, UPDATE, 'updatePluginInstance', { input: { id: created.id, version: 1, name: '  ' } });
    expect(result).toMatchObject({ __typename: 'ValidationError', fieldErrors: [{ field: 'name', rule: 'required' }] });
    expect(await read(created.id)).toMatchObject({ name: created.name, version: 1 });
  });

  it('renaming onto a taken name is a ValidationError', async () => {
    const [a, b] = [await create(), await create()];
    const result = await mutate(server, UPDATE, 'updatePluginInstance', { input: { id: b.id, version: 1, name: a.name } });
    expect(result).toMatchObject({ __typename: 'ValidationError', fieldErrors: [{ field: 'name', rule: 'unique' }] });
  });

  describe('secret merge semantics', () => {
    const secretState = async (id: string) =>
      Object.fromEntries((await read(id)).secrets.map((s: { key: string; isSet: boolean; updatedAt: string | null }) => [s.key, s]));

    it.each([
      { case: 'an omitted secret keeps its value', patch: { configuration: { retries: 4 } } },
      { case: 'an echoed mask keeps its value', patch: { configuration: { apiKey: SECRET_MASK, webhookSecret: SECRET_MASK, retries: 4 } } },
      { case: 'a mask through `secrets` keeps its value', patch: { secrets: [{ key: 'apiKey', value: SECRET_MASK }] } },
    ])('$case', async ({ patch }) => {
      const created = await create({ secrets: [{ key: 'webhookSecret', value: 'whsec-keep' }] });
      const before = await secretState(created.id);
      const updated = await succeed(server, UPDATE, 'updatePluginInstance', { input: { id: created.id, version: 1, ...patch } });
      expect(updated.version).toBe(2);
      expect(await secretState(created.id)).toEqual(before); // same isSet, same updatedAt
      expect(await storedKey(created.id)).toBe('Bearer good-key-0001');
      expect(await liveKey(created.id)).toBe('Bearer good-key-0001');
      expect((await server.running.services.secrets.read(created.id)).values).toEqual({ apiKey: 'good-key-0001', webhookSecret: 'whsec-keep' });
    });

    it('the whole configuration as read, echoed back with one change, keeps every secret', async () => {
      const created = await create({ secrets: [{ key: 'webhookSecret', value: 'whsec-echo' }] });
      const configuration = { ...(await read(created.id)).configuration, retries: 8 };
      const updated = await succeed(server, UPDATE, 'updatePluginInstance', { input: { id: created.id, version: 1, configuration } });
      expect(updated.configuration).toMatchObject({ retries: 8, apiKey: SECRET_MASK, webhookSecret: SECRET_MASK });
      expect((await server.running.services.secrets.read(created.id)).values).toEqual({ apiKey: 'good-key-0001', webhookSecret: 'whsec-echo' });
    });

    it.each([
      { case: 'null through `secrets`', patch: { secrets: [{ key: 'webhookSecret', value: null }] } },
      { case: 'null as a configuration key', patch: { configuration: { webhookSecret: null } } },
      { case: 'a `secrets` entry without a value', patch: { secrets: [{ key: 'webhookSecret' }] } },
    ])('$case clears the secret', async ({ patch }) => {
      const created = await create({ secrets: [{ key: 'webhookSecret', value: 'whsec-clear' }] });
      const updated = await succeed(server, UPDATE, 'updatePluginInstance', { input: { id: created.id, version: 1, ...patch } });
      expect(updated.configuration).not.toHaveProperty('webhookSecret');
      expect(updated.secrets).toContainEqual({ key: 'webhookSecret', label: 'Webhook Secret', isSet: false, updatedAt: null, value: null });
      expect((await server.running.services.secrets.read(created.id)).values).toEqual({ apiKey: 'good-key-0001' });
      const audit = (await read(created.id)).auditEvents[0];
      expect(audit).toMatchObject({ action: 'instance.update', changedKeys: ['webhookSecret'] });
    });

    it.each([
      { case: 'through `secrets`', patch: { secrets: [{ key: 'apiKey', value: 'good-key-0002' }] } },
      { case: 'as a configuration key', patch: { configuration: { apiKey: 'good-key-0002' } } },
    ])('a new value $case replaces the secret and moves its updatedAt', async ({ patch }) => {
      const created = await create();
      const before = await secretState(created.id);
      // A later clock for the save (only Date is faked; the server runs in this process).
      vi.useFakeTimers({ toFake: ['Date'], now: Date.parse(before.apiKey.updatedAt) + 60_000 });
      const updated = await succeed(server, UPDATE, 'updatePluginInstance', { input: { id: created.id, version: 1, ...patch } }).finally(() =>
        vi.useRealTimers(),
      );
      const after = Object.fromEntries(updated.secrets.map((s: { key: string }) => [s.key, s]));
      expect(after.apiKey.isSet).toBe(true);
      expect(after.apiKey.updatedAt > before.apiKey.updatedAt).toBe(true);
      expect(await storedKey(created.id)).toBe('Bearer good-key-0002');
      expect(await liveKey(created.id)).toBe('Bearer good-key-0002');
      // The newest update (the connection test storedKey ran is audited after it).
      const update = (await read(created.id)).auditEvents.find((e: { action: string }) => e.action === 'instance.update');
      expect(update).toMatchObject({ changedKeys: ['apiKey'] });
    });

    it('the same key in `configuration` and `secrets` is a ValidationError; nothing changes', async () => {
      const created = await create();
      const result = await mutate(server, UPDATE, 'updatePluginInstance', {
        input: { id: created.id, version: 1, configuration: { apiKey: 'good-key-aaaa' }, secrets: [{ key: 'apiKey', value: 'good-key-bbbb' }] },
      });
      expect(result).toMatchObject({ __typename: 'ValidationError', fieldErrors: [{ field: 'apiKey', rule: 'duplicate' }] });
      expect(await storedKey(created.id)).toBe('Bearer good-key-0001');
      expect((await read(created.id)).version).toBe(1);
    });
  });
});

describe('setPluginInstanceEnabled', () => {
  it('disables (provider stopped, not checked) and enables again (provider from the stored secrets)', async () => {
    const created = await create();
    const disabled = await succeed(server, SET_ENABLED, 'setPluginInstanceEnabled', { id: created.id, enabled: false, version: 1 });
    expect(disabled).toMatchObject({ enabled: false, status: 'INACTIVE', version: 2 });
    expect(server.running.services.instances.pool.get(created.id)).toBeUndefined();
    const health = await succeed(server, CHECK_HEALTH, 'checkPluginInstanceHealth', { id: created.id });
    expect(health).toMatchObject({ status: 'UNKNOWN', message: expect.stringMatching(/disabled/) });

    const enabled = await succeed(server, SET_ENABLED, 'setPluginInstanceEnabled', { id: created.id, enabled: true });
    expect(enabled).toMatchObject({ enabled: true, status: 'ACTIVE', version: 3 });
    expect(await liveKey(created.id)).toBe('Bearer good-key-0001');
    const actions = (await read(created.id)).auditEvents.map((e: { action: string }) => e.action);
    // Each health check (liveKey's too) is on record between the changes.
    expect(actions).toEqual(['instance.check', 'instance.enable', 'instance.check', 'instance.disable', 'instance.create']);
  });

  it('a stale version is a ConflictError; an unknown id a NotFoundError', async () => {
    const created = await create();
    expect(await mutate(server, SET_ENABLED, 'setPluginInstanceEnabled', { id: created.id, enabled: false, version: 7 })).toMatchObject({
      __typename: 'ConflictError',
      expectedVersion: 7,
      currentVersion: 1,
    });
    expect((await read(created.id)).enabled).toBe(true);
    const id = '00000000-0000-4000-8000-000000000002';
    expect(await mutate(server, SET_ENABLED, 'setPluginInstanceEnabled', { id, enabled: false })).toMatchObject({ __typename: 'NotFoundError', id });
  });
});

describe('deletePluginInstance', () => {
  it('a stale version is a ConflictError and deletes nothing', async () => {
    const created = await create();
    const result = await mutate(server, DELETE, 'deletePluginInstance', { id: created.id, version: 3 });
    expect(result).toMatchObject({ __typename: 'ConflictError', expectedVersion: 3, currentVersion: 1 });
    expect(await read(created.id)).not.toBeNull();
  });

  it('stops the provider and removes the row and the secrets; a second delete is a NotFoundError', async () => {
    const created = await create();
    const deleted = await succeed(server, DELETE, 'deletePluginInstance', { id: created.id, version: 1 });
    expect(deleted).toEqual({ id: created.id, pluginName: 'api-notify', name: created.name });
    expect(await read(created.id)).toBeNull();
    expect(server.running.services.instances.pool.get(created.id)).toBeUndefined();
    expect(await server.running.services.secrets.read(created.id)).toEqual({ values: {}, version: 0 });
    const audit = await server.running.services.prisma.auditEvent.findFirst({ where: { instanceId: created.id, action: 'instance.delete' } });
    expect(audit).toMatchObject({ actor: 'token:admin (PLUGFORM_ADMIN_TOKEN)' });
    expect(await mutate(server, DELETE, 'deletePluginInstance', { id: created.id })).toMatchObject({ __typename: 'NotFoundError', id: created.id });
  });
});

describe('retries with a clientMutationId', () => {
  it('a retried disable answers with the instance instead of a ConflictError; a retried delete answers success, not NotFoundError', async () => {
    const created = await create();
    const disable = { id: created.id, enabled: false, version: 1, clientMutationId: 'retry-disable-1' };
    const disabled = await succeed(server, SET_ENABLED, 'setPluginInstanceEnabled', disable);
    const disabledAgain = await succeed(server, SET_ENABLED, 'setPluginInstanceEnabled', disable);
    expect(disabledAgain).toMatchObject({ id: created.id, enabled: false, version: 2 });
    expect(disabled.version).toBe(2);

    const remove = { id: created.id, version: 2, clientMutationId: 'retry-delete-1' };
    const deleted = await succeed(server, DELETE, 'deletePluginInstance', remove);
    expect(await succeed(server, DELETE, 'deletePluginInstance', remove)).toEqual(deleted);
    expect(deleted).toEqual({ id: created.id, pluginName: 'api-notify', name: created.name });
    const actions = await server.running.services.prisma.auditEvent.findMany({ where: { instanceId: created.id }, select: { action: true } });
    expect(actions.map((a) => a.action).sort()).toEqual(['instance.create', 'instance.delete', 'instance.disable']);

    // The key of the disable, sent with a different change, changes nothing.
    const other = await create();
    const reused = await mutate(server, DELETE, 'deletePluginInstance', { id: other.id, clientMutationId: 'retry-disable-1' });
    expect(reused).toMatchObject({ __typename: 'ValidationError', fieldErrors: [expect.objectContaining({ field: 'clientMutationId', rule: 'reused' })] });
    expect(await read(other.id)).not.toBeNull();
  });
});

describe('after a restart', () => {
  it('saved instances come back with their secrets, started on first use; one whose plugin is gone is reported FAILED by the replica, unavailable, its stored status untouched', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'plugform-restart-'));
    try {
      const before = await startTestServer({ dataDir });
      let notify: { id: string };
      let analytics: { id: string };
      try {
        notify = await succeed(before, CREATE, 'createPluginInstance', {
          input: { pluginName: 'api-notify', name: 'survivor', configuration: baseConfig(), secrets: [{ key: 'webhookSecret', value: 'whsec-restart' }] },
        });
        analytics = await succeed(before, CREATE, 'createPluginInstance', {
          input: { pluginName: 'api-analytics', name: 'orphan', configuration: { projectId: 'p1' } },
        });
      } finally {
        await before.close();
      }
      // The same data, but api-analytics is no longer installed.
      const after = await startTestServer({ dataDir, pluginPaths: [join(FIXTURE_PLUGINS, 'api-notify')] });
      try {
        const survivor = (await after.gql(INSTANCE, { id: notify.id })).body.data.pluginInstance;
        expect(survivor).toMatchObject({ status: 'ACTIVE', version: 1, configuration: { apiKey: SECRET_MASK, webhookSecret: SECRET_MASK } });
        vendor.requests.length = 0;
        expect((await succeed(after, TEST_SAVED, 'testPluginInstanceConnection', { input: { id: notify.id } })).success).toBe(true);
        expect(vendor.requests).toEqual([{ path: '/ping', authorization: 'Bearer good-key-0001' }]);

        const orphan = (await after.gql(INSTANCE, { id: analytics.id })).body.data.pluginInstance;
        // The stored status is the last change's; this replica reports its own failure to start.
        expect(orphan).toMatchObject({ status: 'ACTIVE', statusMessage: null, plugin: null, secrets: [] });
        const replica = (await after.gql('query ($id: ID!) { pluginInstance(id: $id) { replicaProvider { replica state version message since } } }', { id: analytics.id }))
          .body.data.pluginInstance.replicaProvider;
        expect(replica).toMatchObject({ state: 'FAILED', version: 1, message: expect.stringMatching(/api-analytics/) });
        expect(replica.since).toEqual(expect.any(String));
        // Providers start on first use, not at startup: the connection test used a throwaway one.
        const providerOf = async (id: string) =>
          (await after.gql('query ($id: ID!) { pluginInstance(id: $id) { replicaProvider { state version } } }', { id })).body.data.pluginInstance.replicaProvider;
        expect(await providerOf(notify.id)).toEqual({ state: 'IDLE', version: null });
        await succeed(after, CHECK_HEALTH, 'checkPluginInstanceHealth', { id: notify.id });
        expect(await providerOf(notify.id)).toEqual({ state: 'RUNNING', version: 1 });
        const update = await mutate(after, UPDATE, 'updatePluginInstance', { input: { id: analytics.id, version: orphan.version, configuration: { projectId: 'p2' } } });
        expect(update).toMatchObject({ __typename: 'PluginUnavailableError', pluginName: 'api-analytics' });
        const test = await mutate(after, TEST_SAVED, 'testPluginInstanceConnection', { input: { id: analytics.id } });
        expect(test).toMatchObject({ __typename: 'PluginUnavailableError', pluginName: 'api-analytics' });
        // It can still be deleted.
        expect(await mutate(after, DELETE, 'deletePluginInstance', { id: analytics.id })).toMatchObject({ __typename: 'MutationDeletePluginInstanceSuccess' });
      } finally {
        await after.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
