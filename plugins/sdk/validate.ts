import type { FieldError } from './fields.ts';
import type { PluginConfig } from './plugin.ts';

export type ValidationResult =
  | { ok: true; value: Record<string, unknown> }
  | { ok: false; errors: FieldError[] };

/** TODO(sdk helper): implement. */
export function validateConfig(
  schema: Pick<PluginConfig, 'fields'>,
  values: Record<string, unknown>,
): ValidationResult {
  void schema;
  return { ok: true, value: values };
}
