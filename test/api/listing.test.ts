/**
 * pluginInstances as a Relay connection: filters by plugin name, plugin type, status and
 * enabled (alone and combined), ordered by plugin then name, paged forwards and backwards
 * with cursors and a truthful pageInfo.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREATE, succeed } from '../support/graphql.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;

/**
 * The data set: 8 api-analytics instances (a-1 … a-8; a-8 disabled), 3 example-echo ones
 * (e-1 active, e-2 disabled, e-3 in ERROR as after a failed restore).
 */
beforeAll(async () => {
  server = await startTestServer();
  for (let i = 1; i <= 8; i++) {
    await succeed(server, CREATE, 'createPluginInstance', {
      input: { pluginName: 'api-analytics', name: `a-${i}`, enabled: i !== 8, configuration: { projectId: `p${i}` } },
    });
  }
  const echo = (name: string, enabled = true) =>
    succeed(server, CREATE, 'createPluginInstance', {
      input: { pluginName: 'example-echo', name, enabled, configuration: { senderName: 'Echo', apiToken: 'echo-listing' } },
    });
  await echo('e-1');
  await echo('e-2', false);
  const broken = await echo('e-3');
  // What a restart does to an instance that cannot start (InstanceService.warmUp).
  await server.running.services.prisma.pluginInstance.update({
    where: { id: broken.id },
    data: { status: 'error', statusMessage: 'createProvider() failed at startup' },
  });
});
afterAll(async () => {
  await server?.close();
});

const LIST = `query ($pluginName: String, $type: PluginType, $status: InstanceStatus, $enabled: Boolean,
                    $first: Int, $after: String, $last: Int, $before: String) {
  pluginInstances(pluginName: $pluginName, type: $type, status: $status, enabled: $enabled,
                  first: $first, after: $after, last: $last, before: $before) {
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { name pluginName status statusMessage enabled } }
  }
}`;

async function list(variables: Record<string, unknown>) {
  const { status, body } = await server.gql(LIST, variables);
  expect(status).toBe(200);
  expect(body.errors).toBeUndefined();
  const connection = body.data.pluginInstances;
  return { ...connection, names: connection.edges.map((e: { node: { name: string } }) => e.node.name) as string[] };
}

const ANALYTICS = ['a-1', 'a-2', 'a-3', 'a-4', 'a-5', 'a-6', 'a-7', 'a-8'];

describe('filters', () => {
  it.each([
    { filter: {}, names: [...ANALYTICS, 'e-1', 'e-2', 'e-3'] },
    { filter: { pluginName: 'api-analytics' }, names: ANALYTICS },
    { filter: { pluginName: 'no-such-plugin' }, names: [] },
    { filter: { type: 'ANALYTICS' }, names: ANALYTICS },
    { filter: { type: 'NOTIFICATION' }, names: ['e-1', 'e-2', 'e-3'] },
    { filter: { type: 'PAYMENT' }, names: [] },
    { filter: { status: 'ACTIVE' }, names: [...ANALYTICS.slice(0, 7), 'e-1'] },
    { filter: { status: 'INACTIVE' }, names: ['a-8', 'e-2'] },
    { filter: { status: 'ERROR' }, names: ['e-3'] },
    { filter: { enabled: false }, names: ['a-8', 'e-2'] },
    { filter: { enabled: true }, names: [...ANALYTICS.slice(0, 7), 'e-1', 'e-3'] },
    { filter: { pluginName: 'example-echo', enabled: true }, names: ['e-1', 'e-3'] },
    { filter: { pluginName: 'example-echo', type: 'ANALYTICS' }, names: [] },
    { filter: { pluginName: 'example-echo', type: 'NOTIFICATION', status: 'ERROR', enabled: true }, names: ['e-3'] },
    { filter: { type: 'ANALYTICS', enabled: false }, names: ['a-8'] },
  ])('$filter', async ({ filter, names }) => {
    const page = await list({ ...filter, first: 50 });
    expect(page.names).toEqual(names);
    expect(page.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: false });
  });

  it('an instance in ERROR says why', async () => {
    const page = await list({ status: 'ERROR' });
    expect(page.edges[0].node).toEqual({ name: 'e-3', pluginName: 'example-echo', status: 'ERROR', statusMessage: 'createProvider() failed at startup', enabled: true });
  });
});

describe('pagination', () => {
  it('pages forwards with first/after until hasNextPage is false', async () => {
    const pages: string[][] = [];
    let after: string | undefined;
    for (;;) {
      const page = await list({ pluginName: 'api-analytics', first: 3, ...(after ? { after } : {}) });
      pages.push(page.names);
      expect(page.pageInfo.startCursor).toBe(page.edges[0].cursor);
      expect(page.pageInfo.endCursor).toBe(page.edges.at(-1).cursor);
      expect(page.pageInfo.hasPreviousPage).toBe(after !== undefined);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(pages).toEqual([
      ['a-1', 'a-2', 'a-3'],
      ['a-4', 'a-5', 'a-6'],
      ['a-7', 'a-8'],
    ]);
  });

  it('pages backwards with last/before', async () => {
    const end = await list({ pluginName: 'api-analytics', last: 3 });
    expect(end.names).toEqual(['a-6', 'a-7', 'a-8']);
    expect(end.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false });
    const before = await list({ pluginName: 'api-analytics', last: 3, before: end.pageInfo.startCursor });
    expect(before.names).toEqual(['a-3', 'a-4', 'a-5']);
    expect(before.pageInfo.hasPreviousPage).toBe(true);
  });

  it('a page that exactly fills the rest has no next page', async () => {
    const page = await list({ pluginName: 'api-analytics', first: 8 });
    expect(page.names).toEqual(ANALYTICS);
    expect(page.pageInfo.hasNextPage).toBe(false);
  });

  it('pages combine with filters', async () => {
    const first = await list({ enabled: true, first: 4 });
    expect(first.names).toEqual(['a-1', 'a-2', 'a-3', 'a-4']);
    const second = await list({ enabled: true, first: 4, after: first.pageInfo.endCursor });
    expect(second.names).toEqual(['a-5', 'a-6', 'a-7', 'e-1']);
    const third = await list({ enabled: true, first: 4, after: second.pageInfo.endCursor });
    expect(third.names).toEqual(['e-3']);
    expect(third.pageInfo.hasNextPage).toBe(false);
  });

  it('without first or last, a default page size applies', async () => {
    const page = await list({});
    expect(page.names.length).toBeGreaterThan(0);
    expect(page.names.length).toBeLessThanOrEqual(100);
  });

  it.each([
    { case: 'a malformed cursor', variables: { first: 2, after: 'not-a-cursor' } },
    { case: 'a negative first', variables: { first: -1 } },
  ])('$case is an error the client can read, not a masked one', async ({ variables }) => {
    const { status, body } = await server.gql(LIST, variables);
    expect(status).toBeLessThan(500);
    expect(body.errors?.[0]?.message).toEqual(expect.any(String));
    expect(body.errors?.[0]?.extensions?.code).not.toBe('INTERNAL_SERVER_ERROR');
  });
});
