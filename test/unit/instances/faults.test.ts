/**
 * Faults are contained: a plugin that throws, hangs or returns garbage in configure, health
 * or test produces a clear error for that plugin alone, within a timeout. A connection test
 * builds a throwaway provider: it never touches the live provider and never saves.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { runConnectionTest } from '../../../server/health/connection-test.ts';
import { HealthService } from '../../../server/health/health-service.ts';
import { TestingService } from '../../../server/health/testing-service.ts';
import { ConfigureError, ValidationError } from '../../../server/instances/errors.ts';
import { SECRET_MASK } from '../../../server/instances/secret-values.ts';
import {
  createService,
  gate,
  lookup,
  openTestDatabase,
  probePlugin,
  rejectionOf,
  storedSecretFiles,
  tempDir,
  type ProbePlugin,
  type ProbeProvider,
  type ServiceFixture,
  type TestDatabase,
} from '../../support/instances.ts';

const ACTOR = 'token:test';
const CONFIG = { host: 'api.example.com', apiKey: 'key-1', password: 'pw-1' };

let testDb: TestDatabase;
let storeDir: { dir: string; cleanup: () => Promise<void> };
let probe: ProbePlugin;
let steady: ProbePlugin;
let fx: ServiceFixture;
let health: HealthService;
let testing: TestingService;

beforeAll(async () => {
  testDb = await openTestDatabase('pglite');
});
afterAll(async () => {
  await testDb?.dispose();
});
beforeEach(async () => {
  await testDb.reset();
  storeDir = await tempDir();
  probe = probePlugin('probe');
  steady = probePlugin('steady');
  const plugins = lookup(probe.plugin, steady.plugin);
  fx = createService({ prisma: testDb.db.prisma, storeDir: storeDir.dir, plugins, configureTimeoutMs: 150 });
  health = new HealthService({ prisma: testDb.db.prisma, providers: fx.service, logger: fx.logger, historyLimit: 10, timeoutMs: 150 });
  testing = new TestingService({ plugins, instances: fx.service, prisma: testDb.db.prisma, logger: fx.logger, timeoutMs: 150 });
});
afterEach(async () => {
  try {
    await fx?.service.stopAll();
  } finally {
    await storeDir?.cleanup();
  }
});

const live = (id: string) => fx.service.pool.get(id)!.provider as ProbeProvider;

async function stored(id: string) {
  return {
    row: await testDb.db.prisma.pluginInstance.findUnique({ where: { id } }),
    secrets: await fx.store.read(id),
    // A connection test changes nothing; it only leaves its own record in the audit trail.
    audits: await testDb.db.prisma.auditEvent.count({ where: { action: { not: 'instance.test' } } }),
  };
}

describe('createProvider() that hangs or throws', () => {
  it('a hanging createProvider on create is a ConfigureError after the timeout, and nothing is stored', async () => {
    const held = gate();
    probe.hooks.configure = () => held.promise;
    // createProvider() does not settle until the gate opens: only the timeout can end this call.
    const error = await rejectionOf(fx.service.create({ pluginName: 'probe', name: 'x', configuration: CONFIG }, ACTOR));
    expect(error).toBeInstanceOf(ConfigureError);
    expect(error.message).toMatch(/probe.*createProvider did not finish within 150 ms/);
    // The provider that arrives after the deadline is stopped, not left running.
    held.open();
    await vi.waitFor(() => expect(probe.providers[0]?.stopCalls).toBe(1));
    expect(await testDb.db.prisma.pluginInstance.count()).toBe(0);
    expect(await storedSecretFiles(fx.store)).toEqual([]);
  });

  it('a hanging createProvider on update keeps the previous provider live', async () => {
    const created = await fx.service.create({ pluginName: 'probe', name: 'x', configuration: CONFIG }, ACTOR);
    const previous = live(created.id);
    const before = await stored(created.id);
    probe.hooks.configure = () => new Promise<void>(() => {});
    const error = await rejectionOf(fx.service.update(created.id, { version: 1, configuration: { apiKey: 'key-2' } }, ACTOR));
    expect(error).toBeInstanceOf(ConfigureError);
    expect(live(created.id)).toBe(previous);
    expect(await previous.executeAction('status', {})).toMatchObject({ host: 'api.example.com' });
    expect(await stored(created.id)).toEqual(before);
  });

  it('a createProvider that throws is a ConfigureError naming the plugin', async () => {
    const broken = probePlugin('broken');
    const plugins = lookup({ schema: broken.plugin.schema, createProvider: () => { throw new Error('cannot construct'); } });
    const service = createService({ prisma: testDb.db.prisma, storeDir: storeDir.dir, plugins }).service;
    const error = await rejectionOf(service.create({ pluginName: 'broken', name: 'x', configuration: CONFIG }, ACTOR));
    expect(error).toBeInstanceOf(ConfigureError);
    expect(error.message).toBe('Plugin "broken" refused the configuration: cannot construct');
  });

  it('one plugin failing does not affect another plugin', async () => {
    probe.hooks.configure = () => {
      throw new Error('nope');
    };
    await rejectionOf(fx.service.create({ pluginName: 'probe', name: 'x', configuration: CONFIG }, ACTOR));
    const ok = await fx.service.create({ pluginName: 'steady', name: 'x', configuration: CONFIG }, ACTOR);
    expect(ok.status).toBe('active');
  });
});

describe('health checks', () => {
  it('a healthCheck that throws gives a clear unhealthy result, recorded; other instances are unaffected', async () => {
    const bad = await fx.service.create({ pluginName: 'probe', name: 'bad', configuration: CONFIG }, ACTOR);
    const good = await fx.service.create({ pluginName: 'steady', name: 'good', configuration: CONFIG }, ACTOR);
    probe.hooks.healthCheck = () => {
      throw new Error('socket closed');
    };
    const result = await health.check(bad.id);
    expect(result).toMatchObject({ pluginInstanceId: bad.id, status: 'unhealthy', message: 'socket closed' });
    expect(await health.check(good.id)).toMatchObject({ status: 'healthy' });
    const history = await testDb.db.prisma.healthCheck.findMany({ where: { instanceId: bad.id } });
    expect(history.map((h) => [h.status, h.message])).toEqual([['unhealthy', 'socket closed']]);
    expect(await fx.service.get(bad.id)).toMatchObject({ healthStatus: 'unhealthy' });
  });

  it('a healthCheck that hangs is unhealthy after the timeout', async () => {
    const created = await fx.service.create({ pluginName: 'probe', name: 'x', configuration: CONFIG }, ACTOR);
    const provider = live(created.id);
    probe.hooks.healthCheck = () => new Promise(() => {});
    // healthCheck() never settles: only the timeout can end this call.
    const value = await health.check(created.id);
    expect(value).toMatchObject({ pluginInstanceId: created.id, status: 'unhealthy' });
    expect(value.message).toMatch(/healthCheck did not finish within 150 ms/);
    const history = await testDb.db.prisma.healthCheck.findMany({ where: { instanceId: created.id } });
    expect(history.map((h) => h.status)).toEqual(['unhealthy']);
    // The instance keeps its provider and its configuration; only its health changed.
    expect(live(created.id)).toBe(provider);
    expect(await fx.service.get(created.id)).toMatchObject({ status: 'active', version: 1, healthStatus: 'unhealthy' });
  });

  it('a healthCheck that returns garbage is unhealthy with a message saying so', async () => {
    const created = await fx.service.create({ pluginName: 'probe', name: 'x', configuration: CONFIG }, ACTOR);
    for (const garbage of [undefined, 'fine', { status: 'great' }, { status: 'healthy', details: () => 1 }]) {
      probe.hooks.healthCheck = () => garbage;
      const result = await health.check(created.id);
      if (typeof garbage === 'object' && garbage.status === 'healthy') expect(result.status).toBe('healthy');
      else expect(result).toMatchObject({ status: 'unhealthy', message: expect.stringMatching(/malformed/) });
    }
  });

  it('a disabled instance is not checked', async () => {
    const created = await fx.service.create({ pluginName: 'probe', name: 'x', enabled: false, configuration: CONFIG }, ACTOR);
    expect(await health.check(created.id)).toMatchObject({ status: 'unknown' });
  });
});

describe('connection tests', () => {
  it('a testConnection that throws or hangs gives a failed result within the timeout', async () => {
    probe.hooks.testConnection = () => {
      throw new Error('401 unauthorized');
    };
    expect(await testing.testUnsaved('probe', CONFIG)).toMatchObject({ success: false, message: expect.stringContaining('401 unauthorized') });
    probe.hooks.testConnection = () => new Promise(() => {});
    // testConnection() never settles: only the timeout can end this call.
    expect(await testing.testUnsaved('probe', CONFIG)).toMatchObject({ success: false, message: expect.stringMatching(/did not finish within 150 ms/) });
    probe.hooks.testConnection = () => ({ ok: 'yes' });
    expect(await testing.testUnsaved('probe', CONFIG)).toMatchObject({ success: false, message: expect.stringMatching(/malformed/) });
    // Every throwaway provider was stopped.
    expect(probe.providers.map((p) => p.stopCalls)).toEqual([1, 1, 1]);
  });

  it('an invalid configuration is a ValidationError, as for a save', async () => {
    const error = await rejectionOf(testing.testUnsaved('probe', { host: 'h', bogus: 1 }));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).fieldErrors.map((e) => e.field).sort()).toEqual(['apiKey', 'bogus']);
  });

  it('runs on a throwaway provider: the live one keeps working during and after a failing test, and nothing is saved', async () => {
    const created = await fx.service.create({ pluginName: 'probe', name: 'x', configuration: CONFIG }, ACTOR);
    const current = live(created.id);
    const before = await stored(created.id);
    const inTest = gate();
    const release = gate();
    let testedOn: ProbeProvider | undefined;
    probe.hooks.testConnection = async (_config, provider) => {
      testedOn = provider;
      inTest.open();
      await release.promise;
      throw new Error('upstream refused');
    };

    const running = testing.testSaved(created.id, { host: 'other.example.com', apiKey: 'key-override' });
    await inTest.promise;
    // While the test runs, the live provider serves as before.
    expect(await current.executeAction('remember', { value: 'during' })).toMatchObject({ host: 'api.example.com', remembered: ['during'] });
    release.open();
    expect(await running).toMatchObject({ success: false });

    expect(live(created.id)).toBe(current);
    expect(current.stopCalls).toBe(0);
    expect(current.configs).toHaveLength(1);
    expect(await current.executeAction('remember', { value: 'after' })).toMatchObject({ remembered: ['during', 'after'] });
    const throwaway = probe.providers.at(-1)!;
    expect(testedOn).toBe(throwaway);
    expect(throwaway).not.toBe(current);
    expect(throwaway.context.instanceId).toBeUndefined();
    expect(throwaway.stopCalls).toBe(1);
    expect(await stored(created.id)).toEqual(before);
  });

  it('testing a saved instance merges the stored secrets with the override on the server', async () => {
    const created = await fx.service.create({ pluginName: 'probe', name: 'x', configuration: { ...CONFIG, region: 'eu' } }, ACTOR);
    const before = await stored(created.id);
    const tested: Record<string, unknown>[] = [];
    probe.hooks.testConnection = (config) => {
      tested.push(config);
      return { success: true, message: 'ok' };
    };
    await testing.testSaved(created.id);
    await testing.testSaved(created.id, { apiKey: SECRET_MASK, port: 8443, region: null });
    await testing.testSaved(created.id, { apiKey: 'key-new', password: null });
    expect(tested).toEqual([
      { host: 'api.example.com', port: 443, region: 'eu', apiKey: 'key-1', password: 'pw-1' },
      { host: 'api.example.com', port: 8443, apiKey: 'key-1', password: 'pw-1' },
      { host: 'api.example.com', port: 443, region: 'eu', apiKey: 'key-new' },
    ]);
    expect(await stored(created.id)).toEqual(before);
    const tests = await testDb.db.prisma.auditEvent.findMany({ where: { instanceId: created.id, action: 'instance.test' }, orderBy: { at: 'asc' } });
    expect(tests.map((event) => event.changedKeys)).toEqual([[], ['port', 'region'], ['apiKey', 'password']]);
  });

  it('runConnectionTest caps the timeout with the plugin\'s own testTimeoutMs', async () => {
    probe.hooks.testConnection = () => new Promise(() => {});
    const plugin = { ...probe.plugin, schema: { ...probe.plugin.schema, testTimeoutMs: 50 } };
    const result = await runConnectionTest({ plugin, config: CONFIG, secretValues: [], logger: fx.logger, timeoutMs: 5_000 });
    expect(result).toMatchObject({ success: false, message: expect.stringMatching(/within 50 ms/) });
  });
});
