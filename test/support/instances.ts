/**
 * Fixtures for the instance lifecycle tests: real databases (in-memory or file PGlite, a
 * throwaway PostgreSQL database), a real local secret store in a temp dir, a small test
 * plugin whose providers record what happened to them, captured logs, and wrappers that
 * inject failures into the secret store and the database.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { definePlugin, type PluginContext, type PluginProvider } from '../../plugins/sdk/index.ts';
import type { PrismaClient } from '../../prisma/generated/client/client.ts';
import { IN_MEMORY, openDatabase, type Database } from '../../prisma/database.ts';
import { applyMigrations } from '../../prisma/migrate.ts';
import { InstanceService, type InstanceServiceDeps, type PluginLookup } from '../../server/instances/instance-service.ts';
import type { ProviderFactory } from '../../server/instances/provider-pool.ts';
import { createLogger, type Logger } from '../../server/logger.ts';
import { LocalSecretStore, SecretStoreError, type SecretStore } from '../../server/secrets/index.ts';
import { FINGERPRINT_KEY_DOCUMENT } from '../../server/secrets/fingerprint.ts';

// ---------------------------------------------------------------------------------------
// Databases

export { POSTGRES_URL, postgresGate } from './postgres.ts';
import { POSTGRES_URL, withPostgresAdmin as admin } from './postgres.ts';

export type Backend = 'pglite' | 'postgres';

export interface TestDatabase {
  db: Database;
  /** The connection string of a PostgreSQL database (undefined for PGlite). */
  url?: string;
  /** Empties every table the lifecycle writes (between tests sharing one database). */
  reset(): Promise<void>;
  /** Closes the database; a PostgreSQL one is dropped. */
  dispose(): Promise<void>;
}

/**
 * A migrated database: `'pglite'` in memory, `'postgres'` a fresh database on the server at
 * PLUGFORM_TEST_POSTGRES_URL, or `{ dataDir }` a file PGlite in `<dataDir>/pglite`.
 */
export async function openTestDatabase(where: Backend | { dataDir: string }): Promise<TestDatabase> {
  let db: Database;
  let databaseUrl: string | undefined;
  let drop = async () => {};
  if (where === 'postgres') {
    const name = `plugform_instances_${randomBytes(6).toString('hex')}`;
    await admin((client) => client.query(`CREATE DATABASE "${name}"`));
    const url = new URL(POSTGRES_URL);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
    db = await openDatabase({ databaseUrl, dataDir: IN_MEMORY });
    drop = () => admin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined);
  } else {
    db = await openDatabase({ dataDir: where === 'pglite' ? IN_MEMORY : where.dataDir });
  }
  await applyMigrations(db, { log: () => {} });
  return {
    db,
    ...(databaseUrl ? { url: databaseUrl } : {}),
    reset: () =>
      db.withConnection((c) => c.exec('TRUNCATE plugin_instance, plugin_instance_secret, health_check, audit_event CASCADE')),
    async dispose() {
      await db.close();
      await drop();
    },
  };
}

/** Every row of every table in the public schema, by table (`SELECT *`). */
export async function allRows(db: Database): Promise<Record<string, Record<string, unknown>[]>> {
  return db.withConnection(async (c) => {
    const tables = await c.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name",
    );
    const rows: Record<string, Record<string, unknown>[]> = {};
    for (const { table_name } of tables) rows[table_name] = await c.query(`SELECT * FROM "${table_name}"`);
    return rows;
  });
}

// ---------------------------------------------------------------------------------------
// Files

export async function tempDir(prefix = 'plugform-instances-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Every regular file under `dir` (recursively) with its bytes. */
export async function readAllFiles(dir: string): Promise<{ path: string; bytes: Buffer }[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
  return Promise.all(files.map(async (path) => ({ path, bytes: await readFile(path) })));
}

/** The files under `dir` whose bytes contain `needle` (as UTF-8). */
export async function filesContaining(dir: string, needle: string): Promise<string[]> {
  const target = Buffer.from(needle, 'utf8');
  return (await readAllFiles(dir)).filter((file) => file.bytes.includes(target)).map((file) => file.path);
}

/**
 * The current instance documents a local store holds: not its bookkeeping files (a leading
 * dot), the earlier versions it keeps (`<id>.v<N>.json`), or the history's fingerprint key.
 */
export async function storedSecretFiles(store: LocalSecretStore): Promise<string[]> {
  const names = await readdir(store.secretsDir).catch(() => [] as string[]);
  return names.filter((name) => /^[A-Za-z0-9_-]+\.json$/.test(name) && name !== `${FINGERPRINT_KEY_DOCUMENT}.json`).sort();
}

// ---------------------------------------------------------------------------------------
// Logs, outputs, canaries

export function captureLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return { logger: createLogger({ level: 'debug', sink: (line) => lines.push(line) }), lines };
}

/** A secret value that must never show up in clear. */
export function canary(): string {
  return `canary-${randomBytes(8).toString('hex')}`;
}

/** Everything a value shows: own and inherited properties, error messages, stacks and causes. */
export function deepText(value: unknown): string {
  let json = '';
  try {
    json = JSON.stringify(value) ?? '';
  } catch {
    json = '';
  }
  return `${inspect(value, { depth: Infinity, showHidden: true, getters: true, maxArrayLength: Infinity, maxStringLength: Infinity })}\n${json}`;
}

/** Awaits a promise expected to reject and returns the error (fails when it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection, but the promise resolved');
}

// ---------------------------------------------------------------------------------------
// The test plugin

/** `createProvider()` refuses a configuration whose host is this (a config-driven failure that survives a restart). */
export const REFUSED_HOST = 'refuse.invalid';

export interface ProbeProvider extends PluginProvider {
  readonly serial: number;
  readonly context: PluginContext;
  /** The configuration `createProvider()` received (one entry). */
  readonly configs: Record<string, unknown>[];
  readonly stopCalls: number;
  /** Per-provider state, to prove two instances never share one. */
  readonly remembered: string[];
  executeAction(action: string, payload: Record<string, unknown>): Promise<Record<string, unknown>>;
}

type Hook<A extends unknown[], R> = ((...args: A) => R | Promise<R>) | undefined;

export interface ProbeHooks {
  /** Runs inside `createProvider`, once the provider object exists: throw or hang to refuse or stall the configuration. */
  configure: Hook<[config: Record<string, unknown>, provider: ProbeProvider], void>;
  healthCheck: Hook<[provider: ProbeProvider], unknown>;
  testConnection: Hook<[config: Record<string, unknown>, provider: ProbeProvider], unknown>;
}

export interface ProbePlugin {
  plugin: ProviderFactory;
  /** Every provider handed out (createProvider returned it), in order. */
  providers: ProbeProvider[];
  /** Replace to change how providers behave (applies to existing providers too). */
  hooks: ProbeHooks;
}

/**
 * An INTEGRATION plugin: `host` (required), `port` (default 443), `region` and `tags` (optional),
 * `apiKey` (SECRET, required) and `password` (STRING marked secret, optional). Its providers
 * record their configs and stops, keep their own state, and refuse REFUSED_HOST.
 */
export function probePlugin(name = 'probe'): ProbePlugin {
  const providers: ProbeProvider[] = [];
  const hooks: ProbeHooks = { configure: undefined, healthCheck: undefined, testConnection: undefined };
  const plugin = definePlugin({
    name,
    type: 'INTEGRATION',
    version: '1.0.0',
    supportsHealthCheck: true,
    supportsTestConnection: true,
    fields: [
      // The probe sends its secrets nowhere, so it marks no destination (the default would bind
      // its secrets to host, port and region); the destination tests use plugins that do send.
      { key: 'host', label: 'Host', type: 'STRING', required: true, destination: false },
      { key: 'port', label: 'Port', type: 'INTEGER', default: 443, minValue: 1, maxValue: 65535 },
      { key: 'region', label: 'Region', type: 'STRING' },
      { key: 'tags', label: 'Tags', type: 'ARRAY', itemType: 'STRING' },
      { key: 'apiKey', label: 'API Key', type: 'SECRET', required: true },
      { key: 'password', label: 'Password', type: 'STRING', isSecret: true },
    ],
    async createProvider(config, context) {
      const configured = { ...config } as Record<string, unknown>;
      let stopped = false;
      const provider: ProbeProvider = {
        serial: providers.length + 1,
        context,
        configs: [configured],
        stopCalls: 0,
        remembered: [],
        async executeAction(action, payload) {
          if (stopped) throw new Error(`provider ${provider.serial} is stopped`);
          if (action === 'remember') provider.remembered.push(String(payload['value']));
          return { serial: provider.serial, host: configured['host'], remembered: [...provider.remembered] };
        },
        async healthCheck() {
          if (hooks.healthCheck) return (await hooks.healthCheck(provider)) as never;
          return { status: 'healthy', message: `provider ${provider.serial} fine` };
        },
        async testConnection() {
          if (hooks.testConnection) return (await hooks.testConnection(configured, provider)) as never;
          return { success: true, message: `reached ${String(configured['host'])}` };
        },
        stop() {
          stopped = true;
          (provider as { stopCalls: number }).stopCalls++;
        },
      };
      if (configured['host'] === REFUSED_HOST) throw new Error(`host ${REFUSED_HOST} is refused`);
      await hooks.configure?.(configured, provider);
      // Only providers handed out count: a refused configuration never becomes one.
      providers.push(provider);
      return provider;
    },
  });
  return { plugin: factoryOf(plugin), providers, hooks };
}

/** What the registry makes of a `definePlugin` definition: its schema and its provider factory. */
export function factoryOf(definition: Pick<ProviderFactory, 'createProvider'> & ProviderFactory['schema']): ProviderFactory {
  return { schema: definition, createProvider: (config, context) => definition.createProvider(config, context) };
}

export function lookup(...plugins: ProviderFactory[]): PluginLookup & { remove(name: string): void } {
  const byName = new Map(plugins.map((plugin) => [plugin.schema.name, plugin]));
  return { get: (name) => byName.get(name), remove: (name) => void byName.delete(name) };
}

// ---------------------------------------------------------------------------------------
// A service over real stores

export interface ServiceFixture {
  service: InstanceService;
  store: LocalSecretStore;
  logs: string[];
  logger: Logger;
}

/** An InstanceService over `prisma` and a local secret store in `storeDir`, logging into `logs`. */
export function createService(
  options: { prisma: PrismaClient; storeDir: string; plugins: PluginLookup; secretKey?: string } & Partial<InstanceServiceDeps>,
): ServiceFixture {
  const { prisma, storeDir, plugins, secretKey, ...rest } = options;
  const { logger, lines } = captureLogger();
  const store = new LocalSecretStore({ dataDir: storeDir, secretKey });
  const service = new InstanceService({ prisma, plugins, logger, ...rest, secrets: rest.secrets ?? store });
  return { service, store, logs: lines, logger };
}

// ---------------------------------------------------------------------------------------
// Injected failures

export interface FaultySecretStore extends SecretStore {
  /** Set to make the next calls of that kind throw. */
  faults: { write: boolean; delete: boolean };
  writes: number;
}

/** Delegates to `inner`; `faults.write`/`faults.delete` make those calls fail as an I/O error would. */
export function faultySecretStore(inner: SecretStore): FaultySecretStore {
  const faulty: FaultySecretStore = {
    kind: inner.kind,
    faults: { write: false, delete: false },
    writes: 0,
    check: () => inner.check(),
    read: (id) => inner.read(id),
    async write(id, values, options) {
      faulty.writes++;
      if (faulty.faults.write) throw new SecretStoreError('io', 'injected: the secret store refused the write');
      return inner.write(id, values, options);
    },
    async delete(id) {
      if (faulty.faults.delete) throw new SecretStoreError('io', 'injected: the secret store refused the delete');
      return inner.delete(id);
    },
  };
  return faulty;
}

export type TransactionFault = 'off' | 'before' | 'inside' | 'commit' | 'lost-ack';

/**
 * The Prisma client with `$transaction` failing on demand: `'before'` throws before anything
 * runs (the database is down), `'inside'` fails the audit insert (a write inside the
 * transaction, after the service's other steps), `'commit'` runs the callback to the end and
 * then throws, so the transaction rolls back after everything in it succeeded; `'lost-ack'`
 * commits and then throws, as when the connection drops after the server committed but
 * before its answer arrived (the client cannot tell this from a failed commit).
 */
export function failingTransactions(prisma: PrismaClient): { prisma: PrismaClient; fail: { mode: TransactionFault } } {
  const fail: { mode: TransactionFault } = { mode: 'off' };
  const proxy = new Proxy(prisma, {
    get(target, property) {
      if (property === '$transaction' && fail.mode !== 'off') {
        return async (fn: (tx: unknown) => Promise<unknown>, options?: { maxWait?: number; timeout?: number }) => {
          const mode = fail.mode;
          if (mode === 'before') throw new Error('injected: the database is unavailable');
          if (mode === 'lost-ack') {
            await target.$transaction(fn as never, options);
            throw new Error('injected: connection lost after the commit was sent');
          }
          return target.$transaction(async (tx) => {
            if (mode === 'inside') {
              const failingAudit = {
                create: async () => {
                  throw new Error('injected: the audit insert failed');
                },
              };
              return fn(new Proxy(tx, { get: (t, p) => (p === 'auditEvent' ? failingAudit : Reflect.get(t, p, t)) }));
            }
            await fn(tx);
            throw new Error('injected: the commit failed');
          }, options);
        };
      }
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { prisma: proxy, fail };
}

/** A promise and its resolver, to hold a plugin call open. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}
