/**
 * The lifecycle of plugin instances: create, update, enable/disable, delete, and bringing
 * every enabled instance back at startup.
 *
 * A save touches two stores that share no transaction: the secret store and the database.
 * The order makes it atomic from the outside:
 *   validate → configure a new provider (in memory) → in one database transaction: the
 *   version check on the row (which locks it) → write secrets (check-and-set) → write the
 *   rest → commit → swap the provider in.
 * A failure at any step undoes the steps before it, so a save lands in both stores or in
 * neither, and a refused configuration never replaces the live provider. Secrets are written
 * only while the save holds the instance's row, so no other save of the instance can read
 * them before they are committed, or build on them while they are being undone.
 */
import { randomUUID } from 'node:crypto';
import { errorMessage, redact, type FieldError, type PluginProvider } from '../../plugins/sdk/index.ts';
import type { Prisma, PrismaClient } from '../../prisma/generated/client/client.ts';
import { forEachBounded } from '../bounded.ts';
import type { Logger } from '../logger.ts';
import type { SecretStore } from '../secrets/secret-store.ts';
import { SecretStoreError } from '../secrets/secret-store.ts';
import { validateOrThrow } from './validation.ts';
import { ConfigureError, ConflictError, NotFoundError, PluginUnavailableError, ValidationError } from './errors.ts';
import { createPluginContext, type EgressCheck } from './plugin-context.ts';
import { ProviderPool, startProvider, stopQuietly, type LiveProvider, type ProviderFactory } from './provider-pool.ts';
import { InstanceUnavailableError } from '../operations/errors.ts';
import { changedPlainKeys, changedSecretKeys, mergeConfiguration, secretKeysOf, splitSecrets } from './secret-values.ts';

export interface PluginLookup {
  get(name: string): ProviderFactory | undefined;
}

export interface InstanceServiceDeps {
  prisma: PrismaClient;
  secrets: SecretStore;
  plugins: PluginLookup;
  logger: Logger;
  pool?: ProviderPool;
  egress?: EgressCheck;
  configureTimeoutMs?: number;
}

/** Instance names: what a person types, trimmed, 1–100 characters. */
const MAX_NAME_LENGTH = 100;

/**
 * A save's transaction spans one secret store call (Vault's own timeout is 5 s by default),
 * and saves of one instance queue behind each other (PGlite runs one transaction at a time):
 * Prisma's defaults (2 s to start, 5 s to finish) are too tight for both.
 */
const SAVE_TRANSACTION = { maxWait: 15_000, timeout: 30_000 } as const;

export type InstanceRecord = Prisma.PluginInstanceGetPayload<{ include: { secrets: true } }>;

export interface CreateInstanceInput {
  pluginName: string;
  name: string;
  enabled?: boolean;
  /** Values by field key. Secret keys follow `SecretChange`: a value sets it, null/mask/omitted leaves it unset. */
  configuration: Record<string, unknown>;
}

export interface UpdateInstanceInput {
  /** The version the caller edits; a stale one fails with `ConflictError`. */
  version: number;
  name?: string;
  /**
   * A patch: a key with a value replaces it, a key with `null` removes it (back to the
   * default), an omitted key keeps its value. Secret keys: a new value replaces the secret,
   * `null` clears it, the mask or omission keeps it.
   */
  configuration?: Record<string, unknown>;
}

/** Who made a change, for the audit trail (`token:ci-bot`, `system`). */
export type Actor = string;

export class InstanceService {
  readonly pool: ProviderPool;
  readonly #deps: InstanceServiceDeps;

  constructor(deps: InstanceServiceDeps) {
    this.#deps = deps;
    this.pool = deps.pool ?? new ProviderPool();
  }

  async get(id: string): Promise<InstanceRecord> {
    const row = await this.#deps.prisma.pluginInstance.findUnique({ where: { id }, include: { secrets: true } });
    if (!row) throw new NotFoundError('Plugin instance', id);
    return row;
  }

  async create(input: CreateInstanceInput, actor: Actor): Promise<InstanceRecord> {
    const plugin = this.#plugin(input.pluginName);
    const name = checkName(input.name);
    const secretKeys = secretKeysOf(plugin.schema.fields);
    const { plain, secrets } = mergeConfiguration({}, {}, input.configuration, secretKeys);
    const config = validateOrThrow(plugin.schema, { ...plain, ...secrets });
    await this.#assertNameFree(input.pluginName, name);

    const id = randomUUID();
    const enabled = input.enabled ?? true;
    const provider = enabled ? await this.#startProvider(plugin, id, config, secrets) : undefined;
    const stored = splitSecrets(config, secretKeys);
    try {
      if (Object.keys(stored.secrets).length > 0) await this.#deps.secrets.write(id, stored.secrets, { cas: 0 });
    } catch (error) {
      if (provider) await stopQuietly(plugin.schema.name, provider);
      throw error;
    }
    let row: InstanceRecord;
    try {
      row = await this.#deps.prisma.$transaction(async (tx) => {
        const created = await tx.pluginInstance.create({
          data: {
            id,
            pluginName: plugin.schema.name,
            name,
            enabled,
            status: enabled ? 'active' : 'inactive',
            config: stored.plain as Prisma.InputJsonObject,
            secrets: { create: Object.keys(stored.secrets).map((key) => ({ key })) },
          },
          include: { secrets: true },
        });
        await audit(tx, actor, 'instance.create', created, Object.keys(config).sort());
        return created;
      });
    } catch (error) {
      // The database refused the row: take the secrets back out so nothing is half-saved.
      await this.#deps.secrets.delete(id).catch((cleanup: unknown) =>
        this.#deps.logger.error('could not remove secrets of an instance whose creation failed', {
          instanceId: id,
          reason: errorMessage(cleanup),
        }),
      );
      if (provider) await stopQuietly(plugin.schema.name, provider);
      throw translateDatabaseError(error, plugin.schema.name, name);
    }
    // Committed: from here on nothing may undo the save (the catch above deletes the secrets).
    if (provider) await this.pool.swap(id, plugin.schema.name, provider, Object.values(stored.secrets));
    this.#deps.logger.info(`created instance "${name}" of ${plugin.schema.name}`, { instanceId: id, actor });
    return row;
  }

  async update(id: string, input: UpdateInstanceInput, actor: Actor): Promise<InstanceRecord> {
    if (!Number.isSafeInteger(input.version)) {
      throw new ValidationError([
        { field: 'version', rule: 'required', message: 'The version you edit is required: send back the version of the instance you read' },
      ]);
    }
    const current = await this.get(id);
    if (current.version !== input.version) throw new ConflictError(id, input.version, current.version);
    const plugin = this.#plugin(current.pluginName);
    const name = input.name === undefined ? current.name : checkName(input.name);
    if (name !== current.name) await this.#assertNameFree(current.pluginName, name);

    const secretKeys = secretKeysOf(plugin.schema.fields);
    const storedSecrets = await this.#deps.secrets.read(id);
    const { plain, secrets } = mergeConfiguration(
      current.config as Record<string, unknown>,
      storedSecrets.values,
      input.configuration ?? {},
      secretKeys,
    );
    const config = validateOrThrow(plugin.schema, { ...plain, ...secrets });
    const next = splitSecrets(config, secretKeys);
    const secretKeysChanged = changedSecretKeys(storedSecrets.values, next.secrets);
    const plainKeysChanged = changedPlainKeys(current.config as Record<string, unknown>, next.plain);

    // Configure the replacement first: if the plugin refuses it, nothing has been written.
    const provider = current.enabled ? await this.#startProvider(plugin, id, config, next.secrets) : undefined;
    /** The secret store version this save wrote, while it is neither committed nor undone. */
    let written: number | undefined;
    const undoSecrets = async () => {
      if (written === undefined) return;
      const version = written;
      written = undefined;
      await this.#restoreSecrets(id, storedSecrets.values, version);
    };
    let row: InstanceRecord;
    try {
      row = await this.#deps.prisma.$transaction(async (tx) => {
        // The version check locks the row until commit: another save of this instance waits
        // here (PostgreSQL blocks on the row, PGlite runs one transaction at a time) and then
        // fails the check, so it never sees secrets this save has not committed.
        const { count } = await tx.pluginInstance.updateMany({
          where: { id, version: input.version },
          data: {
            name,
            config: next.plain as Prisma.InputJsonObject,
            version: { increment: 1 },
            ...(current.enabled ? { status: 'active', statusMessage: null } : {}),
          },
        });
        if (count === 0) throw new ConflictError(id, input.version);
        try {
          if (secretKeysChanged.length > 0) {
            written = await this.#deps.secrets.write(id, next.secrets, { cas: storedSecrets.version });
          } else if ((await this.#deps.secrets.read(id)).version !== storedSecrets.version) {
            // The secrets merged above were another save's, since undone: edit again.
            throw new ConflictError(id, input.version);
          }
          await syncSecretState(tx, id, next.secrets, secretKeysChanged);
          const updated = await tx.pluginInstance.findUniqueOrThrow({ where: { id }, include: { secrets: true } });
          const changed = [...new Set([...plainKeysChanged, ...secretKeysChanged, ...(name === current.name ? [] : ['name'])])].sort();
          await audit(tx, actor, 'instance.update', updated, changed);
          return updated;
        } catch (error) {
          // Undo while the row is still locked, so no other save can build on these secrets.
          await undoSecrets();
          throw error;
        }
      }, SAVE_TRANSACTION);
    } catch (error) {
      // The commit itself failed after the secrets were written.
      await undoSecrets();
      if (provider) await stopQuietly(plugin.schema.name, provider);
      if (error instanceof SecretStoreError && error.code === 'conflict') throw new ConflictError(id, input.version);
      throw translateDatabaseError(error, plugin.schema.name, name);
    }
    // Committed: from here on nothing may undo the save (the catch above restores the old secrets).
    if (provider) await this.pool.swap(id, plugin.schema.name, provider, Object.values(next.secrets));
    return row;
  }

  async setEnabled(id: string, enabled: boolean, actor: Actor, version?: number): Promise<InstanceRecord> {
    const current = await this.get(id);
    if (version !== undefined && current.version !== version) throw new ConflictError(id, version, current.version);
    // Enabling an instance that is enabled but failed to start (status `error`) retries it.
    if (current.enabled === enabled && !(enabled && current.status === 'error')) return current;
    const started = enabled ? await this.#startStored(current) : undefined;
    const provider = started?.provider;
    let row: InstanceRecord;
    try {
      row = await this.#deps.prisma.$transaction(async (tx) => {
        const { count } = await tx.pluginInstance.updateMany({
          where: { id, version: current.version },
          data: { enabled, status: enabled ? 'active' : 'inactive', statusMessage: null, version: { increment: 1 } },
        });
        if (count === 0) throw new ConflictError(id, current.version);
        // The provider was configured with secrets read before the row was locked: they must
        // still be the ones stored (not those of a save that was being undone).
        if (started && (await this.#deps.secrets.read(id)).version !== started.secretsVersion) throw new ConflictError(id, current.version);
        const updated = await tx.pluginInstance.findUniqueOrThrow({ where: { id }, include: { secrets: true } });
        await audit(tx, actor, enabled ? 'instance.enable' : 'instance.disable', updated, ['enabled']);
        return updated;
      }, SAVE_TRANSACTION);
    } catch (error) {
      if (provider) await stopQuietly(current.pluginName, provider);
      throw error;
    }
    if (started) await this.pool.swap(id, current.pluginName, started.provider, started.secretValues);
    else await this.pool.stop(id);
    return row;
  }

  async delete(id: string, actor: Actor, version?: number): Promise<InstanceRecord> {
    const current = await this.get(id);
    if (version !== undefined && current.version !== version) throw new ConflictError(id, version, current.version);
    await this.#deps.prisma.$transaction(async (tx) => {
      const { count } = await tx.pluginInstance.deleteMany({ where: { id, version: current.version } });
      if (count === 0) throw new ConflictError(id, current.version);
      await audit(tx, actor, 'instance.delete', current, []);
    });
    await this.pool.stop(id);
    // The row is gone, so the secrets are unreachable; a failure here leaves an orphan
    // document to clean up, never an instance without its secrets.
    await this.#deps.secrets.delete(id).catch((error: unknown) =>
      this.#deps.logger.error('instance deleted but its secrets could not be removed; delete them from the secret store', {
        instanceId: id,
        reason: errorMessage(error),
      }),
    );
    return current;
  }

  /**
   * Brings every enabled instance back after a restart. An instance that cannot start
   * (plugin missing, configuration no longer valid, configure() failing) is marked `error`
   * with the reason; the others start regardless.
   */
  async restoreAll(): Promise<{ active: number; failed: number }> {
    const rows = await this.#deps.prisma.pluginInstance.findMany({ where: { enabled: true }, orderBy: { createdAt: 'asc' } });
    let failed = 0;
    const restore = async (row: (typeof rows)[number]) => {
      try {
        const { provider, secretValues } = await this.#startStored(row);
        await this.pool.swap(row.id, row.pluginName, provider, secretValues);
        await this.#setStatus(row.id, 'active', null);
      } catch (error) {
        failed++;
        const reason = errorMessage(error);
        this.#deps.logger.warn(`instance "${row.name}" of ${row.pluginName} could not start`, { instanceId: row.id, reason });
        await this.#setStatus(row.id, 'error', reason);
      }
    };
    await forEachBounded(rows, 4, restore);
    this.#deps.logger.info(`${rows.length - failed} active, ${failed} failed to start`);
    return { active: rows.length - failed, failed };
  }

  async stopAll(): Promise<void> {
    await this.pool.stopAll();
  }

  /**
   * The live provider of an instance, to call its operations. The one way in for callers,
   * so how the pool is filled (at start, or on demand) stays this service's business.
   */
  async providerFor(id: string): Promise<LiveProvider> {
    const live = this.pool.get(id);
    if (live) return live;
    const row = await this.get(id);
    throw new InstanceUnavailableError(id, row.enabled ? row.status : 'inactive', row.statusMessage);
  }

  /** The stored secrets of an instance, for connection tests and health checks on the server only. */
  async readSecrets(id: string): Promise<Record<string, string>> {
    return (await this.#deps.secrets.read(id)).values;
  }

  #plugin(name: string): ProviderFactory {
    return requirePlugin(this.#deps.plugins, name);
  }

  /**
   * Starts a provider from what is stored: the row's configuration and the secret store's
   * document (whose version the caller may need to check it did not move meanwhile).
   */
  async #startStored(row: { id: string; pluginName: string; config: unknown }) {
    const plugin = this.#plugin(row.pluginName);
    const { values, version } = await this.#deps.secrets.read(row.id);
    const config = validateOrThrow(plugin.schema, { ...(row.config as Record<string, unknown>), ...values });
    const provider = await this.#startProvider(plugin, row.id, config, values);
    return { provider, secretValues: Object.values(values), secretsVersion: version };
  }

  async #startProvider(
    plugin: ProviderFactory,
    instanceId: string,
    config: Record<string, unknown>,
    secrets: Record<string, string>,
  ): Promise<PluginProvider> {
    const context = createPluginContext({
      pluginName: plugin.schema.name,
      instanceId,
      logger: this.#deps.logger,
      secretValues: Object.values(secrets),
      ...(this.#deps.egress ? { egress: this.#deps.egress } : {}),
    });
    try {
      return await startProvider(plugin, context, config, this.#deps.configureTimeoutMs);
    } catch (error) {
      // The reason is the plugin's own message, which may quote its configuration: it goes
      // to the caller, the logs and (at startup) the status message, so scrub the secrets.
      throw new ConfigureError(plugin.schema.name, redact(errorMessage(error), Object.values(secrets)));
    }
  }

  async #assertNameFree(pluginName: string, name: string): Promise<void> {
    const taken = await this.#deps.prisma.pluginInstance.findUnique({ where: { pluginName_name: { pluginName, name } } });
    if (taken) throw nameTaken(pluginName, name);
  }

  async #restoreSecrets(id: string, values: Record<string, string>, version: number): Promise<void> {
    try {
      if (Object.keys(values).length === 0) await this.#deps.secrets.delete(id);
      else await this.#deps.secrets.write(id, values, { cas: version });
    } catch (error) {
      this.#deps.logger.error('could not restore the previous secrets after a failed save', {
        instanceId: id,
        reason: errorMessage(error),
      });
    }
  }

  async #setStatus(id: string, status: string, statusMessage: string | null): Promise<void> {
    await this.#deps.prisma.pluginInstance.update({ where: { id }, data: { status, statusMessage } });
  }
}

/** The plugin of that name, or PluginUnavailableError (unknown name, or it failed to load). */
export function requirePlugin(plugins: PluginLookup, name: string): ProviderFactory {
  const plugin = plugins.get(name);
  if (!plugin) throw new PluginUnavailableError(name, 'no plugin with this name is loaded (see pluginLoadErrors)');
  return plugin;
}

function checkName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length === 0) throw new ValidationError([{ field: 'name', rule: 'required', message: 'Instance name is required' }]);
  if (trimmed.length > MAX_NAME_LENGTH) {
    throw new ValidationError([
      { field: 'name', rule: 'maxLength', message: `Instance name must be at most ${MAX_NAME_LENGTH} characters` },
    ]);
  }
  return trimmed;
}

function nameTaken(pluginName: string, name: string): ValidationError {
  const error: FieldError = { field: 'name', rule: 'unique', message: `An instance named "${name}" of ${pluginName} already exists` };
  return new ValidationError([error]);
}

async function syncSecretState(
  tx: Prisma.TransactionClient,
  instanceId: string,
  secrets: Readonly<Record<string, string>>,
  changedKeys: readonly string[],
): Promise<void> {
  for (const key of changedKeys) {
    if (key in secrets) {
      await tx.pluginInstanceSecret.upsert({
        where: { instanceId_key: { instanceId, key } },
        create: { instanceId, key },
        update: { updatedAt: new Date() },
      });
    } else {
      await tx.pluginInstanceSecret.deleteMany({ where: { instanceId, key } });
    }
  }
}

async function audit(
  tx: Prisma.TransactionClient,
  actor: Actor,
  action: string,
  instance: { id: string; pluginName: string; name: string },
  changedKeys: string[],
): Promise<void> {
  await tx.auditEvent.create({
    data: { actor, action, instanceId: instance.id, pluginName: instance.pluginName, changedKeys, details: { name: instance.name } },
  });
}

function translateDatabaseError(error: unknown, pluginName: string, name: string): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'P2002') return nameTaken(pluginName, name);
  return error;
}
