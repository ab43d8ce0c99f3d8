/**
 * Providers of idle instances are released: a provider unused for the idle time is stopped and
 * dropped from the pool, one used meanwhile is kept, and a later use starts a new one. Fake
 * timers drive the eviction timer and the clock it reads (Date); nothing here waits.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createService, lookup, openTestDatabase, probePlugin, tempDir, type ProbePlugin, type ServiceFixture, type TestDatabase } from '../../support/instances.ts';

const IDLE_MS = 15 * 60_000;
/** A step of the test: a quarter of the idle time. */
const TICK_MS = IDLE_MS / 4;
/** The eviction timer looks once a minute (every idle time / 4, at most 60 s). */
const LOOK_MS = 60_000;

describe('idle providers', () => {
  let db: TestDatabase;
  let dir: { dir: string; cleanup: () => Promise<void> };
  let probe: ProbePlugin;
  let fx: ServiceFixture;

  beforeAll(async () => {
    db = await openTestDatabase('pglite');
    dir = await tempDir('plugform-idle-');
  });
  afterAll(async () => {
    await db.dispose();
    await dir.cleanup();
  });
  beforeEach(async () => {
    await db.reset();
    probe = probePlugin('probe');
    fx = createService({ prisma: db.db.prisma, storeDir: dir.dir, plugins: lookup(probe.plugin) });
    // Only the interval timer and the clock: the database keeps its real timers.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
  });
  afterEach(async () => {
    vi.useRealTimers();
    await fx.service.stopAll();
  });

  const create = (name: string) =>
    fx.service.create({ pluginName: 'probe', name, configuration: { host: `${name}.example.com`, apiKey: `key-${name}` } }, 'token:test');

  /** Advances the fake clock and lets the evictions it triggered finish. */
  async function advance(ms: number): Promise<void> {
    await vi.advanceTimersByTimeAsync(ms);
  }

  it('stops and drops a provider unused for the idle time, keeps one used meanwhile, and starts a new one on the next use', async () => {
    const idle = await create('idle');
    const used = await create('used');
    expect(fx.service.pool.ids().sort()).toEqual([idle.id, used.id].sort());
    const [idleProvider, usedProvider] = [fx.service.pool.get(idle.id)!.provider, fx.service.pool.get(used.id)!.provider];
    fx.service.pool.startIdleEviction(IDLE_MS);

    // Just short of the idle time: both still there. `used` is used (a scheduled check's way in).
    await advance(IDLE_MS - TICK_MS);
    expect(fx.service.pool.size).toBe(2);
    expect(fx.service.cached(used.id)?.provider).toBe(usedProvider);

    // Past the idle time of `idle` (not of `used`, used a tick ago).
    await advance(TICK_MS);
    await vi.waitFor(() => expect(fx.service.pool.get(idle.id)).toBeUndefined());
    expect(probe.providers.find((p) => p === idleProvider)?.stopCalls).toBe(1);
    expect(fx.service.pool.get(used.id)?.provider).toBe(usedProvider);
    expect(probe.providers.find((p) => p === usedProvider)?.stopCalls).toBe(0);
    // Reporting the state (the API's replicaProvider) is not a use.
    expect(fx.service.cached(idle.id)).toBeUndefined();

    // The next use starts a new provider from the stored configuration and secrets.
    const again = await fx.service.providerFor(idle.id);
    expect(again.provider).not.toBe(idleProvider);
    expect(await (again.provider as ProbePlugin['providers'][number]).executeAction('who', {})).toMatchObject({ host: 'idle.example.com' });
    expect(again.secretValues).toEqual(['key-idle']);
    expect(fx.service.pool.get(idle.id)?.provider).toBe(again.provider);

    // Left alone long enough (and the timer's next look), `used` goes as well; `idle` (just used) stays.
    await advance(IDLE_MS - TICK_MS + LOOK_MS);
    await vi.waitFor(() => expect(fx.service.pool.get(used.id)).toBeUndefined());
    expect(probe.providers.find((p) => p === usedProvider)?.stopCalls).toBe(1);
    expect(fx.service.pool.get(idle.id)?.provider).toBe(again.provider);
  });

  it('keeps every provider when the idle time is 0', async () => {
    const instance = await create('kept');
    fx.service.pool.startIdleEviction(0);
    await advance(IDLE_MS * 10);
    expect(fx.service.pool.get(instance.id)).toBeDefined();
    expect(probe.providers[0]!.stopCalls).toBe(0);
  });
});
