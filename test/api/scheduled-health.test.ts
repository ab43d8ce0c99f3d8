/**
 * The scheduler and the subscription together: a client subscribed over SSE sees an
 * instance's status change within one health interval of the vendor going down, with no
 * one asking for a check.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';

const INTERVAL_S = 2;
const JITTER = 0.1; // the scheduler's default
/** Time for a tick to notice the check is due, the check itself and the event's delivery. */
const SLACK_MS = 1_000;

let vendorUp = true;
let vendor: Server;
let server: TestServer;

beforeAll(async () => {
  vendor = createServer((_req, res) => void res.writeHead(vendorUp ? 200 : 503).end());
  await new Promise<void>((resolve) => vendor.listen(0, '127.0.0.1', resolve));
  server = await startTestServer({
    pluginPaths: [join(import.meta.dirname, 'fixtures/scheduled')],
    env: { PLUGFORM_HEALTH_INTERVAL: String(INTERVAL_S) },
  });
});

afterAll(async () => {
  await server?.close();
  vendor.closeAllConnections();
  vendor.close();
});

interface HealthEvent {
  instanceId: string;
  previousStatus: string;
  status: string;
  at: number;
}

/** Subscribes over SSE as a browser or script would, collecting every event. */
function subscribe(signal: AbortSignal): HealthEvent[] {
  const events: HealthEvent[] = [];
  void (async () => {
    const response = await fetch(server.graphqlUrl, {
      method: 'POST',
      signal,
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${server.adminToken}` },
      body: JSON.stringify({ query: 'subscription { pluginInstanceHealthChanged { instanceId previousStatus status } }' }),
    });
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const data = buffer.slice(0, end).split('\n').find((line) => line.startsWith('data: '));
        buffer = buffer.slice(end + 2);
        const change = data && JSON.parse(data.slice(6)).data?.pluginInstanceHealthChanged;
        if (change) events.push({ ...change, at: Date.now() });
      }
    }
  })().catch(() => undefined);
  return events;
}

async function waitFor<T>(find: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`nothing within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

it('pushes a status change to a subscriber within one interval, unasked', async () => {
  const vendorUrl = `http://127.0.0.1:${(vendor.address() as AddressInfo).port}/status`;
  const created = await server.gql(
    `mutation ($input: CreatePluginInstanceInput!) {
      createPluginInstance(input: $input) { __typename ... on MutationCreatePluginInstanceSuccess { data { id } } }
    }`,
    { input: { pluginName: 'status-probe', name: 'watched', configuration: { url: vendorUrl } } },
  );
  const id = created.body.data.createPluginInstance.data.id as string;

  const subscription = new AbortController();
  const events = subscribe(subscription.signal);
  server.running.services.scheduler.start();
  try {
    const intervalMs = INTERVAL_S * 1000;
    const limit = intervalMs * (1 + JITTER) + SLACK_MS;
    // The first scheduled check lands within the first interval.
    const up = await waitFor(() => events.find((e) => e.instanceId === id && e.status === 'HEALTHY'), limit);
    expect(up.previousStatus).toBe('UNKNOWN');

    vendorUp = false;
    const wentDown = Date.now();
    const down = await waitFor(() => events.find((e) => e.instanceId === id && e.status === 'UNHEALTHY'), limit);
    expect(down.previousStatus).toBe('HEALTHY');
    expect(down.at - wentDown).toBeLessThanOrEqual(limit);

    const { body } = await server.gql('query ($id: ID!) { pluginInstance(id: $id) { healthStatus healthHistory(last: 5) { status message } } }', { id });
    expect(body.data.pluginInstance.healthStatus).toBe('UNHEALTHY');
    expect(body.data.pluginInstance.healthHistory[0]).toEqual({ status: 'UNHEALTHY', message: 'HTTP 503' });
  } finally {
    server.running.services.scheduler.stop();
    subscription.abort();
  }
});
