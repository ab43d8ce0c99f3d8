/**
 * The live providers, one per instance (never shared between instances). A provider is made
 * ready from its configuration (`createProvider(config, context)`); reconfiguring makes a new
 * one and swaps it in, so a refused configuration leaves the previous provider serving.
 */
import type { PluginConfig, PluginContext, PluginProvider } from '../../plugins/sdk/index.ts';
import { ProviderCreationError } from '../registry/errors.ts';
import { callPlugin } from './guarded-call.ts';

/** What the pool needs of a registered plugin. */
export interface ProviderFactory {
  schema: PluginConfig;
  createProvider(config: Record<string, unknown>, context: PluginContext): PluginProvider | Promise<PluginProvider>;
}

export interface LiveProvider {
  pluginName: string;
  /** The instance version this provider was created from. */
  version: number;
  provider: PluginProvider;
  /** The instance's secret values, kept in memory only to redact them from results and logs. */
  secretValues: readonly string[];
}

export const DEFAULT_CONFIGURE_TIMEOUT_MS = 15_000;

/**
 * Creates a ready provider from a configuration, within `timeoutMs`. A factory that throws
 * refused the configuration: its own error (not the registry's wrapper) is what the caller
 * reports. A provider that arrives after the deadline is stopped, never left running.
 */
export async function startProvider(
  plugin: ProviderFactory,
  context: PluginContext,
  config: Record<string, unknown>,
  timeoutMs = DEFAULT_CONFIGURE_TIMEOUT_MS,
): Promise<PluginProvider> {
  const name = plugin.schema.name;
  const creating = Promise.resolve().then(() => plugin.createProvider(config, context));
  try {
    return await callPlugin(name, 'createProvider', timeoutMs, () =>
      creating.catch((error: unknown) => {
        throw error instanceof ProviderCreationError ? error.cause : error;
      }),
    );
  } catch (error) {
    void creating.then((late) => stopQuietly(name, late)).catch(() => undefined);
    throw error;
  }
}

export async function stopQuietly(pluginName: string, provider: PluginProvider): Promise<void> {
  if (!provider.stop) return;
  await callPlugin(pluginName, 'stop', 5_000, () => provider.stop?.()).catch(() => undefined);
}

/** Why this replica could not start an instance's provider (reported here, never stored). */
export interface StartFailure {
  version: number;
  message: string;
  at: Date;
}

/**
 * This replica's providers: a cache keyed by (instance id, version). Any replica fills it on
 * demand from the database and the secret store (InstanceService.acquire); an entry whose
 * version is older than the row's is never used, and is stopped as soon as a newer version or
 * a delete is seen (here or announced by another replica). Failures to start are this
 * replica's own business: they are kept here (and logged), never written to the shared rows.
 */
export class ProviderPool {
  readonly #live = new Map<string, LiveProvider>();
  /** When each live provider was last used (Date.now()). */
  readonly #usedAt = new Map<string, number>();
  #evictTimer: NodeJS.Timeout | undefined;
  readonly #failures = new Map<string, StartFailure>();
  /** The newest version announced per instance (null: deleted), for starts that raced a change. */
  readonly #announced = new Map<string, number | null>();

  /** The cached provider, without counting as a use (reporting its state is not using it). */
  get(instanceId: string): LiveProvider | undefined {
    return this.#live.get(instanceId);
  }

  /** The cached provider, counted as used now (it is kept for another idle period). */
  use(instanceId: string): LiveProvider | undefined {
    const live = this.#live.get(instanceId);
    if (live) this.#usedAt.set(instanceId, Date.now());
    return live;
  }

  /**
   * Stops and drops the providers not used for `idleMs`, checking every `idleMs / 4` (at most
   * once a minute); their next use starts them again. A scheduled check is a use, so with
   * checks on, only instances checked less often than that are evicted. 0 turns it off.
   */
  startIdleEviction(idleMs: number): void {
    this.stopIdleEviction();
    if (idleMs <= 0) return;
    this.#evictTimer = setInterval(() => void this.evictIdle(idleMs), Math.max(1000, Math.min(60_000, Math.floor(idleMs / 4))));
    this.#evictTimer.unref();
  }

  stopIdleEviction(): void {
    clearInterval(this.#evictTimer);
    this.#evictTimer = undefined;
  }

  /** Stops the providers unused for `idleMs` or longer; answers their instance ids. */
  async evictIdle(idleMs: number): Promise<string[]> {
    const cutoff = Date.now() - idleMs;
    const idle = [...this.#live.keys()].filter((id) => (this.#usedAt.get(id) ?? 0) <= cutoff);
    await Promise.all(idle.map((id) => this.stop(id)));
    return idle;
  }

  /** Swaps in a ready provider and stops the one it replaces. */
  async swap(instanceId: string, entry: LiveProvider): Promise<void> {
    const previous = this.#live.get(instanceId);
    this.#live.set(instanceId, entry);
    this.#usedAt.set(instanceId, Date.now());
    this.#failures.delete(instanceId);
    if (previous && previous.provider !== entry.provider) await stopQuietly(previous.pluginName, previous.provider);
  }

  async stop(instanceId: string): Promise<void> {
    const previous = this.#live.get(instanceId);
    this.#live.delete(instanceId);
    this.#usedAt.delete(instanceId);
    this.#failures.delete(instanceId);
    if (previous) await stopQuietly(previous.pluginName, previous.provider);
  }

  /**
   * Drops (stops) the cached provider of an instance when a newer version exists, or when the
   * instance is gone (`version` null). Returns whether one was dropped.
   */
  async dropOlderThan(instanceId: string, version: number | null): Promise<boolean> {
    const known = this.#announced.get(instanceId);
    if (version === null || known === undefined || (known !== null && known < version)) this.#announced.set(instanceId, version);
    const cached = this.#live.get(instanceId);
    const failure = this.#failures.get(instanceId);
    if (failure && (version === null || failure.version < version)) this.#failures.delete(instanceId);
    if (!cached || (version !== null && cached.version >= version)) return false;
    await this.stop(instanceId);
    return true;
  }

  /**
   * Whether a provider of `version` went stale while it was being started: a newer version
   * or a delete was announced meanwhile.
   */
  isSuperseded(instanceId: string, version: number): boolean {
    const known = this.#announced.get(instanceId);
    return known === null || (known !== undefined && known > version);
  }

  recordFailure(instanceId: string, version: number, message: string): void {
    this.#failures.set(instanceId, { version, message, at: new Date() });
  }

  failureOf(instanceId: string): StartFailure | undefined {
    return this.#failures.get(instanceId);
  }

  /** Every instance this replica could not start, by id. */
  failures(): ReadonlyMap<string, StartFailure> {
    return this.#failures;
  }

  async stopAll(): Promise<void> {
    this.stopIdleEviction();
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
