/**
 * The lifecycle of plugin instances: create, update, enable/disable, delete, and bringing
 * every enabled instance back at startup.
 *
 * A save touches two stores that share no transaction: the secret store and the database.
 * The order makes it atomic from the outside:
 *   validate → create a new provider from the configuration (in memory) → in one database
 *   transaction: the version check on the row (which locks it) → write secrets
 *   (check-and-set) → write the rest → commit → swap the provider in.
 * A failure at any step undoes the steps before it, so a save lands in both stores or in
 * neither, and a refused configuration never replaces the live provider. Secrets are written
 * only while the save holds the instance's row, so no other save of the instance can read
 * them before they are committed, or build on them while they are being undone.
 *
 * A commit whose answer never arrived (the connection dropped at commit time) may have
 * landed. Every save's audit event has an id chosen here, so the save asks the database
 * whether that event exists before undoing anything: a committed save is finished (the
 * client gets its success), a rolled-back one is undone, and while the database cannot say,
 * nothing is deleted (an orphaned secret document is logged; a deleted secret would lose data).
 *
 * Providers are a per-replica cache keyed by (instance id, version) (provider-pool.ts): the
 * replica that saves swaps its new provider in and announces the version on the event bus;
 * the others drop theirs and start one from the database and the secret store when they
 * next need it (`acquire`). Failing to start is reported by that replica alone (log, pool,
 * `replicaProvider`), never written to the shared rows.
 */
import { randomUUID } from 'node:crypto';
import pLimit from 'p-limit';
import pRetry from 'p-retry';
import {
  ConfigMigrationError,
  configVersionOf,
  errorCode,
  errorMessage,
  migrateConfig,
  redact,
  type FieldError,
  type FieldSpec,
  type PluginProvider,
} from '../../plugins/sdk/index.ts';
import type { PluginInstanceVersion, Prisma, PrismaClient } from '../../prisma/generated/client/client.ts';
import { SecretFingerprints } from '../secrets/fingerprint.ts';
import { diffVersions, fingerprintsOf, recordVersion, type ConfigurationDifference, type VersionKind } from './history.ts';
import { actorLabel, recordAudit, type Actor } from '../audit/audit-log.ts';
import { checkClientMutationId, findKeyedChange } from './client-mutation-id.ts';
import type { Logger } from '../logger.ts';
import type { SecretStore } from '../secrets/secret-store.ts';
import { SecretStoreError } from '../secrets/secret-store.ts';
import { assertSecretsFollowDestinations } from './destination-guard.ts';
import {
  assertConfigurationWithinLimits,
  assertStorableText,
  DEFAULT_CONFIGURATION_LIMITS,
  type ConfigurationLimits,
} from './input-limits.ts';
import { validateOrThrow } from './validation.ts';
import type { EventBus, InstanceChanged } from '../cluster/event-bus.ts';
import { ConfigureError, ConflictError, InstanceUnavailableError, MissingSecretError, NotFoundError, PluginUnavailableError, ValidationError } from './errors.ts';
import { createPluginContext, type PluginContextSettings } from './plugin-context.ts';
import { ProviderPool, startProvider, stopQuietly, type LiveProvider, type ProviderFactory } from './provider-pool.ts';
import { changedPlainKeys, changedSecretKeys, mergeConfiguration, secretKeysOf, splitSecrets } from './secret-values.ts';
import {
  configurationWithSecrets,
  latestAuditEvents,
  latestHealthChecks,
  maskedConfiguration,
  replicaProviderOf,
  secretStates,
  type ReplicaProvider,
  type SecretInput,
  type SecretState,
} from './instance-views.ts';

export interface PluginLookup {
  get(name: string): ProviderFactory | undefined;
}

export interface InstanceServiceDeps {
  prisma: PrismaClient;
  secrets: SecretStore;
  plugins: PluginLookup;
  logger: Logger;
  pool?: ProviderPool;
  /** The egress gate, storage roots and body cap of every provider's context. */
  contextSettings?: PluginContextSettings;
  configureTimeoutMs?: number;
  /** Where saved changes are announced to the other replicas (and heard from them). */
  bus?: EventBus;
  /** This replica's name in logs, events and `replicaProvider` (default `local`). */
  replica?: string;
  /**
   * How long a save whose commit went unanswered keeps asking the database whether it landed
   * before it gives up and reports the outcome as unknown (default 15 s).
   */
  commitCheckMs?: number;
  /** Sizes and nesting a configuration may have (default: DEFAULT_CONFIGURATION_LIMITS). */
  limits?: ConfigurationLimits;
  /** Keyed fingerprints of secrets for the history (default: keyed from the secret store). */
  fingerprints?: SecretFingerprints;
}

/** What the instance rows hold that starting a provider needs. */
export interface StoredInstance {
  id: string;
  pluginName: string;
  name: string;
  enabled: boolean;
  version: number;
  config: unknown;
  /** The plugin's configVersion the configuration was saved under (absent: not checked). */
  configVersion?: number;
  /** The secret keys recorded as set; read from the database when absent. */
  secrets?: readonly { key: string }[];
}

/** Where health checks get a provider: the replica's cache, filled on demand. */
export interface ProviderSource {
  /** The live provider of the instance at its stored version; undefined when it is disabled. */
  acquire(instance: StoredInstance): Promise<LiveProvider | undefined>;
  /**
   * The provider this replica already runs for the instance, if any (counts as a use): the
   * cache is kept current by the change announcements, so a scheduled check needs no read.
   */
  cached?(instanceId: string): LiveProvider | undefined;
}

/** Idempotency keys: what a client chooses, 1–200 characters. */

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
  /** Idempotency key: a retry with the same key (same actor) returns the instance it created. */
  clientMutationId?: string | null | undefined;
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
  /** Idempotency key: a retry of an applied update with the same key returns the instance. */
  clientMutationId?: string | null | undefined;
}

/** What a delete answers: the instance that was. */
export interface DeletedInstance {
  id: string;
  pluginName: string;
  name: string;
}

export interface RollbackInput {
  /** The saved version to restore. */
  toVersion: number;
  /** The current version (optimistic check): a stale one fails with `ConflictError`. */
  version: number;
  /** Secret values to use where the store no longer keeps that version's. */
  secrets?: Readonly<Record<string, string>> | undefined;
  clientMutationId?: string | null | undefined;
}

/** A change to a saved configuration, validated and ready to save (`#saveChange`). */
interface SaveChange {
  name: string;
  config: Record<string, unknown>;
  next: { plain: Record<string, unknown>; secrets: Record<string, string> };
  storedSecrets: { values: Record<string, string>; version: number };
  version: number;
  action: string;
  kind: VersionKind;
  restoredFrom?: number;
  clientMutationId: string | undefined;
}

export type { Actor } from '../audit/audit-log.ts';

export class InstanceService implements ProviderSource {
  readonly pool: ProviderPool;
  readonly replica: string;
  readonly #deps: InstanceServiceDeps;
  /** Providers being started by `acquire`, by `id@version`, so concurrent uses share one. */
  readonly #starting = new Map<string, Promise<LiveProvider>>();
  readonly #fingerprints: SecretFingerprints;

  constructor(deps: InstanceServiceDeps) {
    this.#deps = deps;
    this.#fingerprints = deps.fingerprints ?? new SecretFingerprints(deps.secrets);
    this.pool = deps.pool ?? new ProviderPool();
    this.replica = deps.replica ?? 'local';
  }

  /** The configuration limits every save and test is held to. */
  get limits(): ConfigurationLimits {
    return this.#deps.limits ?? DEFAULT_CONFIGURATION_LIMITS;
  }

  async get(id: string): Promise<InstanceRecord> {
    const row = await this.#deps.prisma.pluginInstance.findUnique({ where: { id }, include: { secrets: true } });
    if (!row) throw new NotFoundError('Plugin instance', id);
    return row;
  }

  /**
   * The instance as it is to be used: when it was saved under an older configVersion of its
   * plugin, its configuration is migrated first (a failing step is a PluginUnavailableError
   * naming it, and the instance stays as it was).
   */
  async getCurrent(id: string): Promise<InstanceRecord> {
    const row = await this.get(id);
    if (!this.#outdated(row)) return row;
    await this.#migrateStored(row).catch((error: unknown) => {
      if (!(error instanceof ConflictError)) throw error; // another replica migrated it meanwhile
    });
    return this.get(id);
  }

  async create(input: CreateInstanceInput, actor: Actor): Promise<InstanceRecord> {
    const clientMutationId = checkClientMutationId(input.clientMutationId);
    const plugin = this.#plugin(input.pluginName);
    const name = checkName(input.name);
    const replayOf = (event: { pluginName: string | null; details: unknown }) =>
      event.pluginName === plugin.schema.name && (event.details as { name?: unknown } | null)?.name === name;
    if (clientMutationId) {
      const replay = await this.#replay(actor, clientMutationId, 'instance.create', replayOf);
      if (replay) return replay;
    }
    const secretKeys = secretKeysOf(plugin.schema.fields);
    const { plain, secrets } = mergeConfiguration({}, {}, input.configuration, secretKeys);
    assertConfigurationWithinLimits({ ...plain, ...secrets }, this.limits);
    const config = validateOrThrow(plugin.schema, { ...plain, ...secrets });
    try {
      await this.#assertNameFree(input.pluginName, name);
    } catch (error) {
      // A retry of this create that raced ahead on another replica has taken the name: answer as it did.
      const replay = clientMutationId ? await this.#replay(actor, clientMutationId, 'instance.create', replayOf) : undefined;
      if (replay) return replay;
      throw error;
    }

    const id = randomUUID();
    const auditId = randomUUID();
    const enabled = input.enabled ?? true;
    const provider = enabled ? await this.#startProvider(plugin, id, config, secrets) : undefined;
    // Without the fields the configuration hides (`visibleWhen`), which validation left out.
    const stored = splitSecrets(config, secretKeys);
    let secretsVersion = 0;
    let fingerprints: Record<string, string>;
    try {
      fingerprints = await this.#fingerprints.ofAll(id, stored.secrets);
      if (Object.keys(stored.secrets).length > 0) secretsVersion = await this.#deps.secrets.write(id, stored.secrets, { cas: 0 });
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
            configVersion: configVersionOf(plugin.schema),
            secrets: { create: Object.keys(stored.secrets).map((key) => ({ key })) },
          },
          include: { secrets: true },
        });
        await audit(tx, actor, 'instance.create', created, Object.keys(config).sort(), { id: auditId, clientMutationId });
        await recordVersion(
          tx,
          { ...versionOf(created, 'created'), config: stored.plain, before: {}, after: fingerprints, secretsVersion },
          actor,
        );
        return created;
      }, SAVE_TRANSACTION);
    } catch (error) {
      const outcome = await this.#outcomeOf(auditId, error);
      if (outcome === 'committed') {
        // The commit landed but its answer was lost: the save is done, finish it.
        row = await this.#committedRow(id, plugin.schema.name, provider);
      } else {
        if (outcome === 'rolled-back') {
          // The database refused the row: take the secrets back out so nothing is half-saved.
          await this.#deps.secrets.delete(id).catch((cleanup: unknown) =>
            this.#deps.logger.error('could not remove secrets of an instance whose creation failed', {
              instanceId: id,
              reason: errorMessage(cleanup),
            }),
          );
        } else {
          this.#unknownOutcome(id, error);
        }
        if (provider) await stopQuietly(plugin.schema.name, provider);
        // Two retries of one create raced: the other one landed; answer as it did.
        if (clientMutationId && outcome === 'rolled-back') {
          const replay = await this.#replay(actor, clientMutationId, 'instance.create', replayOf).catch(() => undefined);
          if (replay) return replay;
        }
        throw translateDatabaseError(error, plugin.schema.name, name);
      }
    }
    // Committed: from here on nothing may undo the save (the catch above deletes the secrets).
    if (provider) await this.pool.swap(id, live(plugin.schema.name, row.version, provider, stored.secrets));
    this.#announce(id, row.version);
    this.#deps.logger.info(`created instance "${name}" of ${plugin.schema.name}`, { instanceId: id, actor: actorLabel(actor) });
    return row;
  }

  async update(id: string, input: UpdateInstanceInput, actor: Actor): Promise<InstanceRecord> {
    const clientMutationId = checkClientMutationId(input.clientMutationId);
    if (clientMutationId) {
      const replay = await this.#replay(actor, clientMutationId, 'instance.update', (event) => event.instanceId === id);
      if (replay) return replay;
    }
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
    // A secret recorded as set that the store cannot supply must not be merged as "unset".
    const storedSecrets = await this.#readStoredSecrets(current);
    const { plain, secrets } = mergeConfiguration(
      current.config as Record<string, unknown>,
      storedSecrets.values,
      input.configuration ?? {},
      secretKeys,
    );
    assertConfigurationWithinLimits({ ...plain, ...secrets }, this.limits);
    const config = validateOrThrow(plugin.schema, { ...plain, ...secrets });
    // The validated configuration leaves out the fields it hides (`visibleWhen`): a hidden
    // secret is dropped from the store here, a hidden plain value from the row.
    const next = splitSecrets(config, secretKeys);
    assertSecretsFollowDestinations({
      fields: plugin.schema.fields,
      storedPlain: current.config as Record<string, unknown>,
      storedSecretKeys: Object.keys(storedSecrets.values),
      nextPlain: next.plain,
      patch: input.configuration ?? {},
      secretKeys,
    });
    return this.#saveChange(current, plugin, actor, {
      name,
      config,
      next,
      storedSecrets,
      version: input.version,
      action: 'instance.update',
      kind: 'updated',
      clientMutationId,
    });
  }

  /**
   * Rolls an instance back to an earlier saved version, as a new version. Its secrets come
   * back from the secret store where it still keeps that version (Vault KV v2, the local
   * store's last PLUGFORM_SECRET_VERSIONS) or are unchanged since; otherwise they must be
   * given in `secrets` (a ValidationError names them), which also covers destination binding:
   * a secret is only ever restored with the configuration it was saved with.
   */
  async rollback(id: string, input: RollbackInput, actor: Actor): Promise<InstanceRecord> {
    const clientMutationId = checkClientMutationId(input.clientMutationId);
    if (clientMutationId) {
      const replay = await this.#replay(actor, clientMutationId, 'instance.rollback', (event) => event.instanceId === id);
      if (replay) return replay;
    }
    const current = await this.get(id);
    if (current.version !== input.version) throw new ConflictError(id, input.version, current.version);
    const plugin = this.#plugin(current.pluginName);
    const target = await this.configurationVersion(id, input.toVersion);
    const secretKeys = secretKeysOf(plugin.schema.fields);
    const supplied = input.secrets ?? {};
    const unknown = Object.keys(supplied).filter((key) => !secretKeys.has(key));
    if (unknown.length > 0) {
      throw new ValidationError(
        unknown.map((key) => ({ field: key, rule: 'notSecret', message: `"${key}" is not a secret field of ${plugin.schema.name}` })),
      );
    }
    const storedSecrets = await this.#readStoredSecrets(current);
    const secrets = await this.#secretsOfVersion(id, target, storedSecrets.values, supplied);
    // A version saved before a plugin upgrade is brought up to the plugin's configuration version.
    const plain = this.#migrated(plugin, target.config as Record<string, unknown>, target.configVersion);
    assertConfigurationWithinLimits({ ...plain, ...secrets }, this.limits);
    const config = validateOrThrow(plugin.schema, { ...plain, ...secrets });
    return this.#saveChange(current, plugin, actor, {
      name: current.name,
      config,
      next: splitSecrets(config, secretKeys),
      storedSecrets,
      version: input.version,
      action: 'instance.rollback',
      kind: 'rolledBack',
      restoredFrom: target.version,
      clientMutationId,
    });
  }

  /** The saved versions of an instance, newest first (at most `limit`). */
  async configurationVersions(id: string, limit = 20): Promise<PluginInstanceVersion[]> {
    return this.#deps.prisma.pluginInstanceVersion.findMany({
      where: { instanceId: id },
      orderBy: { version: 'desc' },
      take: Math.min(Math.max(limit, 1), 100),
    });
  }

  /** One saved version, or NotFoundError. */
  async configurationVersion(id: string, version: number): Promise<PluginInstanceVersion> {
    const row = await this.#deps.prisma.pluginInstanceVersion.findUnique({ where: { instanceId_version: { instanceId: id, version } } });
    if (!row) throw new NotFoundError('Configuration version', `${id}@${version}`);
    return row;
  }

  /** What changes from version `from` to version `to` (default: the latest saved one). */
  async configurationDiff(id: string, from: number, to?: number): Promise<ConfigurationDifference[]> {
    const target = to === undefined ? (await this.configurationVersions(id, 1))[0] : await this.configurationVersion(id, to);
    if (!target) throw new NotFoundError('Configuration version', `${id}@latest`);
    return diffVersions(await this.configurationVersion(id, from), target);
  }

  /**
   * The secret values of a saved version: supplied ones, the current ones when their
   * fingerprint is that version's, or the secret store's copy of that version. Anything else
   * must be entered again.
   */
  async #secretsOfVersion(
    id: string,
    target: PluginInstanceVersion,
    currentValues: Record<string, string>,
    supplied: Readonly<Record<string, string>>,
  ): Promise<Record<string, string>> {
    const wanted = fingerprintsOf(target);
    const currentPrints = await this.#fingerprints.ofAll(id, currentValues);
    const secrets: Record<string, string> = {};
    const missing: string[] = [];
    let kept: Record<string, string> | undefined;
    for (const [key, fingerprint] of Object.entries(wanted)) {
      const value = supplied[key];
      if (value !== undefined && value !== '') secrets[key] = value;
      else if (currentPrints[key] === fingerprint) secrets[key] = currentValues[key]!;
      else {
        kept ??= await this.#keptSecrets(id, target.secretsVersion);
        const restored = kept[key];
        if (restored !== undefined && (await this.#fingerprints.ofAll(id, { [key]: restored }))[key] === fingerprint) secrets[key] = restored;
        else missing.push(key);
      }
    }
    if (missing.length > 0) {
      throw new ValidationError(
        missing.sort().map((key) => ({
          field: key,
          rule: 'reenterSecret',
          message: `The secret store no longer keeps "${key}" as it was in version ${target.version}; enter it again to roll back`,
        })),
      );
    }
    return secrets;
  }

  /** An earlier version of the secret document, or nothing when the store does not keep it. */
  async #keptSecrets(id: string, secretsVersion: number): Promise<Record<string, string>> {
    if (secretsVersion === 0 || !this.#deps.secrets.readVersion) return {};
    return (await this.#deps.secrets.readVersion(id, secretsVersion))?.values ?? {};
  }

  /**
   * The common part of every change to a saved configuration: configure the new provider,
   * then in one transaction check the version, write the secrets, the row, the audit event
   * and the history version; undo the secrets if anything fails.
   */
  async #saveChange(current: InstanceRecord, plugin: ProviderFactory, actor: Actor, change: SaveChange): Promise<InstanceRecord> {
    const { id } = current;
    const { name, config, next, storedSecrets, clientMutationId } = change;
    const input = { version: change.version };
    const before = await this.#fingerprints.ofAll(id, storedSecrets.values);
    const after = await this.#fingerprints.ofAll(id, next.secrets);
    const secretKeysChanged = changedSecretKeys(storedSecrets.values, next.secrets);
    const plainKeysChanged = changedPlainKeys(current.config as Record<string, unknown>, next.plain);

    // Configure the replacement first: if the plugin refuses it, nothing has been written.
    const provider = current.enabled ? await this.#startProvider(plugin, id, config, next.secrets) : undefined;
    const auditId = randomUUID();
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
            configVersion: configVersionOf(plugin.schema),
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
          const details = change.restoredFrom === undefined ? undefined : { name: updated.name, restoredFrom: change.restoredFrom };
          await audit(tx, actor, change.action, updated, changed, { id: auditId, clientMutationId, details });
          await recordVersion(
            tx,
            {
              ...versionOf(updated, change.kind),
              config: next.plain,
              before,
              after,
              secretsVersion: written ?? storedSecrets.version,
              ...(change.restoredFrom === undefined ? {} : { restoredFrom: change.restoredFrom }),
            },
            actor,
          );
          return updated;
        } catch (error) {
          // Undo while the row is still locked, so no other save can build on these secrets.
          await undoSecrets();
          throw error;
        }
      }, SAVE_TRANSACTION);
    } catch (error) {
      const outcome = await this.#outcomeOf(auditId, error);
      if (outcome === 'committed') {
        // The commit landed but its answer was lost: keep what it wrote and finish the save.
        written = undefined;
        row = await this.#committedRow(id, plugin.schema.name, provider);
      } else {
        // Rolled back after the secrets were written: put the previous ones back. Unknown:
        // leave them (undoing a save that may have landed would half-apply it).
        if (outcome === 'rolled-back') await undoSecrets();
        else if (written !== undefined) this.#unknownOutcome(id, error);
        if (provider) await stopQuietly(plugin.schema.name, provider);
        if (error instanceof SecretStoreError && error.code === 'conflict') throw new ConflictError(id, input.version);
        throw translateDatabaseError(error, plugin.schema.name, name);
      }
    }
    // Committed: from here on nothing may undo the save (the catch above restores the old secrets).
    if (provider) await this.pool.swap(id, live(plugin.schema.name, row.version, provider, next.secrets));
    else await this.pool.dropOlderThan(id, row.version);
    this.#announce(id, row.version);
    return row;
  }

  /**
   * Enables or disables an instance. With a `clientMutationId`, a retry of an applied change
   * returns the instance (at whatever version it has now) instead of a version conflict.
   */
  async setEnabled(id: string, enabled: boolean, actor: Actor, version?: number, clientMutationIdInput?: string | null): Promise<InstanceRecord> {
    const clientMutationId = checkClientMutationId(clientMutationIdInput);
    const action = enabled ? 'instance.enable' : 'instance.disable';
    const replay = () => this.#replay(actor, clientMutationId!, action, (event) => event.instanceId === id);
    if (clientMutationId) {
      const replayed = await replay();
      if (replayed) return replayed;
    }
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
        // The provider was made with secrets read before the row was locked: they must
        // still be the ones stored (not those of a save that was being undone).
        if (started && (await this.#deps.secrets.read(id)).version !== started.secretsVersion) throw new ConflictError(id, current.version);
        const updated = await tx.pluginInstance.findUniqueOrThrow({ where: { id }, include: { secrets: true } });
        await audit(tx, actor, action, updated, ['enabled'], { clientMutationId });
        return updated;
      }, SAVE_TRANSACTION);
    } catch (error) {
      if (provider) await stopQuietly(current.pluginName, provider);
      // Two retries of one change raced (on two replicas): the other one landed; answer as it did.
      const replayed = clientMutationId ? await replay().catch(() => undefined) : undefined;
      if (replayed) return replayed;
      throw error;
    }
    if (started) await this.pool.swap(id, { ...started.live, version: row.version });
    else await this.pool.dropOlderThan(id, row.version);
    this.#announce(id, row.version);
    return row;
  }

  /**
   * Deletes an instance. With a `clientMutationId`, a retry of a delete that landed answers
   * with the instance it deleted (from its audit event) instead of NotFoundError.
   */
  async delete(id: string, actor: Actor, version?: number, clientMutationIdInput?: string | null): Promise<DeletedInstance> {
    const clientMutationId = checkClientMutationId(clientMutationIdInput);
    const replay = async (): Promise<DeletedInstance | undefined> => {
      const event = await findKeyedChange(this.#deps.prisma, actor, clientMutationId!, 'instance.delete', (e) => e.instanceId === id);
      return event ? { id, pluginName: event.pluginName ?? '', name: String((event.details as { name?: unknown } | null)?.name ?? '') } : undefined;
    };
    if (clientMutationId) {
      const replayed = await replay();
      if (replayed) return replayed;
    }
    let current: InstanceRecord;
    try {
      current = await this.get(id);
      if (version !== undefined && current.version !== version) throw new ConflictError(id, version, current.version);
      const deleting = current;
      await this.#deps.prisma.$transaction(async (tx) => {
        const { count } = await tx.pluginInstance.deleteMany({ where: { id, version: deleting.version } });
        if (count === 0) throw new ConflictError(id, deleting.version);
        await audit(tx, actor, 'instance.delete', deleting, [], { clientMutationId });
      }, SAVE_TRANSACTION);
    } catch (error) {
      // Two retries of one delete raced (on two replicas): the other one landed; answer as it did.
      const replayed = clientMutationId ? await replay().catch(() => undefined) : undefined;
      if (replayed) return replayed;
      throw error;
    }
    await this.pool.dropOlderThan(id, null);
    this.#announce(id, null);
    // The row is gone, so the secrets are unreachable; a failure here leaves an orphan
    // document to clean up, never an instance without its secrets.
    await this.#deps.secrets.delete(id).catch((error: unknown) =>
      this.#deps.logger.error('instance deleted but its secrets could not be removed; delete them from the secret store', {
        instanceId: id,
        reason: errorMessage(error),
      }),
    );
    return { id: current.id, pluginName: current.pluginName, name: current.name };
  }

  /**
   * The live provider of an instance at its stored version: the cached one, or one started
   * now from the database and the secret store (concurrent callers share the start). A
   * provider of an older version is never returned. An instance this replica cannot start is
   * logged and remembered in the pool (`failureOf`) and the error thrown; nothing is written
   * to the instance's rows, which belong to the changes that made them.
   */
  async acquire(instance: StoredInstance): Promise<LiveProvider | undefined> {
    const cached = this.pool.use(instance.id);
    if (!instance.enabled) {
      if (cached && cached.version <= instance.version) await this.pool.stop(instance.id);
      return undefined;
    }
    // A newer version than the row the caller read was saved here meanwhile: it is the right one.
    if (cached && cached.version >= instance.version) return cached;
    // Saved under an older configVersion of the plugin: migrate it before it runs.
    if (this.#outdated(instance)) return this.acquire(await this.getCurrent(instance.id));
    const key = `${instance.id}@${instance.version}`;
    let starting = this.#starting.get(key);
    if (!starting) {
      starting = this.#startIntoPool(instance).finally(() => this.#starting.delete(key));
      this.#starting.set(key, starting);
    }
    return starting;
  }

  /** The provider this replica already runs for the instance (a use), without any read. */
  cached(instanceId: string): LiveProvider | undefined {
    return this.pool.use(instanceId);
  }

  /**
   * At startup, without starting any provider (they start on first use: a check, an operation,
   * a test of the saved instance): every enabled instance whose plugin is not installed on this
   * replica is reported as failed here (`pool.failureOf`, `replicaProvider`) and logged. One
   * read of the instance rows; no secret is read, so a start costs the same at any number of
   * instances.
   */
  async reportUnavailable(): Promise<{ enabled: number; unavailable: number }> {
    const rows = await this.#deps.prisma.pluginInstance.findMany({ where: { enabled: true }, select: { id: true, name: true, pluginName: true, version: true } });
    let unavailable = 0;
    for (const row of rows) {
      if (this.#deps.plugins.get(row.pluginName)) continue;
      unavailable++;
      const { message } = new PluginUnavailableError(row.pluginName, 'no plugin with this name is loaded (see pluginLoadErrors)');
      this.pool.recordFailure(row.id, row.version, message);
      this.#deps.logger.warn(`instance "${row.name}" of ${row.pluginName} could not start on this replica`, {
        instanceId: row.id,
        version: row.version,
        replica: this.replica,
        reason: message,
      });
    }
    this.#deps.logger.info(`${rows.length} enabled instances (providers start on first use), ${unavailable} of an unavailable plugin`);
    return { enabled: rows.length, unavailable };
  }

  /**
   * Starts every enabled instance's provider now. The server does not call it (providers start
   * on first use, see `reportUnavailable`); the restart tests do, to start everything at once.
   * An instance that cannot start here is logged and reported by this replica
   * (`pool.failureOf`, `replicaProvider`); the others start regardless.
   */
  async warmUp(): Promise<{ active: number; failed: number }> {
    const rows = await this.#deps.prisma.pluginInstance.findMany({
      where: { enabled: true },
      include: { secrets: { select: { key: true } } },
      orderBy: { createdAt: 'asc' },
    });
    let failed = 0;
    await pLimit(4).map(rows, async (row) => {
      await this.acquire(row).catch(() => failed++);
    });
    this.#deps.logger.info(`${rows.length - failed} active, ${failed} failed to start`);
    return { active: rows.length - failed, failed };
  }

  /** Another replica saved a change: drop the provider it made stale (its next use starts anew). */
  async onChange(change: InstanceChanged): Promise<void> {
    if (change.replica === this.replica) return;
    const dropped = await this.pool.dropOlderThan(change.instanceId, change.version);
    if (dropped) {
      this.#deps.logger.debug('dropped a stale provider', { instanceId: change.instanceId, version: change.version, by: change.replica });
    }
  }

  /**
   * Compares every cached provider with the database and drops the stale ones: after the bus
   * reconnected, announcements may have been missed.
   */
  async revalidate(): Promise<number> {
    const ids = this.pool.ids();
    if (ids.length === 0) return 0;
    const rows = await this.#deps.prisma.pluginInstance.findMany({ where: { id: { in: ids } }, select: { id: true, version: true, enabled: true } });
    const current = new Map(rows.map((row) => [row.id, row.enabled ? row.version : null]));
    let dropped = 0;
    for (const id of ids) {
      const version = current.get(id) ?? null;
      if (version === null ? await this.pool.dropOlderThan(id, null) : await this.pool.dropOlderThan(id, version)) dropped++;
    }
    return dropped;
  }

  /**
   * A plugin upgrade may raise its `configVersion`: at start-up every instance stored under an
   * older one is migrated step by step, validated against the new schema and saved as a new
   * version (kind `migrated`, audited "migrated from 1 to 2"). One that fails stays on its old
   * configuration with status `error` and a message naming the step; the others go on.
   */
  async migrateStoredConfigurations(): Promise<{ migrated: number; failed: number }> {
    const rows = await this.#deps.prisma.pluginInstance.findMany({ orderBy: { createdAt: 'asc' }, include: { secrets: true } });
    let migrated = 0;
    let failed = 0;
    for (const row of rows.filter((candidate) => this.#outdated(candidate))) {
      try {
        await this.#migrateStored(row);
        migrated++;
      } catch (error) {
        if (!(error instanceof ConflictError)) failed++; // a conflict: another replica migrated it
      }
    }
    return { migrated, failed };
  }

  /** Whether the instance was saved under an older configVersion than its (loaded) plugin's. */
  #outdated(instance: { pluginName: string; configVersion?: number }): boolean {
    const plugin = this.#deps.plugins.get(instance.pluginName);
    return plugin !== undefined && instance.configVersion !== undefined && instance.configVersion < configVersionOf(plugin.schema);
  }

  /** `config` saved at `from`, migrated to the plugin's configVersion; a failing step is a ValidationError naming it. */
  #migrated(plugin: ProviderFactory, config: Record<string, unknown>, from: number): Record<string, unknown> {
    try {
      return migrateConfig(plugin.schema, config, from);
    } catch (error) {
      if (!(error instanceof ConfigMigrationError)) throw error;
      throw new ValidationError([{ field: '', rule: 'migration', message: `The configuration of version ${from} cannot be migrated: ${error.message}` }]);
    }
  }

  async #migrateStored(row: InstanceRecord): Promise<void> {
    const plugin = this.#plugin(row.pluginName);
    const from = row.configVersion;
    const to = configVersionOf(plugin.schema);
    let next: { plain: Record<string, unknown>; secrets: Record<string, string> };
    let stored: { values: Record<string, string>; version: number };
    try {
      const secretKeys = secretKeysOf(plugin.schema.fields);
      const plain = splitSecrets(migrateConfig(plugin.schema, row.config as Record<string, unknown>, from), secretKeys).plain;
      stored = await this.#readStoredSecrets(row);
      try {
        next = splitSecrets(validateOrThrow(plugin.schema, { ...plain, ...stored.values }), secretKeys);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        throw new ConfigMigrationError(to - 1, to, `its result is invalid: ${error.fieldErrors.map((e) => e.message).join('; ')}`);
      }
    } catch (error) {
      const message = `The stored configuration could not be migrated from version ${from} to ${to} and is left unchanged: ${errorMessage(error)}`;
      // Only the status: the configuration, its version and the secrets stay as they were.
      await this.#deps.prisma.pluginInstance.updateMany({ where: { id: row.id, version: row.version }, data: { status: 'error', statusMessage: message } });
      this.#deps.logger.error(`instance "${row.name}" of ${row.pluginName} could not be migrated`, { instanceId: row.id, reason: message });
      throw new PluginUnavailableError(row.pluginName, message);
    }
    const prints = await this.#fingerprints.ofAll(row.id, stored.values);
    await this.#deps.prisma.$transaction(async (tx) => {
      const { count } = await tx.pluginInstance.updateMany({
        where: { id: row.id, version: row.version },
        data: {
          config: next.plain as Prisma.InputJsonObject,
          configVersion: to,
          version: { increment: 1 },
          status: row.enabled ? 'active' : 'inactive',
          statusMessage: null,
        },
      });
      if (count === 0) throw new ConflictError(row.id, row.version);
      const saved = await tx.pluginInstance.findUniqueOrThrow({ where: { id: row.id } });
      const changed = changedPlainKeys(row.config as Record<string, unknown>, next.plain);
      const summary = `migrated from ${from} to ${to}`;
      await audit(tx, 'system', 'instance.migrated', saved, changed, { details: { name: saved.name, from, to, summary } });
      await recordVersion(tx, { ...versionOf(saved, 'migrated'), config: next.plain, before: prints, after: prints, secretsVersion: stored.version }, 'system');
    }, SAVE_TRANSACTION);
    this.#announce(row.id, row.version + 1);
    this.#deps.logger.info(`instance "${row.name}" of ${row.pluginName}: configuration ${`migrated from ${from} to ${to}`}`, { instanceId: row.id });
  }

  /**
   * A plugin upgrade may turn a plain field into a secret: its value is then still stored in
   * clear in the database. At start-up, before any provider starts, every such value moves to
   * the secret store (and from then on shows only as set). Each instance moves in one save,
   * as an update would: secrets written with check-and-set while the row is locked, undone if
   * the commit fails; a replica that loses the race finds nothing left to move.
   */
  async migrateNewSecretFields(): Promise<{ migrated: number; failed: number }> {
    // The configuration history's fingerprint key: created once, before the first save needs it.
    await this.#fingerprints.prepare();
    const rows = await this.#deps.prisma.pluginInstance.findMany({ orderBy: { createdAt: 'asc' } });
    let migrated = 0;
    let failed = 0;
    for (const row of rows) {
      const plugin = this.#deps.plugins.get(row.pluginName);
      if (!plugin) continue;
      const stored = row.config as Record<string, unknown>;
      const moving = [...secretKeysOf(plugin.schema.fields)].filter((key) => typeof stored[key] === 'string').sort();
      if (moving.length === 0) continue;
      try {
        await this.#moveToSecretStore(row, stored, moving);
        migrated++;
        this.#deps.logger.info(`moved ${moving.length} value(s) of "${row.name}" (${row.pluginName}) that are now secret into the secret store`, {
          instanceId: row.id,
          keys: moving.join(','),
        });
      } catch (error) {
        if (error instanceof ConflictError) continue; // another replica moved them
        failed++;
        this.#deps.logger.error(`could not move the values of "${row.name}" that are now secret; they stay hidden from the API`, {
          instanceId: row.id,
          reason: errorMessage(error),
        });
      }
    }
    return { migrated, failed };
  }

  async #moveToSecretStore(row: { id: string; version: number; configVersion: number; pluginName: string; name: string }, stored: Record<string, unknown>, moving: string[]): Promise<void> {
    const before = await this.#deps.secrets.read(row.id);
    const values: Record<string, string> = { ...before.values };
    const plain: Record<string, unknown> = { ...stored };
    for (const key of moving) {
      const value = plain[key] as string;
      delete plain[key];
      // A value already in the secret store is newer than the plain copy left behind.
      if (value !== '' && values[key] === undefined) values[key] = value;
    }
    const changed = changedSecretKeys(before.values, values);
    const fingerprints = { before: await this.#fingerprints.ofAll(row.id, before.values), after: await this.#fingerprints.ofAll(row.id, values) };
    let written: number | undefined;
    try {
      await this.#deps.prisma.$transaction(async (tx) => {
        const { count } = await tx.pluginInstance.updateMany({
          where: { id: row.id, version: row.version },
          data: { config: plain as Prisma.InputJsonObject, version: { increment: 1 } },
        });
        if (count === 0) throw new ConflictError(row.id, row.version);
        if (changed.length > 0) written = await this.#deps.secrets.write(row.id, values, { cas: before.version });
        await syncSecretState(tx, row.id, values, changed);
        await audit(tx, 'system', 'instance.secretsMigrated', row, moving);
        await scrubHistory(tx, row.id, moving);
        const saved = { ...row, version: row.version + 1 };
        await recordVersion(tx, { ...versionOf(saved, 'updated'), config: plain, ...fingerprints, secretsVersion: written ?? before.version }, 'system');
      }, SAVE_TRANSACTION);
    } catch (error) {
      if (written !== undefined) await this.#restoreSecrets(row.id, before.values, written);
      throw error;
    }
  }

  async stopAll(): Promise<void> {
    await this.pool.stopAll();
  }

  /**
   * The live provider of an instance, to call its operations: this replica's cached one at
   * the stored version, or one started now (see `acquire`). The one way in for callers.
   */
  async providerFor(id: string): Promise<LiveProvider> {
    const row = await this.getCurrent(id);
    const live = await this.acquire(row);
    if (live) return live;
    throw new InstanceUnavailableError(id, 'inactive', row.statusMessage);
  }

  /**
   * The stored secrets of an instance, for connection tests and health checks on the server
   * only. A key the database records as set that the store lacks is a MissingSecretError.
   */
  async readSecrets(instance: InstanceRecord): Promise<Record<string, string>> {
    return (await this.#readStoredSecrets(instance)).values;
  }

  // -------------------------------------------------------------------------------------
  // What the API shows and takes (instance-views.ts): the resolvers only map these.

  /** This replica's provider of the instance: running, idle, failed to start, or disabled. */
  replicaProviderOf(instance: { id: string; enabled: boolean; version: number }): ReplicaProvider {
    return replicaProviderOf(instance, this.pool, this.replica);
  }

  /** The stored configuration with every secret (set, or still held in clear) as the mask. */
  maskedConfigurationOf(instance: { pluginName: string; config: unknown; secrets: readonly { key: string }[] }): Record<string, unknown> {
    return maskedConfiguration(instance, this.#fieldsOf(instance.pluginName));
  }

  /** One entry per secret field of the plugin (and per stored key it no longer declares). */
  secretStatesOf(instance: { pluginName: string; secrets: readonly { key: string; updatedAt: Date }[] }): SecretState[] {
    return secretStates(instance.secrets, this.#fieldsOf(instance.pluginName));
  }

  /** The latest audit events of each instance (at most 100 each), newest first, in one query. */
  latestAuditEvents(ids: readonly string[], last: number | null | undefined) {
    return latestAuditEvents(this.#deps.prisma, ids, last);
  }

  /** The latest health checks of each instance (at most 100 each), newest first, in one query. */
  latestHealthChecks(ids: readonly string[], last: number | null | undefined) {
    return latestHealthChecks(this.#deps.prisma, ids, last);
  }

  /**
   * A configuration with the typed secret inputs of a request merged in, checked against the
   * fields of the plugin (or of the saved instance's plugin): a ValidationError on a key given
   * twice or sent as a secret when it is not one.
   */
  async withSecretInputs(
    target: { pluginName: string } | { instanceId: string },
    configuration: Record<string, unknown> | null | undefined,
    secrets: readonly SecretInput[] | null | undefined,
  ): Promise<Record<string, unknown>> {
    if (!secrets || secrets.length === 0) return configurationWithSecrets(configuration, secrets);
    const pluginName =
      'pluginName' in target
        ? target.pluginName
        : (await this.#deps.prisma.pluginInstance.findUnique({ where: { id: target.instanceId }, select: { pluginName: true } }))?.pluginName;
    const fields = pluginName === undefined ? undefined : this.#deps.plugins.get(pluginName)?.schema.fields;
    return configurationWithSecrets(configuration, secrets, fields);
  }

  #fieldsOf(pluginName: string): readonly FieldSpec[] {
    return this.#deps.plugins.get(pluginName)?.schema.fields ?? [];
  }

  #plugin(name: string): ProviderFactory {
    return requirePlugin(this.#deps.plugins, name);
  }

  async #startIntoPool(instance: StoredInstance): Promise<LiveProvider> {
    try {
      const started = await this.#startStored(instance);
      if (this.pool.isSuperseded(instance.id, instance.version)) {
        // Changed or deleted while starting: caching it would keep a stale provider alive.
        await stopQuietly(instance.pluginName, started.provider);
        throw new PluginUnavailableError(instance.pluginName, 'the instance changed while its provider was starting; try again');
      }
      const current = this.pool.get(instance.id);
      if (current && current.version >= instance.version) {
        await stopQuietly(instance.pluginName, started.provider);
        return current;
      }
      await this.pool.swap(instance.id, started.live);
      return started.live;
    } catch (error) {
      const typed = error instanceof PluginUnavailableError || error instanceof ConfigureError;
      const reason = typed ? error : new PluginUnavailableError(instance.pluginName, `it could not start on replica ${this.replica}: ${errorMessage(error)}`);
      this.pool.recordFailure(instance.id, instance.version, reason.message);
      this.#deps.logger.warn(`instance "${instance.name}" of ${instance.pluginName} could not start on this replica`, {
        instanceId: instance.id,
        version: instance.version,
        replica: this.replica,
        reason: reason.message,
      });
      throw reason;
    }
  }

  /**
   * Starts a provider from what is stored: the row's configuration and the secret store's
   * document (whose version the caller may need to check it did not move meanwhile).
   */
  async #startStored(row: StoredInstance) {
    const plugin = this.#plugin(row.pluginName);
    const { values, version } = await this.#readStoredSecrets(row);
    const config = validateOrThrow(plugin.schema, { ...(row.config as Record<string, unknown>), ...values });
    const provider = await this.#startProvider(plugin, row.id, config, values);
    return { provider, live: live(row.pluginName, row.version, provider, values), secretsVersion: version };
  }

  /** The secret document of an instance, refusing one that lacks a key recorded as set. */
  async #readStoredSecrets(row: StoredInstance) {
    const recorded =
      row.secrets ?? (await this.#deps.prisma.pluginInstanceSecret.findMany({ where: { instanceId: row.id }, select: { key: true } }));
    const document = await this.#deps.secrets.read(row.id);
    const missing = recorded.map((secret) => secret.key).filter((key) => !(key in document.values)).sort();
    if (missing.length > 0) throw new MissingSecretError(row.pluginName, row.id, missing, missingSecretCause(this.#deps.secrets.kind, this.replica));
    return document;
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
      ...this.#deps.contextSettings,
    });
    try {
      return await startProvider(plugin, context, config, this.#deps.configureTimeoutMs);
    } catch (error) {
      // The reason is the plugin's own message, which may quote its configuration: it goes
      // to the caller and the logs, so scrub the secrets.
      throw new ConfigureError(plugin.schema.name, redact(errorMessage(error), Object.values(secrets)));
    }
  }

  async #assertNameFree(pluginName: string, name: string): Promise<void> {
    const taken = await this.#deps.prisma.pluginInstance.findUnique({ where: { pluginName_name: { pluginName, name } } });
    if (taken) throw nameTaken(pluginName, name);
  }

  /**
   * The instance an earlier mutation with this idempotency key (by this actor) changed, when
   * there was one; a key reused for a different change is a ValidationError on the key.
   */
  async #replay(
    actor: Actor,
    clientMutationId: string,
    action: string,
    matches: (event: { instanceId: string | null; pluginName: string | null; details: unknown }) => boolean,
  ): Promise<InstanceRecord | undefined> {
    const event = await findKeyedChange(this.#deps.prisma, actor, clientMutationId, action, matches);
    if (!event) return undefined;
    const row = event.instanceId ? await this.#deps.prisma.pluginInstance.findUnique({ where: { id: event.instanceId }, include: { secrets: true } }) : null;
    if (!row) throw new NotFoundError('Plugin instance', event.instanceId ?? '');
    return row;
  }

  /**
   * Whether a save whose transaction threw was committed, asked through its audit event.
   * Errors the save raised itself, and errors of statements the database refused, rolled it
   * back; anything else (a connection lost around the commit) is checked, retrying while the
   * database is unreachable, up to `commitCheckMs`.
   */
  async #outcomeOf(auditId: string, error: unknown): Promise<'committed' | 'rolled-back' | 'unknown'> {
    if (error instanceof ConflictError || error instanceof ValidationError || error instanceof SecretStoreError) return 'rolled-back';
    try {
      const event = await this.#retrying(() => this.#deps.prisma.auditEvent.findUnique({ where: { id: auditId }, select: { id: true } }));
      return event ? 'committed' : 'rolled-back';
    } catch {
      return 'unknown';
    }
  }

  /** The row a save committed, read back; the unused new provider is stopped if that fails. */
  async #committedRow(id: string, pluginName: string, provider: PluginProvider | undefined): Promise<InstanceRecord> {
    try {
      return await this.#retrying(() => this.get(id));
    } catch (error) {
      if (provider) await stopQuietly(pluginName, provider);
      throw error;
    }
  }

  /** Runs `fn` until it succeeds, backing off from 50 ms to 1 s, for at most `commitCheckMs`. */
  #retrying<T>(fn: () => Promise<T>): Promise<T> {
    return pRetry(fn, {
      retries: Number.POSITIVE_INFINITY,
      minTimeout: 50,
      maxTimeout: 1000,
      factor: 2,
      randomize: false,
      maxRetryTime: this.#deps.commitCheckMs ?? 15_000,
      // A missing row is an answer, not a lost connection.
      shouldRetry: ({ error }) => !(error instanceof NotFoundError),
    });
  }

  #unknownOutcome(instanceId: string, error: unknown): void {
    this.#deps.logger.error(
      'a save lost its database connection and whether it committed cannot be told yet; its secrets are kept. ' +
        'Retry with the same clientMutationId, or delete the secret document if no instance with this id exists',
      { instanceId, reason: errorMessage(error) },
    );
  }

  #announce(instanceId: string, version: number | null): void {
    this.#deps.bus?.publish('instance.changed', { instanceId, version, replica: this.replica });
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
}

/** Removes values that are now secret from every saved version of the instance (they were stored while plain). */
async function scrubHistory(tx: Prisma.TransactionClient, instanceId: string, keys: readonly string[]): Promise<void> {
  const versions = await tx.pluginInstanceVersion.findMany({ where: { instanceId }, select: { version: true, config: true } });
  for (const { version, config } of versions) {
    const plain = config as Record<string, unknown>;
    if (!keys.some((key) => key in plain)) continue;
    const scrubbed = Object.fromEntries(Object.entries(plain).filter(([key]) => !keys.includes(key)));
    await tx.pluginInstanceVersion.update({ where: { instanceId_version: { instanceId, version } }, data: { config: scrubbed as Prisma.InputJsonObject } });
  }
}

/** The fields of a history version that come from the saved row. */
function versionOf(row: { id: string; version: number; configVersion: number }, kind: VersionKind) {
  return { instanceId: row.id, version: row.version, kind, configVersion: row.configVersion };
}

function live(pluginName: string, version: number, provider: PluginProvider, secrets: Record<string, string>): LiveProvider {
  return { pluginName, version, provider, secretValues: Object.values(secrets) };
}

/** Why a store may lack a secret the database records, by store kind: what to check first. */
function missingSecretCause(kind: SecretStore['kind'], replica: string): string {
  if (kind === 'local') {
    return (
      `the local secret store of replica ${replica} has no value for it: it was probably saved by a replica with another ` +
      'data directory (PLUGFORM_DATA_DIR) or another PLUGFORM_SECRET_KEY, or the data directory was restored without it. ' +
      'More than one replica needs a shared store (PLUGFORM_SECRET_STORE=vault)'
    );
  }
  return (
    'Vault has no value for it: the document was deleted or changed outside Plugform, or this replica uses another ' +
    'VAULT_ADDR, VAULT_NAMESPACE, VAULT_KV_MOUNT or VAULT_PATH_PREFIX than the replica that saved it'
  );
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
  assertStorableText('name', 'Instance name', trimmed);
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
  mark: { id?: string; clientMutationId?: string | undefined; details?: Prisma.InputJsonObject | undefined } = {},
): Promise<void> {
  await recordAudit(tx, {
    actor,
    action,
    instance,
    changedKeys,
    ...(mark.details ? { details: mark.details } : {}),
    ...(mark.id ? { id: mark.id } : {}),
    ...(mark.clientMutationId ? { clientMutationId: mark.clientMutationId } : {}),
  });
}

function translateDatabaseError(error: unknown, pluginName: string, name: string): unknown {
  const code = errorCode(error);
  if (code === 'P2002') return nameTaken(pluginName, name);
  return error;
}
