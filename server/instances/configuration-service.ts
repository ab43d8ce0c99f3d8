/**
 * Configuration as code on the server: export the instances as a configuration document,
 * plan a document against what is stored, and apply it through the instance service (the
 * same validation, secret handling, version checks and audit trail as every other save).
 *
 * The plan is computed the way an update would merge it: the file's configuration is the
 * whole desired configuration (a key the file leaves out goes back to its default), secrets
 * are per key: a resolved value replaces the stored one only when it differs, an unresolved
 * reference keeps the stored value (and is not a change), `null` clears. Drift is a secret
 * whose fingerprint now differs from the one the file recorded at export time: it was
 * changed outside the file.
 */
import { errorMessage, type FieldSpec } from '../../plugins/sdk/index.ts';
import type { PrismaClient } from '../../prisma/generated/client/client.ts';
import type { SecretFingerprints } from '../secrets/fingerprint.ts';
import {
  defaultSecretRef,
  DOCUMENT_API_VERSION,
  parseConfigurationDocument,
  validateDocumentInstances,
  type ConfigurationDocument,
  type DocumentInstance,
} from './configuration-document.ts';
import { assertSecretsFollowDestinations } from './destination-guard.ts';
import { ConflictError, ValidationError } from './errors.ts';
import { requirePlugin, type Actor, type InstanceRecord, type InstanceService, type PluginLookup } from './instance-service.ts';
import { changedPlainKeys, mergeConfiguration, secretKeysOf, splitSecrets } from './secret-values.ts';
import { validateOrThrow } from './validation.ts';

export type PlanAction = 'create' | 'update' | 'delete' | 'unchanged' | 'unmanaged';

export interface PlanItem {
  action: PlanAction;
  plugin: string;
  name: string;
  instanceId: string | null;
  /** The stored version the plan read (null for a create). */
  version: number | null;
  /** Plain configuration keys that change. */
  changedKeys: string[];
  /** Secret keys whose value changes (set, replaced or cleared). */
  secretChanges: string[];
  /** The new `enabled`, when it changes. */
  enabled: boolean | null;
  notes: string[];
}

export interface PlanSecretNote {
  plugin: string;
  name: string;
  key: string;
  message: string;
}

export interface ConfigurationPlan {
  /** Whether applying would change anything, or the server drifted from the file. */
  changed: boolean;
  items: PlanItem[];
  drift: PlanSecretNote[];
  /** Secret references the client could not resolve: the stored value is kept. */
  unresolved: (PlanSecretNote & { ref: string | null })[];
}

export interface ApplyResult {
  plugin: string;
  name: string;
  action: PlanAction;
  ok: boolean;
  instanceId: string | null;
  version: number | null;
  error: string | null;
}

/** What apply does to one instance; the patch holds secret values and never leaves the server. */
interface Step {
  item: PlanItem;
  patch: Record<string, unknown>;
}

export interface ConfigurationServiceDeps {
  prisma: PrismaClient;
  instances: InstanceService;
  plugins: PluginLookup;
  fingerprints: SecretFingerprints;
}

const labelOf = (instance: { plugin: string; name: string }) => `${instance.plugin}/${instance.name}`;

export class ConfigurationService {
  readonly #deps: ConfigurationServiceDeps;

  constructor(deps: ConfigurationServiceDeps) {
    this.#deps = deps;
  }

  /** The fingerprint of each set secret of a stored instance, by key. */
  async fingerprintsOf(instance: InstanceRecord): Promise<Record<string, string>> {
    const values = await this.#deps.instances.readSecrets(instance);
    const entries = await Promise.all(
      Object.entries(values).map(async ([key, value]) => [key, await this.#deps.fingerprints.of(instance.id, key, value)] as const),
    );
    return Object.fromEntries(entries);
  }

  /** Every instance as a document: non-secret configuration, secrets as reference placeholders with their fingerprint. */
  async export(): Promise<ConfigurationDocument> {
    const rows = await this.#rows();
    const instances: DocumentInstance[] = [];
    for (const row of rows) {
      const fingerprints = await this.fingerprintsOf(row);
      const secretKeys = this.#secretKeys(row.pluginName);
      const configuration = Object.fromEntries(Object.entries(row.config as Record<string, unknown>).filter(([key]) => !secretKeys.has(key)));
      const secrets = Object.fromEntries(
        row.secrets.map((secret) => [secret.key, { ref: defaultSecretRef(row.name, secret.key), fingerprint: fingerprints[secret.key] }]),
      );
      instances.push({ plugin: row.pluginName, name: row.name, enabled: row.enabled, configuration, secrets });
    }
    return { apiVersion: DOCUMENT_API_VERSION, instances };
  }

  async plan(raw: unknown, options: { prune?: boolean } = {}): Promise<ConfigurationPlan> {
    return (await this.#plan(raw, options)).plan;
  }

  /**
   * Applies a document: every change of the plan, in order, each version-checked against the
   * version the plan read; the first failure stops the run (what was done stays done, and the
   * results say which). `onProgress` hears each step as it finishes.
   */
  async apply(
    raw: unknown,
    options: { prune?: boolean; dryRun?: boolean },
    actor: Actor,
    onProgress?: (result: ApplyResult, index: number, total: number) => void,
  ): Promise<{ plan: ConfigurationPlan; results: ApplyResult[] }> {
    const { plan, steps } = await this.#plan(raw, options);
    const results: ApplyResult[] = [];
    if (options.dryRun) return { plan, results };
    for (const [index, step] of steps.entries()) {
      const result = await this.#applyStep(step, actor);
      results.push(result);
      onProgress?.(result, index, steps.length);
      if (!result.ok) break;
    }
    return { plan, results };
  }

  async #applyStep({ item, patch }: Step, actor: Actor): Promise<ApplyResult> {
    const done = (row: { id: string; version?: number }): ApplyResult => ({
      plugin: item.plugin,
      name: item.name,
      action: item.action,
      ok: true,
      instanceId: row.id,
      version: item.action === 'delete' ? null : (row.version ?? null),
      error: null,
    });
    const { instances } = this.#deps;
    try {
      if (item.action === 'create') {
        return done(await instances.create({ pluginName: item.plugin, name: item.name, enabled: item.enabled ?? true, configuration: patch }, actor));
      }
      const id = item.instanceId!;
      if (item.action === 'delete') return done(await instances.delete(id, actor, item.version!));
      let row = { id, version: item.version! };
      if (item.changedKeys.length > 0 || item.secretChanges.length > 0) row = await instances.update(id, { version: row.version, configuration: patch }, actor);
      else if ((await instances.get(id)).version !== row.version) throw new ConflictError(id, row.version);
      if (item.enabled !== null) row = await instances.setEnabled(id, item.enabled, actor, row.version);
      return done(row);
    } catch (error) {
      const fields = error instanceof ValidationError ? ` (${error.fieldErrors.map((e) => `${e.field}: ${e.message}`).join('; ')})` : '';
      return { ...done({ id: item.instanceId ?? '', version: 0 }), ok: false, version: item.version, error: `${errorMessage(error)}${fields}` };
    }
  }

  async #plan(raw: unknown, options: { prune?: boolean }): Promise<{ plan: ConfigurationPlan; steps: Step[] }> {
    const { document, errors } = parseConfigurationDocument(raw);
    if (errors.length > 0) throw new ValidationError(errors, 'The configuration document is not valid');
    const problems = validateDocumentInstances(document, (plugin) => this.#deps.plugins.get(plugin)?.schema.fields);
    if (problems.length > 0) {
      throw new ValidationError(
        problems.map((p) => ({ field: `${labelOf(p)}.${p.field}`, rule: p.rule, message: `${labelOf(p)}: ${p.message}` })),
        'Some instances of the document do not match their plugin schema',
      );
    }
    const rows = await this.#rows();
    const byLabel = new Map(rows.map((row) => [labelOf({ plugin: row.pluginName, name: row.name }), row]));
    const plan: ConfigurationPlan = { changed: false, items: [], drift: [], unresolved: [] };
    const steps: Step[] = [];
    const wanted = [...document.instances].sort((a, b) => labelOf(a).localeCompare(labelOf(b)));
    for (const instance of wanted) {
      const row = byLabel.get(labelOf(instance));
      byLabel.delete(labelOf(instance));
      if (instance.expectedVersion !== undefined && (row?.version ?? null) !== instance.expectedVersion) {
        if (row && instance.expectedVersion !== null) throw new ConflictError(row.id, instance.expectedVersion, row.version);
        throw new ValidationError([
          { field: 'name', rule: 'changed', message: `${labelOf(instance)} was ${row ? 'created' : 'deleted'} since it was planned; plan again` },
        ]);
      }
      let step: Step;
      try {
        step = row ? await this.#planUpdate(instance, row, plan) : this.#planCreate(instance, plan);
      } catch (error) {
        throw naming(instance, error);
      }
      plan.items.push(step.item);
      if (step.item.action !== 'unchanged') steps.push(step);
    }
    for (const row of byLabel.values()) {
      const item: PlanItem = {
        ...emptyItem({ plugin: row.pluginName, name: row.name }, options.prune ? 'delete' : 'unmanaged'),
        instanceId: row.id,
        version: row.version,
        notes: options.prune ? [] : ['not in the file; apply --prune deletes it'],
      };
      plan.items.push(item);
      if (options.prune) steps.push({ item, patch: {} });
    }
    plan.changed = steps.length > 0 || plan.drift.length > 0;
    return { plan, steps };
  }

  #planCreate(instance: DocumentInstance, plan: ConfigurationPlan): Step {
    const plugin = requirePlugin(this.#deps.plugins, instance.plugin);
    const patch: Record<string, unknown> = { ...instance.configuration };
    const item: PlanItem = { ...emptyItem(instance, 'create'), enabled: instance.enabled };
    for (const [key, entry] of Object.entries(instance.secrets)) {
      if (entry.value !== undefined) {
        patch[key] = entry.value;
        item.secretChanges.push(key);
      } else if (!entry.clear) {
        plan.unresolved.push({ ...where(instance, key), ref: entry.ref ?? null, message: `${entry.ref ?? 'no reference'} is not set here` });
      }
    }
    // A create must be complete: an unresolved required secret fails here, not halfway through apply.
    validateOrThrow(plugin.schema, patch);
    item.changedKeys = Object.keys(instance.configuration).sort();
    return { item, patch };
  }

  async #planUpdate(instance: DocumentInstance, row: InstanceRecord, plan: ConfigurationPlan): Promise<Step> {
    const plugin = requirePlugin(this.#deps.plugins, row.pluginName);
    const secretKeys = secretKeysOf(plugin.schema.fields);
    const storedPlain = row.config as Record<string, unknown>;
    const stored = await this.#deps.instances.readSecrets(row);
    const item: PlanItem = { ...emptyItem(instance, 'update'), instanceId: row.id, version: row.version };
    const secretPatch: Record<string, unknown> = {};
    const resolved: Record<string, string> = {};
    for (const [key, entry] of Object.entries(instance.secrets)) {
      if (entry.value !== undefined) resolved[key] = entry.value;
      if (entry.fingerprint && (await this.#deps.fingerprints.isComparable(entry.fingerprint))) {
        const current = stored[key] === undefined ? undefined : await this.#deps.fingerprints.of(row.id, key, stored[key]);
        if (current !== entry.fingerprint) {
          plan.drift.push({ ...where(instance, key), message: current ? 'changed outside the file since it was exported' : 'cleared outside the file since it was exported' });
        }
      }
      if (entry.value !== undefined) {
        if (entry.value !== stored[key]) secretPatch[key] = entry.value;
      } else if (entry.clear) {
        if (stored[key] !== undefined) secretPatch[key] = null;
      } else {
        const kept = stored[key] !== undefined ? 'the stored value is kept' : 'the secret stays unset';
        plan.unresolved.push({ ...where(instance, key), ref: entry.ref ?? null, message: `${entry.ref ?? 'no reference'} is not set here; ${kept}` });
      }
    }
    // The file's configuration is the whole of it: a stored key it leaves out goes back to its default.
    const plainPatch: Record<string, unknown> = { ...instance.configuration };
    for (const key of Object.keys(storedPlain)) if (!(key in plainPatch) && !secretKeys.has(key)) plainPatch[key] = null;
    const merged = mergeConfiguration(storedPlain, stored, { ...plainPatch, ...secretPatch }, secretKeys);
    const next = splitSecrets(validateOrThrow(plugin.schema, { ...merged.plain, ...merged.secrets }), secretKeys);
    item.changedKeys = changedPlainKeys(storedPlain, next.plain);
    item.secretChanges = Object.keys(secretPatch).sort();
    item.enabled = instance.enabled === row.enabled ? null : instance.enabled;
    if (item.changedKeys.length === 0 && item.secretChanges.length === 0 && item.enabled === null) item.action = 'unchanged';
    if (item.changedKeys.length === 0) return { item, patch: secretPatch };
    // Resolved secrets go along, changed or not: a change of where they are sent requires them again (contract 8).
    const patch = { ...plainPatch, ...resolved, ...secretPatch };
    assertSecretsFollowDestinations({ fields: plugin.schema.fields, storedPlain, storedSecretKeys: Object.keys(stored), nextPlain: next.plain, patch, secretKeys });
    return { item, patch };
  }

  #secretKeys(pluginName: string): Set<string> {
    const fields: readonly FieldSpec[] = this.#deps.plugins.get(pluginName)?.schema.fields ?? [];
    return secretKeysOf(fields);
  }

  #rows(): Promise<InstanceRecord[]> {
    return this.#deps.prisma.pluginInstance.findMany({ include: { secrets: true }, orderBy: [{ pluginName: 'asc' }, { name: 'asc' }] });
  }
}

/** A ValidationError about one instance of the document, its fields and message prefixed with the instance. */
function naming(instance: { plugin: string; name: string }, error: unknown): unknown {
  if (!(error instanceof ValidationError)) return error;
  const label = labelOf(instance);
  return new ValidationError(
    error.fieldErrors.map((e) => ({ ...e, field: `${label}.${e.field}`, message: `${label}: ${e.message}` })),
    `${label}: ${error.message}`,
  );
}

function emptyItem(instance: { plugin: string; name: string }, action: PlanAction): PlanItem {
  return { action, plugin: instance.plugin, name: instance.name, instanceId: null, version: null, changedKeys: [], secretChanges: [], enabled: null, notes: [] };
}

function where(instance: { plugin: string; name: string }, key: string) {
  return { plugin: instance.plugin, name: instance.name, key };
}
