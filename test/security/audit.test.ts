/**
 * Who did what is on record (issue 11, point 9): token creation and revocation, connection
 * tests (also those refused before anything was sent) and on-demand health checks are audited
 * with the acting token's id as well as its name (a name can be reused), and never with a
 * value. Real server over HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAttacker } from '../support/attacker.ts';
import { CHECK_HEALTH, CREATE, CREATE_TOKEN, REVOKE_TOKEN, TEST_SAVED, TEST_UNSAVED, mutate, succeed } from '../support/graphql.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const AUDIT = `query ($action: String) {
  auditEvents(action: $action, last: 10) { actor actorTokenId action instanceId pluginName changedKeys details }
}`;

let server: TestServer;
let adminId: string;

beforeAll(async () => {
  server = await startTestServer();
  const tokens = (await server.gql(`{ apiTokens { id name } }`)).body.data.apiTokens as { id: string; name: string }[];
  adminId = tokens.find((token) => token.name.startsWith('admin'))!.id;
});
afterAll(async () => {
  await server?.close();
});

const events = async (action: string) => (await server.gql(AUDIT, { action })).body.data.auditEvents;

/** A new operator token, and its id as the token list shows it. */
async function operatorToken(name: string): Promise<{ token: string; id: string }> {
  const created = await succeed(server, CREATE_TOKEN, 'createApiToken', { name, role: 'OPERATOR' });
  return { token: created.token, id: created.apiToken.id };
}

describe('the audit trail', () => {
  it('records token creation and revocation: who (id and name), which token, never the token itself', async () => {
    const created = await succeed(server, CREATE_TOKEN, 'createApiToken', { name: 'ci bot', role: 'OPERATOR' });
    await succeed(server, REVOKE_TOKEN, 'revokeApiToken', { id: created.apiToken.id });
    const expected = { actor: 'token:admin (PLUGFORM_ADMIN_TOKEN)', actorTokenId: adminId, instanceId: null, changedKeys: [] };
    expect((await events('token.create'))[0]).toEqual({ ...expected, action: 'token.create', pluginName: null, details: { tokenId: created.apiToken.id, name: 'ci bot', role: 'operator' } });
    expect((await events('token.revoke'))[0]).toEqual({ ...expected, action: 'token.revoke', pluginName: null, details: { tokenId: created.apiToken.id, name: 'ci bot', role: 'operator' } });
    expect(JSON.stringify(await events('token.create'))).not.toContain(created.token);
  });

  it('records a test of an unsaved configuration: who, which plugin, which keys, never values', async () => {
    const operator = await server.tokenFor('operator', 'tester');
    const tokens = (await server.gql(`{ apiTokens { id name } }`)).body.data.apiTokens as { id: string; name: string }[];
    await succeed(server, TEST_UNSAVED, 'testPluginConnection', {
      input: { pluginName: 'example-echo', configuration: { senderName: 'Ops' }, secrets: [{ key: 'apiToken', value: 'echo-audit-canary-1' }] },
    }, operator);
    const [event] = await events('plugin.test');
    expect(event).toMatchObject({
      actor: 'token:tester',
      actorTokenId: tokens.find((token) => token.name === 'tester')!.id,
      pluginName: 'example-echo',
      changedKeys: ['apiToken', 'senderName'],
    });
    expect(JSON.stringify(event)).not.toContain('echo-audit-canary-1');
  });

  it('records instance changes with the token id', async () => {
    const created = await succeed(server, CREATE, 'createPluginInstance', {
      input: { pluginName: 'example-echo', name: 'audited', configuration: { senderName: 'Ops' }, secrets: [{ key: 'apiToken', value: 'echo-audit-canary-2' }] },
    });
    const [event] = await events('instance.create');
    expect(event).toMatchObject({ actorTokenId: adminId, instanceId: created.id, pluginName: 'example-echo' });
  });

  it('records an on-demand health check: who (id and name), which instance, the status it found, never values', async () => {
    const operator = await operatorToken('health checker');
    const instance = await succeed(server, CREATE, 'createPluginInstance', {
      input: { pluginName: 'example-echo', name: 'checked', configuration: { senderName: 'Ops' }, secrets: [{ key: 'apiToken', value: 'echo-audit-canary-3' }] },
    });
    const check = await succeed(server, CHECK_HEALTH, 'checkPluginInstanceHealth', { id: instance.id }, operator.token);
    expect(check.status).toBe('HEALTHY');
    const [event] = await events('instance.check');
    expect(event).toEqual({
      actor: 'token:health checker',
      actorTokenId: operator.id,
      action: 'instance.check',
      instanceId: instance.id,
      pluginName: 'example-echo',
      changedKeys: [],
      details: { name: 'checked', outcome: 'ran', status: 'healthy' },
    });
    expect(JSON.stringify(event)).not.toContain('echo-audit-canary-3');
  });

  it('records a refused test of a saved instance: the keys the override changed, the rule that refused it, never values', async () => {
    const attacker = await startAttacker('http');
    try {
      const operator = await operatorToken('redirector');
      const instance = await succeed(server, CREATE, 'createPluginInstance', {
        input: {
          pluginName: 'webhook',
          name: 'bound hook',
          configuration: { url: 'http://127.0.0.1:9/hook' },
          secrets: [{ key: 'signingSecret', value: 'hook-audit-canary-4' }],
        },
      });
      // The attacker's move: point the saved instance at its own listener, reusing the stored secret.
      const attackerUrl = `${attacker.url}/collect`;
      const refused = await mutate(server, TEST_SAVED, 'testPluginInstanceConnection', { input: { id: instance.id, configuration: { url: attackerUrl } } }, operator.token);
      expect(refused.__typename).toBe('ValidationError');
      expect(attacker.connections).toBe(0);

      const [event] = await events('instance.test');
      expect(event).toEqual({
        actor: 'token:redirector',
        actorTokenId: operator.id,
        action: 'instance.test',
        instanceId: instance.id,
        pluginName: 'webhook',
        changedKeys: ['url'],
        details: { name: 'bound hook', outcome: 'refused', rules: ['destinationChanged'], fields: ['signingSecret'] },
      });
      expect(JSON.stringify(event)).not.toContain('hook-audit-canary-4');
      expect(JSON.stringify(event)).not.toContain(attacker.url);
    } finally {
      await attacker.close();
    }
  });

  it('records a test refused by a configuration limit as a refused attempt', async () => {
    const instance = await succeed(server, CREATE, 'createPluginInstance', {
      input: { pluginName: 'example-echo', name: 'limited', configuration: { senderName: 'Ops' }, secrets: [{ key: 'apiToken', value: 'echo-audit-canary-5' }] },
    });
    const tooLong = 'x'.repeat(200_000);
    const refused = await mutate(server, TEST_SAVED, 'testPluginInstanceConnection', { input: { id: instance.id, configuration: { senderName: tooLong } } });
    expect(refused.__typename).toBe('ValidationError');
    const [event] = await events('instance.test');
    expect(event).toMatchObject({ instanceId: instance.id, changedKeys: ['senderName'], details: { name: 'limited', outcome: 'refused' } });
    expect(event.details.rules).toHaveLength(1);
    expect(JSON.stringify(event)).not.toContain(tooLong.slice(0, 50));
  });

  it('is for admins only', async () => {
    const operator = await server.tokenFor('operator');
    const response = await server.gql(AUDIT, { action: 'token.create' }, { token: operator });
    expect(response.body.data).toBeNull();
    expect(response.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
