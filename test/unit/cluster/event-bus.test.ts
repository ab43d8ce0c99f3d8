/**
 * The cluster event bus: graphql-yoga's pubsub over PostgreSQL LISTEN/NOTIFY (one listening
 * connection per replica) and, for one process, over an in-memory event target. Every
 * replica hears every event, its own included; a replica whose listening connection drops
 * gets it back by itself, says so (resync), and hears events again.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createEventBus, createInProcessBus, type EventBus, type InstanceChanged } from '../../../server/cluster/event-bus.ts';
import { createPostgresEventTarget } from '../../../server/cluster/postgres-event-target.ts';
import { captureLogger, openTestDatabase, postgresGate, type TestDatabase } from '../../support/instances.ts';
import { startTcpProxy, type TcpProxy } from '../../support/replicas.ts';

const postgres = await postgresGate();

function collect(bus: EventBus): InstanceChanged[] {
  const seen: InstanceChanged[] = [];
  bus.on('instance.changed', (change) => seen.push(change));
  return seen;
}

describe('in-process bus', () => {
  it('delivers to every listener and subscriber, and stops a listener on request', async () => {
    const bus = createInProcessBus();
    const seen = collect(bus);
    const iterator = bus.subscribe('instance.changed')[Symbol.asyncIterator]();
    const next = iterator.next();
    bus.publish('instance.changed', { instanceId: 'i-1', version: 2, replica: 'a' });
    expect(seen).toEqual([{ instanceId: 'i-1', version: 2, replica: 'a' }]);
    expect((await next).value).toEqual({ instanceId: 'i-1', version: 2, replica: 'a' });
    await iterator.return?.();
    const stop = bus.on('instance.changed', () => {
      throw new Error('must not be called after stop');
    });
    stop();
    bus.publish('instance.changed', { instanceId: 'i-1', version: null, replica: 'a' });
    expect(seen).toHaveLength(2);
  });
});

describe.skipIf(!postgres.available)('PostgreSQL LISTEN/NOTIFY bus', () => {
  let testDb: TestDatabase;
  let proxy: TcpProxy;
  const buses: EventBus[] = [];

  beforeAll(async () => {
    testDb = await openTestDatabase('postgres');
    const url = new URL(testDb.url!);
    proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
  });
  afterAll(async () => {
    for (const bus of buses) await bus.close();
    await proxy?.close();
    await testDb?.dispose();
  });

  /** A replica's bus, with the lines its logger wrote. */
  async function bus(connectionString: string): Promise<EventBus & { logs: string[] }> {
    const { logger, lines } = captureLogger();
    const target = createPostgresEventTarget({ connectionString, logger });
    await target.ready();
    const made = createEventBus('postgres', target);
    buses.push(made);
    return Object.assign(made, { logs: lines });
  }

  it('every replica hears every event, the sender included, in the order sent', async () => {
    const a = await bus(testDb.url!);
    const b = await bus(testDb.url!);
    const seenA = collect(a);
    const seenB = collect(b);
    for (let version = 1; version <= 5; version++) a.publish('instance.changed', { instanceId: 'i-1', version, replica: 'a' });
    b.publish('instance.changed', { instanceId: 'i-2', version: null, replica: 'b' });
    await vi.waitFor(() => expect(seenB).toHaveLength(6), { timeout: 1000, interval: 10 });
    await vi.waitFor(() => expect(seenA).toHaveLength(6), { timeout: 1000, interval: 10 });
    expect(seenB.filter((c) => c.instanceId === 'i-1').map((c) => c.version)).toEqual([1, 2, 3, 4, 5]);
    expect(seenA).toContainEqual({ instanceId: 'i-2', version: null, replica: 'b' });
  });

  it('an event too large for NOTIFY is not sent, and the reason is logged', async () => {
    const a = await bus(testDb.url!);
    const seen: unknown[] = [];
    a.on('health.changed', (change) => seen.push(change));
    a.publish('health.changed', { instanceId: 'x', previous: 'unknown', current: { message: 'x'.repeat(9000) } } as never);
    a.publish('instance.changed', { instanceId: 'after', version: 1, replica: 'a' });
    await vi.waitFor(() => expect(a.logs.some((line) => line.includes('too large for NOTIFY'))).toBe(true), { timeout: 1000 });
    expect(seen).toEqual([]);
  });

  it('a replica whose listening connection drops reconnects by itself, resyncs, and hears events again', async () => {
    const proxied = new URL(testDb.url!);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);
    const listener = await bus(proxied.toString());
    const sender = await bus(testDb.url!);
    const seen = collect(listener);
    let resyncs = 0;
    listener.onResync(() => resyncs++);

    const heardBySender = collect(sender);
    proxy.cut();
    await vi.waitFor(() => expect(listener.logs.some((line) => line.includes('listening connection lost'))).toBe(true), {
      timeout: 10_000,
      interval: 10,
    });
    sender.publish('instance.changed', { instanceId: 'lost', version: 1, replica: 's' });
    // The sender hears its own event once PostgreSQL has delivered it: sent while the listener was deaf.
    await vi.waitFor(() => expect(heardBySender.map((c) => c.instanceId)).toContain('lost'), { timeout: 5000, interval: 10 });
    proxy.restore();
    await vi.waitFor(() => expect(resyncs).toBe(1), { timeout: 10_000, interval: 50 });
    sender.publish('instance.changed', { instanceId: 'heard', version: 2, replica: 's' });
    await vi.waitFor(() => expect(seen.map((c) => c.instanceId)).toContain('heard'), { timeout: 1000, interval: 10 });
    // What was sent while it was deaf is lost (hence the resync), never replayed out of order.
    expect(seen.map((c) => c.instanceId)).not.toContain('lost');
  });
});
