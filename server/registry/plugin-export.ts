/**
 * Reads which plugin a module exports. Two styles are accepted: the reference design's
 * `register()` and a `definePlugin(...)` value (default or named). Anything ambiguous is an
 * error rather than a guess, so an author never wonders which of two exports was used.
 */
import { isPluginDefinition } from '../../plugins/sdk/index.ts';
import type { PluginDefinition, RegisterFunction } from '../../plugins/sdk/index.ts';

export type PluginExport =
  | { style: 'register'; register: RegisterFunction }
  | { style: 'definePlugin'; definition: PluginDefinition };

/** Returns the plugin export, or a reason why the module has none that can be used. */
export function findPluginExport(mod: Record<string, unknown>): PluginExport | { problem: string } {
  const exportNames = Object.keys(mod);
  const def = mod.default;

  // CommonJS modules arrive with `module.exports` as the default export.
  const register =
    'register' in mod
      ? mod.register
      : isObjectLike(def) && 'register' in def
        ? (def as Record<string, unknown>).register
        : undefined;

  const definitions = new Set<PluginDefinition>();
  for (const name of exportNames) {
    const value = mod[name];
    if (isPluginDefinition(value)) definitions.add(value);
  }

  if (register !== undefined && typeof register !== 'function') {
    return { problem: `the export "register" is ${describeKind(register)}, expected a function` };
  }
  if (register !== undefined && definitions.size > 0) {
    return { problem: 'exports both register() and a definePlugin() value; export only one of them' };
  }
  if (typeof register === 'function') return { style: 'register', register: register as RegisterFunction };

  if (definitions.size > 1) {
    const names = exportNames.filter((name) => isPluginDefinition(mod[name]));
    return { problem: `exports ${definitions.size} definePlugin() values (${names.join(', ')}); one module holds one plugin` };
  }
  const [definition] = definitions;
  if (definition !== undefined) return { style: 'definePlugin', definition };

  if (isObjectLike(def) && 'createProvider' in def) {
    return { problem: 'the default export looks like a plugin but was not made with definePlugin(); wrap it in definePlugin(...)' };
  }
  const found = exportNames.length === 0 ? 'it exports nothing' : `found: ${exportNames.join(', ')}`;
  return { problem: `no plugin export: expected register() or a default export made with definePlugin() (${found})` };
}

function isObjectLike(value: unknown): value is object {
  return (typeof value === 'object' || typeof value === 'function') && value !== null;
}

function describeKind(value: unknown): string {
  return value === null ? 'null' : `a ${typeof value}`;
}
