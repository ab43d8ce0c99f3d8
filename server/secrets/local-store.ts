import { randomUUID } from 'node:crypto';
import { copyFile, mkdir, readdir, readFile, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { SecretStoreError, type SecretDocument, type SecretStore } from './secret-store.ts';
import { assertCas, assertInstanceId, assertSecretValues } from './instance-id.ts';
import { errnoCode, isErrno, syncDir, TEMP_SUFFIX, writeFileAtomic } from './atomic-file.ts';
import { ALGORITHM, isSealedBox, keyId, open, seal, type SealedBox } from './local-crypto.ts';
import { createKeyFile, loadKeyFile, parseSecretKey, type KeySource } from './local-key.ts';
import { KeyedMutex } from './keyed-mutex.ts';

/**
 * The embedded secret store: one AES-256-GCM encrypted JSON file per instance under
 * `<dataDir>/secrets/`, never in the database. The key comes from PLUGFORM_SECRET_KEY or
 * from `<dataDir>/secret.key` (created with mode 0600 on first start).
 *
 * Layout of `<dataDir>`:
 *   secret.key                   base64 key (only when PLUGFORM_SECRET_KEY is not set)
 *   secrets/.key-check.json      a known marker encrypted with the key: proves at start-up
 *                                that the key is the one the secrets were written with
 *   secrets/.store-id            a random id naming this store (see `identity()`)
 *   secrets/<instanceId>.json    { format, alg, instanceId, version, keyId, iv, tag, ciphertext }
 *   secrets/<instanceId>.v<N>.json  an earlier version, the same document (the last `keepVersions`
 *                                are kept for rollbacks; a delete removes them all)
 *
 * Concurrency: writes and deletes of one instance are serialized within the process and
 * checked against `cas`. One Plugform process per data dir (as for the embedded database).
 */

export interface LocalSecretStoreOptions {
  dataDir: string;
  /** The PLUGFORM_SECRET_KEY value (base64 or 64 hex); without it the key file is used. */
  secretKey?: string | undefined;
  /** Operational notices (never secret): e.g. that a new key file was generated. */
  log?: ((message: string) => void) | undefined;
  /** How many earlier versions of each instance's secrets are kept for rollbacks (default 10). */
  keepVersions?: number | undefined;
}

export const DEFAULT_KEPT_SECRET_VERSIONS = 10;

const FORMAT = 'plugform-secret/1';
const CHECK_FORMAT = 'plugform-key-check/1';
const CHECK_FILE = '.key-check.json';
const CHECK_MARKER = 'plugform secret key check';
const STORE_ID_FILE = '.store-id';

interface StoredDocument extends SealedBox {
  format: typeof FORMAT;
  alg: typeof ALGORITHM;
  instanceId: string;
  version: number;
  keyId: string;
}

interface CheckDocument extends SealedBox {
  format: typeof CHECK_FORMAT;
  alg: typeof ALGORITHM;
  keyId: string;
}

/**
 * AAD binds a ciphertext to its instance and version: a file copied over another instance's
 * (or an edited version number, which would defeat cas) fails authentication.
 */
function documentAad(instanceId: string, version: number): Buffer {
  return Buffer.from(`${FORMAT}\0${instanceId}\0${version}`, 'utf8');
}

const CHECK_AAD = Buffer.from(CHECK_FORMAT, 'utf8');

interface Ready {
  key: Buffer;
  keyId: string;
}

export class LocalSecretStore implements SecretStore {
  readonly kind = 'local' as const;
  readonly dataDir: string;
  readonly secretsDir: string;
  readonly keyFile: string;
  readonly #secretKey: string | undefined;
  readonly #log: (message: string) => void;
  readonly #mutex = new KeyedMutex();
  readonly #keepVersions: number;
  #ready: Promise<Ready> | undefined;

  constructor(options: LocalSecretStoreOptions) {
    this.dataDir = options.dataDir;
    this.secretsDir = join(options.dataDir, 'secrets');
    this.keyFile = join(options.dataDir, 'secret.key');
    this.#secretKey = options.secretKey === undefined || options.secretKey.trim() === '' ? undefined : options.secretKey;
    this.#log = options.log ?? (() => undefined);
    this.#keepVersions = options.keepVersions ?? DEFAULT_KEPT_SECRET_VERSIONS;
    // Parse the environment key right away: a malformed PLUGFORM_SECRET_KEY is a start-up error.
    if (this.#secretKey !== undefined) parseSecretKey(this.#secretKey, 'PLUGFORM_SECRET_KEY');
  }

  /** Resolves the key and proves it matches the stored secrets; run once, shared by every call. */
  check(): Promise<void> {
    return this.#ensureReady().then(() => undefined);
  }

  /**
   * Which store this is: its random store id (created on first use) and its key's id. Two
   * replicas with different data dirs, or one data dir under two keys, have different
   * identities; the server records the first one in the database (secrets/binding.ts).
   */
  async identity(): Promise<{ identity: string; location: string }> {
    const { keyId: key } = await this.#ensureReady();
    const path = join(this.secretsDir, STORE_ID_FILE);
    let storeId = (await readFile(path, 'utf8').catch(() => '')).trim();
    if (!storeId) {
      storeId = randomUUID();
      try {
        await writeFileAtomic(path, `${storeId}\n`, 0o600);
      } catch (error) {
        throw new SecretStoreError('io', `Cannot write ${path} (${errnoCode(error)}), which names this secret store.`);
      }
    }
    return { identity: `${storeId}/${key}`, location: `${hostname()}:${this.dataDir}` };
  }

  async read(instanceId: string): Promise<SecretDocument> {
    assertInstanceId(instanceId);
    const { key } = await this.#ensureReady();
    const stored = await this.#readStored(instanceId);
    if (!stored) return { values: {}, version: 0 };
    return this.#decrypt(key, instanceId, stored);
  }

  async readVersion(instanceId: string, version: number): Promise<SecretDocument | undefined> {
    assertInstanceId(instanceId);
    assertCas(version);
    const { key } = await this.#ensureReady();
    const current = await this.#readStored(instanceId);
    if (current?.version === version) return this.#decrypt(key, instanceId, current);
    const earlier = await this.#readStored(instanceId, this.#versionPath(instanceId, version));
    // The AAD names the version: a file renamed to another version number fails to open.
    return earlier?.version === version ? this.#decrypt(key, instanceId, earlier) : undefined;
  }

  #decrypt(key: Buffer, instanceId: string, stored: StoredDocument): SecretDocument {
    const plaintext = open(key, stored, documentAad(instanceId, stored.version));
    if (!plaintext) throw this.#corrupt(instanceId, 'failed its integrity check');
    let values: unknown;
    try {
      values = JSON.parse(plaintext.toString('utf8'));
    } catch {
      values = undefined;
    }
    if (!isStringMap(values)) throw this.#corrupt(instanceId, 'holds an unexpected document');
    return { values, version: stored.version };
  }

  async write(instanceId: string, values: Record<string, string>, options: { cas: number }): Promise<number> {
    assertInstanceId(instanceId);
    assertSecretValues(values);
    assertCas(options.cas);
    const ready = await this.#ensureReady();
    return this.#mutex.run(instanceId, async () => {
      const current = (await this.#readStored(instanceId))?.version ?? 0;
      if (options.cas !== current) {
        throw new SecretStoreError(
          'conflict',
          `The secrets of instance ${instanceId} changed since they were read (stored version ${current}, ` +
            `expected ${options.cas}); read them again and retry.`,
        );
      }
      const version = current + 1;
      const box = seal(ready.key, Buffer.from(JSON.stringify(values), 'utf8'), documentAad(instanceId, version));
      const stored: StoredDocument = { format: FORMAT, alg: ALGORITHM, instanceId, version, keyId: ready.keyId, ...box };
      const path = this.#pathOf(instanceId);
      try {
        // The version replaced stays readable for rollbacks, as its own file.
        if (current > 0 && this.#keepVersions > 0) await copyFile(path, this.#versionPath(instanceId, current));
        await writeFileAtomic(path, `${JSON.stringify(stored)}\n`, 0o600);
      } catch (error) {
        throw new SecretStoreError('io', `Cannot write the secrets file ${path} (${errnoCode(error)}); nothing was changed.`);
      }
      await this.#pruneVersions(instanceId, version);
      return version;
    });
  }

  async delete(instanceId: string): Promise<void> {
    assertInstanceId(instanceId);
    await this.#ensureReady();
    await this.#mutex.run(instanceId, async () => {
      const path = this.#pathOf(instanceId);
      try {
        for (const version of await this.#keptVersions(instanceId)) await unlink(this.#versionPath(instanceId, version));
        await unlink(path);
        await syncDir(this.secretsDir);
      } catch (error) {
        if (isErrno(error, 'ENOENT')) return;
        throw new SecretStoreError('io', `Cannot delete the secrets file ${path} (${errnoCode(error)}).`);
      }
    });
  }

  async close(): Promise<void> {
    await this.#mutex.idle();
  }

  #pathOf(instanceId: string): string {
    return join(this.secretsDir, `${instanceId}.json`);
  }

  #versionPath(instanceId: string, version: number): string {
    return join(this.secretsDir, `${instanceId}.v${version}.json`);
  }

  /** The earlier versions of an instance kept on disk, oldest first. */
  async #keptVersions(instanceId: string): Promise<number[]> {
    const prefix = `${instanceId}.v`;
    const names = await readdir(this.secretsDir).catch(() => [] as string[]);
    return names
      .filter((name) => name.startsWith(prefix) && /^\d+\.json$/.test(name.slice(prefix.length)))
      .map((name) => Number(name.slice(prefix.length, -'.json'.length)))
      .sort((a, b) => a - b);
  }

  /** Keeps the last `keepVersions` earlier versions; a failure only leaves an extra file. */
  async #pruneVersions(instanceId: string, current: number): Promise<void> {
    const kept = (await this.#keptVersions(instanceId)).filter((version) => version < current);
    for (const version of kept.slice(0, Math.max(0, kept.length - this.#keepVersions))) {
      await unlink(this.#versionPath(instanceId, version)).catch(() => undefined);
    }
  }

  #ensureReady(): Promise<Ready> {
    if (!this.#ready) {
      this.#ready = this.#prepare();
      // A failed start-up check is retried on the next call (e.g. after the key was restored).
      this.#ready.catch(() => {
        this.#ready = undefined;
      });
    }
    return this.#ready;
  }

  async #prepare(): Promise<Ready> {
    try {
      await mkdir(this.secretsDir, { recursive: true, mode: 0o700 });
    } catch (error) {
      throw new SecretStoreError('io', `Cannot create the secrets directory ${this.secretsDir} (${errnoCode(error)}).`);
    }
    await this.#sweepTempFiles();
    const check = await this.#readCheckFile();
    const { key, source } = await this.#resolveKey(check !== undefined);
    const id = keyId(key);

    if (check) {
      if (!open(key, check, CHECK_AAD)) throw this.#mismatch(source, id, check.keyId);
      return { key, keyId: id };
    }
    // No check file yet: a fresh data dir, or one whose check file was lost. If any stored
    // secret opens with this key, the key is right; if none does, refuse.
    const stored = await this.#listInstanceIds();
    if (stored.length > 0) {
      let opened = false;
      let storedKeyId: string | undefined;
      for (const instanceId of stored) {
        const doc = await this.#readStored(instanceId).catch(() => undefined);
        if (!doc) continue;
        storedKeyId ??= doc.keyId;
        if (open(key, doc, documentAad(instanceId, doc.version))) {
          opened = true;
          break;
        }
      }
      if (!opened) throw this.#mismatch(source, id, storedKeyId);
    }
    await this.#writeCheckFile(key, id);
    return { key, keyId: id };
  }

  async #resolveKey(hasData: boolean): Promise<{ key: Buffer; source: KeySource }> {
    if (this.#secretKey !== undefined) {
      return { key: parseSecretKey(this.#secretKey, 'PLUGFORM_SECRET_KEY'), source: { kind: 'env' } };
    }
    const existing = await loadKeyFile(this.keyFile);
    if (existing) return { key: existing, source: { kind: 'file', path: this.keyFile, created: false } };
    const hasSecrets = hasData || (await this.#listInstanceIds()).length > 0;
    if (hasSecrets) {
      // Generating a fresh key here would only bury the real problem under a second key.
      throw new SecretStoreError(
        'key_mismatch',
        `The secret key file ${this.keyFile} is missing, but ${this.secretsDir} holds secrets encrypted with a key; ` +
          `restore secret.key from a backup (or set PLUGFORM_SECRET_KEY to the original key) and start again.`,
      );
    }
    const { key, created } = await createKeyFile(this.keyFile);
    if (created) {
      this.#log(`Generated a new secret key in ${this.keyFile} (mode 0600). Back it up: without it the stored secrets cannot be read.`);
    }
    return { key, source: { kind: 'file', path: this.keyFile, created } };
  }

  #mismatch(source: KeySource, actualId: string, expectedId: string | undefined): SecretStoreError {
    const which = source.kind === 'env' ? 'PLUGFORM_SECRET_KEY' : `The key in ${source.path}`;
    const ids = expectedId ? ` (the secrets need key id ${expectedId}; this key's id is ${actualId})` : ` (this key's id is ${actualId})`;
    return new SecretStoreError(
      'key_mismatch',
      `${which} does not match the key the secrets in ${this.secretsDir} were encrypted with${ids}; ` +
        `restore the original key (PLUGFORM_SECRET_KEY or ${this.keyFile}) and start again. ` +
        `Do not delete the secrets: without the original key they cannot be recovered, only re-entered.`,
    );
  }

  #corrupt(instanceId: string, what: string): SecretStoreError {
    return new SecretStoreError(
      'corrupt',
      `The secrets file ${this.#pathOf(instanceId)} ${what}: it was modified, damaged, or copied from another instance. ` +
        `Restore it from a backup, or delete it and enter the instance's secrets again.`,
    );
  }

  async #readStored(instanceId: string, path = this.#pathOf(instanceId)): Promise<StoredDocument | undefined> {
    let text;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if (isErrno(error, 'ENOENT')) return undefined;
      throw new SecretStoreError('io', `Cannot read the secrets file ${path} (${errnoCode(error)}).`);
    }
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      throw this.#corrupt(instanceId, 'is not valid JSON');
    }
    if (!isStoredDocument(doc)) throw this.#corrupt(instanceId, 'is not a Plugform secrets file');
    return doc;
  }

  async #readCheckFile(): Promise<CheckDocument | undefined> {
    const path = join(this.secretsDir, CHECK_FILE);
    let text;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if (isErrno(error, 'ENOENT')) return undefined;
      throw new SecretStoreError('io', `Cannot read the key check file ${path} (${errnoCode(error)}).`);
    }
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      doc = undefined;
    }
    if (!isSealedBox(doc) || (doc as Partial<CheckDocument>).format !== CHECK_FORMAT) {
      throw new SecretStoreError(
        'corrupt',
        `The key check file ${path} is damaged; restore it from a backup (or delete it if you are sure the configured key is the right one).`,
      );
    }
    return doc as CheckDocument;
  }

  async #writeCheckFile(key: Buffer, id: string): Promise<void> {
    const path = join(this.secretsDir, CHECK_FILE);
    const box = seal(key, Buffer.from(CHECK_MARKER, 'utf8'), CHECK_AAD);
    const doc: CheckDocument = { format: CHECK_FORMAT, alg: ALGORITHM, keyId: id, ...box };
    try {
      await writeFileAtomic(path, `${JSON.stringify(doc)}\n`, 0o600);
    } catch (error) {
      throw new SecretStoreError('io', `Cannot write the key check file ${path} (${errnoCode(error)}).`);
    }
  }

  async #listInstanceIds(): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.secretsDir);
    } catch (error) {
      if (isErrno(error, 'ENOENT')) return [];
      throw new SecretStoreError('io', `Cannot list the secrets directory ${this.secretsDir} (${errnoCode(error)}).`);
    }
    return names.filter((name) => /^[A-Za-z0-9_-]{1,128}\.json$/.test(name)).map((name) => name.slice(0, -'.json'.length));
  }

  /** Temp files are only left by a crash mid-write; the renamed-in file is the truth. */
  async #sweepTempFiles(): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.secretsDir);
    } catch {
      return;
    }
    await Promise.all(
      names
        .filter((name) => name.startsWith('.') && name.endsWith(TEMP_SUFFIX))
        .map((name) => unlink(join(this.secretsDir, name)).catch(() => undefined)),
    );
  }
}

function isStringMap(value: unknown): value is Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  return Object.values(value).every((v) => typeof v === 'string');
}

function isStoredDocument(value: unknown): value is StoredDocument {
  if (!isSealedBox(value)) return false;
  const v = value as unknown as Record<string, unknown>;
  return (
    v.format === FORMAT &&
    typeof v.instanceId === 'string' &&
    typeof v.keyId === 'string' &&
    typeof v.version === 'number' &&
    Number.isSafeInteger(v.version) &&
    v.version > 0
  );
}

export function createLocalSecretStore(options: LocalSecretStoreOptions): LocalSecretStore {
  return new LocalSecretStore(options);
}
