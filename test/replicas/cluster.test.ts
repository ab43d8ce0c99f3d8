/**
 * Three real Plugform processes on one PostgreSQL database and one Vault KV v2 double, behind a
 * round-robin proxy (test/support/replicas.ts), tried as an operator would: started together,
 * one drained with SIGTERM and replaced, one killed with SIGKILL in the middle of a burst of
 * writes, the database cut off and restored. Every wait polls with a deadline.
 *
 * The tests run in order and share the cluster (starting one costs seconds of the 2 cores).
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HANDED_BACK, HEALTH_QUEUE, QUEUE_SCHEMA } from '../../server/health/cluster-scheduler.ts';
import { startCluster, waitUntil, type Cluster } from '../support/replicas.ts';
import { postgresGate } from '../unit/db/support.ts';

const gate = await postgresGate();

const INTERVAL_S = 2;
const INTERVAL_MS = INTERVAL_S * 1000;
/** PLUGFORM_HEALTH_TIMEOUT: a claimed check expires 2 s after it (see cluster-scheduler.ts). */
const HEALTH_TIMEOUT_S = 2;
const PROBES = 12;
const SLOW_MS = 800;

let vendor: Server;
let vendorUrl: string;
/** Requests the vendor received, by path. */
const vendorHits = new Map<string, number>();
let cluster: Cluster;
const probeIds: string[] = [];
/** While true, the vendor holds `/hold/…` requests open (a check that is still running). */
let holding = true;
const heldResponses: ServerResponse[] = [];

beforeAll(async () => {
  if (!gate.available) return;
  vendor = createServer((req, res) => {
    vendorHits.set(req.url ?? '', (vendorHits.get(req.url ?? '') ?? 0) + 1);
    if (req.url?.startsWith('/slow')) return void setTimeout(() => res.writeHead(200).end(), SLOW_MS);
    if (req.url?.startsWith('/hold') && holding) return void heldResponses.push(res);
    res.writeHead(200).end();
  });
  await new Promise<void>((resolve) => vendor.listen(0, '127.0.0.1', resolve));
  vendorUrl = `http://127.0.0.1:${(vendor.address() as AddressInfo).port}`;
  cluster = await startCluster({
    replicas: 3,
    // No PLUGFORM_ADMIN_TOKEN: every replica may try to bootstrap one.
    adminToken: null,
    pluginPaths: [join(import.meta.dirname, '../api/fixtures/scheduled')],
    env: {
      PLUGFORM_HEALTH_INTERVAL: String(INTERVAL_S),
      PLUGFORM_HEALTH_TIMEOUT: String(HEALTH_TIMEOUT_S),
      PLUGFORM_SHUTDOWN_GRACE: '5',
    },
  });
}, 120_000);

afterAll(async () => {
  await cluster?.close();
  vendor?.closeAllConnections();
  vendor?.close();
});

const GENERATED = /An admin API token was generated/;
const TOKEN_LINE = /^\s+(pf_\S+)\s*$/;

/** health_check rows per probe instance checked after `since` (every check writes one). */
async function checksSince(since: Date): Promise<Map<string, number>> {
  const rows = await cluster.sql<{ instance_id: string; n: string }>(
    'SELECT instance_id, count(*) AS n FROM health_check WHERE checked_at > $1 AND instance_id = ANY($2) GROUP BY instance_id',
    [since, probeIds],
  );
  return new Map(probeIds.map((id) => [id, Number(rows.find((row) => row.instance_id === id)?.n ?? 0)]));
}

/** Scheduled checks of the probes each replica logged, from log line `from` on, by replica index. */
function checksByReplica(from: number[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const replica of cluster.replicas) {
    const lines = replica.output.slice(from[replica.index] ?? 0);
    const n = lines.filter((line) => line.includes('scheduled health check') && probeIds.some((id) => line.includes(id))).length;
    if (n > 0) counts.set(replica.index, n);
  }
  return counts;
}

const CREATE = `mutation ($input: CreatePluginInstanceInput!) {
  createPluginInstance(input: $input) {
    __typename
    ... on MutationCreatePluginInstanceSuccess { data { id name configuration secrets { key isSet } } }
    ... on Error { message }
  }
}`;

describe.skipIf(!gate.available)('three replicas on one PostgreSQL and one Vault', { timeout: 60_000 }, () => {
  it('bootstraps exactly one admin token, however many replicas start at once', async () => {
    const announcing = cluster.replicas.filter((replica) => replica.stdout.some((line) => GENERATED.test(line)));
    expect(announcing).toHaveLength(1);
    const admins = await cluster.sql<{ n: string }>("SELECT count(*) AS n FROM api_token WHERE role = 'admin'");
    expect(Number(admins[0]!.n)).toBe(1);

    const token = announcing[0]!.stdout.map((line) => TOKEN_LINE.exec(line)?.[1]).find(Boolean);
    expect(token).toBeDefined();
    cluster.useToken(token!);
    // The one token works on every replica.
    for (const replica of cluster.replicas) {
      const response = await cluster.gql('{ plugins { name } }', undefined, { replica: replica.index });
      expect(response.status, replica.output.slice(-5).join('\n')).toBe(200);
    }
  });

  it('answers /livez and /readyz on every replica, and 404 for unknown paths', async () => {
    for (const replica of cluster.replicas) {
      const live = await cluster.request('/livez', { replica: replica.index });
      expect(live.status).toBe(200);
      const ready = await cluster.request('/readyz', { replica: replica.index });
      expect(ready.status).toBe(200);
      expect(JSON.parse(ready.text)).toMatchObject({ ready: true, checks: { database: 'ok', secretStore: 'ok', migrations: 'ok' } });
    }
    for (const path of ['/health', '/healthz', '/api/v0/instances']) {
      const response = await cluster.request(path);
      expect(response.status, path).toBe(404);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(response.text).not.toMatch(/<html/i);
    }
  });

  it('drains a replica on SIGTERM: the request in flight completes, subscriptions end, it exits 0', async () => {
    for (let i = 0; i < PROBES; i++) {
      const created = await cluster.gql(CREATE, {
        input: { pluginName: 'status-probe', name: `probe-${i}`, configuration: { url: `${vendorUrl}/status/${i}` } },
      });
      const id = created.body.data?.createPluginInstance.data?.id;
      expect(id, created.text).toBeTruthy();
      probeIds.push(id);
    }
    // On replica 0 itself: a subscriber, and a connection test whose vendor answers in SLOW_MS.
    const subscription = await fetch(`${cluster.replicas[0]!.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${cluster.adminToken}` },
      body: JSON.stringify({ query: 'subscription { pluginInstanceHealthChanged { instanceId status } }' }),
    });
    expect(subscription.status).toBe(200);
    const streamEnded = (async () => {
      for await (const _ of subscription.body as unknown as AsyncIterable<Uint8Array>);
      return 'ended';
    })().catch(() => 'broken');

    const inFlight = cluster.gql(
      'mutation ($input: TestPluginConnectionInput!) { testPluginConnection(input: $input) { __typename ... on MutationTestPluginConnectionSuccess { data { success } } } }',
      { input: { pluginName: 'status-probe', configuration: { url: `${vendorUrl}/slow` } } },
      { replica: 0 },
    );
    await waitUntil('the connection test to reach the vendor', () => vendorHits.has('/slow'), { timeoutMs: 10_000, everyMs: 10 });
    await cluster.stop(0);

    const answered = await inFlight;
    expect(answered.status).toBe(200);
    expect(answered.body.data?.testPluginConnection.data?.success, answered.text).toBe(true);
    expect(await streamEnded).toBe('ended');
    expect(cluster.replicas[0]!.exitCode).toBe(0);
    expect(cluster.replicas[0]!.logLines(/shutdown step failed|unhandled/i)).toEqual([]);

    // Its replacement starts with every instance stored so far.
    const replacement = await cluster.addReplica();
    await cluster.waitReady(replacement.index);
  });

  it('runs each scheduled check once per interval across the cluster, spread over the replicas', async () => {
    // Every probe has been checked at least once since the replacement joined (the chains run).
    const joined = new Date();
    // The spread is counted from here: every replica polls the queue, and whichever polls
    // first after a check is due takes it, so over several intervals each one takes some.
    const logFrom = cluster.replicas.map((replica) => replica.output.length);
    await waitUntil('a check of every probe', async () => [...(await checksSince(joined)).values()].every((n) => n > 0), {
      timeoutMs: 3 * INTERVAL_MS + 5_000,
    });
    const windowStart = new Date();
    const windows = 3;
    await new Promise((resolve) => setTimeout(resolve, windows * INTERVAL_MS));
    const counts = await checksSince(windowStart);
    // Once per interval: 3 intervals give about 3 checks, at most 4 (± the 10 % jitter and the
    // queue's polling); one scheduler per replica would give about 3 per replica. The lower
    // bound only proves the checks go on: on 2 shared cores timers and polls run late.
    for (const [id, n] of counts) {
      expect(n, `checks of ${id} in ${windows} intervals`).toBeGreaterThanOrEqual(1);
      expect(n, `checks of ${id} in ${windows} intervals`).toBeLessThanOrEqual(windows + 1);
    }
    const live = cluster.replicas.filter((replica) => replica.alive).map((replica) => replica.index);
    const byReplica = checksByReplica(logFrom);
    expect([...byReplica.keys()].sort(), `checks by replica: ${JSON.stringify([...byReplica])}`).toEqual(live.sort());
  });

  it('loses no acknowledged write when a replica is killed during a burst, and its checks move to the others', async () => {
    const victim = cluster.replicas.find((replica) => replica.alive && replica.index !== cluster.replicas.length - 1)!;
    const acknowledged: { id: string; name: string; senderName: string }[] = [];
    let failed = 0;
    let sent = 0;
    let killedAt: Date | undefined;
    const writer = async (worker: number) => {
      for (let i = 0; i < 8; i++) {
        const name = `burst-${worker}-${i}`;
        const senderName = `Sender ${worker}.${i}`;
        sent++;
        try {
          const response = await cluster.gql(CREATE, {
            input: { pluginName: 'example-echo', name, configuration: { senderName }, secrets: [{ key: 'apiToken', value: `echo-${name}` }] },
          });
          const data = response.body.data?.createPluginInstance.data;
          if (data?.id) acknowledged.push({ id: data.id, name, senderName });
          else failed++;
        } catch {
          failed++; // the proxy answered 502 (not JSON): not acknowledged
        }
        if (!killedAt && acknowledged.length >= 6) {
          killedAt = new Date();
          await cluster.kill(victim.index);
        }
      }
    };
    await Promise.all(Array.from({ length: 4 }, (_, worker) => writer(worker)));
    expect(killedAt).toBeDefined();
    expect(victim.alive).toBe(false);
    expect(victim.exitSignal).toBe('SIGKILL');
    expect(acknowledged.length).toBeGreaterThan(6);

    // Every acknowledged create is there, as sent, with its secret set, on every survivor.
    for (const replica of cluster.replicas.filter((r) => r.alive)) {
      for (const write of acknowledged) {
        const read = await cluster.gql(
          'query ($id: ID!) { pluginInstance(id: $id) { name configuration secrets { key isSet } } }',
          { id: write.id },
          { replica: replica.index },
        );
        const instance = read.body.data?.pluginInstance;
        expect(instance, `${write.name} on replica ${replica.index}: ${read.text}`).toMatchObject({
          name: write.name,
          configuration: { senderName: write.senderName },
        });
        expect(instance.secrets).toContainEqual({ key: 'apiToken', isSet: true });
      }
    }

    // The killed replica's checks are taken over: every probe keeps being checked once an
    // interval, by the survivors. A check it was running when killed expires after twice the health
    // timeout plus 2 s, and the next supervision (every interval / 2) hands it back.
    const takeoverMs = INTERVAL_MS + (2 * HEALTH_TIMEOUT_S + 2) * 1000 + INTERVAL_MS;
    await waitUntil('every probe checked after the kill', async () => [...(await checksSince(killedAt!)).values()].every((n) => n > 0), {
      timeoutMs: takeoverMs + 5_000,
    });
    const logFrom = cluster.replicas.map((replica) => replica.output.length);
    const windowStart = new Date();
    // An observation window of real processes (a fake clock cannot reach them): the checks
    // recorded in it are counted, once, below.
    await new Promise((resolve) => setTimeout(resolve, 3 * INTERVAL_MS));
    for (const [id, n] of await checksSince(windowStart)) {
      expect(n, `checks of ${id} in 3 intervals after the kill`).toBeGreaterThanOrEqual(1);
      expect(n, `checks of ${id} in 3 intervals after the kill`).toBeLessThanOrEqual(4);
    }
    const survivors = cluster.replicas.filter((replica) => replica.alive).map((replica) => replica.index);
    const byReplica = checksByReplica(logFrom);
    expect(byReplica.size).toBeGreaterThan(0);
    expect([...byReplica.keys()].every((index) => survivors.includes(index)), `checks by replica: ${JSON.stringify([...byReplica])}`).toBe(true);
  });

  it('hands the checks it holds back on SIGTERM: failed at once (not left to expire), and run by the others within an interval', async () => {
    // A replica whose checks outlast its shutdown grace: they are still running when it stops.
    const stopping = await cluster.addReplica({ PLUGFORM_SHUTDOWN_GRACE: '1', PLUGFORM_HEALTH_TIMEOUT: '30' });
    await cluster.waitReady(stopping.index);
    const held: string[] = [];
    for (let i = 0; i < 6; i++) {
      const created = await cluster.gql(CREATE, {
        input: { pluginName: 'status-probe', name: `held-${i}`, configuration: { url: `${vendorUrl}/hold/${i}`, timeoutMs: 60_000 } },
      });
      const id = created.body.data?.createPluginInstance.data?.id;
      expect(id, created.text).toBeTruthy();
      held.push(id);
    }
    const claimedBy = (replicaOutput: string[]) =>
      held.filter((id) => replicaOutput.some((line) => line.includes('scheduled health check') && line.includes(id)));
    // Stopped as soon as it runs one (a claim expires after twice PLUGFORM_HEALTH_TIMEOUT + 2 s of
    // the replica that queued it: 6 s or more here, which the hand-back must beat).
    const claimed = await waitUntil('the new replica to run a check of a held probe', () => {
      const ids = claimedBy(stopping.output);
      return ids.length > 0 ? ids : undefined;
    }, { timeoutMs: 4 * INTERVAL_MS + 10_000, everyMs: 10 });
    const active = await cluster.sql<{ id: string; singleton_key: string }>(
      `SELECT id, singleton_key FROM ${QUEUE_SCHEMA}.job WHERE name = $1 AND state = 'active' AND singleton_key = ANY($2)`,
      [HEALTH_QUEUE, claimed],
    );
    await cluster.stop(stopping.index);
    const stoppedAt = cluster.replicas.map((replica) => replica.output.length);
    expect(stopping.exitCode).toBe(0);
    expect(active.length).toBeGreaterThan(0);

    // The jobs it held were failed by its own shutdown (handed back), not expired by
    // another replica's supervisor ("job timed out") seconds later.
    const after = await cluster.sql<{ id: string; state: string; output: unknown }>(
      `SELECT id, state, output FROM ${QUEUE_SCHEMA}.job WHERE id = ANY($1)`,
      [active.map((job) => job.id)],
    );
    for (const job of after) {
      expect(job, `job of ${active.find((a) => a.id === job.id)?.singleton_key}`).toMatchObject({ state: 'failed', output: { reason: HANDED_BACK } });
    }

    // Another replica's reconcile (every interval) queues each again, due by its last check.
    const handedBack = active.map((job) => job.singleton_key);
    await waitUntil('the others to run the handed-back checks', () =>
      handedBack.every((id) =>
        cluster.replicas.some((replica) => replica.alive && claimedBy(replica.output.slice(stoppedAt[replica.index])).includes(id)),
      ), { timeoutMs: 2 * INTERVAL_MS + 3_000, everyMs: 50 });

    holding = false;
    for (const response of heldResponses.splice(0)) response.writeHead(200).end();
  });

  it('reports not ready while the database is cut off, and ready again once it is back', async () => {
    const live = cluster.replicas.filter((replica) => replica.alive);
    cluster.postgresProxy.cut();
    try {
      for (const replica of live) {
        const report = await waitUntil(
          `replica ${replica.index} to report the database`,
          async () => {
            const response = await cluster.request('/readyz', { replica: replica.index });
            return response.status === 503 ? (JSON.parse(response.text) as { checks: Record<string, string> }) : undefined;
          },
          { timeoutMs: 10_000 },
        );
        expect(report.checks.database).not.toBe('ok');
        // Still alive: a database outage is no reason to restart the process.
        expect((await cluster.request('/livez', { replica: replica.index })).status).toBe(200);
      }
    } finally {
      cluster.postgresProxy.restore();
    }
    for (const replica of live) await cluster.waitReady(replica.index, 20_000);
  });
});
