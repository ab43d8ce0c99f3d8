/**
 * The configuration history of an instance: every save writes one version row (in the save's
 * transaction) with the non-secret configuration and a keyed fingerprint per secret, never a
 * value. Differences between two versions are computed here, field by field; a secret's
 * difference is only whether it was set, changed or cleared.
 */
import type { Prisma, PluginInstanceVersion } from '../../prisma/generated/client/client.ts';
import { actorLabel, type Actor } from '../audit/audit-log.ts';

export type VersionKind = 'created' | 'updated' | 'rolledBack' | 'migrated';

/** How a secret differs from the version before. */
export type SecretChangeKind = 'set' | 'changed' | 'cleared';

export interface StoredSecretState {
  fingerprint: string;
  changedAt: string;
}

export interface VersionRecord {
  instanceId: string;
  version: number;
  kind: VersionKind;
  config: Readonly<Record<string, unknown>>;
  configVersion: number;
  /** Fingerprints of the secrets set before the save (by key). */
  before: Readonly<Record<string, string>>;
  /** Fingerprints of the secrets set by the save (by key). */
  after: Readonly<Record<string, string>>;
  /** The secret store's version of the document holding `after` (0: none). */
  secretsVersion: number;
  restoredFrom?: number;
}

/** The secrets whose fingerprint differs between two versions, sorted by key. */
export function secretChanges(
  before: Readonly<Record<string, string>>,
  after: Readonly<Record<string, string>>,
): { key: string; change: SecretChangeKind }[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return keys.flatMap((key) => {
    if (before[key] === after[key]) return [];
    const change: SecretChangeKind = before[key] === undefined ? 'set' : after[key] === undefined ? 'cleared' : 'changed';
    return [{ key, change }];
  });
}

/** Writes the version a save made, in that save's transaction. */
export async function recordVersion(tx: Prisma.TransactionClient, record: VersionRecord, actor: Actor): Promise<void> {
  const changes = secretChanges(record.before, record.after);
  const changedNow = new Set(changes.map((change) => change.key));
  const previous = await tx.pluginInstanceVersion.findFirst({
    where: { instanceId: record.instanceId },
    orderBy: { version: 'desc' },
    select: { secrets: true },
  });
  const previousStates = (previous?.secrets ?? {}) as unknown as Record<string, StoredSecretState>;
  const now = new Date().toISOString();
  const secrets: Record<string, StoredSecretState> = {};
  for (const [key, fingerprint] of Object.entries(record.after)) {
    const kept = !changedNow.has(key) && previousStates[key]?.fingerprint === fingerprint;
    secrets[key] = { fingerprint, changedAt: kept ? previousStates[key]!.changedAt : now };
  }
  await tx.pluginInstanceVersion.create({
    data: {
      instanceId: record.instanceId,
      version: record.version,
      kind: record.kind,
      actor: actorLabel(actor),
      actorTokenId: typeof actor === 'string' ? null : actor.tokenId,
      config: record.config as Prisma.InputJsonObject,
      configVersion: record.configVersion,
      secrets: secrets as unknown as Prisma.InputJsonObject,
      secretChanges: changes as unknown as Prisma.InputJsonArray,
      secretsVersion: record.secretsVersion,
      restoredFrom: record.restoredFrom ?? null,
    },
  });
}

/** The fingerprints of a version row, by key. */
export function fingerprintsOf(version: Pick<PluginInstanceVersion, 'secrets'>): Record<string, string> {
  const states = (version.secrets ?? {}) as unknown as Record<string, StoredSecretState>;
  return Object.fromEntries(Object.entries(states).map(([key, state]) => [key, state.fingerprint]));
}

export type DifferenceKind = 'added' | 'removed' | 'changed' | SecretChangeKind;

export interface ConfigurationDifference {
  key: string;
  change: DifferenceKind;
  secret: boolean;
  /** Plain fields only; secrets never carry values. */
  oldValue?: unknown;
  newValue?: unknown;
}

/** What changes from one version to another, field by field, sorted by key. */
export function diffVersions(
  from: Pick<PluginInstanceVersion, 'config' | 'secrets'>,
  to: Pick<PluginInstanceVersion, 'config' | 'secrets'>,
): ConfigurationDifference[] {
  const before = from.config as Record<string, unknown>;
  const after = to.config as Record<string, unknown>;
  const plain = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort().flatMap((key): ConfigurationDifference[] => {
    if (!(key in before)) return [{ key, change: 'added', secret: false, newValue: after[key] }];
    if (!(key in after)) return [{ key, change: 'removed', secret: false, oldValue: before[key] }];
    if (JSON.stringify(before[key]) === JSON.stringify(after[key])) return [];
    return [{ key, change: 'changed', secret: false, oldValue: before[key], newValue: after[key] }];
  });
  const secrets = secretChanges(fingerprintsOf(from), fingerprintsOf(to)).map(({ key, change }) => ({ key, change, secret: true }));
  return [...plain, ...secrets].sort((a, b) => a.key.localeCompare(b.key));
}
