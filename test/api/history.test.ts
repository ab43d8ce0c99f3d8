/**
 * Configuration history over HTTP: every save is kept as a version (who, when, how, which
 * secrets changed — never their values), two versions differ field by field, and a rollback
 * restores a version as a new one, its secrets from the store where it keeps them (local:
 * the last PLUGFORM_SECRET_VERSIONS; Vault KV v2: its versions) and asked for otherwise.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVaultDouble, type VaultDouble } from '../support/vault-double.ts';
import { CREATE, ERROR_FIELDS, INSTANCE_FIELDS, TEST_SAVED, UPDATE, mutate, succeed } from '../support/graphql.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { startVendor, type Vendor } from './fixtures/vendor.ts';

const HISTORY = `query ($id: ID!, $from: Int!, $to: Int) {
  pluginInstance(id: $id) {
    version
    configurationVersions { version kind actor at configVersion restoredFrom configuration secretKeys secretChanges { key change at } }
    configurationDiff(from: $from, to: $to) { key change secret oldValue newValue }
  }
}`;

const ROLLBACK = `mutation ($id: ID!, $toVersion: Int!, $version: Int!, $secrets: [SecretInput!]) {
  rollbackPluginInstance(id: $id, toVersion: $toVersion, version: $version, secrets: $secrets) {
    __typename ... on MutationRollbackPluginInstanceSuccess { data { ${INSTANCE_FIELDS} } } ${ERROR_FIELDS}
  }
}`;

const KEY_1 = 'history-key-0001';
const KEY_2 = 'history-key-0002';
const KEY_3 = 'history-key-0003';

let vendor: Vendor;
beforeAll(async () => {
  vendor = await startVendor();
});
afterAll(async () => {
  await vendor?.close();
});

let names = 0;
const config = (apiKey: string) => ({ endpoint: vendor.url, apiKey, senderName: 'Acme Alerts', retries: 3 });

async function create(server: TestServer, apiKey = KEY_1) {
  return succeed(server, CREATE, 'createPluginInstance', {
    input: { pluginName: 'api-notify', name: `history-${++names}`, configuration: config(apiKey) },
  });
}

async function update(server: TestServer, id: string, version: number, configuration: Record<string, unknown>) {
  return succeed(server, UPDATE, 'updatePluginInstance', { input: { id, version, configuration } });
}

async function history(server: TestServer, id: string, from = 1, to?: number) {
  const { body } = await server.gql(HISTORY, { id, from, ...(to === undefined ? {} : { to }) });
  expect(body.errors).toBeUndefined();
  return body.data.pluginInstance;
}

/** The key a connection test of the saved instance sends to the vendor. */
async function storedKey(server: TestServer, id: string): Promise<string | undefined> {
  vendor.requests.length = 0;
  const result = await succeed(server, TEST_SAVED, 'testPluginInstanceConnection', { input: { id } });
  expect(result.success).toBe(true);
  return vendor.requests.at(-1)?.authorization;
}

/** Creates an instance and saves it twice: v1 (KEY_1), v2 (KEY_2, retries 5), v3 (sender name, topics). */
async function threeVersions(server: TestServer) {
  const created = await create(server);
  await update(server, created.id, 1, { apiKey: KEY_2, retries: 5 });
  const v3 = await update(server, created.id, 2, { senderName: 'Night Shift', topics: ['alerts'] });
  expect(v3.version).toBe(3);
  return created.id as string;
}

describe('configuration history (PGlite, local secret store)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('keeps every save, newest first: who, when, kind and which secrets changed, never a value', async () => {
    const id = await threeVersions(server);
    const { configurationVersions: versions } = await history(server, id);
    expect(versions.map((v: { version: number; kind: string }) => [v.version, v.kind])).toEqual([
      [3, 'UPDATED'],
      [2, 'UPDATED'],
      [1, 'CREATED'],
    ]);
    expect(versions.every((v: { actor: string }) => v.actor === 'token:admin (PLUGFORM_ADMIN_TOKEN)')).toBe(true);
    expect(versions[2].secretChanges).toEqual([{ key: 'apiKey', change: 'SET', at: expect.any(String) }]);
    expect(versions[1].secretChanges).toEqual([{ key: 'apiKey', change: 'CHANGED', at: expect.any(String) }]);
    expect(versions[0].secretChanges).toEqual([]);
    expect(versions[0].secretKeys).toEqual(['apiKey']);
    expect(versions[2].configuration).toEqual({ endpoint: vendor.url, senderName: 'Acme Alerts', retries: 3, channel: 'email', verbose: false });
    expect(versions[0].configuration).toMatchObject({ senderName: 'Night Shift', retries: 5, topics: ['alerts'] });

    // The rows hold keyed fingerprints: neither the values nor a plain hash of them.
    const rows = await server.running.services.prisma.pluginInstanceVersion.findMany({ where: { instanceId: id } });
    expect(rows).toHaveLength(3);
    const stored = JSON.stringify(rows);
    for (const key of [KEY_1, KEY_2]) {
      expect(stored).not.toContain(key);
      for (const encoding of ['hex', 'base64', 'base64url'] as const) expect(stored).not.toContain(createHash('sha256').update(key).digest(encoding));
    }
    const fingerprint = (version: number) => (rows.find((r) => r.version === version)!.secrets as Record<string, { fingerprint: string }>)['apiKey']!.fingerprint;
    expect(fingerprint(1)).not.toBe(fingerprint(2));
    expect(fingerprint(3)).toBe(fingerprint(2));
  });

  it('shows the difference between two versions field by field, secrets only as changed', async () => {
    const id = await threeVersions(server);
    const { configurationDiff } = await history(server, id, 1);
    expect(configurationDiff).toEqual([
      { key: 'apiKey', change: 'CHANGED', secret: true, oldValue: null, newValue: null },
      { key: 'retries', change: 'CHANGED', secret: false, oldValue: 3, newValue: 5 },
      { key: 'senderName', change: 'CHANGED', secret: false, oldValue: 'Acme Alerts', newValue: 'Night Shift' },
      { key: 'topics', change: 'ADDED', secret: false, oldValue: null, newValue: ['alerts'] },
    ]);
    const backwards = (await history(server, id, 3, 2)).configurationDiff;
    expect(backwards).toEqual([
      { key: 'senderName', change: 'CHANGED', secret: false, oldValue: 'Night Shift', newValue: 'Acme Alerts' },
      { key: 'topics', change: 'REMOVED', secret: false, oldValue: ['alerts'], newValue: null },
    ]);
    const { body } = await server.gql(HISTORY, { id, from: 99 });
    expect(body.errors?.[0]?.message).toMatch(/Configuration version .*@99.* does not exist/);
  });

  it('rolls back to an earlier version as a new one, its secret restored from the local store, audited', async () => {
    const id = await threeVersions(server);
    expect(await storedKey(server, id)).toBe(`Bearer ${KEY_2}`);
    const result = await mutate(server, ROLLBACK, 'rollbackPluginInstance', { id, toVersion: 1, version: 3 });
    expect(result.__typename).toBe('MutationRollbackPluginInstanceSuccess');
    expect(result.data).toMatchObject({ version: 4, configuration: { senderName: 'Acme Alerts', retries: 3, apiKey: '••••••••' } });
    expect(result.data.configuration).not.toHaveProperty('topics');
    expect(await storedKey(server, id)).toBe(`Bearer ${KEY_1}`);

    const after = await history(server, id, 1, 4);
    expect(after.configurationVersions[0]).toMatchObject({ version: 4, kind: 'ROLLED_BACK', restoredFrom: 1, secretChanges: [{ key: 'apiKey', change: 'CHANGED' }] });
    expect(after.configurationDiff).toEqual([]);
    const events = await server.running.services.prisma.auditEvent.findMany({ where: { instanceId: id, action: 'instance.rollback' } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ changedKeys: ['apiKey', 'retries', 'senderName', 'topics'], details: { restoredFrom: 1 } });
    expect(JSON.stringify(events)).not.toContain(KEY_1);
  });

  it('refuses a stale version (ConflictError) and an unknown one (NotFoundError), changing nothing', async () => {
    const id = await threeVersions(server);
    const stale = await mutate(server, ROLLBACK, 'rollbackPluginInstance', { id, toVersion: 1, version: 2 });
    expect(stale).toMatchObject({ __typename: 'ConflictError', expectedVersion: 2, currentVersion: 3 });
    const unknown = await mutate(server, ROLLBACK, 'rollbackPluginInstance', { id, toVersion: 42, version: 3 });
    expect(unknown).toMatchObject({ __typename: 'NotFoundError', resource: 'Configuration version' });
    const now = await history(server, id);
    expect(now.version).toBe(3);
    expect(now.configurationVersions).toHaveLength(3);
    expect(await storedKey(server, id)).toBe(`Bearer ${KEY_2}`);
  });
});

describe('rollback when the local store no longer keeps the version (PLUGFORM_SECRET_VERSIONS=1)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { PLUGFORM_SECRET_VERSIONS: '1' } });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('restores the version it still keeps', async () => {
    const created = await create(server);
    await update(server, created.id, 1, { apiKey: KEY_2 });
    await update(server, created.id, 2, { apiKey: KEY_3 });
    const result = await mutate(server, ROLLBACK, 'rollbackPluginInstance', { id: created.id, toVersion: 2, version: 3 });
    expect(result.__typename).toBe('MutationRollbackPluginInstanceSuccess');
    expect(await storedKey(server, created.id)).toBe(`Bearer ${KEY_2}`);
  });

  it('asks for a pruned secret by name (destination changed too), and rolls back once it is given', async () => {
    const created = await create(server);
    // v2 moves the endpoint (which needs the key again), v3 changes the key: v1's key is pruned.
    await update(server, created.id, 1, { endpoint: `${vendor.url}/`, apiKey: KEY_2 });
    await update(server, created.id, 2, { apiKey: KEY_3 });
    const refused = await mutate(server, ROLLBACK, 'rollbackPluginInstance', { id: created.id, toVersion: 1, version: 3 });
    expect(refused.__typename).toBe('ValidationError');
    expect(refused.fieldErrors).toEqual([{ field: 'apiKey', rule: 'reenterSecret', message: expect.stringContaining('"apiKey"') }]);
    expect(JSON.stringify(refused)).not.toMatch(/history-key/);
    expect((await history(server, created.id)).version).toBe(3);
    expect(await storedKey(server, created.id)).toBe(`Bearer ${KEY_3}`);

    const given = await mutate(server, ROLLBACK, 'rollbackPluginInstance', {
      id: created.id,
      toVersion: 1,
      version: 3,
      secrets: [{ key: 'apiKey', value: 'history-key-reentered' }],
    });
    expect(given.__typename).toBe('MutationRollbackPluginInstanceSuccess');
    expect(given.data.configuration).toMatchObject({ endpoint: vendor.url });
    expect(await storedKey(server, created.id)).toBe('Bearer history-key-reentered');
  });
});

describe('rollback with Vault KV v2 (the Vault double)', () => {
  let vault: VaultDouble;
  let server: TestServer;
  beforeAll(async () => {
    vault = await startVaultDouble();
    server = await startTestServer({ env: { PLUGFORM_SECRET_STORE: 'vault', VAULT_ADDR: vault.url, VAULT_TOKEN: vault.rootToken } });
  });
  afterAll(async () => {
    await server?.close();
    await vault?.close();
  });

  it("reads the version's secrets from Vault by version number", async () => {
    const id = await threeVersions(server);
    vault.clearRequests();
    const result = await mutate(server, ROLLBACK, 'rollbackPluginInstance', { id, toVersion: 1, version: 3 });
    expect(result.__typename).toBe('MutationRollbackPluginInstanceSuccess');
    expect(vault.requests.some((r) => r.method === 'GET' && r.path.endsWith(`/${id}`) && r.query['version'] === '1')).toBe(true);
    expect(await storedKey(server, id)).toBe(`Bearer ${KEY_1}`);
    const { configurationVersions } = await history(server, id);
    expect(configurationVersions[0]).toMatchObject({ version: 4, kind: 'ROLLED_BACK', restoredFrom: 1 });
  });
});
