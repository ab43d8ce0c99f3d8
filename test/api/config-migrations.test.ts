/**
 * Plugin upgrades migrate stored configurations: instances saved under v1 of a plugin come
 * back after a restart with v2 (a field renamed, a string timeout turned into integer
 * seconds) migrated, validated, saved as a new version of kind MIGRATED and audited; one whose
 * step throws, or whose result fails the new schema, stays on its old configuration with a
 * status naming the step, and the server keeps serving.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREATE, succeed, TEST_SAVED } from '../support/graphql.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const V1 = join(import.meta.dirname, 'fixtures/migrating/v1');
const V2 = join(import.meta.dirname, 'fixtures/migrating/v2');
const TOKEN = 'migrating-token-0001';

const STATE = `query ($id: ID!) {
  pluginInstance(id: $id) {
    status statusMessage version configVersion configuration plugin { configVersion }
    configurationVersions { version kind actor configVersion secretChanges { key change } }
    auditEvents { actor action changedKeys details }
  }
}`;

let dataDir: string;
let server: TestServer | undefined;
const ids: Record<'good' | 'throws' | 'invalid', string> = { good: '', throws: '', invalid: '' };

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'plugform-migrations-'));
  const v1 = await startTestServer({ pluginPaths: [V1], dataDir });
  try {
    const create = async (name: string, timeout: string) =>
      (await succeed(v1, CREATE, 'createPluginInstance', {
        input: { pluginName: 'migrating-notify', name, configuration: { sender: 'Ops desk', timeout, token: TOKEN } },
      })).id as string;
    ids.good = await create('good', '30s');
    ids.throws = await create('throws', 'forever');
    ids.invalid = await create('invalid', '0s');
  } finally {
    await v1.close();
  }
  server = await startTestServer({ pluginPaths: [V2], dataDir });
}, 120_000);

afterAll(async () => {
  await server?.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function state(id: string) {
  const { body } = await server!.gql(STATE, { id });
  expect(body.errors).toBeUndefined();
  return body.data.pluginInstance;
}

describe('configuration migrations at start-up', () => {
  it('migrates an instance saved under v1: renamed field, string timeout as integer seconds, secrets kept', async () => {
    const good = await state(ids.good);
    expect(good).toMatchObject({ status: 'ACTIVE', statusMessage: null, version: 2, configVersion: 2, plugin: { configVersion: 2 } });
    expect(good.configuration).toEqual({ senderName: 'Ops desk', timeoutSeconds: 30, token: '••••••••' });
    expect(good.configurationVersions.map((v: { version: number; kind: string; configVersion: number }) => [v.version, v.kind, v.configVersion])).toEqual([
      [2, 'MIGRATED', 2],
      [1, 'CREATED', 1],
    ]);
    expect(good.configurationVersions[0]).toMatchObject({ actor: 'system', secretChanges: [] });
    expect(good.auditEvents[0]).toMatchObject({
      actor: 'system',
      action: 'instance.migrated',
      changedKeys: ['sender', 'senderName', 'timeout', 'timeoutSeconds'],
      details: { from: 1, to: 2, summary: 'migrated from 1 to 2' },
    });
    const row = await server!.running.services.prisma.pluginInstance.findUniqueOrThrow({ where: { id: ids.good } });
    expect(row.configVersion).toBe(2);

    // The provider runs on the migrated configuration with the stored secret.
    const test = await succeed(server!, TEST_SAVED, 'testPluginInstanceConnection', { input: { id: ids.good } });
    expect(test).toMatchObject({ success: true, message: 'v2', details: { senderName: 'Ops desk', timeoutSeconds: 30, tokenLength: TOKEN.length } });
  });

  it('leaves an instance whose step throws on its old configuration, with the step named, and keeps serving', async () => {
    const throws = await state(ids.throws);
    expect(throws).toMatchObject({ status: 'ERROR', version: 1, configVersion: 1, configuration: { sender: 'Ops desk', timeout: 'forever', token: '••••••••' } });
    expect(throws.statusMessage).toBe(
      'The stored configuration could not be migrated from version 1 to 2 and is left unchanged: ' +
        'step 1 → 2 failed: timeout is not a number of seconds like "30s"',
    );
    expect(throws.configurationVersions).toHaveLength(1);
    const row = await server!.running.services.prisma.pluginInstance.findUniqueOrThrow({ where: { id: ids.throws } });
    expect(row).toMatchObject({ configVersion: 1, config: { sender: 'Ops desk', timeout: 'forever' } });
    // Using it says why; the server goes on answering.
    const used = await server!.gql(`mutation ($input: TestPluginInstanceConnectionInput!) { testPluginInstanceConnection(input: $input) { __typename ... on Error { message } } }`, {
      input: { id: ids.throws },
    });
    expect(JSON.stringify(used.body)).toMatch(/step 1 → 2 failed/);
    expect((await state(ids.good)).status).toBe('ACTIVE');
  });

  it('leaves an instance whose migrated configuration fails the new schema unchanged, naming the step and the rule', async () => {
    const invalid = await state(ids.invalid);
    expect(invalid).toMatchObject({ status: 'ERROR', version: 1, configuration: { timeout: '0s' } });
    expect(invalid.statusMessage).toMatch(/step 1 → 2 failed: its result is invalid: Timeout \(seconds\) must be (at least|≥) 1/);
    expect(invalid.statusMessage).not.toContain(TOKEN);
  });

  it('migrates an outdated instance when it is loaded for use (once its stored value can be converted)', async () => {
    // The operator fixes the stored value the step refused (as a restore from a backup would leave it).
    await server!.running.services.prisma.pluginInstance.update({ where: { id: ids.throws }, data: { config: { sender: 'Ops desk', timeout: '45s' } } });
    const test = await succeed(server!, TEST_SAVED, 'testPluginInstanceConnection', { input: { id: ids.throws } });
    expect(test).toMatchObject({ success: true, details: { timeoutSeconds: 45 } });
    const fixed = await state(ids.throws);
    expect(fixed).toMatchObject({ status: 'ACTIVE', statusMessage: null, version: 2, configuration: { senderName: 'Ops desk', timeoutSeconds: 45 } });
    expect(fixed.configurationVersions[0]).toMatchObject({ version: 2, kind: 'MIGRATED', configVersion: 2 });
  });
});
