import { SecretStoreError } from './secret-store.ts';

/**
 * Instance ids become file names (local store) and path segments (Vault). Restricting them
 * to a small charset closes path traversal (`../`, absolute paths, NUL) for both stores, and
 * keeps every name the stores invent for themselves (leading dot) out of the id space.
 * cuid, cuid2, uuid and nanoid ids all fit.
 */
const INSTANCE_ID = /^[A-Za-z0-9_-]{1,128}$/;

export function assertInstanceId(instanceId: string): void {
  if (typeof instanceId !== 'string' || !INSTANCE_ID.test(instanceId)) {
    // The id is not a secret, but it may be hostile: show its length, not its bytes.
    const length = typeof instanceId === 'string' ? instanceId.length : 0;
    throw new SecretStoreError(
      'misconfigured',
      `Invalid instance id (${length} characters): secret stores accept 1–128 characters of A–Z, a–z, 0–9, "_" and "-".`,
    );
  }
}

/** Secret documents are flat string maps; anything else is a caller bug caught before storing. */
export function assertSecretValues(values: Record<string, string>): void {
  if (values === null || typeof values !== 'object' || Array.isArray(values)) {
    throw new SecretStoreError('misconfigured', 'Secret values must be an object of string values.');
  }
  for (const [key, value] of Object.entries(values)) {
    if (typeof value !== 'string') {
      // Name the key, never the value.
      throw new SecretStoreError('misconfigured', `Secret "${key}" must be a string (got ${value === null ? 'null' : typeof value}).`);
    }
  }
}

export function assertCas(cas: number): void {
  if (!Number.isSafeInteger(cas) || cas < 0) {
    throw new SecretStoreError('misconfigured', `The cas version must be a whole number ≥ 0 (got ${String(cas)}).`);
  }
}
