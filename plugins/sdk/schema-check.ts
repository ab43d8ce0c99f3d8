import type { PluginConfig } from './plugin.ts';

export interface SchemaProblem {
  /** The field key the problem is about, or `''` for the plugin itself. */
  field: string;
  message: string;
}

/** TODO(sdk helper): implement. */
export function checkPluginSchema(schema: unknown): SchemaProblem[] {
  void (schema as PluginConfig);
  return [];
}
