/** definePlugin marks its value at runtime so discovery can tell a plugin from other exports. */
import { describe, expect, it } from 'vitest';
import { PLUGIN_DEFINITION, definePlugin, isPluginDefinition } from '../../../plugins/sdk/index.ts';

const definition = {
  name: 'marked',
  type: 'ANALYTICS',
  version: '1.0.0',
  fields: [{ key: 'k', label: 'K', type: 'STRING' }],
  createProvider: () => ({ async trackEvent() {} }),
} as const;

describe('definePlugin', () => {
  it('returns the same object, marked with the shared symbol', () => {
    const copy = { ...definition };
    const defined = definePlugin(copy);
    expect(defined).toBe(copy);
    expect(PLUGIN_DEFINITION).toBe(Symbol.for('plugform.plugin-definition'));
    expect((defined as unknown as Record<symbol, unknown>)[PLUGIN_DEFINITION]).toBe(true);
  });
  it('is what isPluginDefinition recognises', () => {
    expect(isPluginDefinition(definePlugin({ ...definition }))).toBe(true);
    expect(isPluginDefinition({ ...definition })).toBe(false);
    expect(isPluginDefinition(null)).toBe(false);
    expect(isPluginDefinition('marked')).toBe(false);
  });
  it('keeps the mark out of the JSON form of the schema', () => {
    expect(Object.keys(definePlugin({ ...definition }))).not.toContain(String(PLUGIN_DEFINITION));
    expect(JSON.parse(JSON.stringify(definePlugin({ ...definition })))).toEqual({ name: 'marked', type: 'ANALYTICS', version: '1.0.0', fields: definition.fields });
  });
});
