/**
 * Reads which plugin a module exports: one `definePlugin(...)` value (default or named).
 * Anything ambiguous is an error rather than a guess, so an author never wonders which of two
 * exports was used.
 */
import { isPluginDefinition } from '../../plugins/sdk/index.ts';
import type { PluginDefinition } from '../../plugins/sdk/index.ts';

/** Returns the plugin definition, or a reason why the module has none that can be used. */
export function findPluginExport(mod: Record<string, unknown>): { definition: PluginDefinition } | { problem: string } {
  const exportNames = Object.keys(mod);
  const def = mod.default;

  const definitions = new Set<PluginDefinition>();
  for (const name of exportNames) {
    const value = mod[name];
    if (isPluginDefinition(value)) definitions.add(value);
  }
  if (definitions.size > 1) {
    const names = exportNames.filter((name) => isPluginDefinition(mod[name]));
    return { problem: `exports ${definitions.size} definePlugin() values (${names.join(', ')}); one module holds one plugin` };
  }
  const [definition] = definitions;
  if (definition !== undefined) return { definition };

  // CommonJS modules arrive with `module.exports` as the default export.
  if ('register' in mod || (isObjectLike(def) && 'register' in def)) {
    // The reference design's style handed out unconfigured providers; say what replaces it.
    return {
      problem:
        'exports register(), which Plugform does not load; export definePlugin({ ...schema, createProvider(config, context) }) instead (see docs/plugin-authoring.md)',
    };
  }
  if (isObjectLike(def) && 'createProvider' in def) {
    return { problem: 'the default export looks like a plugin but was not made with definePlugin(); wrap it in definePlugin(...)' };
  }
  const found = exportNames.length === 0 ? 'it exports nothing' : `found: ${exportNames.join(', ')}`;
  return { problem: `no plugin export: expected a default export made with definePlugin() (${found})` };
}

function isObjectLike(value: unknown): value is object {
  return (typeof value === 'object' || typeof value === 'function') && value !== null;
}
