/**
 * Keyed fingerprints of secret values, for the configuration history: two versions can be told
 * to hold the same secret without keeping it. A fingerprint is an HMAC-SHA256 of (instance,
 * key, value) under a random key that lives in the secret store itself (a reserved document),
 * so every replica computes the same ones and the database alone reveals nothing: guessing a
 * value offline needs the key.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { SecretStoreError, type SecretStore } from './secret-store.ts';

/** The secret store document holding the fingerprint key; no instance id (a UUID) looks like it. */
export const FINGERPRINT_KEY_DOCUMENT = 'plugform-fingerprint-key';

export class SecretFingerprints {
  readonly #store: SecretStore;
  #key: Promise<Buffer> | undefined;

  constructor(store: SecretStore) {
    this.#store = store;
  }

  /** The fingerprint of every secret in `values`, by key. */
  async of(instanceId: string, values: Readonly<Record<string, string>>): Promise<Record<string, string>> {
    const entries = Object.entries(values);
    if (entries.length === 0) return {};
    const key = await this.#ensureKey();
    return Object.fromEntries(
      entries.map(([name, value]) => [name, createHmac('sha256', key).update(`${instanceId}\0${name}\0${value}`).digest('base64url')]),
    );
  }

  /** Loads (or creates) the key: at start-up, so the first save does not pay for it. */
  async prepare(): Promise<void> {
    await this.#ensureKey();
  }

  #ensureKey(): Promise<Buffer> {
    if (!this.#key) {
      this.#key = this.#loadKey();
      this.#key.catch(() => {
        this.#key = undefined;
      });
    }
    return this.#key;
  }

  async #loadKey(): Promise<Buffer> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const document = await this.#store.read(FINGERPRINT_KEY_DOCUMENT);
      const stored = document.values['key'];
      if (stored) return Buffer.from(stored, 'base64');
      try {
        await this.#store.write(FINGERPRINT_KEY_DOCUMENT, { key: randomBytes(32).toString('base64') }, { cas: document.version });
      } catch (error) {
        // Another replica created it first: read theirs.
        if (!(error instanceof SecretStoreError && error.code === 'conflict')) throw error;
      }
    }
    throw new SecretStoreError('conflict', 'The fingerprint key of the configuration history could not be created; try again.');
  }
}
