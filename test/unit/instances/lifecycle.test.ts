/**
 * The instance lifecycle against real stores: a migrated database (in-memory PGlite, and a
 * throwaway PostgreSQL database) and the local secret store in a temp dir. Covers create,
 * update (per-key secret merge, patch semantics, version), atomicity across both stores with
 * injected failures, concurrent updates, one provider per instance, enable/disable, delete
 * and the audit trail.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ConfigureError,
  ConflictError,
  NotFoundError,
  PluginUnavailableError,
  ValidationError,
} from '../../../server/instances/errors.ts';
import type { CreateInstanceInput, InstanceServiceDeps } from '../../../server/instances/instance-service.ts';
import { SECRET_MASK } from '../../../server/instances/secret-values.ts';
import { SecretStoreError } from '../../../server/secrets/index.ts';
import {
  createService,
  failingTransactions,
  faultySecretStore,
  lookup,
  openTestDatabase,
  postgresGate,
  probePlugin,
  REFUSED_HOST,
  rejectionOf,
  storedSecretFiles,
  tempDir,
  type Backend,
  type ProbePlugin,
  type ProbeProvider,
  type ServiceFixture,
  type TestDatabase,
} from '../../support/instances.ts';

const postgres = await postgresGate();
const ACTOR = 'token:test';

for (const backend of ['pglite', 'postgres'] as const satisfies readonly Backend[]) {
  describe.skipIf(backend === 'postgres' && !postgres.available)(`instance lifecycle on ${backend}`, () => {
    let testDb: TestDatabase;
    let storeDir: { dir: string; cleanup: () => Promise<void> };
    let probe: ProbePlugin;
    let other: ProbePlugin;
    let fx: ServiceFixture;

    beforeAll(async () => {
      testDb = await openTestDatabase(backend);
    });
    afterAll(async () => {
      await testDb?.dispose();
    });
    beforeEach(async () => {
      await testDb.reset();
      storeDir = await tempDir();
      probe = probePlugin('probe');
      other = probePlugin('other');
      fx = service();
    });
    afterEach(async () => {
      try {
        await fx?.service.stopAll();
        await fx?.store.close();
      } finally {
        await storeDir?.cleanup();
      }
    });

    /** A service over the shared database and this test's store directory. */
    function service(deps: Partial<InstanceServiceDeps> = {}): ServiceFixture {
      return createService({ prisma: testDb.db.prisma, storeDir: storeDir.dir, plugins: lookup(probe.plugin, other.plugin), ...deps });
    }

    const prisma = () => testDb.db.prisma;

    function input(overrides: Partial<CreateInstanceInput> = {}, configuration: Record<string, unknown> = {}): CreateInstanceInput {
      return {
        pluginName: 'probe',
        name: 'main',
        configuration: { host: 'api.example.com', apiKey: 'key-1', password: 'pw-1', ...configuration },
        ...overrides,
      };
    }

    /** Everything stored about an instance, to prove a failed call changed nothing. */
    async function snapshot(id: string) {
      return {
        row: await prisma().pluginInstance.findUnique({ where: { id } }),
        secretRows: await prisma().pluginInstanceSecret.findMany({ where: { instanceId: id }, orderBy: { key: 'asc' } }),
        secrets: await fx.store.read(id),
        audits: await prisma().auditEvent.count(),
      };
    }

    async function nothingStored(): Promise<void> {
      expect(await prisma().pluginInstance.count()).toBe(0);
      expect(await prisma().pluginInstanceSecret.count()).toBe(0);
      expect(await prisma().auditEvent.count()).toBe(0);
      expect(await storedSecretFiles(fx.store)).toEqual([]);
    }

    function live(id: string): ProbeProvider {
      const entry = fx.service.pool.get(id);
      if (!entry) throw new Error(`no live provider for ${id}`);
      return entry.provider as ProbeProvider;
    }

    describe('create', () => {
      it('rejects an invalid configuration with field errors naming each field, and stores nothing', async () => {
        const error = await rejectionOf(
          fx.service.create({ pluginName: 'probe', name: 'bad', configuration: { port: 70000, bogus: 1, password: 'pw' } }, ACTOR),
        );
        expect(error).toBeInstanceOf(ValidationError);
        const fields = (error as ValidationError).fieldErrors.map((e) => e.field);
        expect(fields).toEqual(expect.arrayContaining(['host', 'apiKey', 'port', 'bogus']));
        expect((error as ValidationError).fieldErrors.find((e) => e.field === 'bogus')?.rule).toBe('unknown');
        expect(probe.providers).toHaveLength(0);
        await nothingStored();
      });

      it('rejects a blank or overlong instance name on field "name"', async () => {
        for (const name of ['   ', 'x'.repeat(101)]) {
          const error = await rejectionOf(fx.service.create(input({ name }), ACTOR));
          expect(error).toBeInstanceOf(ValidationError);
          expect((error as ValidationError).fieldErrors.map((e) => e.field)).toEqual(['name']);
        }
        await nothingStored();
      });

      it('refuses an unknown plugin with PluginUnavailableError naming it', async () => {
        const error = await rejectionOf(fx.service.create(input({ pluginName: 'nope' }), ACTOR));
        expect(error).toBeInstanceOf(PluginUnavailableError);
        expect((error as PluginUnavailableError).pluginName).toBe('nope');
        expect(error.message).toContain('"nope"');
        await nothingStored();
      });

      it('refuses a duplicate name (per plugin, after trimming) on field "name"; the first instance is untouched', async () => {
        const first = await fx.service.create(input(), ACTOR);
        const before = await snapshot(first.id);
        const error = await rejectionOf(fx.service.create(input({ name: '  main ' }, { apiKey: 'key-2' }), ACTOR));
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).fieldErrors).toEqual([expect.objectContaining({ field: 'name', rule: 'unique' })]);
        expect(await snapshot(first.id)).toEqual(before);
        expect(await prisma().pluginInstance.count()).toBe(1);
        expect(await storedSecretFiles(fx.store)).toEqual([`${first.id}.json`]);
        // The name is unique per plugin only.
        const sameNameOtherPlugin = await fx.service.create(input({ pluginName: 'other' }), ACTOR);
        expect(sameNameOtherPlugin.name).toBe('main');
      });

      it('concurrent creates of one name: one lands, the others get the name error and leave no secrets behind', async () => {
        const results = await Promise.allSettled(
          Array.from({ length: 4 }, (_, i) => fx.service.create(input({}, { apiKey: `key-${i}` }), ACTOR)),
        );
        const created = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
        expect(created).toHaveLength(1);
        for (const r of results) {
          if (r.status === 'rejected') expect((r.reason as ValidationError).fieldErrors).toEqual([expect.objectContaining({ field: 'name', rule: 'unique' })]);
        }
        expect(await storedSecretFiles(fx.store)).toEqual([`${created[0]!.id}.json`]);
        expect(fx.service.pool.size).toBe(1);
        expect(probe.providers.filter((p) => p.stopCalls === 0)).toEqual([live(created[0]!.id)]);
      });

      it('stores nothing when createProvider() refuses, and no provider exists', async () => {
        const error = await rejectionOf(fx.service.create(input({}, { host: REFUSED_HOST }), ACTOR));
        expect(error).toBeInstanceOf(ConfigureError);
        expect(error.message).toContain('refused');
        expect(probe.providers).toHaveLength(0);
        expect(fx.service.pool.size).toBe(0);
        await nothingStored();
      });

      it('stores the plain configuration in the database and the secrets only in the secret store', async () => {
        const created = await fx.service.create(input({}, { region: 'eu' }), ACTOR);
        expect(created).toMatchObject({ pluginName: 'probe', name: 'main', enabled: true, status: 'active', version: 1 });
        expect(created.config).toEqual({ host: 'api.example.com', port: 443, region: 'eu' });

        const row = await prisma().pluginInstance.findUniqueOrThrow({ where: { id: created.id } });
        expect(row.config).toEqual({ host: 'api.example.com', port: 443, region: 'eu' });
        // Secret state: which keys are set and when, never a value.
        const secretRows = await testDb.db.withConnection((c) =>
          c.query<Record<string, unknown>>('SELECT * FROM plugin_instance_secret WHERE instance_id = $1 ORDER BY key', [created.id]),
        );
        expect(secretRows.map((r) => r['key'])).toEqual(['apiKey', 'password']);
        expect(Object.keys(secretRows[0] ?? {}).sort()).toEqual(['instance_id', 'key', 'updated_at']);
        expect(created.secrets.map((s) => s.key).sort()).toEqual(['apiKey', 'password']);
        expect(JSON.stringify(created)).not.toMatch(/key-1|pw-1/);

        expect(await fx.store.read(created.id)).toEqual({ values: { apiKey: 'key-1', password: 'pw-1' }, version: 1 });
        // The live provider got the whole validated configuration, secrets included.
        expect(live(created.id).configs).toEqual([
          { host: 'api.example.com', port: 443, region: 'eu', apiKey: 'key-1', password: 'pw-1' },
        ]);
        expect(live(created.id).context.instanceId).toBe(created.id);
      });

      it('a masked or empty secret on create means "not set"', async () => {
        const created = await fx.service.create(input({}, { password: SECRET_MASK }), ACTOR);
        expect(await fx.store.read(created.id)).toEqual({ values: { apiKey: 'key-1' }, version: 1 });
        expect(created.secrets.map((s) => s.key)).toEqual(['apiKey']);
        const error = await rejectionOf(fx.service.create(input({ name: 'masked' }, { apiKey: SECRET_MASK }), ACTOR));
        expect((error as ValidationError).fieldErrors.map((e) => e.field)).toEqual(['apiKey']);
      });

      it('a disabled instance is stored with its secrets but gets no provider', async () => {
        const created = await fx.service.create(input({ enabled: false }), ACTOR);
        expect(created).toMatchObject({ enabled: false, status: 'inactive' });
        expect(probe.providers).toHaveLength(0);
        expect(fx.service.pool.get(created.id)).toBeUndefined();
        expect((await fx.store.read(created.id)).values).toEqual({ apiKey: 'key-1', password: 'pw-1' });
      });
    });

    describe('update', () => {
      it('requires the version being edited', async () => {
        const created = await fx.service.create(input(), ACTOR);
        const before = await snapshot(created.id);
        for (const version of [undefined, 1.5, Number.NaN, '1']) {
          const error = await rejectionOf(fx.service.update(created.id, { version, configuration: { region: 'x' } } as never, ACTOR));
          expect(error).toBeInstanceOf(ValidationError);
          expect((error as ValidationError).fieldErrors.map((e) => e.field)).toEqual(['version']);
        }
        expect(await snapshot(created.id)).toEqual(before);
      });

      it('fails a stale version with ConflictError and changes nothing', async () => {
        const created = await fx.service.create(input(), ACTOR);
        await fx.service.update(created.id, { version: 1, configuration: { region: 'eu' } }, ACTOR);
        const before = await snapshot(created.id);
        const providersBefore = probe.providers.length;

        const error = await rejectionOf(
          fx.service.update(created.id, { version: 1, name: 'renamed', configuration: { region: 'us', apiKey: 'key-2' } }, ACTOR),
        );
        expect(error).toBeInstanceOf(ConflictError);
        expect(error).toMatchObject({ expectedVersion: 1, currentVersion: 2 });
        expect(await snapshot(created.id)).toEqual(before);
        expect(probe.providers).toHaveLength(providersBefore);
      });

      it('merges secrets per key: omitted keeps, mask keeps, null clears, a new value replaces', async () => {
        const created = await fx.service.create(input(), ACTOR);
        const secretRow = async (key: string) =>
          prisma().pluginInstanceSecret.findUnique({ where: { instanceId_key: { instanceId: created.id, key } } });
        const apiKeySetAt = (await secretRow('apiKey'))?.updatedAt;

        const plainOnly = await fx.service.update(created.id, { version: 1, configuration: { port: 8443 } }, ACTOR);
        expect(plainOnly.version).toBe(2);
        expect((await fx.store.read(created.id)).values).toEqual({ apiKey: 'key-1', password: 'pw-1' });

        const masked = await fx.service.update(
          created.id,
          { version: 2, configuration: { host: 'api.example.com', port: 8443, apiKey: SECRET_MASK, password: null } },
          ACTOR,
        );
        expect((await fx.store.read(created.id)).values).toEqual({ apiKey: 'key-1' });
        expect(masked.secrets.map((s) => s.key)).toEqual(['apiKey']);
        expect((await secretRow('apiKey'))?.updatedAt).toEqual(apiKeySetAt);
        expect(await secretRow('password')).toBeNull();

        // A later clock (only Date is faked), so the replaced secret's time must move forward.
        vi.useFakeTimers({ toFake: ['Date'], now: apiKeySetAt!.getTime() + 60_000 });
        const replaced = await fx.service
          .update(created.id, { version: 3, configuration: { apiKey: 'key-2', password: '' } }, ACTOR)
          .finally(() => vi.useRealTimers());
        expect(replaced.version).toBe(4);
        expect((await fx.store.read(created.id)).values).toEqual({ apiKey: 'key-2' });
        expect((await secretRow('apiKey'))!.updatedAt.getTime()).toBeGreaterThan(apiKeySetAt!.getTime());
        // The live provider always got the merged configuration.
        expect(live(created.id).configs.at(-1)).toEqual({ host: 'api.example.com', port: 8443, apiKey: 'key-2' });
      });

      it('patches the plain configuration: a value replaces, null resets to the default, omission keeps', async () => {
        const created = await fx.service.create(input({}, { port: 8443, region: 'eu', tags: ['a'] }), ACTOR);
        const updated = await fx.service.update(
          created.id,
          { version: 1, name: ' renamed ', configuration: { port: null, region: null, tags: ['a', 'b'] } },
          ACTOR,
        );
        expect(updated.name).toBe('renamed');
        expect(updated.config).toEqual({ host: 'api.example.com', port: 443, tags: ['a', 'b'] });
        expect((await prisma().pluginInstance.findUniqueOrThrow({ where: { id: created.id } })).config).toEqual(updated.config);
      });

      it('rejects an invalid merged configuration (including clearing a required secret) and changes nothing', async () => {
        const created = await fx.service.create(input(), ACTOR);
        const before = await snapshot(created.id);
        const cases: Record<string, unknown>[] = [{ port: 0 }, { apiKey: null }, { host: null }, { unknownKey: 'x' }, { apiKey: 42 }];
        for (const configuration of cases) {
          const error = await rejectionOf(fx.service.update(created.id, { version: 1, configuration }, ACTOR));
          expect(error, JSON.stringify(configuration)).toBeInstanceOf(ValidationError);
          expect((error as ValidationError).fieldErrors.map((e) => e.field)).toEqual([Object.keys(configuration)[0]]);
        }
        expect(await snapshot(created.id)).toEqual(before);
      });

      it('refuses a rename onto a name another instance of the plugin has', async () => {
        await fx.service.create(input(), ACTOR);
        const second = await fx.service.create(input({ name: 'second' }), ACTOR);
        const before = await snapshot(second.id);
        const error = await rejectionOf(fx.service.update(second.id, { version: 1, name: 'main' }, ACTOR));
        expect((error as ValidationError).fieldErrors).toEqual([expect.objectContaining({ field: 'name', rule: 'unique' })]);
        expect(await snapshot(second.id)).toEqual(before);
      });

      it('when createProvider() refuses, returns the error and keeps the previous provider live and the stored state as it was', async () => {
        const created = await fx.service.create(input(), ACTOR);
        const previous = live(created.id);
        await previous.executeAction('remember', { value: 'before' });
        const before = await snapshot(created.id);

        const error = await rejectionOf(
          fx.service.update(created.id, { version: 1, configuration: { host: REFUSED_HOST, apiKey: 'key-2' } }, ACTOR),
        );
        expect(error).toBeInstanceOf(ConfigureError);
        expect(fx.service.pool.get(created.id)?.provider).toBe(previous);
        expect(previous.stopCalls).toBe(0);
        expect(await previous.executeAction('remember', { value: 'after' })).toMatchObject({ host: 'api.example.com', remembered: ['before', 'after'] });
        // The refused configuration never became a provider.
        expect(probe.providers.at(-1)).toBe(previous);
        expect(await snapshot(created.id)).toEqual(before);
      });

      it('swaps in the new provider on success and stops the old one', async () => {
        const created = await fx.service.create(input(), ACTOR);
        const previous = live(created.id);
        await fx.service.update(created.id, { version: 1, configuration: { host: 'new.example.com' } }, ACTOR);
        const current = live(created.id);
        expect(current).not.toBe(previous);
        expect(previous.stopCalls).toBe(1);
        expect(await current.executeAction('status', {})).toMatchObject({ host: 'new.example.com' });
        expect(fx.service.pool.get(created.id)?.secretValues).toEqual(['key-1', 'pw-1']);
      });

      it('does not configure a provider for a disabled instance, but still validates and saves', async () => {
        const created = await fx.service.create(input({ enabled: false }), ACTOR);
        const updated = await fx.service.update(created.id, { version: 1, configuration: { apiKey: 'key-2' } }, ACTOR);
        expect(updated).toMatchObject({ version: 2, status: 'inactive' });
        expect(probe.providers).toHaveLength(0);
        expect((await fx.store.read(created.id)).values.apiKey).toBe('key-2');
      });

      it('an unknown id is NotFoundError', async () => {
        expect(await rejectionOf(fx.service.update('missing', { version: 1 }, ACTOR))).toBeInstanceOf(NotFoundError);
        expect(await rejectionOf(fx.service.get('missing'))).toBeInstanceOf(NotFoundError);
      });
    });

    describe('atomic saves (injected failures)', () => {
      it('a failing secret write on update leaves the database untouched and the old provider live', async () => {
        const store = faultySecretStore(fx.store);
        fx = { ...service({ secrets: store }), store: fx.store };
        const created = await fx.service.create(input(), ACTOR);
        const previous = live(created.id);
        const before = await snapshot(created.id);

        store.faults.write = true;
        const error = await rejectionOf(
          fx.service.update(created.id, { version: 1, name: 'renamed', configuration: { region: 'eu', apiKey: 'key-2' } }, ACTOR),
        );
        expect(error).toBeInstanceOf(SecretStoreError);
        expect(await snapshot(created.id)).toEqual(before);
        expect(fx.service.pool.get(created.id)?.provider).toBe(previous);
        expect(probe.providers.at(-1)?.stopCalls).toBe(1);

        // Nothing is stuck: the same edit succeeds once the store works again.
        store.faults.write = false;
        const updated = await fx.service.update(created.id, { version: 1, configuration: { region: 'eu', apiKey: 'key-2' } }, ACTOR);
        expect(updated.version).toBe(2);
      });

      it('a failing secret write on create stores nothing', async () => {
        const store = faultySecretStore(fx.store);
        store.faults.write = true;
        fx = { ...service({ secrets: store }), store: fx.store };
        expect(await rejectionOf(fx.service.create(input(), ACTOR))).toBeInstanceOf(SecretStoreError);
        expect(probe.providers[0]?.stopCalls).toBe(1);
        expect(fx.service.pool.size).toBe(0);
        await nothingStored();
      });

      it('a database that is unavailable on update writes nothing to either store', async () => {
        const failing = failingTransactions(testDb.db.prisma);
        const store = faultySecretStore(fx.store);
        fx = { ...service({ prisma: failing.prisma, secrets: store }), store: fx.store };
        const created = await fx.service.create(input(), ACTOR);
        const previous = live(created.id);
        const before = await snapshot(created.id);
        const writes = store.writes;

        failing.fail.mode = 'before';
        const error = await rejectionOf(fx.service.update(created.id, { version: 1, configuration: { apiKey: 'key-2' } }, ACTOR));
        expect(error.message).toContain('injected');
        expect(store.writes).toBe(writes);
        expect(await snapshot(created.id)).toEqual(before);
        expect(fx.service.pool.get(created.id)?.provider).toBe(previous);
      });

      for (const mode of ['inside', 'commit'] as const) {
        const what = mode === 'inside' ? 'a failing write inside the transaction' : 'a failing commit';
        it(`${what} after the secret write puts the previous secrets back in force`, async () => {
          const failing = failingTransactions(testDb.db.prisma);
          fx = { ...service({ prisma: failing.prisma }), store: fx.store };
          const created = await fx.service.create(input(), ACTOR);
          const previous = live(created.id);
          const before = await snapshot(created.id);

          failing.fail.mode = mode;
          const error = await rejectionOf(
            fx.service.update(created.id, { version: 1, configuration: { region: 'eu', apiKey: 'key-2', password: null } }, ACTOR),
          );
          expect(error.message).toContain('injected');
          const after = await snapshot(created.id);
          expect(after.row).toEqual(before.row);
          expect(after.secretRows).toEqual(before.secretRows);
          expect(after.audits).toBe(before.audits);
          // The store's version moved on (write, then restore), but the values in force are the previous ones.
          expect(after.secrets.version).toBeGreaterThan(before.secrets.version);
          expect(after.secrets.values).toEqual({ apiKey: 'key-1', password: 'pw-1' });
          expect(fx.service.pool.get(created.id)?.provider).toBe(previous);
          expect(probe.providers.at(-1)?.stopCalls).toBe(1);

          failing.fail.mode = 'off';
          await fx.service.update(created.id, { version: 1, configuration: { apiKey: 'key-2' } }, ACTOR);
          expect((await fx.store.read(created.id)).values).toEqual({ apiKey: 'key-2', password: 'pw-1' });
        });
      }

      for (const mode of ['before', 'inside', 'commit'] as const) {
        it(`a database failure (${mode}) on create removes the secrets it wrote`, async () => {
          const failing = failingTransactions(testDb.db.prisma);
          failing.fail.mode = mode;
          fx = { ...service({ prisma: failing.prisma }), store: fx.store };
          const error = await rejectionOf(fx.service.create(input(), ACTOR));
          expect(error.message).toContain('injected');
          expect(probe.providers[0]?.stopCalls).toBe(1);
          expect(fx.service.pool.size).toBe(0);
          await nothingStored();
        });
      }

      it('a database failure on an update that added a secret removes it again', async () => {
        const failing = failingTransactions(testDb.db.prisma);
        fx = { ...service({ prisma: failing.prisma }), store: fx.store };
        const created = await fx.service.create(input({}, { password: null }), ACTOR);
        failing.fail.mode = 'commit';
        await rejectionOf(fx.service.update(created.id, { version: 1, configuration: { password: 'pw-new' } }, ACTOR));
        expect((await fx.store.read(created.id)).values).toEqual({ apiKey: 'key-1' });
        expect((await fx.service.get(created.id)).secrets.map((s) => s.key)).toEqual(['apiKey']);
      });
    });

    describe('concurrent updates', () => {
      it('N updates of the same version: exactly one lands, the others get ConflictError, nothing is mixed', async () => {
        const created = await fx.service.create(input(), ACTOR);
        const n = 6;
        const results = await Promise.allSettled(
          Array.from({ length: n }, (_, i) =>
            fx.service.update(created.id, { version: 1, configuration: { region: `r${i}`, apiKey: `key-${i}` } }, ACTOR),
          ),
        );
        const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
        expect(won).toHaveLength(1);
        for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ConflictError);
        const winner = won[0]!;
        const row = await prisma().pluginInstance.findUniqueOrThrow({ where: { id: created.id } });
        expect(row.version).toBe(2);
        expect(row.config).toMatchObject({ region: `r${winner}` });
        expect((await fx.store.read(created.id)).values).toEqual({ apiKey: `key-${winner}`, password: 'pw-1' });
        expect(live(created.id).configs.at(-1)).toMatchObject({ region: `r${winner}`, apiKey: `key-${winner}` });
        expect(await prisma().auditEvent.count({ where: { action: 'instance.update' } })).toBe(1);
      });

      it('N plain-only updates of the same version: exactly one lands', async () => {
        const created = await fx.service.create(input(), ACTOR);
        const results = await Promise.allSettled(
          Array.from({ length: 5 }, (_, i) => fx.service.update(created.id, { version: 1, configuration: { port: 1000 + i } }, ACTOR)),
        );
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ConflictError);
        expect((await prisma().pluginInstance.findUniqueOrThrow({ where: { id: created.id } })).version).toBe(2);
      });

      it('a losing save never puts back secrets that another losing save wrote (no dirty restore)', async () => {
        // Three saves of version 1, each held right after its secret write. Released in order,
        // the first commits; the other two must not leave their own (or each other's)
        // uncommitted secrets in force.
        const held = new Map<string, { reached: () => void; wait: Promise<void>; release: () => void }>();
        const hold = (key: string) => {
          let reached!: () => void;
          let release!: () => void;
          const reachedPromise = new Promise<void>((resolve) => (reached = resolve));
          const wait = new Promise<void>((resolve) => (release = resolve));
          held.set(key, { reached, wait, release });
          return reachedPromise;
        };
        const inner = fx.store;
        const holding = {
          ...faultySecretStore(inner),
          async write(instanceId: string, values: Record<string, string>, options: { cas: number }) {
            const version = await inner.write(instanceId, values, options);
            const gate = held.get(values['apiKey'] ?? '');
            if (gate) {
              gate.reached();
              await gate.wait;
            }
            return version;
          },
        };
        fx = { ...service({ secrets: holding }), store: inner };
        const created = await fx.service.create(input(), ACTOR);

        const saves: Promise<unknown>[] = [];
        const save = (i: number) =>
          fx.service.update(created.id, { version: 1, configuration: { region: `r${i}`, apiKey: `key-${i}` } }, ACTOR).catch((e) => e);
        const firstHolds = hold('key-0');
        hold('key-1');
        hold('key-2');
        saves.push(save(0));
        // The first save now holds the row (locked by its version check) at its secret write;
        // the other two start behind it and wait for the row.
        await firstHolds;
        saves.push(save(1), save(2));
        const outcomes: unknown[] = [];
        for (const i of [0, 1, 2]) {
          held.get(`key-${i}`)!.release();
          outcomes.push(await saves[i]);
        }
        expect(outcomes.filter((o) => !(o instanceof Error))).toHaveLength(1);
        for (const o of outcomes) if (o instanceof Error) expect(o).toBeInstanceOf(ConflictError);
        const row = await prisma().pluginInstance.findUniqueOrThrow({ where: { id: created.id } });
        const winner = String((row.config as { region: string }).region).slice(1);
        expect((await inner.read(created.id)).values).toEqual({ apiKey: `key-${winner}`, password: 'pw-1' });
      });

      it('writers that reload and retry on conflict lose no update', async () => {
        const created = await fx.service.create(input({}, { tags: [] }), ACTOR);
        const writers = 5;
        let conflicts = 0;
        const addTag = async (tag: string) => {
          for (let attempt = 0; attempt < 50; attempt++) {
            const current = await fx.service.get(created.id);
            const tags = [...((current.config as { tags?: string[] }).tags ?? []), tag];
            try {
              await fx.service.update(created.id, { version: current.version, configuration: { tags, apiKey: `key-${tag}` } }, ACTOR);
              return;
            } catch (error) {
              if (!(error instanceof ConflictError)) throw error;
              conflicts++;
            }
          }
          throw new Error(`writer ${tag} gave up`);
        };
        await Promise.all(Array.from({ length: writers }, (_, i) => addTag(`t${i}`)));
        const row = await prisma().pluginInstance.findUniqueOrThrow({ where: { id: created.id } });
        expect([...(row.config as { tags: string[] }).tags].sort()).toEqual(['t0', 't1', 't2', 't3', 't4']);
        expect(row.version).toBe(1 + writers);
        // The secret in force belongs to the last update that landed (its tag is last in the list).
        const lastTag = (row.config as { tags: string[] }).tags.at(-1);
        expect((await fx.store.read(created.id)).values.apiKey).toBe(`key-${lastTag}`);
        expect(conflicts).toBeGreaterThan(0);
      });
    });

    describe('providers', () => {
      it('two instances of one plugin get distinct providers with separate state', async () => {
        const a = await fx.service.create(input({ name: 'a' }, { host: 'a.example.com', apiKey: 'key-a' }), ACTOR);
        const b = await fx.service.create(input({ name: 'b' }, { host: 'b.example.com', apiKey: 'key-b' }), ACTOR);
        const pa = live(a.id);
        const pb = live(b.id);
        expect(pa).not.toBe(pb);
        await pa.executeAction('remember', { value: 'only-a' });
        expect(await pb.executeAction('remember', { value: 'only-b' })).toMatchObject({ host: 'b.example.com', remembered: ['only-b'] });
        expect(pa.remembered).toEqual(['only-a']);
        expect(pa.configs.map((c) => c['apiKey'])).toEqual(['key-a']);
        expect(pb.configs.map((c) => c['apiKey'])).toEqual(['key-b']);
        expect([pa.context.instanceId, pb.context.instanceId]).toEqual([a.id, b.id]);
        expect(fx.service.pool.get(a.id)?.secretValues).toEqual(['key-a', 'pw-1']);
      });
    });

    describe('enable and disable', () => {
      it('disabling stops the provider; enabling configures a new one with the stored secrets', async () => {
        const created = await fx.service.create(input(), ACTOR);
        const first = live(created.id);

        const disabled = await fx.service.setEnabled(created.id, false, ACTOR, 1);
        expect(disabled).toMatchObject({ enabled: false, status: 'inactive', version: 2 });
        expect(first.stopCalls).toBe(1);
        expect(fx.service.pool.get(created.id)).toBeUndefined();
        await expect(first.executeAction('status', {})).rejects.toThrow(/stopped/);

        const enabled = await fx.service.setEnabled(created.id, true, ACTOR, 2);
        expect(enabled).toMatchObject({ enabled: true, status: 'active', version: 3 });
        const second = live(created.id);
        expect(second).not.toBe(first);
        expect(second.configs).toEqual([{ host: 'api.example.com', port: 443, apiKey: 'key-1', password: 'pw-1' }]);

        // Setting the state it already has changes nothing.
        expect(await fx.service.setEnabled(created.id, true, ACTOR)).toMatchObject({ version: 3 });
        expect(live(created.id)).toBe(second);
      });

      it('enabling fails with ConfigureError when createProvider() refuses, and the instance stays disabled', async () => {
        const created = await fx.service.create(input({ enabled: false }), ACTOR);
        probe.hooks.configure = () => {
          throw new Error('backend says no');
        };
        const error = await rejectionOf(fx.service.setEnabled(created.id, true, ACTOR));
        expect(error).toBeInstanceOf(ConfigureError);
        expect(error.message).toContain('backend says no');
        expect(await fx.service.get(created.id)).toMatchObject({ enabled: false, status: 'inactive', version: 1 });
        expect(fx.service.pool.size).toBe(0);
      });

      it('a stale version is a ConflictError', async () => {
        const created = await fx.service.create(input(), ACTOR);
        await fx.service.update(created.id, { version: 1, configuration: { region: 'x' } }, ACTOR);
        expect(await rejectionOf(fx.service.setEnabled(created.id, false, ACTOR, 1))).toBeInstanceOf(ConflictError);
        expect(await fx.service.get(created.id)).toMatchObject({ enabled: true, version: 2 });
        expect(live(created.id).stopCalls).toBe(0);
      });
    });

    describe('delete', () => {
      it('stops the provider, removes the secrets and rows, and keeps the audit trail', async () => {
        const created = await fx.service.create(input(), ACTOR);
        const provider = live(created.id);
        await prisma().healthCheck.create({ data: { instanceId: created.id, status: 'healthy', message: 'ok', responseTimeMs: 1 } });

        const deleted = await fx.service.delete(created.id, ACTOR, 1);
        expect(deleted.id).toBe(created.id);
        expect(provider.stopCalls).toBe(1);
        expect(fx.service.pool.size).toBe(0);
        expect(await fx.store.read(created.id)).toEqual({ values: {}, version: 0 });
        expect(await storedSecretFiles(fx.store)).toEqual([]);
        expect(await prisma().pluginInstance.count()).toBe(0);
        expect(await prisma().pluginInstanceSecret.count()).toBe(0);
        expect(await prisma().healthCheck.count()).toBe(0);
        const audits = await prisma().auditEvent.findMany({ where: { instanceId: created.id }, orderBy: { at: 'asc' } });
        expect(audits.map((a) => a.action)).toEqual(['instance.create', 'instance.delete']);
        expect(await rejectionOf(fx.service.get(created.id))).toBeInstanceOf(NotFoundError);
      });

      it('a stale version is a ConflictError and nothing is removed', async () => {
        const created = await fx.service.create(input(), ACTOR);
        await fx.service.update(created.id, { version: 1, configuration: { region: 'x' } }, ACTOR);
        const before = await snapshot(created.id);
        expect(await rejectionOf(fx.service.delete(created.id, ACTOR, 1))).toBeInstanceOf(ConflictError);
        expect(await snapshot(created.id)).toEqual(before);
        expect(live(created.id).stopCalls).toBe(0);
      });

      it('a secret store that cannot delete still deletes the instance and logs the orphaned document', async () => {
        const store = faultySecretStore(fx.store);
        fx = { ...service({ secrets: store }), store: fx.store };
        const created = await fx.service.create(input(), ACTOR);
        store.faults.delete = true;
        await fx.service.delete(created.id, ACTOR);
        expect(await prisma().pluginInstance.count()).toBe(0);
        expect(fx.logs.join('\n')).toMatch(/secrets could not be removed/);
        expect(fx.logs.join('\n')).toContain(created.id);
      });
    });

    describe('audit trail', () => {
      it('records one event per change, naming the changed keys and never a value', async () => {
        const created = await fx.service.create(input(), 'token:alice');
        await fx.service.update(created.id, { version: 1, configuration: { region: 'eu', apiKey: 'key-2' } }, 'token:bob');
        await fx.service.update(created.id, { version: 2, name: 'renamed', configuration: { password: null } }, 'token:bob');
        await fx.service.update(created.id, { version: 3, configuration: { apiKey: SECRET_MASK } }, 'token:bob');
        await fx.service.setEnabled(created.id, false, 'system');
        await fx.service.setEnabled(created.id, true, 'system');
        await fx.service.delete(created.id, 'token:alice');

        const events = await prisma().auditEvent.findMany({ orderBy: { at: 'asc' } });
        expect(events.map((e) => [e.action, e.actor, e.changedKeys])).toEqual([
          ['instance.create', 'token:alice', ['apiKey', 'host', 'password', 'port']],
          ['instance.update', 'token:bob', ['apiKey', 'region']],
          ['instance.update', 'token:bob', ['name', 'password']],
          ['instance.update', 'token:bob', []],
          ['instance.disable', 'system', ['enabled']],
          ['instance.enable', 'system', ['enabled']],
          ['instance.delete', 'token:alice', []],
        ]);
        for (const event of events) expect(event).toMatchObject({ instanceId: created.id, pluginName: 'probe' });
        expect(JSON.stringify(events)).not.toMatch(/key-1|key-2|pw-1/);
      });
    });
  });
}
