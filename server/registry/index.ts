/**
 * Discovery and registration: find candidate files, load each one on its own (a broken
 * plugin never stops the others), resolve duplicate names, and hand back a registry that
 * holds both the plugins and the reasons some could not be loaded.
 */
import { delimiter, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findPluginCandidates } from './discover.ts';
import { PluginLoadFailure, describeError, displayPath, formatLoadError } from './errors.ts';
import type { PluginLoadError } from './errors.ts';
import { loadPlugin } from './load-plugin.ts';
import type { RegisteredPlugin, RegistryLogger } from './load-plugin.ts';
import { PluginRegistry } from './registry.ts';

export { PluginRegistry } from './registry.ts';
export type { PluginFilter } from './registry.ts';
export type { RegisteredPlugin, RegistryLogger } from './load-plugin.ts';
export { loadPlugin } from './load-plugin.ts';
export { findPluginCandidates, isPluginFileName } from './discover.ts';
export type { PluginCandidate, PluginOrigin, PluginSources, CandidateScan } from './discover.ts';
export {
  PluginLoadFailure,
  ProviderContractError,
  ProviderCreationError,
  UnknownPluginError,
  describeError,
  formatLoadError,
} from './errors.ts';
export type { PluginLoadError } from './errors.ts';
export { requiredOperations } from './provider-contract.ts';

export const DEFAULT_IMPORT_TIMEOUT_MS = 10_000;

/** The repository's own `plugins/` folder. */
export const BUILTIN_PLUGINS_DIR = fileURLToPath(new URL('../../plugins/', import.meta.url));

export interface DiscoverOptions {
  builtinDir: string;
  /** The working directory's `plugins/` folder; skipped when missing or the same as `builtinDir`. */
  localDir?: string;
  /** Each a folder of plugins, a plugin folder (with an index) or a plugin file. */
  extraPaths?: readonly string[];
  /** How long one plugin's import may take (default 10 s). */
  importTimeoutMs?: number;
  /** Where the summary and each load error are written (default `console`). */
  logger?: RegistryLogger;
}

export async function discoverPlugins(options: DiscoverOptions): Promise<PluginRegistry> {
  const logger = options.logger ?? console;
  const timeoutMs = options.importTimeoutMs ?? DEFAULT_IMPORT_TIMEOUT_MS;
  const scan = await findPluginCandidates(options);
  const errors: PluginLoadError[] = [...scan.errors];

  // Imported side by side so that one hanging plugin costs one timeout, not one per plugin.
  // Results keep discovery order, which is what decides the winner of a duplicate name.
  const results = await Promise.all(
    scan.candidates.map((candidate) =>
      loadPlugin(candidate.path, { timeoutMs, logger }).then(
        (plugin) => ({ plugin }),
        (error: unknown) => ({ error: toLoadError(candidate.path, error) }),
      ),
    ),
  );

  const plugins = new Map<string, RegisteredPlugin>();
  for (const result of results) {
    if ('error' in result) {
      errors.push(result.error);
      continue;
    }
    const { plugin } = result;
    const first = plugins.get(plugin.schema.name);
    if (first === undefined) {
      plugins.set(plugin.schema.name, plugin);
      continue;
    }
    errors.push({
      path: plugin.source,
      reason: `duplicate plugin name "${plugin.schema.name}": already registered from ${displayPath(first.source)}`,
      pluginName: plugin.schema.name,
    });
  }

  const registry = new PluginRegistry(plugins.values(), errors);
  for (const error of registry.loadErrors()) logger.warn(`registry: ${formatLoadError(error)}`);
  logger.info(`registry: ${count(registry.size, 'plugin')} loaded, ${errors.length} failed`);
  return registry;
}

/** `PLUGIN_PATHS` entries as absolute paths; empty entries (`a::b`, a trailing `:`) are ignored. */
export function parsePluginPaths(value: string | undefined, cwd: string = process.cwd()): string[] {
  return (value ?? '')
    .split(delimiter)
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => resolve(cwd, entry));
}

function toLoadError(path: string, error: unknown): PluginLoadError {
  if (error instanceof PluginLoadFailure) return error.toRecord();
  // loadPlugin wraps what it expects; anything else is still this plugin's failure alone.
  return { path, reason: describeError(error) };
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
