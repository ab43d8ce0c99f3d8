/**
 * Any replica serves any instance: two instance services ("replicas" A and B, each with its own
 * plugin modules, provider pool and event bus connection) over one database, on embedded
 * PGlite and on PostgreSQL. What one replica saves, the other runs from the database and the
 * secret store; a newer version or a delete reaches the other within a second; a replica that
 * cannot start a provider reports it for itself and writes nothing shared; a secret recorded
 * as set that the store lacks refuses the start (nothing goes out unsigned); a save whose
 * commit answer was lost is finished, not half-undone; retries with a clientMutationId are safe.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import webhook from '../../../plugins/webhook/index.ts';
import { createEventBus, createInProcessBus, type EventBus } from '../../../server/cluster/event-bus.ts';
import { createPostgresEventTarget } from '../../../server/cluster/postgres-event-target.ts';
import { HealthService, type HealthChange } from '../../../server/health/health-service.ts';
import { TestingService } from '../../../server/health/testing-service.ts';
import { MissingSecretError, NotFoundError, PluginUnavailableError, ValidationError } from '../../../server/instances/errors.ts';
import { InstanceService } from '../../../server/instances/instance-service.ts';
import type { PrismaClient } from '../../../prisma/generated/client/client.ts';
import { LocalSecretStore, VaultSecretStore, type SecretStore } from '../../../server/secrets/index.ts';
import { startAttacker, type Attacker } from '../../support/attacker.ts';
import {
  allRows,
  captureLogger,
  factoryOf,
  failingTransactions,
  lookup,
  openTestDatabase,
  postgresGate,
  probePlugin,
  rejectionOf,
  tempDir,
  type Backend,
  type ProbePlugin,
  type ProbeProvider,
  type TestDatabase,
} from '../../support/instances.ts';
import { startVaultDouble, type VaultDouble } from '../../support/vault-double.ts';

const postgres = await postgresGate();
const ACTOR = 'token:ci';
const CONFIG = { host: 'a.example.com', apiKey: 'key-1', password: 'pw-1' };

interface Replica {
  name: string;
  service: InstanceService;
  health: HealthService;
  testing: TestingService;
  probe: ProbePlugin;
  bus: EventBus;
  logs: string[];
  store: SecretStore;
}

for (const backend of ['pglite', 'postgres'] as const satisfies readonly Backend[]) {
  describe.skipIf(backend === 'postgres' && !postgres.available)(`two replicas on one ${backend} database`, () => {
    let testDb: TestDatabase;
    let vault: VaultDouble;
    let dirs: Array<{ cleanup: () => Promise<void> }> = [];
    let replicas: Replica[] = [];
    /** PGlite is one process: its replicas share one in-process bus, as they would share the process. */
    let sharedBus: EventBus | undefined;

    beforeAll(async () => {
      testDb = await openTestDatabase(backend);
      vault = await startVaultDouble();
    });
    afterAll(async () => {
      await testDb?.dispose();
      await vault?.close();
    });
    beforeEach(async () => {
      await testDb.reset();
    });
    afterEach(async () => {
      for (const replica of replicas) {
        await replica.service.stopAll();
        await replica.bus.close();
        await replica.store.close?.();
      }
      await sharedBus?.close();
      sharedBus = undefined;
      replicas = [];
      for (const dir of dirs) await dir.cleanup();
      dirs = [];
    });

    async function busFor(): Promise<EventBus> {
      if (backend === 'pglite') {
        sharedBus ??= createInProcessBus();
        const bus = sharedBus;
        return { ...bus, close: async () => undefined };
      }
      const target = createPostgresEventTarget({ connectionString: testDb.url!, logger: captureLogger().logger });
      await target.ready();
      return createEventBus('postgres', target);
    }

    function vaultStore(): SecretStore {
      return new VaultSecretStore({ addr: vault.url, auth: { method: 'token', token: vault.rootToken }, timeoutMs: 2000 });
    }

    async function localStore(): Promise<SecretStore> {
      const dir = await tempDir('plugform-replica-store-');
      dirs.push(dir);
      return new LocalSecretStore({ dataDir: dir.dir });
    }

    async function replica(name: string, options: { store?: SecretStore; prisma?: PrismaClient; commitCheckMs?: number } = {}): Promise<Replica> {
      const probe = probePlugin('probe');
      const { logger, lines } = captureLogger();
      const store = options.store ?? vaultStore();
      const bus = await busFor();
      const plugins = lookup(probe.plugin, factoryOf(webhook));
      const service = new InstanceService({
        prisma: options.prisma ?? testDb.db.prisma,
        secrets: store,
        plugins,
        logger,
        bus,
        replica: name,
        ...(options.commitCheckMs === undefined ? {} : { commitCheckMs: options.commitCheckMs }),
      });
      bus.on('instance.changed', (change) => void service.onChange(change));
      const health = new HealthService({ prisma: testDb.db.prisma, providers: service, bus, logger, historyLimit: 10, timeoutMs: 2000 });
      const testing = new TestingService({ plugins, instances: service, prisma: testDb.db.prisma, logger, timeoutMs: 2000 });
      const made = { name, service, health, testing, probe, bus, logs: lines, store };
      replicas.push(made);
      return made;
    }

    const providersOf = (r: Replica, id: string) => r.probe.providers.filter((p: ProbeProvider) => p.context.instanceId === id);

    describe('any replica serves any instance', () => {
      it('B starts a provider for an instance A created, from the database and the secret store, once per version', async () => {
        const a = await replica('A');
        const b = await replica('B');
        const created = await a.service.create({ pluginName: 'probe', name: 'shared', configuration: CONFIG }, ACTOR);

        const row = await b.service.get(created.id);
        const [first, second] = await Promise.all([b.service.acquire(row), b.service.acquire(row)]);
        expect(first).toBe(second);
        expect(first?.version).toBe(1);
        expect(providersOf(b, created.id)).toHaveLength(1);
        expect(providersOf(b, created.id)[0]?.configs).toEqual([{ host: 'a.example.com', port: 443, apiKey: 'key-1', password: 'pw-1' }]);
        // A cache hit the next time: no second provider for the same version.
        expect(await b.service.acquire(row)).toBe(first);
        expect(providersOf(b, created.id)).toHaveLength(1);

        // A health check on B uses that provider and records the result.
        const check = await b.health.check(created.id);
        expect(check).toMatchObject({ status: 'healthy', message: 'provider 1 fine' });
      });

      it('an update on A: B stops its old provider within 1 s and its next use runs the new configuration', async () => {
        const a = await replica('A');
        const b = await replica('B');
        const created = await a.service.create({ pluginName: 'probe', name: 'moving', configuration: CONFIG }, ACTOR);
        await b.health.check(created.id);
        const [old] = providersOf(b, created.id);
        expect(old?.stopCalls).toBe(0);

        await a.service.update(created.id, { version: 1, configuration: { host: 'b.example.com', apiKey: 'key-2' } }, ACTOR);
        await vi.waitFor(() => expect(old?.stopCalls).toBe(1), { timeout: 1000, interval: 10 });
        expect(b.service.pool.get(created.id)).toBeUndefined();

        await b.health.check(created.id);
        const current = providersOf(b, created.id).at(-1)!;
        expect(current).not.toBe(old);
        expect(current.configs).toEqual([{ host: 'b.example.com', port: 443, apiKey: 'key-2', password: 'pw-1' }]);
        expect(b.service.pool.get(created.id)?.version).toBe(2);
      });

      it('B never uses a provider older than the row, even when the announcement is missed', async () => {
        const a = await replica('A');
        const b = await replica('B');
        const created = await a.service.create({ pluginName: 'probe', name: 'quiet', configuration: CONFIG }, ACTOR);
        await b.health.check(created.id);
        // B stops hearing announcements (as while its listening connection is down).
        const deaf = vi.spyOn(b.service, 'onChange').mockResolvedValue(undefined);
        await a.service.update(created.id, { version: 1, configuration: { host: 'c.example.com' } }, ACTOR);
        await b.health.check(created.id);
        expect(providersOf(b, created.id).at(-1)?.configs.at(-1)).toMatchObject({ host: 'c.example.com' });
        expect(providersOf(b, created.id)[0]?.stopCalls).toBe(1);
        deaf.mockRestore();
      });

      it('a delete or a disable on A stops B\'s provider within 1 s', async () => {
        const a = await replica('A');
        const b = await replica('B');
        const gone = await a.service.create({ pluginName: 'probe', name: 'gone', configuration: CONFIG }, ACTOR);
        const off = await a.service.create({ pluginName: 'probe', name: 'off', configuration: CONFIG }, ACTOR);
        await b.health.check(gone.id);
        await b.health.check(off.id);
        await a.service.delete(gone.id, ACTOR);
        await a.service.setEnabled(off.id, false, ACTOR);
        await vi.waitFor(
          () => {
            expect(providersOf(b, gone.id)[0]?.stopCalls).toBe(1);
            expect(providersOf(b, off.id)[0]?.stopCalls).toBe(1);
          },
          { timeout: 1000, interval: 10 },
        );
        expect(b.service.pool.size).toBe(0);
      });

      it('a health change checked on A reaches the subscribers of B', async () => {
        const a = await replica('A');
        const b = await replica('B');
        const created = await a.service.create({ pluginName: 'probe', name: 'watched', configuration: CONFIG }, ACTOR);
        const received: HealthChange[] = [];
        const subscription = b.bus.subscribe('health.changed')[Symbol.asyncIterator]();
        const next = subscription.next().then((result) => received.push(result.value as HealthChange));
        await a.health.check(created.id);
        await vi.waitFor(() => expect(received).toHaveLength(1), { timeout: 1000, interval: 10 });
        expect(received[0]).toMatchObject({ instanceId: created.id, previous: 'unknown', current: { status: 'healthy' } });
        await next;
        await subscription.return?.();
      });
    });

    describe('a replica whose secret store lacks the secrets', () => {
      it('refuses to start the provider, naming the keys and the likely cause, and writes nothing shared', async () => {
        const a = await replica('A', { store: await localStore() });
        const b = await replica('B', { store: await localStore() });
        const created = await a.service.create({ pluginName: 'probe', name: 'split', configuration: CONFIG }, ACTOR);
        await a.health.check(created.id);
        const before = await allRows(testDb.db);

        const error = await rejectionOf(b.health.check(created.id));
        expect(error).toBeInstanceOf(MissingSecretError);
        expect(error).toBeInstanceOf(PluginUnavailableError);
        expect((error as MissingSecretError).keys).toEqual(['apiKey', 'password']);
        expect(error.message).toContain('"apiKey", "password"');
        expect(error.message).toMatch(/PLUGFORM_DATA_DIR/);
        expect(error.message).toMatch(/PLUGFORM_SECRET_KEY/);
        expect(error.message).toMatch(/PLUGFORM_SECRET_STORE=vault/);
        expect(error.message).not.toContain('key-1');
        // The provider never started: createProvider() was not called on B.
        expect(providersOf(b, created.id)).toHaveLength(0);
        // B reports it for itself …
        expect(b.service.pool.failureOf(created.id)?.message).toContain('"apiKey"');
        expect(b.logs.some((line) => line.startsWith('warn') && line.includes('could not start on this replica'))).toBe(true);
        // … and never touches A's rows: no status, no health verdict, no history entry.
        expect(await allRows(testDb.db)).toEqual(before);
        expect((await b.service.get(created.id)).status).toBe('active');

        // An update on B cannot merge secrets it cannot read: refused, nothing changed.
        const update = await rejectionOf(b.service.update(created.id, { version: 1, configuration: { region: 'eu' } }, ACTOR));
        expect(update).toBeInstanceOf(MissingSecretError);
        expect(await allRows(testDb.db)).toEqual(before);
      });

      it('sends nothing, unsigned or otherwise, for a webhook whose signing secret it cannot read', async () => {
        const attacker: Attacker = await startAttacker('http');
        try {
          const a = await replica('A', { store: await localStore() });
          const b = await replica('B', { store: await localStore() });
          const created = await a.service.create(
            { pluginName: 'webhook', name: 'hook', configuration: { url: `${attacker.url}/hook`, signingSecret: 'sign-me-0123456789', bearerToken: 'tok-1' } },
            ACTOR,
          );
          expect(await rejectionOf(b.health.check(created.id))).toBeInstanceOf(MissingSecretError);
          expect(await rejectionOf(b.testing.testSaved(created.id))).toBeInstanceOf(MissingSecretError);
          expect(attacker.connections).toBe(0);
          // A, which has the secrets, does reach it, signed: the listener would have seen B's request.
          await a.health.check(created.id);
          expect(attacker.connections).toBeGreaterThan(0);
          expect(attacker.received()).toMatch(/x-plugform-signature: sha256=/i);
        } finally {
          await attacker.close();
        }
      });
    });

    describe('saves whose commit answer is lost', () => {
      it('a create that committed while its answer was lost is finished: the row, its secrets and its provider', async () => {
        const failing = failingTransactions(testDb.db.prisma);
        const a = await replica('A', { prisma: failing.prisma });
        failing.fail.mode = 'lost-ack';
        const created = await a.service.create({ pluginName: 'probe', name: 'landed', configuration: CONFIG }, ACTOR);
        failing.fail.mode = 'off';
        expect(created).toMatchObject({ name: 'landed', version: 1 });
        expect((await a.store.read(created.id)).values).toEqual({ apiKey: 'key-1', password: 'pw-1' });
        expect(a.service.pool.get(created.id)?.version).toBe(1);
        expect(await testDb.db.prisma.pluginInstance.count()).toBe(1);
        // After a restart (a fresh replica) it runs with its secrets.
        const b = await replica('B');
        expect(await b.health.check(created.id)).toMatchObject({ status: 'healthy' });
      });

      it('an update that committed while its answer was lost keeps its new secrets', async () => {
        const failing = failingTransactions(testDb.db.prisma);
        const a = await replica('A', { prisma: failing.prisma });
        const created = await a.service.create({ pluginName: 'probe', name: 'updated', configuration: CONFIG }, ACTOR);
        failing.fail.mode = 'lost-ack';
        const updated = await a.service.update(created.id, { version: 1, configuration: { apiKey: 'key-2', password: null } }, ACTOR);
        failing.fail.mode = 'off';
        expect(updated.version).toBe(2);
        expect((await a.store.read(created.id)).values).toEqual({ apiKey: 'key-2' });
        expect(updated.secrets.map((s) => s.key)).toEqual(['apiKey']);
        expect(a.service.pool.get(created.id)?.version).toBe(2);
      });

      it('while the database cannot say whether a create landed, its secrets are kept; the retry with its clientMutationId returns that instance', async () => {
        let down = false;
        // The commit lands, its answer is lost, and the database stays away past the check's patience.
        const prisma = testDb.db.prisma;
        const flaky = new Proxy(prisma, {
          get(target, property) {
            if (property === '$transaction') {
              return async (fn: never, options: never) => {
                await target.$transaction(fn, options);
                down = true;
                throw new Error('injected: connection lost after the commit was sent');
              };
            }
            if (down && property === 'auditEvent') return { findUnique: () => Promise.reject(new Error('injected: connection refused')) };
            const value = Reflect.get(target, property, target) as unknown;
            return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
          },
        });
        const a = await replica('A', { prisma: flaky, commitCheckMs: 200 });
        const input = { pluginName: 'probe', name: 'unsure', configuration: CONFIG, clientMutationId: 'create-unsure-1' };
        const error = await rejectionOf(a.service.create(input, ACTOR));
        expect(error.message).toContain('injected');
        expect(a.logs.some((line) => line.startsWith('error') && line.includes('secrets are kept'))).toBe(true);
        const [row] = await testDb.db.prisma.pluginInstance.findMany();
        expect((await a.store.read(row!.id)).values).toEqual({ apiKey: 'key-1', password: 'pw-1' });

        // The database is back; the client retries with the same key.
        const b = await replica('B');
        const retried = await b.service.create(input, ACTOR);
        expect(retried.id).toBe(row!.id);
        expect(await testDb.db.prisma.pluginInstance.count()).toBe(1);
        expect(await b.health.check(retried.id)).toMatchObject({ status: 'healthy' });
      });
    });

    describe('idempotent retries (clientMutationId)', () => {
      it('a retried create returns the instance the first one created; a retried update does not conflict', async () => {
        const a = await replica('A');
        const b = await replica('B');
        const input = { pluginName: 'probe', name: 'once', configuration: CONFIG, clientMutationId: 'req-1' };
        const first = await a.service.create(input, ACTOR);
        const again = await b.service.create(input, ACTOR);
        expect(again.id).toBe(first.id);
        expect(await testDb.db.prisma.pluginInstance.count()).toBe(1);
        expect(await testDb.db.prisma.auditEvent.count({ where: { action: 'instance.create' } })).toBe(1);

        const update = { version: 1, configuration: { region: 'eu' }, clientMutationId: 'req-2' };
        const updated = await a.service.update(first.id, update, ACTOR);
        const replayed = await b.service.update(first.id, update, ACTOR);
        expect(replayed).toMatchObject({ id: first.id, version: 2 });
        expect(updated.version).toBe(2);
        expect(await testDb.db.prisma.auditEvent.count({ where: { action: 'instance.update' } })).toBe(1);
      });

      it('a retried disable or delete answers as the first did, on the other replica; without the key a second delete is NotFound', async () => {
        const a = await replica('A');
        const b = await replica('B');
        const created = await a.service.create({ pluginName: 'probe', name: 'toggled', configuration: CONFIG }, ACTOR);
        await a.service.setEnabled(created.id, false, ACTOR, 1, 'off-1');
        expect(await b.service.setEnabled(created.id, false, ACTOR, 1, 'off-1')).toMatchObject({ id: created.id, enabled: false, version: 2 });
        const enableWithDisableKey = await rejectionOf(b.service.setEnabled(created.id, true, ACTOR, 2, 'off-1'));
        expect((enableWithDisableKey as ValidationError).fieldErrors).toEqual([expect.objectContaining({ field: 'clientMutationId', rule: 'reused' })]);

        const deleted = await a.service.delete(created.id, ACTOR, 2, 'del-1');
        const replayed = await b.service.delete(created.id, ACTOR, 2, 'del-1');
        expect(replayed).toEqual({ id: created.id, pluginName: 'probe', name: 'toggled' });
        expect(deleted).toMatchObject(replayed);
        expect(await testDb.db.prisma.auditEvent.count({ where: { action: 'instance.delete' } })).toBe(1);
        expect(await rejectionOf(b.service.delete(created.id, ACTOR))).toBeInstanceOf(NotFoundError);
      });

      it('concurrent retries of one create on two replicas make one instance', async () => {
        const a = await replica('A');
        const b = await replica('B');
        const input = { pluginName: 'probe', name: 'race', configuration: CONFIG, clientMutationId: 'req-race' };
        const results = await Promise.allSettled([a.service.create(input, ACTOR), b.service.create(input, ACTOR)]);
        const ids = results.map((result) => (result.status === 'fulfilled' ? result.value.id : String(result.reason)));
        expect(ids[0]).toBe(ids[1]);
        expect(await testDb.db.prisma.pluginInstance.count()).toBe(1);
      });

      it('a key reused for a different change is a ValidationError on clientMutationId, and changes nothing', async () => {
        const a = await replica('A');
        await a.service.create({ pluginName: 'probe', name: 'one', configuration: CONFIG, clientMutationId: 'req-x' }, ACTOR);
        const before = await allRows(testDb.db);
        const error = await rejectionOf(
          a.service.create({ pluginName: 'probe', name: 'two', configuration: CONFIG, clientMutationId: 'req-x' }, ACTOR),
        );
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).fieldErrors).toEqual([expect.objectContaining({ field: 'clientMutationId', rule: 'reused' })]);
        expect(await allRows(testDb.db)).toEqual(before);
        // Another actor's key of the same text is its own.
        const other = await a.service.create({ pluginName: 'probe', name: 'two', configuration: CONFIG, clientMutationId: 'req-x' }, 'token:other');
        expect(other.name).toBe('two');
      });
    });
  });
}
