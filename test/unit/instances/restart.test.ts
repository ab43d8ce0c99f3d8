/**
 * A restart brings every saved instance back: a new service and a new provider pool over the
 * same file PGlite directory and the same local secret store directory configure every
 * enabled instance again with its stored secrets. An instance that cannot start (its plugin
 * is gone, createProvider() throws or hangs) is reported by this replica (log and pool) with the
 * reason, and its stored rows are left as the last change wrote them; the others start.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PluginUnavailableError } from '../../../server/instances/errors.ts';
import {
  createService,
  lookup,
  openTestDatabase,
  probePlugin,
  tempDir,
  type ProbeProvider,
  type TestDatabase,
} from '../../support/instances.ts';

const ACTOR = 'token:test';

describe('warmUp after a restart', () => {
  let dataDir: { dir: string; cleanup: () => Promise<void> };
  let before: TestDatabase | undefined;
  let after: TestDatabase | undefined;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    dataDir = await tempDir('plugform-restart-');
  });
  afterAll(async () => {
    await before?.dispose();
    await after?.dispose();
    await dataDir.cleanup();
  });

  function plugins() {
    return { probe: probePlugin('probe'), gone: probePlugin('gone'), fragile: probePlugin('fragile'), sleepy: probePlugin('sleepy') };
  }

  it('saves instances of every kind, then shuts down', async () => {
    before = await openTestDatabase({ dataDir: dataDir.dir });
    const p = plugins();
    const fx = createService({
      prisma: before.db.prisma,
      storeDir: dataDir.dir,
      plugins: lookup(p.probe.plugin, p.gone.plugin, p.fragile.plugin, p.sleepy.plugin),
    });
    const config = (host: string, apiKey: string) => ({ host, apiKey, password: `pw-${apiKey}` });
    ids.a = (await fx.service.create({ pluginName: 'probe', name: 'a', configuration: config('a.example.com', 'key-a') }, ACTOR)).id;
    const b = await fx.service.create({ pluginName: 'probe', name: 'b', configuration: config('b.example.com', 'key-b') }, ACTOR);
    await fx.service.update(b.id, { version: 1, configuration: { apiKey: 'key-b2', password: null, region: 'eu' } }, ACTOR);
    ids.b = b.id;
    ids.off = (await fx.service.create({ pluginName: 'probe', name: 'off', enabled: false, configuration: config('off.example.com', 'key-off') }, ACTOR)).id;
    ids.gone = (await fx.service.create({ pluginName: 'gone', name: 'g', configuration: config('g.example.com', 'key-g') }, ACTOR)).id;
    ids.fragile = (await fx.service.create({ pluginName: 'fragile', name: 'f', configuration: config('f.example.com', 'key-f') }, ACTOR)).id;
    ids.sleepy = (await fx.service.create({ pluginName: 'sleepy', name: 's', configuration: config('s.example.com', 'key-s') }, ACTOR)).id;
    expect(fx.service.pool.size).toBe(5);

    await fx.service.stopAll();
    await fx.store.close();
    await before.dispose();
    before = undefined;
  });

  describe('after the restart', () => {
    let p: ReturnType<typeof plugins>;
    let fx: ReturnType<typeof createService>;
    let result: { active: number; failed: number };

    beforeAll(async () => {
      after = await openTestDatabase({ dataDir: dataDir.dir });
      // Fresh module state, as after a process restart: new plugin objects, new pool.
      p = plugins();
      p.fragile.hooks.configure = () => {
        throw new Error('backend unreachable');
      };
      p.sleepy.hooks.configure = () => new Promise<void>(() => {});
      fx = createService({
        prisma: after.db.prisma,
        storeDir: dataDir.dir,
        plugins: lookup(p.probe.plugin, p.fragile.plugin, p.sleepy.plugin), // 'gone' is no longer installed
        configureTimeoutMs: 200,
      });
      result = await fx.service.warmUp();
    });
    afterAll(async () => {
      await fx?.service.stopAll();
      await fx?.store.close();
    });

    const live = (id: string | undefined) => fx.service.pool.get(id!)?.provider as ProbeProvider | undefined;

    it('reports how many instances started and how many failed', () => {
      expect(result).toEqual({ active: 2, failed: 3 });
    });

    it('configures every enabled instance again with its stored secrets', async () => {
      expect(live(ids.a)?.configs).toEqual([{ host: 'a.example.com', port: 443, apiKey: 'key-a', password: 'pw-key-a' }]);
      expect(live(ids.b)?.configs).toEqual([{ host: 'b.example.com', port: 443, region: 'eu', apiKey: 'key-b2' }]);
      expect(live(ids.a)).not.toBe(live(ids.b));
      expect(await live(ids.a)!.executeAction('status', {})).toMatchObject({ host: 'a.example.com' });
      for (const id of [ids.a, ids.b]) expect(await fx.service.get(id!)).toMatchObject({ status: 'active', statusMessage: null });
      expect(fx.service.pool.get(ids.a!)?.secretValues).toEqual(['key-a', 'pw-key-a']);
    });

    it('leaves a disabled instance stopped', async () => {
      expect(live(ids.off)).toBeUndefined();
      expect(await fx.service.get(ids.off!)).toMatchObject({ enabled: false, status: 'inactive' });
    });

    it('reports an instance whose plugin is gone, or whose createProvider throws or hangs, for this replica with the reason, and never rewrites its rows', async () => {
      const reasons = Object.fromEntries(
        await Promise.all(
          (['gone', 'fragile', 'sleepy'] as const).map(async (key) => {
            const row = await fx.service.get(ids[key]!);
            // The shared row stays as the create wrote it: another replica may run it fine.
            expect(row, key).toMatchObject({ status: 'active', statusMessage: null, enabled: true, version: 1 });
            expect(live(ids[key])).toBeUndefined();
            const failure = fx.service.pool.failureOf(ids[key]!);
            expect(failure, key).toMatchObject({ version: 1 });
            return [key, failure!.message] as const;
          }),
        ),
      );
      expect(reasons.gone).toMatch(/"gone" is unavailable/);
      expect(reasons.fragile).toMatch(/"fragile" refused the configuration: backend unreachable/);
      expect(reasons.sleepy).toMatch(/createProvider did not finish within 200 ms/);
      // Neither the refused nor the hung configuration became a provider left behind.
      expect(p.fragile.providers).toEqual([]);
      expect(p.sleepy.providers).toEqual([]);
      const warnings = fx.logs.filter((line) => line.startsWith('warn'));
      expect(warnings).toHaveLength(3);
      for (const line of warnings) expect(line).toMatch(/could not start on this replica/);
      expect(fx.logs.join('\n')).toContain('2 active, 3 failed to start');
    });

    it('the failed instances keep their secrets, and start once the cause is gone', async () => {
      expect((await fx.store.read(ids.fragile!)).values).toEqual({ apiKey: 'key-f', password: 'pw-key-f' });
      p.fragile.hooks.configure = undefined;
      p.sleepy.hooks.configure = undefined;
      expect(await fx.service.warmUp()).toEqual({ active: 4, failed: 1 });
      expect(await fx.service.get(ids.fragile!)).toMatchObject({ status: 'active', statusMessage: null });
      expect(fx.service.pool.failureOf(ids.fragile!)).toBeUndefined();
      expect(live(ids.sleepy)?.configs.at(-1)).toMatchObject({ apiKey: 'key-s' });
      expect(fx.service.pool.failureOf(ids.gone!)?.message).toMatch(/"gone" is unavailable/);
      // The instances already running are cache hits at their version: not started again.
      expect(fx.service.pool.size).toBe(4);
      const aProviders = p.probe.providers.filter((provider: ProbeProvider) => provider.context.instanceId === ids.a);
      expect(aProviders).toHaveLength(1);
      expect(aProviders[0]?.stopCalls).toBe(0);
    });

    it('an unknown plugin on update is PluginUnavailableError, with nothing changed', async () => {
      const error = await fx.service.update(ids.gone!, { version: 1, configuration: { region: 'x' } }, ACTOR).catch((e: unknown) => e);
      expect((error as PluginUnavailableError).name).toBe('PluginUnavailableError');
      expect((await fx.service.get(ids.gone!)).version).toBe(1);
    });
  });
});

