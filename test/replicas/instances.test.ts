/**
 * Any replica serves any instance, proven with real server processes: three replicas on one
 * PostgreSQL database sharing one Vault KV v2 double (test/support/replicas.ts), reached one
 * by one. A change saved on one replica is used by the others within a second; health events
 * reach the subscribers of every replica; a replica that cannot start a provider (its local
 * secret store lacks the secrets) says so for itself, sends nothing and writes nothing shared;
 * a second local store is refused outright; a retried create with its clientMutationId makes
 * one instance whichever replicas answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, waitUntil, type Cluster } from '../support/replicas.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/vendors/webhook-receiver.ts';
import { postgresGate } from '../unit/db/support.ts';

const gate = await postgresGate();

const SIGNING_SECRET = 'replica-signing-secret-0001';

const CREATE = `mutation ($input: CreatePluginInstanceInput!) {
  createPluginInstance(input: $input) {
    __typename
    ... on MutationCreatePluginInstanceSuccess { data { id version } }
    ... on Error { message }
  }
}`;
const UPDATE = `mutation ($input: UpdatePluginInstanceInput!) {
  updatePluginInstance(input: $input) {
    __typename
    ... on MutationUpdatePluginInstanceSuccess { data { id version } }
    ... on Error { message }
  }
}`;
const CHECK = `mutation ($id: ID!) {
  checkPluginInstanceHealth(id: $id) {
    __typename
    ... on MutationCheckPluginInstanceHealthSuccess { data { status message } }
    ... on Error { message }
    ... on PluginUnavailableError { pluginName }
  }
}`;
const TEST_SAVED = `mutation ($id: ID!) {
  testPluginInstanceConnection(input: { id: $id }) {
    __typename
    ... on MutationTestPluginInstanceConnectionSuccess { data { success message } }
    ... on Error { message }
  }
}`;
const REPLICA_PROVIDER = `query ($id: ID!) { pluginInstance(id: $id) { replicaProvider { replica state version message } } }`;

let cluster: Cluster;
let first: WebhookReceiver;
let second: WebhookReceiver;

beforeAll(async () => {
  if (!gate.available) return;
  [cluster, first, second] = await Promise.all([
    startCluster({ replicas: 3 }),
    startWebhookReceiver({ secret: SIGNING_SECRET }),
    startWebhookReceiver({ secret: SIGNING_SECRET }),
  ]);
}, 180_000);
afterAll(async () => {
  await cluster?.close();
  await first?.close();
  await second?.close();
});

async function createWebhook(name: string, url: string, replica: number): Promise<{ id: string; version: number }> {
  const { body } = await cluster.gql(
    CREATE,
    { input: { pluginName: 'webhook', name, configuration: { url, retryCount: 0 }, secrets: [{ key: 'signingSecret', value: SIGNING_SECRET }] } },
    { replica },
  );
  expect(body.data?.createPluginInstance.__typename, JSON.stringify(body)).toBe('MutationCreatePluginInstanceSuccess');
  return body.data.createPluginInstance.data;
}

async function check(id: string, replica: number) {
  const { body } = await cluster.gql(CHECK, { id }, { replica });
  return body.data?.checkPluginInstanceHealth as { __typename: string; data?: { status: string; message: string }; message?: string };
}

/** Opens the health subscription on one replica; resolves with the first event's payload. */
function subscribe(replica: number, id: string): { opened: Promise<void>; event: Promise<Record<string, unknown>>; close: () => void } {
  const controller = new AbortController();
  const response = fetch(`${cluster.replicas[replica]!.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${cluster.adminToken}` },
    body: JSON.stringify({ query: 'subscription ($id: ID) { pluginInstanceHealthChanged(id: $id) { instanceId previousStatus status } }', variables: { id } }),
    signal: controller.signal,
  });
  let markOpened!: () => void;
  // Yoga's SSE stream starts with a ":" ping once the subscription is in place.
  const opened = new Promise<void>((resolve) => (markOpened = resolve));
  const event = response.then(async (res) => {
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`replica ${replica}: the stream ended without an event: ${text}`);
      markOpened();
      text += decoder.decode(value, { stream: true });
      const data = /^data: (.*)$/m.exec(text)?.[1];
      if (data) return JSON.parse(data) as Record<string, unknown>;
    }
  });
  return { opened, event, close: () => controller.abort() };
}

describe.skipIf(!gate.available)('three replicas on one PostgreSQL database and one Vault', () => {
  it('a change saved on one replica is used by the others within 1 s', async () => {
    const created = await createWebhook('moving-hook', first.hookUrl, 0);
    for (const replica of [1, 2]) expect(await check(created.id, replica)).toMatchObject({ data: { status: 'HEALTHY' } });
    // Both pings were signed with the secret replica 0 saved (the receiver refuses anything else).
    expect(first.deliveries).toHaveLength(2);

    const { body } = await cluster.gql(UPDATE, { input: { id: created.id, version: 1, configuration: { url: second.hookUrl }, secrets: [{ key: 'signingSecret', value: SIGNING_SECRET }] } }, { replica: 0 });
    expect(body.data.updatePluginInstance).toMatchObject({ __typename: 'MutationUpdatePluginInstanceSuccess', data: { version: 2 } });
    // The others drop the provider of version 1 as soon as they hear of version 2.
    const dropped = (replica: number) => cluster.replicas[replica]!.logLines(/dropped a stale provider/).some((line) => line.includes(created.id));
    await waitUntil('replicas 1 and 2 to drop the stale provider', () => dropped(1) && dropped(2), { timeoutMs: 1000, everyMs: 20 });

    for (const replica of [1, 2]) expect(await check(created.id, replica)).toMatchObject({ data: { status: 'HEALTHY' } });
    expect(first.deliveries).toHaveLength(2);
    expect(second.deliveries).toHaveLength(2);
    for (const replica of [1, 2]) {
      expect((await cluster.gql(REPLICA_PROVIDER, { id: created.id }, { replica })).body.data.pluginInstance.replicaProvider).toMatchObject({
        state: 'RUNNING',
        version: 2,
      });
    }
  });

  it("a list a replica has cached shows another replica's write in its very next read", async () => {
    const LIST = '{ pluginInstances(pluginName: "webhook", first: 100) { edges { node { id name version healthStatus } } } }';
    const listOn = async (replica: number) => (await cluster.gql(LIST, {}, { replica })).body.data.pluginInstances.edges.map((e: { node: unknown }) => e.node);
    const created = await createWebhook('listed-hook', first.hookUrl, 1);
    await listOn(0);
    const cached = await listOn(0);
    expect(cached).toContainEqual({ id: created.id, name: 'listed-hook', version: 1, healthStatus: 'UNKNOWN' });

    // Written on replica 1 (an update, then a health result); read on replica 0 at once, no waiting for the bus.
    const { body } = await cluster.gql(UPDATE, { input: { id: created.id, version: 1, name: 'renamed-hook' } }, { replica: 1 });
    expect(body.data.updatePluginInstance.__typename).toBe('MutationUpdatePluginInstanceSuccess');
    expect(await listOn(0)).toContainEqual({ id: created.id, name: 'renamed-hook', version: 2, healthStatus: 'UNKNOWN' });
    expect(await check(created.id, 2)).toMatchObject({ data: { status: 'HEALTHY' } });
    expect(await listOn(0)).toContainEqual({ id: created.id, name: 'renamed-hook', version: 2, healthStatus: 'HEALTHY' });
  });

  it('health events reach the subscribers of every replica, whichever replica ran the check', async () => {
    const created = await createWebhook('watched-hook', first.hookUrl, 1);
    const streams = [0, 1, 2].map((replica) => subscribe(replica, created.id));
    try {
      await Promise.all(streams.map((stream) => stream.opened));
      // The first check changes the status from UNKNOWN; it runs on replica 2 only.
      expect(await check(created.id, 2)).toMatchObject({ data: { status: 'HEALTHY' } });
      const events = await Promise.all(streams.map((stream) => stream.event));
      for (const event of events) {
        expect(event).toEqual({ data: { pluginInstanceHealthChanged: { instanceId: created.id, previousStatus: 'UNKNOWN', status: 'HEALTHY' } } });
      }
    } finally {
      for (const stream of streams) stream.close();
    }
  });

  it('a retried create with its clientMutationId makes one instance, whichever replicas answer', async () => {
    const input = {
      pluginName: 'webhook',
      name: 'retried-hook',
      configuration: { url: first.hookUrl },
      secrets: [{ key: 'signingSecret', value: SIGNING_SECRET }],
      clientMutationId: 'deploy-42-create-hook',
    };
    const answers = [];
    for (const replica of [0, 1, 2]) answers.push((await cluster.gql(CREATE, { input }, { replica })).body.data.createPluginInstance);
    expect(new Set(answers.map((answer) => answer.data?.id)).size).toBe(1);
    expect(answers.every((answer) => answer.__typename === 'MutationCreatePluginInstanceSuccess')).toBe(true);
    const rows = await cluster.sql<{ count: string }>("SELECT count(*) FROM plugin_instance WHERE name = 'retried-hook'");
    expect(Number(rows[0]?.count)).toBe(1);
  });

  it('a replica whose local store lacks the secrets refuses, sends nothing, and never writes into the shared rows', async () => {
    const created = await createWebhook('guarded-hook', first.hookUrl, 0);
    expect(await check(created.id, 0)).toMatchObject({ data: { status: 'HEALTHY' } });
    const rows = () =>
      cluster.sql(
        `SELECT i.status, i.status_message, i.health_status, i.version, i.updated_at,
                (SELECT count(*) FROM health_check h WHERE h.instance_id = i.id) AS checks
         FROM plugin_instance i WHERE i.id = $1`,
        [created.id],
      );
    const before = await rows();
    const deliveries = first.deliveries.length;

    // A replica misconfigured with its own (empty) local store joins the cluster.
    const local = await cluster.addReplica({ PLUGFORM_SECRET_STORE: 'local' });
    const refused = await check(created.id, local.index);
    expect(refused.__typename).toBe('PluginUnavailableError');
    expect(refused.message).toContain('"signingSecret"');
    expect(refused.message).toMatch(/PLUGFORM_SECRET_STORE=vault/);
    expect(refused.message).not.toContain(SIGNING_SECRET);
    const test = (await cluster.gql(TEST_SAVED, { id: created.id }, { replica: local.index })).body.data.testPluginInstanceConnection;
    expect(test.__typename).toBe('PluginUnavailableError');
    // Nothing went out unsigned (the receiver records every delivery it accepts or refuses).
    expect(first.deliveries).toHaveLength(deliveries);
    expect(first.requests.filter((request) => request.headers['x-plugform-signature'] === undefined)).toEqual([]);

    expect(await rows()).toEqual(before);
    expect((await cluster.gql(REPLICA_PROVIDER, { id: created.id }, { replica: local.index })).body.data.pluginInstance.replicaProvider).toMatchObject({
      state: 'FAILED',
      version: 1,
      message: expect.stringContaining('"signingSecret"'),
    });
    expect((await cluster.gql(REPLICA_PROVIDER, { id: created.id }, { replica: 0 })).body.data.pluginInstance.replicaProvider).toMatchObject({
      state: 'RUNNING',
    });
    expect(local.logLines(/could not start on this replica/).some((line) => line.includes(created.id))).toBe(true);

    // A second local store on the same database is refused at start-up, saying what to do.
    const error = await cluster.addReplica({ PLUGFORM_SECRET_STORE: 'local' }).then(
      () => undefined,
      (reason: unknown) => String(reason),
    );
    expect(error).toMatch(/another local secret store/);
    expect(error).toMatch(/PLUGFORM_SECRET_STORE=vault/);
  }, 240_000);
});
