/**
 * "Test connection" before saving (a plugin and an unsaved configuration) and for a saved
 * instance (its stored configuration with an optional partial override; the stored secrets
 * are merged here on the server, so the client never needs them).
 */
import type { PluginTestResult } from '../../plugins/sdk/index.ts';
import { requirePlugin, type InstanceService, type PluginLookup } from '../instances/instance-service.ts';
import type { PluginContextSettings } from '../instances/plugin-context.ts';
import type { ProviderFactory } from '../instances/provider-pool.ts';
import { mergeConfiguration, secretKeysOf } from '../instances/secret-values.ts';
import { validateOrThrow } from '../instances/validation.ts';
import type { Logger } from '../logger.ts';
import { runConnectionTest } from './connection-test.ts';

export interface TestingServiceDeps {
  plugins: PluginLookup;
  instances: InstanceService;
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
  async testUnsaved(pluginName: string, configuration: Record<string, unknown>): Promise<PluginTestResult> {
    const plugin = requirePlugin(this.#deps.plugins, pluginName);
    const { plain, secrets } = mergeConfiguration({}, {}, configuration, secretKeysOf(plugin.schema.fields));
    return this.#run(plugin, { ...plain, ...secrets }, secrets);
  }

  /** Tests a saved instance, optionally with a patch over its stored configuration. */
  async testSaved(instanceId: string, override: Record<string, unknown> = {}): Promise<PluginTestResult> {
    const instance = await this.#deps.instances.get(instanceId);
    const plugin = requirePlugin(this.#deps.plugins, instance.pluginName);
    const stored = await this.#deps.instances.readSecrets(instanceId);
    const { plain, secrets } = mergeConfiguration(
      instance.config as Record<string, unknown>,
      stored,
      override,
      secretKeysOf(plugin.schema.fields),
    );
    return this.#run(plugin, { ...plain, ...secrets }, secrets);
  }

  async #run(plugin: ProviderFactory, values: Record<string, unknown>, secrets: Record<string, string>): Promise<PluginTestResult> {
    return runConnectionTest({
      plugin,
      config: validateOrThrow(plugin.schema, values),
      secretValues: Object.values(secrets),
      logger: this.#deps.logger,
      ...(this.#deps.contextSettings ? { contextSettings: this.#deps.contextSettings } : {}),
      ...(this.#deps.timeoutMs ? { timeoutMs: this.#deps.timeoutMs } : {}),
    });
  }
}
