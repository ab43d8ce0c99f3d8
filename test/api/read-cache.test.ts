/**
 * The read cache (server/app/read-cache.ts): a repeated list read is answered without reading
 * the list again, and never stale: every write that changes what the list shows (an update
 * through the API, a secret set, a health result written in raw SQL, a delete) is in the next
 * read; authorization still runs on every request (a revoked token is refused, a role that may
 * not read gets no cached answer); queries with a field that depends on anything else are not
 * cached. The other replicas' writes: test/replicas/instances.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREATE, CREATE_TOKEN, DELETE, REVOKE_TOKEN, UPDATE, succeed } from '../support/graphql.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

const LIST = `query ($first: Int!) {
  pluginInstances(pluginName: "example-echo", first: $first) {
    edges { node { id name version configuration secrets { key isSet updatedAt } healthStatus healthHistory(last: 1) { message } plugin { name } } }
    pageInfo { hasNextPage }
  }
}`;

interface Row {
  id: string;
  name: string;
  version: number;
  secrets: { key: string; isSet: boolean; updatedAt: string }[];
  healthStatus: string;
  healthHistory: { message: string }[];
}

async function list(token?: string): Promise<{ rows: Row[]; statements: number; text: string }> {
  server.sql.reset();
  const response = await server.gql(LIST, { first: 100 }, token === undefined ? {} : { token });
  expect(response.body.errors, response.text).toBeUndefined();
  const rows = response.body.data.pluginInstances.edges.map((edge: { node: Row }) => edge.node);
  return { rows, statements: server.sql.statements.length, text: response.text };
}

async function create(name: string): Promise<{ id: string; version: number }> {
  return succeed(server, CREATE, 'createPluginInstance', {
    input: { pluginName: 'example-echo', name, configuration: { senderName: name, apiToken: `echo-${name}` } },
  });
}

describe('a repeated list read', () => {
  it('is answered from the cache, the same bytes, without a statement through Prisma', async () => {
    await create('cached-a');
    const first = await list();
    const second = await list();
    expect(first.statements).toBeGreaterThan(0);
    expect(second.statements).toBe(0);
    expect(second.text).toBe(first.text);
  });

  it('shows a write made through the API in the next read', async () => {
    const instance = await create('renamed-before');
    await list();
    await succeed(server, UPDATE, 'updatePluginInstance', { input: { id: instance.id, version: instance.version, name: 'renamed-after' } });
    const names = (await list()).rows.map((row) => row.name);
    expect(names).toContain('renamed-after');
    expect(names).not.toContain('renamed-before');
  });

  it('shows when a secret changed in the next read', async () => {
    const instance = await create('secret-changed');
    const before = (await list()).rows.find((row) => row.id === instance.id)!;
    await new Promise((resolve) => setTimeout(resolve, 5)); // a later updatedAt
    await succeed(server, UPDATE, 'updatePluginInstance', {
      input: { id: instance.id, version: instance.version, secrets: [{ key: 'apiToken', value: 'echo-secret-changed-again' }] },
    });
    const after = (await list()).rows.find((row) => row.id === instance.id)!;
    expect(after.secrets[0]!.isSet).toBe(true);
    expect(after.secrets[0]!.updatedAt).not.toBe(before.secrets[0]!.updatedAt);
  });

  it('shows a health result (written in raw SQL by the health service) in the next read', async () => {
    const instance = await create('checked-later');
    const before = (await list()).rows.find((row) => row.id === instance.id)!;
    expect(before.healthHistory).toEqual([]);
    await server.running.services.health.check(instance.id);
    const after = (await list()).rows.find((row) => row.id === instance.id)!;
    expect(after.healthHistory).toHaveLength(1);
    expect(after.healthStatus).not.toBe('UNKNOWN');
  });

  it('leaves out a deleted instance in the next read', async () => {
    const instance = await create('deleted-later');
    expect((await list()).rows.map((row) => row.id)).toContain(instance.id);
    await succeed(server, DELETE, 'deletePluginInstance', { id: instance.id });
    expect((await list()).rows.map((row) => row.id)).not.toContain(instance.id);
  });

  it('is refused to a token revoked after its answer was cached', async () => {
    const created = await succeed(server, CREATE_TOKEN, 'createApiToken', { name: 'cached-reader', role: 'VIEWER' });
    await list(created.token);
    expect((await list(created.token)).statements).toBe(0);
    await succeed(server, REVOKE_TOKEN, 'revokeApiToken', { id: created.apiToken.id });
    const refused = await server.gql(LIST, { first: 100 }, { token: created.token });
    expect(refused.status).toBe(401);
    expect(refused.body.data ?? null).toBeNull();
  });

  it("is not another token's answer: a service token is refused the list another token cached", async () => {
    const instance = await create('service-scope');
    await list();
    const service = await server.running.services.tokens.create('cache-service', 'operator', [{ instanceId: instance.id, operations: ['*'] }]);
    const refused = await server.gql(LIST, { first: 100 }, { token: service.token });
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('a query that reads anything else', () => {
  it('is executed every time (replicaProvider is this replica’s state, not a stored row)', async () => {
    const query = '{ pluginInstances(first: 100) { edges { node { id replicaProvider { state } } } } }';
    await server.gql(query);
    server.sql.reset();
    const again = await server.gql(query);
    expect(again.body.errors).toBeUndefined();
    expect(server.sql.statements.length).toBeGreaterThan(0);
  });
});
