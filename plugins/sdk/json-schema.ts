import type { PluginConfig } from './plugin.ts';

/** TODO(sdk helper): implement. */
export function toJsonSchema(schema: PluginConfig): Record<string, unknown> {
  return { title: schema.name };
}
