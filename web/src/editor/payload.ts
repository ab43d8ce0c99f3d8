/**
 * From the form's payload to the API's inputs, and back after a conflict. Pure functions.
 *
 * - Secrets go as `secrets: [{key, value}]`, only the ones the user changed (the form's
 *   payload already leaves untouched ones out): a string sets or replaces, null clears.
 * - An update's `configuration` is a patch (omitted keys keep their value), so a value the
 *   user blanked out, which the payload leaves out, is sent as null to remove it.
 */
import type { ConfigPayload, FormValues } from '../form/index.ts';
import type { FieldSpec } from '../sdk.ts';
import { isSecretField } from '../sdk.ts';

export interface SecretChangeInput {
  key: string;
  value: string | null;
}

export function secretInputs(secrets: ConfigPayload['secrets']): SecretChangeInput[] {
  return Object.entries(secrets).map(([key, value]) => ({ key, value }));
}

/** The stored configuration without its secrets (they appear there as the mask only). */
export function storedValues(configuration: Record<string, unknown>, fields: readonly FieldSpec[]): FormValues {
  const secretKeys = new Set(fields.filter(isSecretField).map((f) => f.key));
  return Object.fromEntries(Object.entries(configuration).filter(([key]) => !secretKeys.has(key)));
}

/** The `configuration` of an update: the form's values, plus null for each stored value the user removed. */
export function updatePatch(stored: FormValues, values: FormValues): Record<string, unknown> {
  const patch: Record<string, unknown> = { ...values };
  for (const key of Object.keys(stored)) if (!(key in values)) patch[key] = null;
  return patch;
}

/** The keys whose value the user changed from what was loaded (added, changed or removed). */
export function changedKeys(loaded: FormValues, values: FormValues): string[] {
  const keys = new Set([...Object.keys(loaded), ...Object.keys(values)]);
  return [...keys].filter((key) => JSON.stringify(loaded[key]) !== JSON.stringify(values[key])).sort();
}

/**
 * After a conflict: the latest stored values with the user's own changes applied on top, so
 * reloading keeps what they typed and takes everything else from the newer version.
 */
export function reapplyChanges(loaded: FormValues, values: FormValues, latest: FormValues): FormValues {
  const next: FormValues = { ...latest };
  for (const key of changedKeys(loaded, values)) {
    if (key in values) next[key] = values[key];
    else delete next[key];
  }
  return next;
}
