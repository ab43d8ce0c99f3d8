/**
 * Secret fingerprints: a keyed HMAC of one secret value, computed by the server, so a client
 * can tell whether a secret changed since it last looked (configuration as code: drift), and
 * the configuration history can tell which versions hold the same secret, without the value
 * ever leaving the server or being kept. Without the key a fingerprint reveals nothing
 * offline: it cannot be checked against a guess.
 *
 * The key is PLUGFORM_FINGERPRINT_KEY when set; otherwise 32 random bytes kept in the secret
 * store itself (a reserved document, created once with check-and-set), so every replica that
 * shares the store shares the key, and it is as well protected as the secrets it fingerprints.
 *
 * Format: `hmac-sha256:<key id>:<128 bits, base64url>`. The key id tells fingerprints made with
 * another key (another server) apart: those are not comparable, never "changed". The instance
 * id is part of the input, so the same value in two instances has unrelated fingerprints.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { SecretStoreError, type SecretStore } from './secret-store.ts';

/** The secret store document that holds the key (ids of instances are UUIDs: no clash). */
export const FINGERPRINT_KEY_DOCUMENT = '_plugform-fingerprint-key';
const PREFIX = 'hmac-sha256';

export class SecretFingerprints {
  readonly #store: SecretStore;
  readonly #configured: Buffer | undefined;
  #key: Promise<{ key: Buffer; id: string }> | undefined;

  constructor(store: SecretStore, configuredKey?: Buffer) {
    this.#store = store;
    this.#configured = configuredKey;
  }

  /** The fingerprint of one secret value of one instance. */
  async of(instanceId: string, secretKey: string, value: string): Promise<string> {
    const { key, id } = await this.#resolveKey();
    const mac = createHmac('sha256', key).update(`plugform-fingerprint/1\0${instanceId}\0${secretKey}\0`).update(value, 'utf8').digest();
    return `${PREFIX}:${id}:${mac.subarray(0, 16).toString('base64url')}`;
  }

  /** The fingerprint of every secret in `values`, by key (the configuration history's record). */
  async ofAll(instanceId: string, values: Readonly<Record<string, string>>): Promise<Record<string, string>> {
    const entries = Object.entries(values);
    return Object.fromEntries(await Promise.all(entries.map(async ([key, value]) => [key, await this.of(instanceId, key, value)] as const)));
  }

  /** Loads (or creates) the key: at start-up, so the first save does not pay for it. */
  async prepare(): Promise<void> {
    await this.#resolveKey();
  }

  /** Whether a fingerprint was made with this server's key (else it cannot be compared). */
  async isComparable(fingerprint: string): Promise<boolean> {
    const { id } = await this.#resolveKey();
    return fingerprint.startsWith(`${PREFIX}:${id}:`);
  }

  #resolveKey(): Promise<{ key: Buffer; id: string }> {
    this.#key ??= (async () => {
      const key = this.#configured ?? (await this.#storedKey());
      return { key, id: createHmac('sha256', key).update('plugform-fingerprint-key-id').digest('hex').slice(0, 8) };
    })().catch((error: unknown) => {
      this.#key = undefined; // retried on the next call (e.g. Vault back from sealed)
      throw error;
    });
    return this.#key;
  }

  async #storedKey(): Promise<Buffer> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const document = await this.#store.read(FINGERPRINT_KEY_DOCUMENT);
      const text = document.values['key'];
      if (text) return Buffer.from(text, 'base64');
      try {
        const key = randomBytes(32);
        await this.#store.write(FINGERPRINT_KEY_DOCUMENT, { key: key.toString('base64') }, { cas: document.version });
        return key;
      } catch (error) {
        // Another replica created it first: read theirs.
        if (!(error instanceof SecretStoreError && error.code === 'conflict')) throw error;
      }
    }
    throw new SecretStoreError('conflict', 'The fingerprint key document kept changing; try again.');
  }
}
