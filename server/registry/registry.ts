/**
 * Holds the registered plugins and the load errors of one discovery run. Read-only once
 * built: a new discovery builds a new registry rather than patching this one.
 */
import type { PluginType } from '../../plugins/sdk/index.ts';
import { UnknownPluginError } from './errors.ts';
import type { PluginLoadError } from './errors.ts';
import type { RegisteredPlugin } from './load-plugin.ts';

export interface PluginFilter {
  type?: PluginType;
  /** Case-insensitive substring of the name, display name, description or a tag. */
  search?: string;
}

export class PluginRegistry {
  readonly #plugins: ReadonlyMap<string, RegisteredPlugin>;
  readonly #sorted: readonly RegisteredPlugin[];
  readonly #errors: readonly PluginLoadError[];

  /** Names must be unique: discovery resolves duplicates (first wins) before building this. */
  constructor(plugins: Iterable<RegisteredPlugin>, loadErrors: Iterable<PluginLoadError> = []) {
    const byName = new Map<string, RegisteredPlugin>();
    for (const plugin of plugins) {
      const name = plugin.schema.name;
      const first = byName.get(name);
      if (first !== undefined) {
        throw new Error(`duplicate plugin name "${name}": ${first.source} and ${plugin.source}`);
      }
      byName.set(name, plugin);
    }
    this.#plugins = byName;
    this.#sorted = Object.freeze([...byName.values()].sort((a, b) => compare(a.schema.name, b.schema.name)));
    this.#errors = Object.freeze([...loadErrors].map((error) => Object.freeze({ ...error })));
  }

  /** Plugins ordered by name, optionally filtered. */
  list(filter: PluginFilter = {}): RegisteredPlugin[] {
    const search = filter.search?.trim().toLowerCase() ?? '';
    return this.#sorted.filter(
      (plugin) =>
        (filter.type === undefined || plugin.schema.type === filter.type) &&
        (search === '' || matches(plugin, search)),
    );
  }

  get(name: string): RegisteredPlugin | undefined {
    return this.#plugins.get(name);
  }

  /** Like `get`, for callers that cannot go on without the plugin. */
  require(name: string): RegisteredPlugin {
    const plugin = this.#plugins.get(name);
    if (plugin === undefined) throw new UnknownPluginError(name);
    return plugin;
  }

  has(name: string): boolean {
    return this.#plugins.has(name);
  }

  get size(): number {
    return this.#plugins.size;
  }

  /** Plugins that could not be registered, in discovery order. */
  loadErrors(): readonly PluginLoadError[] {
    return this.#errors;
  }
}

function matches(plugin: RegisteredPlugin, needle: string): boolean {
  const { name, displayName, description, tags } = plugin.schema;
  return [name, displayName, description, ...(tags ?? [])].some(
    (text) => typeof text === 'string' && text.toLowerCase().includes(needle),
  );
}

/** Code-unit order, not locale order: the same on every machine. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
