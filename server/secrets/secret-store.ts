/**
 * Where secret values live: never in the database. One document per plugin instance holds
 * all of that instance's secret keys, so one save is one write (atomic on every store).
 */

/** The secrets of one instance and the version the store gave them (0 when none are stored). */
export interface SecretDocument {
  values: Record<string, string>;
  version: number;
}

export interface SecretStore {
  readonly kind: 'local' | 'vault';
  /** Verifies the store is usable (key matches the data, Vault reachable and unsealed …). */
  check(): Promise<void>;
  /** The instance's secrets; `{ values: {}, version: 0 }` when nothing is stored. */
  read(instanceId: string): Promise<SecretDocument>;
  /**
   * Replaces the instance's whole secret document. `cas` is the version the caller read:
   * the write fails with a `SecretStoreError` of code `conflict` if another write came
   * in between. Returns the new version.
   */
  write(instanceId: string, values: Record<string, string>, options: { cas: number }): Promise<number>;
  /**
   * An earlier version of the instance's secrets, for a rollback; undefined when the store no
   * longer keeps it (local: the last `PLUGFORM_SECRET_VERSIONS`; Vault KV v2: `max_versions`).
   */
  readVersion?(instanceId: string, version: number): Promise<SecretDocument | undefined>;
  /** Removes the instance's secrets, every version of them. Deleting nothing is not an error. */
  delete(instanceId: string): Promise<void>;
  /**
   * A store that lives with one replica (the local one) says which store it is, so a second
   * replica with another store is refused instead of finding no secrets. Shared stores omit it.
   */
  identity?(): Promise<{ identity: string; location: string }>;
  close?(): Promise<void>;
}

export type SecretStoreErrorCode =
  | 'conflict'
  | 'forbidden'
  | 'not_found'
  | 'sealed'
  | 'unreachable'
  | 'timeout'
  | 'key_mismatch'
  | 'misconfigured'
  | 'io'
  /** Stored ciphertext failed authentication or is unreadable: restore it from a backup. */
  | 'corrupt';

/**
 * A failure of the secret store. The message says what happened and what to do about it;
 * it never contains a secret value.
 */
export class SecretStoreError extends Error {
  override readonly name = 'SecretStoreError';
  readonly code: SecretStoreErrorCode;
  constructor(code: SecretStoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
