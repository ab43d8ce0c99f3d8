/**
 * "Test connection" before saving (a plugin and an unsaved configuration) and for a saved
 * instance (its stored configuration with an optional partial override; the stored secrets
 * are merged here on the server, so the client never needs them). An override that changes
 * where a stored secret goes must supply that secret again (destination binding). Every test
 * is audited: who, which plugin or instance, which keys the override changed.
 */
import type { PluginTestResult } from '../../plugins/sdk/index.ts';
import type { PrismaClient } from '../../prisma/generated/client/client.ts';
import { recordAudit, type Actor } from '../audit/audit-log.ts';
import { assertSecretsFollowDestinations, suppliedSecretKeys } from '../instances/destination-guard.ts';
import { assertConfigurationWithinLimits } from '../instances/input-limits.ts';
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
    assertConfigurationWithinLimits({ ...plain, ...secrets }, this.#deps.instances.limits);
    const config = validateOrThrow(plugin.schema, { ...plain, ...secrets });
    const result = await this.#run(plugin, config, secrets);
    await this.#audit({ actor, action: 'plugin.test', pluginName: plugin.schema.name, changedKeys: Object.keys(configuration).sort(), details: { success: result.success } });
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
    assertConfigurationWithinLimits({ ...plain, ...secrets }, this.#deps.instances.limits);
    const config = validateOrThrow(plugin.schema, { ...plain, ...secrets });
    const nextPlain = splitSecrets(config, secretKeys).plain;
    assertSecretsFollowDestinations({
      fields: plugin.schema.fields,
      storedPlain,
      storedSecretKeys: Object.keys(stored),
      nextPlain,
      patch: override,
      secretKeys,
    });
    const result = await this.#run(plugin, config, secrets);
    const changedKeys = [...new Set([...changedPlainKeys(storedPlain, nextPlain), ...suppliedSecretKeys(override, secretKeys)])].sort();
    await this.#audit({ actor, action: 'instance.test', instance, changedKeys, details: { name: instance.name, success: result.success } });
    return result;
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

  /** A test that ran is reported even if its audit record cannot be written (the log says so). */
  async #audit(entry: Parameters<typeof recordAudit>[1]): Promise<void> {
    await recordAudit(this.#deps.prisma, entry).catch((error: unknown) =>
      this.#deps.logger.error('could not record a connection test in the audit trail', {
        action: entry.action,
        reason: error instanceof Error ? error.message : String(error),
      }),
    );
  }
}
