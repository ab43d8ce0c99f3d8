/**
 * How an instance is shown and how secret inputs join a configuration: the rules the API
 * applies, kept here so that GraphQL and REST only map results. Nothing here reads or
 * returns a secret value; secrets appear only as the mask or as "set / when".
 */
import { isSecretField, type FieldError, type FieldSpec } from '../../plugins/sdk/index.ts';
import { Prisma, type AuditEvent, type HealthCheck, type PrismaClient } from '../../prisma/generated/client/client.ts';
import { ValidationError } from './errors.ts';
import type { ProviderPool } from './provider-pool.ts';
import { SECRET_MASK, type SecretChange } from './secret-values.ts';

/** The instance's provider on the replica answering, as `PluginInstance.replicaProvider` shows it. */
export interface ReplicaProvider {
  replica: string;
  state: 'RUNNING' | 'IDLE' | 'FAILED' | 'DISABLED';
  version: number | null;
  message: string | null;
  since: Date | null;
}

export function replicaProviderOf(instance: { id: string; enabled: boolean; version: number }, pool: ProviderPool, replica: string): ReplicaProvider {
  const live = pool.get(instance.id);
  const failure = pool.failureOf(instance.id);
  if (!instance.enabled) return { replica, state: 'DISABLED', version: null, message: null, since: null };
  if (live && live.version >= instance.version) return { replica, state: 'RUNNING', version: live.version, message: null, since: null };
  if (failure && failure.version === instance.version) {
    return { replica, state: 'FAILED', version: failure.version, message: failure.message, since: failure.at };
  }
  return { replica, state: 'IDLE', version: null, message: null, since: null };
}

/** The latest `last` audit events of each instance, newest first: one statement for all of them. */
export function latestAuditEvents(prisma: PrismaClient, ids: readonly string[], last: number | null | undefined): Promise<AuditEvent[][]> {
  return latestPerInstance<AuditEvent>(prisma, ids, last, {
    table: 'audit_event',
    newest: 'at',
    columns: `id, instance_id AS "instanceId", plugin_name AS "pluginName", actor, actor_token_id AS "actorTokenId", action,
              changed_keys AS "changedKeys", details, at`,
  });
}

/**
 * The latest `last` health checks of each instance, newest first: one statement for all of
 * them, limited per instance in SQL (a Prisma relation with `take` reads every stored check of
 * every instance and cuts in memory).
 */
export function latestHealthChecks(prisma: PrismaClient, ids: readonly string[], last: number | null | undefined): Promise<HealthCheck[][]> {
  return latestPerInstance<HealthCheck>(prisma, ids, last, {
    table: 'health_check',
    newest: 'checked_at',
    columns: `id, instance_id AS "instanceId", status::text AS status, message, details, response_time_ms AS "responseTimeMs",
              checked_at AS "checkedAt"`,
  });
}

/**
 * The latest `last` (1–100, default 20) rows of `table` per instance, newest first, grouped in
 * the order of `ids` (an instance without rows gets an empty list). The names are constants of
 * the callers above, never input.
 */
async function latestPerInstance<Row extends { instanceId: string | null }>(
  prisma: PrismaClient,
  ids: readonly string[],
  last: number | null | undefined,
  source: { table: string; newest: string; columns: string },
): Promise<Row[][]> {
  const take = Math.min(Math.max(last ?? 20, 1), 100);
  const newest = Prisma.raw(source.newest);
  const rows = await prisma.$queryRaw<Row[]>`
    SELECT ${Prisma.raw(source.columns)}
    FROM (
      SELECT *, row_number() OVER (PARTITION BY instance_id ORDER BY ${newest} DESC, id DESC) AS rank
      FROM ${Prisma.raw(source.table)}
      WHERE instance_id IN (${Prisma.join(ids)})
    ) AS ranked
    WHERE rank <= ${take}
    ORDER BY ${newest} DESC, id DESC`;
  const byInstance = new Map<string, Row[]>(ids.map((id) => [id, []]));
  for (const row of rows) byInstance.get(row.instanceId!)?.push(row);
  return ids.map((id) => byInstance.get(id)!);
}

/**
 * The stored configuration as shown: secrets as the mask. A key the plugin now declares secret
 * but still held in clear (start-up moves it; until then, or if that failed) is never shown.
 */
export function maskedConfiguration(
  instance: { config: unknown; secrets: readonly { key: string }[] },
  fields: readonly FieldSpec[],
): Record<string, unknown> {
  const secretKeys = new Set(fields.filter(isSecretField).map((field) => field.key));
  const config = instance.config as Record<string, unknown>;
  const plain = Object.entries(config).filter(([key]) => !secretKeys.has(key));
  const pending = Object.entries(config).filter(([key, value]) => secretKeys.has(key) && typeof value === 'string' && value !== '');
  return {
    ...Object.fromEntries(plain),
    ...Object.fromEntries(pending.map(([key]) => [key, SECRET_MASK])),
    ...Object.fromEntries(instance.secrets.map((s) => [s.key, SECRET_MASK])),
  };
}

/** Whether a secret field is set and when it last changed. Never its value. */
export interface SecretState {
  key: string;
  label: string;
  isSet: boolean;
  updatedAt: Date | null;
  /** The server's keyed fingerprint of the value, read on demand (one secret store read per instance). */
  fingerprint?: () => Promise<string | null>;
}

export function secretStates(stored: readonly { key: string; updatedAt: Date }[], fields: readonly FieldSpec[]): SecretState[] {
  const byKey = new Map(stored.map((s) => [s.key, s.updatedAt]));
  const declared = fields.filter(isSecretField).map((f) => ({ key: f.key, label: f.label }));
  // Keys stored but no longer declared (the plugin changed) are still shown as set.
  const orphans = stored.filter((s) => !declared.some((d) => d.key === s.key)).map((s) => ({ key: s.key, label: s.key }));
  return [...declared, ...orphans].map(({ key, label }) => ({ key, label, isSet: byKey.has(key), updatedAt: byKey.get(key) ?? null }));
}

/** A change to one secret as an API sends it: a value replaces it, null clears it, the mask keeps it. */
export interface SecretInput {
  key: string;
  value?: string | null;
}

/**
 * Merges typed secret inputs into the configuration. The same key in both is an error, and so
 * is a `secrets` entry for a field the plugin does not declare secret: its value would be
 * stored in the database and shown in `configuration`, which the caller clearly did not mean.
 * (Keys that are not fields at all are left to the validator, which names them.)
 */
export function configurationWithSecrets(
  configuration: Record<string, unknown> | null | undefined,
  secrets: readonly SecretInput[] | null | undefined,
  fields?: readonly FieldSpec[],
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...(configuration ?? {}) };
  const errors: FieldError[] = [];
  for (const { key, value } of secrets ?? []) {
    if (key in merged) {
      errors.push({ field: key, rule: 'duplicate', message: `"${key}" is given both in configuration and in secrets; give it once` });
    }
    const field = fields?.find((f) => f.key === key);
    if (field && !isSecretField(field)) {
      errors.push({ field: key, rule: 'notSecret', message: `${field.label} is not a secret field; send it in configuration` });
    }
    merged[key] = (value ?? null) satisfies SecretChange;
  }
  if (errors.length > 0) throw new ValidationError(errors);
  return merged;
}
