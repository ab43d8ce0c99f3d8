/** Small helpers for the SDK tests: validate one field, read back its errors or its value. */
import { expect } from 'vitest';
import { validateConfig, type FieldSpec } from '../../../plugins/sdk/index.ts';

/** Validates a configuration holding only `field`, set to `value` (absent when `undefined`). */
export function validateOne(field: FieldSpec, value: unknown) {
  return validateConfig({ fields: [field] }, value === undefined ? {} : { [field.key]: value });
}

/** The errors as `[field, rule, message]` triples (empty when the value is valid). */
export function errorsOf(field: FieldSpec, value: unknown): [string, string, string][] {
  const result = validateOne(field, value);
  return result.ok ? [] : result.errors.map((error) => [error.field, error.rule, error.message]);
}

/** The normalized value of the field; fails the test when validation fails. */
export function valueOf(field: FieldSpec, value: unknown): unknown {
  const result = validateOne(field, value);
  if (!result.ok) expect.fail(`expected ${JSON.stringify(value)} to be valid, got ${JSON.stringify(result.errors)}`);
  return result.value[field.key];
}
