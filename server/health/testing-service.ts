/**
 * "Test connection" before saving (a plugin and an unsaved configuration) and for a saved
 * instance (its stored configuration with an optional partial override; the stored secrets
 * are merged here on the server, so the client never needs them). An override that changes
 * where a stored secret goes must supply that secret again (destination binding). Every test
 * is audited: who, which plugin or instance, which keys the override changed, and the outcome:
 * `ran` (with its success), or `refused` before anything was sent (with the rules that refused
 * it and the fields they named), so a probe that keeps being refused is on record too.
 */
import type { PluginTestResult } from '../../plugins/sdk/index.ts';
import type { PrismaClient } from '../../prisma/generated/client/client.ts';
import { recordAuditOrLog, type Actor, type AuditEntry } from '../audit/audit-log.ts';
import { assertSecretsFollowDestinations, suppliedSecretKeys } from '../instances/destination-guard.ts';
import { assertConfigurationWithinLimits } from '../instances/input-limits.ts';
import { ValidationError } from '../instances/errors.ts';
import { requirePlugin, type InstanceService, type PluginLookup } from '../instances/instance-service.ts';
import type { PluginContextSettings } from '../instances/plugin-context.ts';
import type { ProviderFactory } from '../instances/provider-pool.ts';
import { changedPlainKeys, mergeConfiguration, secretKeysOf, splitSecrets } from '../instances/secret-values.ts';
import { validateOrThrow } from '../instances/validation.ts';
import type { Logger } from '../logger.ts';
import { runConnectionTest } from './connection-test.ts';

export interface TestingServiceDeps {
  plugins: PluginLookup;
  instances: InstanceService;
  prisma: PrismaClient;
  logger: Logger;
  /** The egress gate, storage roots and body cap of the contexts of throwaway providers. */
  contextSettings?: PluginContextSettings;
  timeoutMs?: number;
}

export class TestingService {
  readonly #deps: TestingServiceDeps;

  constructor(deps: TestingServiceDeps) {
    this.#deps = deps;
  }

  /** Tests an unsaved configuration. Invalid input is a ValidationError, like a save. */
  async testUnsaved(pluginName: string, configuration: Record<string, unknown>, actor: Actor = 'system'): Promise<PluginTestResult> {
    const plugin = requirePlugin(this.#deps.plugins, pluginName);
    const { plain, secrets } = mergeConfiguration({}, {}, configuration, secretKeysOf(plugin.schema.fields));
    const audit = { actor, action: 'plugin.test', pluginName: plugin.schema.name, changedKeys: knownKeys(plugin, Object.keys(configuration)) };
    const config = await this.#refusalsAudited(plugin, audit, {}, () => {
      assertConfigurationWithinLimits({ ...plain, ...secrets }, this.#deps.instances.limits);
      return validateOrThrow(plugin.schema, { ...plain, ...secrets });
    });
    const result = await this.#run(plugin, config, secrets);
    await this.#audit({ ...audit, details: { outcome: 'ran', success: result.success } });
    return result;
  }

  /** Tests a saved instance, optionally with a patch over its stored configuration. */
  async testSaved(instanceId: string, override: Record<string, unknown> = {}, actor: Actor = 'system'): Promise<PluginTestResult> {
    const instance = await this.#deps.instances.getCurrent(instanceId);
    const plugin = requirePlugin(this.#deps.plugins, instance.pluginName);
    const stored = await this.#deps.instances.readSecrets(instance);
    const secretKeys = secretKeysOf(plugin.schema.fields);
    const storedPlain = instance.config as Record<string, unknown>;
    const { plain, secrets } = mergeConfiguration(storedPlain, stored, override, secretKeys);
    // Counted before validation, so that a refused attempt is on record with what it changed.
    const changedKeys = knownKeys(plugin, [...changedPlainKeys(storedPlain, plain), ...suppliedSecretKeys(override, secretKeys)]);
    const audit = { actor, action: 'instance.test', instance, changedKeys };
    const config = await this.#refusalsAudited(plugin, audit, { name: instance.name }, () => {
      assertConfigurationWithinLimits({ ...plain, ...secrets }, this.#deps.instances.limits);
      const valid = validateOrThrow(plugin.schema, { ...plain, ...secrets });
      assertSecretsFollowDestinations({
        fields: plugin.schema.fields,
        storedPlain,
        storedSecretKeys: Object.keys(stored),
        nextPlain: splitSecrets(valid, secretKeys).plain,
        patch: override,
        secretKeys,
      });
      return valid;
    });
    const result = await this.#run(plugin, config, secrets);
    await this.#audit({ ...audit, details: { name: instance.name, outcome: 'ran', success: result.success } });
    return result;
  }

  /**
   * Runs the checks that decide whether a test may run; a refusal (a ValidationError: a limit,
   * a rule, destination binding) is audited as a refused attempt, naming the rules and the
   * schema fields they are about, then thrown on.
   */
  async #refusalsAudited<T>(plugin: ProviderFactory, audit: AuditEntry, details: Record<string, string>, checks: () => T): Promise<T> {
    try {
      return checks();
    } catch (error) {
      if (error instanceof ValidationError) {
        const rules = [...new Set(error.fieldErrors.map((fieldError) => fieldError.rule))].sort();
        const fields = [...new Set(knownKeys(plugin, error.fieldErrors.map((fieldError) => fieldError.field)))];
        await this.#audit({ ...audit, details: { ...details, outcome: 'refused', rules, fields } });
      }
      throw error;
    }
  }

  async #run(plugin: ProviderFactory, config: Record<string, unknown>, secrets: Record<string, string>): Promise<PluginTestResult> {
    return runConnectionTest({
      plugin,
      config,
      secretValues: Object.values(secrets),
      logger: this.#deps.logger,
      ...(this.#deps.contextSettings ? { contextSettings: this.#deps.contextSettings } : {}),
      ...(this.#deps.timeoutMs ? { timeoutMs: this.#deps.timeoutMs } : {}),
    });
  }

  #audit(entry: AuditEntry): Promise<void> {
    return recordAuditOrLog(this.#deps.prisma, entry, this.#deps.logger);
  }
}

/**
 * The keys that are fields of the plugin, sorted: what the audit trail may name. Anything else
 * in a request (an unknown key) is the caller's text, which the trail does not keep.
 */
function knownKeys(plugin: ProviderFactory, keys: Iterable<string>): string[] {
  const fields = new Set(plugin.schema.fields.map((field) => field.key));
  return [...new Set(keys)].filter((key) => fields.has(key)).sort();
}
