/**
 * Pure rules for secret values (Grafana's `secureJsonData` contract): secrets are split from
 * the rest of a configuration, merged per key on update, and only ever shown as a mask.
 */
import { isSecretField, type FieldSpec } from '../../plugins/sdk/index.ts';

/** What every output shows in place of a set secret. Echoed back on input it means "keep". */
export const SECRET_MASK = '••••••••';

/**
 * A change to one secret: a new value replaces it, `null` clears it, the mask (or leaving the
 * key out) keeps the stored value.
 */
export type SecretChange = string | null;

export function secretKeysOf(fields: readonly FieldSpec[]): Set<string> {
  return new Set(fields.filter(isSecretField).map((field) => field.key));
}

/** Splits a validated configuration into what goes to the database and what to the secret store. */
export function splitSecrets(
  config: Readonly<Record<string, unknown>>,
  secretKeys: ReadonlySet<string>,
): { plain: Record<string, unknown>; secrets: Record<string, string> } {
  const plain: Record<string, unknown> = {};
  const secrets: Record<string, string> = {};
  for (const [key, value] of Object.entries(config)) {
    if (!secretKeys.has(key)) plain[key] = value;
    else if (typeof value === 'string' && value !== '') secrets[key] = value;
  }
  return { plain, secrets };
}

/**
 * Applies per-key changes to the stored secrets. A round-tripped mask can never overwrite a
 * real secret: it is treated exactly like an omitted key.
 */
export function mergeSecrets(
  stored: Readonly<Record<string, string>>,
  changes: Readonly<Record<string, SecretChange | undefined>>,
): Record<string, string> {
  const merged: Record<string, string> = { ...stored };
  for (const [key, change] of Object.entries(changes)) {
    if (change === undefined || change === SECRET_MASK) continue;
    if (change === null || change === '') delete merged[key];
    else merged[key] = change;
  }
  return merged;
}

/** The keys whose value differs between two secret documents (added, removed or replaced). */
export function changedSecretKeys(
  before: Readonly<Record<string, string>>,
  after: Readonly<Record<string, string>>,
): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((key) => before[key] !== after[key]).sort();
}

/** The keys whose value differs between two plain configurations. */
export function changedPlainKeys(
  before: Readonly<Record<string, unknown>>,
  after: Readonly<Record<string, unknown>>,
): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((key) => JSON.stringify(before[key]) !== JSON.stringify(after[key])).sort();
}

/** Splits an input configuration into plain values and per-key secret changes. */
export function separateSecretChanges(
  configuration: Readonly<Record<string, unknown>>,
  secretKeys: ReadonlySet<string>,
): { plain: Record<string, unknown>; secretChanges: Record<string, SecretChange> } {
  const plain: Record<string, unknown> = {};
  const secretChanges: Record<string, SecretChange> = {};
  for (const [key, value] of Object.entries(configuration)) {
    if (!secretKeys.has(key)) plain[key] = value;
    else if (value === null || typeof value === 'string') secretChanges[key] = value;
    // A secret that is not a string is a type error: keep it as a plain value so the
    // validator reports it against its field.
    else plain[key] = value;
  }
  return { plain, secretChanges };
}

/** A patch over the stored plain configuration: `null` removes a key, omission keeps it. */
export function applyPatch(stored: Readonly<Record<string, unknown>>, patch: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const result: Record<string, unknown> = { ...stored };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = value;
  }
  return result;
}


/**
 * The configuration an update (or a test of a saved instance with an override) produces:
 * the stored plain values patched, the stored secrets changed per key.
 */
export function mergeConfiguration(
  storedPlain: Readonly<Record<string, unknown>>,
  storedSecrets: Readonly<Record<string, string>>,
  patch: Readonly<Record<string, unknown>>,
  secretKeys: ReadonlySet<string>,
): { plain: Record<string, unknown>; secrets: Record<string, string> } {
  const { plain, secretChanges } = separateSecretChanges(patch, secretKeys);
  const secrets = mergeSecrets(storedSecrets, secretChanges);
  // A secret given as a non-string stays in `plain` for the validator to reject; the stored
  // value must not shadow it (callers validate `{ ...plain, ...secrets }`).
  for (const key of Object.keys(plain)) if (secretKeys.has(key)) delete secrets[key];
  return { plain: applyPatch(storedPlain, plain), secrets };
}
