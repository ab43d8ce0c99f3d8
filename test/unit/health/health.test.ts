/**
 * Health checks and connection tests against real local HTTP servers that misbehave in
 * every way a vendor can: slow, hanging, 500, garbage, dropped connections. Real PGlite,
 * real local secret store.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { definePlugin, type IntegrationProvider } from '../../../plugins/sdk/index.ts';
import { openDatabase, type Database } from '../../../prisma/database.ts';
import { applyMigrations } from '../../../prisma/migrate.ts';
import { createEgressGate } from '../../../server/egress/egress.ts';
import { HealthService, type HealthChange } from '../../../server/health/health-service.ts';
import { HealthScheduler } from '../../../server/health/scheduler.ts';
import { TestingService } from '../../../server/health/testing-service.ts';
import { InstanceService, type StoredInstance } from '../../../server/instances/instance-service.ts';
import { createLogger } from '../../../server/logger.ts';
import { createSecretStore } from '../../../server/secrets/index.ts';

/** A vendor double: the path picks the misbehaviour. Counts concurrent requests per path. */
function startVendor() {
  let inFlight = 0;
  const stats = { maxInFlight: 0, requests: 0, perInstanceOverlap: 0 };
  const active = new Set<string>();
  const server: Server = createServer((req, res) => {
    stats.requests++;
    const url = new URL(req.url ?? '/', 'http://x');
    const who = url.searchParams.get('who') ?? '';
    if (active.has(who) && who) stats.perInstanceOverlap++;
    active.add(who);
    // Only requests that name their instance (the scheduler test's) count as in flight: a
    // `/hang` of an earlier test stays open on this side after its client gave up.
    const counted = who !== '';
    if (counted) inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, inFlight);
    let finished = false;
    const done = () => {
      if (finished) return;
      finished = true;
      if (counted) inFlight--;
      active.delete(who);
    };
    res.on('close', done);
    switch (url.pathname) {
      case '/ok':
        return void setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'), Number(url.searchParams.get('delay') ?? 0));
      case '/error':
        return void res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"internal"}');
      case '/garbage':
        return void res.writeHead(200, { 'content-type': 'application/json' }).end('<html>not json');
      case '/hang':
        return; // never answers
      case '/drop':
        return void req.socket.destroy();
      default:
        return void res.writeHead(404).end();
    }
  });
  return { server, stats };
}

const probe = definePlugin({
  name: 'probe',
  type: 'INTEGRATION',
  version: '1.0.0',
  fields: [
    { key: 'url', label: 'Status URL', type: 'URL', required: true },
    {
      key: 'token',
      label: 'Token',
      type: 'SECRET',
      required: true,
      // A careless rule that quotes the value it rejects: the server must scrub it.
      validationRules: [{ type: 'custom', validate: (value: unknown) => (String(value).startsWith('revoked-') ? `token ${String(value)} was revoked` : true) }],
    },
    { key: 'mode', label: 'Mode', type: 'SELECT', default: 'http', options: [
      { value: 'http', label: 'HTTP' },
      { value: 'throw', label: 'Throw' },
      { value: 'garbage', label: 'Garbage' },
      { value: 'hang', label: 'Hang' },
    ] },
  ],
  createProvider(config, context) {
    const check = async () => {
      if (config.mode === 'throw') throw new Error(`exploded while using ${config.token}`);
      if (config.mode === 'garbage') return 'not a result' as never;
      if (config.mode === 'hang') return new Promise<never>(() => undefined);
      const response = await context.http.fetch(config.url, { timeoutMs: 1500, headers: { authorization: `Bearer ${config.token}` } });
      if (!response.ok) return { status: 'unhealthy' as const, message: `status endpoint answered HTTP ${response.status}` };
      try {
        await response.json();
      } catch {
        return { status: 'degraded' as const, message: 'status endpoint answered with something that is not JSON' };
      }
      return { status: 'healthy' as const, message: 'ok', details: { echoedToken: config.token } };
    };
    return {
      healthCheck: check,
      async testConnection() {
        const report = await check();
        return { success: report.status === 'healthy', message: report.message };
      },
      async executeAction() {
        return { configured: config.url };
      },
    };
  },
});

const registry = { get: (name: string) => (name === 'probe' ? { schema: probe, createProvider: probe.createProvider } : undefined) };

describe('health checks and connection tests', () => {
  const vendor = startVendor();
  let base = '';
  let dir = '';
  let db: Database;
  let instances: InstanceService;
  let health: HealthService;
  let testing: TestingService;
  const logs: string[] = [];
  const CANARY = `canary-${Math.random().toString(36).slice(2)}`;

  beforeAll(async () => {
    await new Promise<void>((resolve) => vendor.server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(vendor.server.address() as AddressInfo).port}`;
    dir = await mkdtemp(join(tmpdir(), 'plugform-health-'));
    db = await openDatabase({ dataDir: ':memory:' });
    await applyMigrations(db, { log: () => undefined });
    const logger = createLogger({ level: 'debug', sink: (line) => logs.push(line) });
    const secrets = createSecretStore({}, { dataDir: dir });
    await secrets.check();
    const egress = createEgressGate({ blockPrivate: false, allow: [], deny: [] });
    instances = new InstanceService({ prisma: db.prisma, secrets, plugins: registry, logger, contextSettings: { egress }, configureTimeoutMs: 500 });
    health = new HealthService({ prisma: db.prisma, providers: instances, logger, historyLimit: 3, timeoutMs: 3000 });
    testing = new TestingService({ plugins: registry, instances, prisma: db.prisma, logger, contextSettings: { egress }, timeoutMs: 3000 });
  });

  afterAll(async () => {
    await instances.stopAll();
    await db.close();
    vendor.server.closeAllConnections();
    vendor.server.close();
    await rm(dir, { recursive: true, force: true });
  });

  let counter = 0;
  const create = (configuration: Record<string, unknown>, enabled = true) =>
    instances.create({ pluginName: 'probe', name: `probe-${++counter}`, enabled, configuration: { token: CANARY, ...configuration } }, 'test');

  it.each([
    ['/ok', 'http', 'healthy', /^ok$/],
    ['/error', 'http', 'unhealthy', /HTTP 500/],
    ['/garbage', 'http', 'degraded', /not JSON/],
    ['/hang', 'http', 'unhealthy', /timed out after 1500 ms/],
    ['/drop', 'http', 'unhealthy', /fetch failed|socket|closed/i],
    ['/ok', 'throw', 'unhealthy', /exploded while using \[redacted\]/],
    ['/ok', 'garbage', 'unhealthy', /healthCheck returned a malformed result/],
    ['/ok', 'hang', 'unhealthy', /healthCheck did not finish within 3000 ms/],
  ])('%s in mode %s → %s', async (path, mode, status, message) => {
    const instance = await create({ url: `${base}${path}`, mode });
    const result = await health.check(instance.id);
    expect(result.status).toBe(status);
    expect(result.message).toMatch(message);
    expect(result.pluginInstanceId).toBe(instance.id);
    expect(Number.isInteger(result.responseTimeMs)).toBe(true);
    expect(JSON.stringify(result)).not.toContain(CANARY);
    const row = await db.prisma.pluginInstance.findUniqueOrThrow({ where: { id: instance.id } });
    expect(row).toMatchObject({ healthStatus: status, lastHealthAt: new Date(result.timestamp) });
    // The history keeps what the caller was told, timing included.
    const kept = await db.prisma.healthCheck.findMany({ where: { instanceId: instance.id } });
    expect(kept.map((h) => ({ status: h.status, message: h.message, responseTimeMs: h.responseTimeMs, checkedAt: h.checkedAt.toISOString() }))).toEqual([
      { status: result.status, message: result.message, responseTimeMs: result.responseTimeMs, checkedAt: result.timestamp },
    ]);
  });

  it('blocks a check that reaches for a metadata address, saying why', async () => {
    const instance = await create({ url: 'http://169.254.169.254/latest/meta-data/' });
    const result = await health.check(instance.id);
    expect(result.status).toBe('unhealthy');
    expect(result.message).toMatch(/blocked: 169\.254\.169\.254 is a link-local or cloud metadata address/);
  });

  it('keeps the last N results, moves `since` only on a change, and announces changes only', async () => {
    const instance = await create({ url: `${base}/ok` });
    const changes: HealthChange[] = [];
    const listener = (change: HealthChange) => change.instanceId === instance.id && changes.push(change);
    health.events.on('change', listener);
    // Checks a minute apart on a fake calendar, so each has its own timestamp.
    vi.useFakeTimers({ toFake: ['Date'] });
    const checks: string[] = [];
    try {
      for (let i = 0; i < 3; i++) {
        vi.setSystemTime(Date.parse('2026-03-01T10:00:00Z') + i * 60_000);
        checks.push((await health.check(instance.id)).timestamp);
      }
    } finally {
      vi.useRealTimers();
    }
    expect(checks).toEqual(['2026-03-01T10:00:00.000Z', '2026-03-01T10:01:00.000Z', '2026-03-01T10:02:00.000Z']);
    const same = await db.prisma.pluginInstance.findUniqueOrThrow({ where: { id: instance.id } });
    expect(same.healthSince).toEqual(new Date(checks[0]!)); // healthy since the first check
    expect(same.lastHealthAt).toEqual(new Date(checks[2]!)); // checked last by the third
    // A new URL is a new destination: the token goes with it only when it is sent again.
    await instances.update(instance.id, { version: same.version, configuration: { url: `${base}/error`, token: CANARY } }, 'test');
    await health.check(instance.id);
    health.events.off('change', listener);
    expect(changes.map((c) => `${c.previous}→${c.current.status}`)).toEqual(['unknown→healthy', 'healthy→unhealthy']);
    const history = await db.prisma.healthCheck.findMany({ where: { instanceId: instance.id }, orderBy: { checkedAt: 'desc' } });
    expect(history).toHaveLength(3);
    expect(history[0]!.status).toBe('unhealthy');
  });

  it('joins a second check of the same instance to the one running', async () => {
    const instance = await create({ url: `${base}/ok?delay=100` });
    const [a, b] = await Promise.all([health.check(instance.id), health.check(instance.id)]);
    expect(a).toBe(b);
  });

  it('reports a disabled instance as unknown without calling it', async () => {
    const instance = await create({ url: `${base}/ok` }, false);
    const before = vendor.stats.requests;
    const result = await health.check(instance.id);
    expect(result.status).toBe('unknown');
    expect(vendor.stats.requests).toBe(before);
  });

  it('tests before saving with a throwaway provider, and leaves the live one alone', async () => {
    const live = await create({ url: `${base}/ok` });
    const liveProvider = instances.pool.get(live.id)!.provider;
    const rowsBefore = await db.prisma.pluginInstance.count();

    const failing = testing.testSaved(live.id, { url: `${base}/hang`, mode: 'hang', token: CANARY });
    // The live provider keeps serving while the test hangs.
    expect(await (liveProvider as IntegrationProvider).executeAction('x', {})).toEqual({ configured: `${base}/ok` });
    const result = await failing;
    expect(result.success).toBe(false);
    expect(result.message).toMatch(/did not finish within 3000 ms/);
    expect(instances.pool.get(live.id)!.provider).toBe(liveProvider);
    expect(await db.prisma.pluginInstance.count()).toBe(rowsBefore);
    expect((await instances.get(live.id)).config).toMatchObject({ url: `${base}/ok` });

    const unsaved = await testing.testUnsaved('probe', { url: `${base}/ok`, token: CANARY });
    expect(unsaved).toMatchObject({ success: true, message: 'ok' });
    await expect(testing.testUnsaved('probe', { url: 'not a url' })).rejects.toMatchObject({ name: 'ValidationError' });
  });

  it('scrubs secrets from validation messages of a connection test', async () => {
    const error = await testing.testUnsaved('probe', { url: `${base}/ok`, token: `revoked-${CANARY}` }).catch((e: unknown) => e as Error);
    expect(error).toMatchObject({ name: 'ValidationError' });
    expect(error.message).toContain('token [redacted] was revoked');
    expect(JSON.stringify(error)).not.toContain(CANARY);
  });

  it('retries an enabled instance that failed to start when it is enabled again', async () => {
    const instance = await create({ url: `${base}/ok` });
    await instances.pool.stop(instance.id);
    await db.prisma.pluginInstance.update({ where: { id: instance.id }, data: { status: 'error', statusMessage: 'vendor was down at startup' } });
    const retried = await instances.setEnabled(instance.id, true, 'test');
    expect(retried).toMatchObject({ enabled: true, status: 'active', statusMessage: null });
    expect(instances.pool.get(instance.id)).toBeDefined();
    expect((await health.check(instance.id)).status).toBe('healthy');
  });

  describe('recording a result while the database falters', () => {
    /**
     * db.prisma whose `$queryRaw` (the one statement that records a batch of checks) throws a
     * connection error on its first `failures` attempts; `beforeAttempt` runs ahead of each attempt.
     */
    function faltering(failures: number, beforeAttempt?: () => Promise<void>) {
      const attempts = { count: 0 };
      const prisma = new Proxy(db.prisma, {
        get(target, property) {
          if (property === '$queryRaw') {
            return async (...query: Parameters<typeof target.$queryRaw>) => {
              attempts.count++;
              await beforeAttempt?.();
              if (attempts.count <= failures) throw new Error('injected: Connection terminated unexpectedly');
              return target.$queryRaw(...query);
            };
          }
          const value = Reflect.get(target, property, target) as unknown;
          return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
        },
      });
      return { prisma, attempts };
    }

    function healthOn(prisma: typeof db.prisma) {
      const lines: string[] = [];
      const logger = createLogger({ level: 'debug', sink: (line) => (lines.push(line), logs.push(line)) });
      // No waiting between attempts: the backoff is the service's, the count is what is tested.
      const service = new HealthService({ prisma, providers: instances, logger, historyLimit: 3, timeoutMs: 3000, recordRetry: { retries: 3, minTimeoutMs: 0 } });
      return { service, lines };
    }

    it('records the result once a transient database failure has passed, and announces the change', async () => {
      const instance = await create({ url: `${base}/ok` });
      const flaky = faltering(2);
      const { service, lines } = healthOn(flaky.prisma);
      const changes: HealthChange[] = [];
      service.events.on('change', (change) => changes.push(change));

      const result = await service.check(instance.id);

      expect(result.status).toBe('healthy');
      expect(flaky.attempts.count).toBe(3);
      const history = await db.prisma.healthCheck.findMany({ where: { instanceId: instance.id } });
      expect(history.map((row) => row.status)).toEqual(['healthy']);
      expect((await db.prisma.pluginInstance.findUniqueOrThrow({ where: { id: instance.id } })).healthStatus).toBe('healthy');
      expect(changes.map((c) => `${c.previous}→${c.current.status}`)).toEqual(['unknown→healthy']);
      expect(lines.filter((line) => line.startsWith('error'))).toEqual([]);
    });

    it('logs an error naming the instance, without secrets, when the database keeps failing', async () => {
      const instance = await create({ url: `${base}/ok` });
      const down = faltering(Number.POSITIVE_INFINITY);
      const { service, lines } = healthOn(down.prisma);
      const changes: HealthChange[] = [];
      service.events.on('change', (change) => changes.push(change));

      await service.check(instance.id);

      expect(down.attempts.count).toBe(4);
      expect(await db.prisma.healthCheck.count({ where: { instanceId: instance.id } })).toBe(0);
      expect(changes).toEqual([]);
      const errors = lines.filter((line) => line.startsWith('error'));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain('health result not recorded');
      expect(errors[0]).toContain(instance.id);
      expect(errors[0]).toContain('Connection terminated unexpectedly');
      expect(errors[0]).not.toContain(CANARY);
    });

    it('stays quiet, without retrying, when the instance was deleted while it was checked', async () => {
      const instance = await create({ url: `${base}/ok` });
      const flaky = faltering(0, async () => {
        if (flaky.attempts.count === 1) await instances.delete(instance.id, 'test');
      });
      const { service, lines } = healthOn(flaky.prisma);

      await service.check(instance.id);

      expect(flaky.attempts.count).toBe(1);
      expect(await db.prisma.healthCheck.count({ where: { instanceId: instance.id } })).toBe(0);
      expect(lines.filter((line) => line.startsWith('error') || line.startsWith('warn'))).toEqual([]);
      expect(lines.some((line) => line.startsWith('debug') && line.includes('instance was deleted'))).toBe(true);
    });
  });

  it('writes the results of scheduled checks that finish together in one statement, reading nothing for cached providers', async () => {
    const created = await Promise.all([0, 1, 2].map((i) => create({ url: `${base}/ok?batch=${i}` })));
    const counts = { writes: 0, transactions: 0, instanceReads: 0 };
    const prisma = new Proxy(db.prisma, {
      get(target, property) {
        if (property === '$queryRaw') counts.writes++;
        if (property === '$transaction') counts.transactions++;
        if (property === 'pluginInstance') {
          const model = target.pluginInstance;
          return new Proxy(model, {
            get(m, key) {
              if (key === 'findUnique' || key === 'findUniqueOrThrow' || key === 'findMany') counts.instanceReads++;
              const value = Reflect.get(m, key, m) as unknown;
              return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(m) : value;
            },
          });
        }
        const value = Reflect.get(target, property, target) as unknown;
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    const service = new HealthService({ prisma, providers: instances, logger: createLogger({ sink: () => undefined }), historyLimit: 3, timeoutMs: 3000, batchWindowMs: 60_000, batchMax: 3 });
    // A batch is written when it is full (3) here, never by the window: no timing involved.
    const changes: HealthChange[] = [];
    service.events.on('change', (change) => changes.push(change));

    const results = await Promise.all(created.map((instance) => service.checkScheduled(instance.id)));
    expect(results.map((result) => result?.status)).toEqual(['healthy', 'healthy', 'healthy']);
    await service.drain();

    expect(counts).toEqual({ writes: 1, transactions: 0, instanceReads: 0 });
    for (const instance of created) {
      expect(await db.prisma.healthCheck.count({ where: { instanceId: instance.id } })).toBe(1);
      expect((await db.prisma.pluginInstance.findUniqueOrThrow({ where: { id: instance.id } })).healthStatus).toBe('healthy');
    }
    expect(changes.map((c) => `${c.instanceId}:${c.previous}→${c.current.status}`).sort()).toEqual(created.map((i) => `${i.id}:unknown→healthy`).sort());
  });

  it('trims the history to its limit when one write carries several results of an instance, keeping the newest', async () => {
    const instance = await create({ url: `${base}/ok?twice` });
    // historyLimit 3: three results written one by one fill the history.
    for (let i = 0; i < 3; i++) await health.check(instance.id);
    const before = await db.prisma.healthCheck.findMany({ where: { instanceId: instance.id }, orderBy: { checkedAt: 'desc' } });
    // Two scheduled results of the same instance, written together (the batch is full at 2).
    const service = new HealthService({ prisma: db.prisma, providers: instances, logger: createLogger({ sink: () => undefined }), historyLimit: 3, timeoutMs: 3000, batchWindowMs: 60_000, batchMax: 2 });
    const first = await service.checkScheduled(instance.id);
    const second = await service.checkScheduled(instance.id);
    await service.drain();

    const after = await db.prisma.healthCheck.findMany({ where: { instanceId: instance.id }, orderBy: [{ checkedAt: 'desc' }, { id: 'desc' }] });
    expect(after).toHaveLength(3);
    expect(after.slice(0, 2).map((row) => row.checkedAt.toISOString()).sort()).toEqual([first!.timestamp, second!.timestamp].sort());
    expect(after[2]!.id).toBe(before[0]!.id); // of the older rows, only the newest is left
    const row = await db.prisma.pluginInstance.findUniqueOrThrow({ where: { id: instance.id } });
    expect(row.lastHealthAt!.toISOString()).toBe([first!.timestamp, second!.timestamp].sort()[1]); // the newest result sets the status
  });

  it('writes the results that arrived during a write after their own window, not at once, unless someone waits for one', async () => {
    const [a, b, c, d] = await Promise.all([0, 1, 2, 3].map((i) => create({ url: `${base}/ok?gap=${i}` })));
    let openFirstWrite!: () => void;
    const firstWriteHeld = new Promise<void>((resolve) => (openFirstWrite = resolve));
    let writes = 0;
    let firstWritten!: () => void;
    const firstDone = new Promise<void>((resolve) => (firstWritten = resolve));
    const prisma = new Proxy(db.prisma, {
      get(target, property) {
        if (property === '$queryRaw') {
          return async (...query: Parameters<typeof target.$queryRaw>) => {
            if (++writes > 1) return target.$queryRaw(...query);
            await firstWriteHeld;
            const written = await target.$queryRaw(...query);
            firstWritten();
            return written;
          };
        }
        const value = Reflect.get(target, property, target) as unknown;
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    // The window is never reached here: a batch is written when full (2) or when someone waits.
    const service = new HealthService({ prisma, providers: instances, logger: createLogger({ sink: () => undefined }), historyLimit: 3, timeoutMs: 3000, batchWindowMs: 60_000, batchMax: 2 });
    await Promise.all([a, b].map((instance) => service.checkScheduled(instance!.id)));
    await vi.waitFor(() => expect(writes).toBe(1));
    await service.checkScheduled(c!.id); // arrives while the first batch is being written
    openFirstWrite();
    await firstDone;
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes).toBe(1);
    expect(await db.prisma.healthCheck.count({ where: { instanceId: c!.id } })).toBe(0);
    // A check someone waits for is written at once, with what was waiting.
    await service.check(d!.id);
    expect(writes).toBe(2);
    expect(await db.prisma.healthCheck.count({ where: { instanceId: { in: [c!.id, d!.id] } } })).toBe(2);
  });

  it('skips a disabled or deleted instance in a scheduled check, recording nothing', async () => {
    const disabled = await create({ url: `${base}/ok` }, false);
    const deleted = await create({ url: `${base}/ok` });
    await instances.delete(deleted.id, 'test');
    expect(await health.checkScheduled(disabled.id)).toBeUndefined();
    expect(await health.checkScheduled(deleted.id)).toBeUndefined();
    await health.drain();
    expect(await db.prisma.healthCheck.count({ where: { instanceId: { in: [disabled.id, deleted.id] } } })).toBe(0);
  });

  it('schedules the enabled instances it reads from the database, starting their providers on first use', async () => {
    const instance = await create({ url: `${base}/ok?who=lazy` });
    // As after a restart: stored, no provider yet.
    await instances.pool.stop(instance.id);
    expect(instances.pool.get(instance.id)).toBeUndefined();
    const scheduler = new HealthScheduler({
      health,
      pool: instances.pool,
      instances: () => db.prisma.pluginInstance.findMany({ where: { enabled: true, id: instance.id }, select: { id: true, pluginName: true } }),
      plugins: registry,
      logger: createLogger({ sink: () => undefined }),
      intervalMs: 150,
      concurrency: 2,
      tickMs: 20,
    });
    await scheduler.start();
    try {
      await vi.waitFor(async () => expect(await db.prisma.healthCheck.count({ where: { instanceId: instance.id } })).toBeGreaterThan(0), { timeout: 20_000, interval: 50 });
    } finally {
      await scheduler.stop();
    }
    expect(instances.pool.get(instance.id)).toBeDefined();
    expect((await db.prisma.pluginInstance.findUniqueOrThrow({ where: { id: instance.id } })).healthStatus).toBe('healthy');
  });

  it('starts the providers of claimed checks ahead of them, with one read of their rows, skipping what it cannot start', async () => {
    const stopped = await Promise.all([0, 1].map((i) => create({ url: `${base}/ok?ahead=${i}` })));
    const disabled = await create({ url: `${base}/ok?ahead=disabled` }, false);
    const broken = await create({ url: `${base}/ok?ahead=broken` });
    // As after a restart: stored, no provider yet; one whose plugin this replica does not have.
    for (const instance of [...stopped, disabled, broken]) await instances.pool.stop(instance.id);
    await db.prisma.pluginInstance.update({ where: { id: broken.id }, data: { pluginName: 'not-installed-here' } });
    let reads = 0;
    const prisma = new Proxy(db.prisma, {
      get(target, property) {
        if (property === 'pluginInstance') {
          const model = target.pluginInstance;
          return new Proxy(model, {
            get(m, key) {
              if (key === 'findUnique' || key === 'findMany') reads++;
              const value = Reflect.get(m, key, m) as unknown;
              return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(m) : value;
            },
          });
        }
        const value = Reflect.get(target, property, target) as unknown;
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    const starts: string[] = [];
    const providers = { acquire: (row: StoredInstance) => (starts.push(row.id), instances.acquire(row)), cached: (id: string) => instances.cached(id) };
    const service = new HealthService({ prisma, providers, logger: createLogger({ sink: () => undefined }), historyLimit: 3, timeoutMs: 3000 });

    await service.prepare([...stopped, disabled, broken].map((instance) => instance.id).concat('no-such-instance'));

    expect(reads).toBe(1);
    for (const instance of stopped) expect(instances.pool.get(instance.id)).toBeDefined();
    expect(instances.pool.get(disabled.id)).toBeUndefined();
    expect(instances.pool.get(broken.id)).toBeUndefined();
    // Their checks then read nothing: the providers are there.
    for (const instance of stopped) expect((await service.checkScheduled(instance.id))?.status).toBe('healthy');
    expect(reads).toBe(1);
    // The one that could not start: its check reports that failure, without a second attempt.
    await expect(service.checkScheduled(broken.id)).rejects.toThrow(/not-installed-here/);
    expect(starts.filter((id) => id === broken.id)).toHaveLength(1);
    // Its next check tries again.
    await expect(service.checkScheduled(broken.id)).rejects.toThrow(/not-installed-here/);
    expect(starts.filter((id) => id === broken.id)).toHaveLength(2);
    await service.drain();
    await instances.delete(broken.id, 'test');
  });

  it('never lets the canary secret into a log line', () => {
    expect(logs.join('\n')).not.toContain(CANARY);
  });

  it('schedules checks with bounded concurrency, one at a time per instance, skipping disabled and deleted instances', async () => {
    await instances.stopAll();
    for (const id of instances.pool.ids()) await instances.pool.stop(id);
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push((await create({ url: `${base}/ok?delay=80&who=${i}` })).id);
    const disabled = await create({ url: `${base}/ok?who=disabled` }, false);
    const deleted = await create({ url: `${base}/ok?who=deleted` });
    await instances.delete(deleted.id, 'test');
    const stats = vendor.stats;
    stats.maxInFlight = 0;
    stats.perInstanceOverlap = 0;
    const checked = new Set<string>();
    const before = await db.prisma.healthCheck.count();
    const scheduler = new HealthScheduler({ health, pool: instances.pool, plugins: registry, logger: createLogger({ sink: () => undefined }), intervalMs: 150, concurrency: 2, tickMs: 20 });
    scheduler.start();
    // Every instance checked at least twice (an interval is 150 ms); polled, not slept.
    await vi.waitFor(
      async () => {
        const rows = await db.prisma.healthCheck.groupBy({ by: ['instanceId'], where: { instanceId: { in: ids } }, _count: true });
        expect(rows.filter((row) => row._count >= 2)).toHaveLength(ids.length);
      },
      { timeout: 20_000, interval: 50 },
    );
    await scheduler.stop(10_000); // lets the checks in flight finish
    for (const row of await db.prisma.healthCheck.findMany({ select: { instanceId: true } })) checked.add(row.instanceId);
    for (const id of ids) expect(checked.has(id), `instance ${id} checked`).toBe(true);
    expect(checked.has(disabled.id)).toBe(false);
    expect(await db.prisma.healthCheck.count()).toBeGreaterThan(before + ids.length);
    expect(stats.maxInFlight).toBeLessThanOrEqual(2);
    expect(stats.perInstanceOverlap).toBe(0);
  });
});
