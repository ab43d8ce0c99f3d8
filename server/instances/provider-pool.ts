/**
 * The live providers, one per instance (never shared between instances). A new provider is
 * configured before it replaces the old one, so a failed reconfiguration leaves the previous
 * provider serving.
 */
import type { PluginConfig, PluginContext, PluginProvider } from '../../plugins/sdk/index.ts';
import { callPlugin } from './guarded-call.ts';

/** What the pool needs of a registered plugin. */
export interface ProviderFactory {
  schema: PluginConfig;
  createProvider(context: PluginContext): PluginProvider;
}

export interface LiveProvider {
  pluginName: string;
  provider: PluginProvider;
  /** The instance's secret values, kept in memory only to redact them from results and logs. */
  secretValues: readonly string[];
}

export const DEFAULT_CONFIGURE_TIMEOUT_MS = 15_000;

/** Creates a provider and configures it; stops it again if configure fails. */
export async function startProvider(
  plugin: ProviderFactory,
  context: PluginContext,
  config: Record<string, unknown>,
  timeoutMs = DEFAULT_CONFIGURE_TIMEOUT_MS,
): Promise<PluginProvider> {
  const name = plugin.schema.name;
  const provider = await callPlugin(name, 'createProvider', timeoutMs, () => plugin.createProvider(context));
  try {
    await callPlugin(name, 'configure', timeoutMs, () => provider.configure(config));
    return provider;
  } catch (error) {
    await stopQuietly(name, provider);
    throw error;
  }
}

export async function stopQuietly(pluginName: string, provider: PluginProvider): Promise<void> {
  if (!provider.stop) return;
  await callPlugin(pluginName, 'stop', 5_000, () => provider.stop?.()).catch(() => undefined);
}

export class ProviderPool {
  readonly #live = new Map<string, LiveProvider>();

  get(instanceId: string): LiveProvider | undefined {
    return this.#live.get(instanceId);
  }

  /** Swaps in an already configured provider and stops the one it replaces. */
  async swap(instanceId: string, pluginName: string, provider: PluginProvider, secretValues: readonly string[]): Promise<void> {
    const previous = this.#live.get(instanceId);
    this.#live.set(instanceId, { pluginName, provider, secretValues });
    if (previous && previous.provider !== provider) await stopQuietly(previous.pluginName, previous.provider);
  }

  async stop(instanceId: string): Promise<void> {
    const previous = this.#live.get(instanceId);
    this.#live.delete(instanceId);
    if (previous) await stopQuietly(previous.pluginName, previous.provider);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.#live.keys()].map((id) => this.stop(id)));
  }

  /** The ids of the instances with a live provider. */
  ids(): string[] {
    return [...this.#live.keys()];
  }

  get size(): number {
    return this.#live.size;
  }
}
