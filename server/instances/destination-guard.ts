/**
 * The server's enforcement of destination binding (contract 8): a request that changes where
 * a secret goes while reusing its stored value is refused before anything is sent or saved.
 * The rule itself is the SDK's `secretsToReenter`, the one the console runs too.
 */
import { secretsToReenter, type FieldSpec } from '../../plugins/sdk/index.ts';
import { ValidationError } from './errors.ts';
import { SECRET_MASK } from './secret-values.ts';

export interface DestinationChange {
  fields: readonly FieldSpec[];
  /** The stored plain configuration. */
  storedPlain: Readonly<Record<string, unknown>>;
  /** The keys of the secrets that are stored. */
  storedSecretKeys: Iterable<string>;
  /** The plain configuration the request would use. */
  nextPlain: Readonly<Record<string, unknown>>;
  /** The request's patch (configuration with secrets merged in). */
  patch: Readonly<Record<string, unknown>>;
  secretKeys: ReadonlySet<string>;
}

/** The secret keys a patch gives a new value for or clears (the mask and omission keep them). */
export function suppliedSecretKeys(patch: Readonly<Record<string, unknown>>, secretKeys: ReadonlySet<string>): string[] {
  return Object.entries(patch)
    .filter(([key, value]) => secretKeys.has(key) && value !== undefined && value !== SECRET_MASK)
    .map(([key]) => key);
}

/** Throws a ValidationError on every stored secret that must be entered again. */
export function assertSecretsFollowDestinations(change: DestinationChange): void {
  const stored: Record<string, unknown> = { ...change.storedPlain };
  for (const key of change.storedSecretKeys) stored[key] = SECRET_MASK;
  const reentries = secretsToReenter({
    fields: change.fields,
    stored,
    next: change.nextPlain,
    suppliedSecretKeys: suppliedSecretKeys(change.patch, change.secretKeys),
  });
  if (reentries.length === 0) return;
  throw new ValidationError(
    reentries.map((reentry) => ({ field: reentry.key, rule: 'destinationChanged', message: reentry.message })),
  );
}
