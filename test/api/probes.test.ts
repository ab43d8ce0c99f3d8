/**
 * The operations endpoints and the 404s of the real server (embedded PGlite, in-process), and
 * its graceful close: a request in flight is answered, a subscription stream ends, then the
 * server stops. The same on PostgreSQL replicas: test/replicas/cluster.test.ts.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';

const SLOW_MS = 600;
let vendor: Server;
let vendorUrl: string;
let vendorHits = 0;
let server: TestServer;
let closed = false;

beforeAll(async () => {
  vendor = createServer((_req, res) => {
    vendorHits++;
    setTimeout(() => res.writeHead(200).end(), SLOW_MS);
  });
  await new Promise<void>((resolve) => vendor.listen(0, '127.0.0.1', resolve));
  vendorUrl = `http://127.0.0.1:${(vendor.address() as AddressInfo).port}/status`;
  server = await startTestServer({ pluginPaths: [join(import.meta.dirname, 'fixtures/scheduled')] });
}, 120_000);

afterAll(async () => {
  if (!closed) await server?.close();
  vendor?.closeAllConnections();
  vendor?.close();
});

it('/livez and /readyz report the replica', async () => {
  const live = await server.fetch('/livez');
  expect(live.status).toBe(200);
  expect(JSON.parse(live.text)).toEqual({ status: 'live' });
  const ready = await server.fetch('/readyz');
  expect(ready.status).toBe(200);
  expect(ready.headers.get('cache-control')).toBe('no-store');
  expect(JSON.parse(ready.text)).toEqual({ status: 'ready', ready: true, checks: { database: 'ok', secretStore: 'ok', migrations: 'ok' } });
  expect((await server.fetch('/readyz', { method: 'POST' })).status).toBe(405);
});

it('answers 404 JSON for paths that are neither the API nor the console, whatever the method', async () => {
  for (const [method, path] of [
    ['GET', '/health'],
    ['GET', '/healthz'],
    ['GET', '/api/v0/instances'],
    ['POST', '/api/v0/instances'],
    ['DELETE', '/no-such-thing'],
  ] as const) {
    const response = await server.fetch(path, { method });
    expect(response.status, `${method} ${path}`).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(JSON.parse(response.text)).toMatchObject({ error: 'not_found' });
  }
});

it('on close, answers the request in flight and ends subscription streams before stopping', async () => {
  const subscription = await fetch(server.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${server.adminToken}` },
    body: JSON.stringify({ query: 'subscription { pluginInstanceHealthChanged { instanceId status } }' }),
  });
  expect(subscription.status).toBe(200);
  const streamEnded = (async () => {
    for await (const _ of subscription.body as unknown as AsyncIterable<Uint8Array>);
    return 'ended';
  })().catch(() => 'broken');

  const inFlight = server.gql(
    'mutation ($input: TestPluginConnectionInput!) { testPluginConnection(input: $input) { __typename ... on MutationTestPluginConnectionSuccess { data { success } } } }',
    { input: { pluginName: 'status-probe', configuration: { url: vendorUrl } } },
  );
  const deadline = Date.now() + 10_000;
  while (vendorHits === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(vendorHits).toBe(1);

  closed = true;
  const closing = server.close();
  const answered = await inFlight;
  expect(answered.status).toBe(200);
  expect(answered.body.data?.testPluginConnection.data?.success, answered.text).toBe(true);
  expect(await streamEnded).toBe('ended');
  await closing;
  expect(server.logs.filter((line) => /shutdown step failed/.test(line))).toEqual([]);
});
