/**
 * Validation on the server: the SDK's validateConfig, with one addition. A plugin's custom
 * rule may quote the value it rejects in its message, so the messages are scrubbed of the
 * configuration's secret values before they leave as a ValidationError.
 */
import { redact, validateConfig, type PluginConfig } from '../../plugins/sdk/index.ts';
import { ValidationError } from './errors.ts';
import { secretKeysOf } from './secret-values.ts';

export function validateOrThrow(schema: Pick<PluginConfig, 'fields'>, values: Record<string, unknown>): Record<string, unknown> {
  const result = validateConfig(schema, values);
  if (result.ok) return result.value;
  const secretValues = [...secretKeysOf(schema.fields)]
    .map((key) => values[key])
    .filter((value): value is string => typeof value === 'string');
  throw new ValidationError(result.errors.map((error) => ({ ...error, message: redact(error.message, secretValues) })));
}
