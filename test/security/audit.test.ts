/**
 * Who did what is on record (issue 11, point 9): token creation and revocation, and connection
 * tests, are audited with the acting token's id as well as its name (a name can be reused), and
 * never with a value. Real server over HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREATE, CREATE_TOKEN, REVOKE_TOKEN, TEST_UNSAVED, succeed } from '../support/graphql.ts';
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

  it('is for admins only', async () => {
    const operator = await server.tokenFor('operator');
    const response = await server.gql(AUDIT, { action: 'token.create' }, { token: operator });
    expect(response.body.data).toBeNull();
    expect(response.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
