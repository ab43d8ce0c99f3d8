/**
 * What listing costs: every field of 100 instances (configuration, secret states, plugin,
 * health history, audit trail) in a bounded number of SQL statements, the same for 10 as for
 * 100, and not one read of the secret store. Statements are counted where Prisma hands them
 * to PGlite (test/support/server.ts), secret-store calls by wrapping the store.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';
import { startVendor, type Vendor } from './fixtures/vendor.ts';

let server: TestServer;
let vendor: Vendor;
beforeAll(async () => {
  [server, vendor] = await Promise.all([startTestServer(), startVendor()]);
});
afterAll(async () => {
  await Promise.all([server?.close(), vendor?.close()]);
});

const LIST = `query ($first: Int!) {
  pluginInstances(pluginName: "api-notify", first: $first) {
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges {
      cursor
      node {
        id pluginName name enabled status statusMessage version configuration
        secrets { key label isSet updatedAt value }
        healthStatus healthSince lastHealthCheckAt createdAt updatedAt
        plugin { name type fields { key } }
        healthHistory(last: 5) { id status message checkedAt }
        auditEvents(last: 5) { id actor action changedKeys at }
      }
    }
  }
}`;

/** Adds instances through the service (faster than HTTP), each with two secrets, a health check and an update. */
async function addInstances(from: number, to: number): Promise<void> {
  const numbers = Array.from({ length: to - from + 1 }, (_, k) => from + k);
  for (let batch = 0; batch < numbers.length; batch += 10) await Promise.all(numbers.slice(batch, batch + 10).map(addInstance));
}

async function addInstance(i: number): Promise<void> {
  const { instances, health } = server.running.services;
  const created = await instances.create(
    {
      pluginName: 'api-notify',
      name: `bulk-${String(i).padStart(3, '0')}`,
      configuration: {
        endpoint: vendor.url,
        apiKey: `good-key-${i}-abcdef`,
        webhookSecret: `whsec-${i}`,
        senderName: 'Bulk Sender',
        faults: { health: 'fail' }, // an answer without a network call
      },
    },
    'system',
  );
  await health.check(created.id);
  await instances.update(created.id, { version: 1, configuration: { retries: 1 } }, 'system');
}

async function measure(first: number) {
  await server.gql(LIST, { first }); // warm: the token's last use is recorded at most once a minute
  server.sql.reset();
  const reads = server.secretCalls.read;
  const response = await server.gql(LIST, { first });
  const statements = [...server.sql.statements];
  return { response, statements, secretReads: server.secretCalls.read - reads };
}

describe('listing instances', () => {
  it('costs the same bounded number of SQL statements for 10 and for 100 instances, and no secret read', async () => {
    await addInstances(1, 10);
    const ten = await measure(100);
    expect(ten.response.body.errors).toBeUndefined();
    expect(ten.response.body.data.pluginInstances.edges).toHaveLength(10);

    await addInstances(11, 100);
    const hundred = await measure(100);
    expect(hundred.response.body.errors).toBeUndefined();
    const nodes = hundred.response.body.data.pluginInstances.edges.map((e: { node: any }) => e.node);
    expect(nodes).toHaveLength(100);
    // Every node is complete: the bounded cost is not bought by leaving fields out.
    for (const node of nodes) {
      expect(node.secrets.map((s: { key: string; isSet: boolean }) => `${s.key}:${s.isSet}`)).toEqual(['apiKey:true', 'webhookSecret:true']);
      expect(node.configuration).toMatchObject({ apiKey: '••••••••', webhookSecret: '••••••••', retries: 1 });
      expect(node.healthHistory).toHaveLength(1);
      expect(node.auditEvents.map((e: { action: string }) => e.action)).toEqual(['instance.update', 'instance.create']);
      expect(node.plugin.name).toBe('api-notify');
    }

    // The token lookup plus a fixed number for the list, whatever its length.
    expect(ten.statements.length).toBeGreaterThan(1); // the counter does count
    expect(hundred.statements.length).toBeLessThanOrEqual(5);
    expect(hundred.statements.length).toBe(ten.statements.length);
    expect(ten.secretReads).toBe(0);
    expect(hundred.secretReads).toBe(0);
  });

  it('healthHistory(last: 1) reads one check per instance: the limit is applied per instance in the one statement', async () => {
    const PAGE = '{ pluginInstances(pluginName: "api-notify", first: 5) { edges { node { id healthHistory(last: 1) { id checkedAt } } } } }';
    const ids: string[] = (await server.gql(PAGE)).body.data.pluginInstances.edges.map((e: { node: { id: string } }) => e.node.id);
    for (const id of ids) for (let check = 0; check < 3; check++) await server.running.services.health.check(id);
    server.sql.reset();
    const { body } = await server.gql(PAGE.replace('checkedAt', 'checkedAt message'));
    expect(body.errors).toBeUndefined();
    for (const edge of body.data.pluginInstances.edges) expect(edge.node.healthHistory).toHaveLength(1);
    const healthReads = server.sql.statements.filter((statement) => statement.includes('health_check'));
    expect(healthReads).toHaveLength(1);
    // Limited in SQL (Prisma's per-parent `take` read all 4 checks of each instance and cut in memory).
    expect(healthReads[0]).toMatch(/PARTITION BY instance_id/);
  });

  it('a single instance with every field is a bounded number of statements too, and no secret read', async () => {
    const { body } = await server.gql('{ pluginInstances(first: 1) { edges { node { id } } } }');
    const id = body.data.pluginInstances.edges[0].node.id;
    server.sql.reset();
    const reads = server.secretCalls.read;
    const response = await server.gql(
      `query ($id: ID!) { pluginInstance(id: $id) {
        id configuration secrets { key isSet updatedAt value } plugin { name }
        healthHistory { id status } auditEvents { id action }
      } }`,
      { id },
    );
    expect(response.body.errors).toBeUndefined();
    expect(server.sql.statements.length).toBeLessThanOrEqual(5);
    expect(server.secretCalls.read).toBe(reads);
  });
});
