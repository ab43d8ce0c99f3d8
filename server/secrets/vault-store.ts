import { SecretStoreError, type SecretDocument, type SecretStore } from './secret-store.ts';
import { assertCas, assertInstanceId, assertSecretValues } from './instance-id.ts';
import { httpFailure, isCasMismatch, isNoRoute, isVaultJson, toStoreError, type VaultCallContext } from './vault-errors.ts';
import { VaultSession, type ScheduleRenewal, type VaultAuth } from './vault-session.ts';
import { VaultTransport } from './vault-transport.ts';

/**
 * Secrets in HashiCorp Vault's KV version 2 engine: one document per instance at
 * `<mount>/data/<prefix>/<instanceId>`; a save is one write with check-and-set (`cas`), a
 * delete removes the metadata and with it every version.
 *
 * The policy Plugform's token needs (mount `secret`, prefix `plugform/instances`):
 *   path "secret/data/plugform/instances/*"     { capabilities = ["create", "read", "update"] }
 *   path "secret/metadata/plugform/instances/*" { capabilities = ["delete"] }
 */

export interface VaultSecretStoreOptions {
  /** VAULT_ADDR, e.g. https://vault.example.com:8200 */
  addr: string;
  /** VAULT_KV_MOUNT: the KV v2 mount (default `secret`). */
  mount?: string | undefined;
  /** VAULT_PATH_PREFIX: where instance documents live inside the mount (default `plugform/instances`). */
  prefix?: string | undefined;
  auth: VaultAuth;
  /** VAULT_NAMESPACE (Vault Enterprise / HCP), sent as X-Vault-Namespace. */
  namespace?: string | undefined;
  /** VAULT_CACERT's PEM content. */
  caCert?: string | Buffer | undefined;
  /** VAULT_SKIP_VERIFY: do not verify Vault's TLS certificate (development only). */
  skipVerify?: boolean | undefined;
  /** VAULT_TIMEOUT_MS: limit for every call to Vault (default 5000). */
  timeoutMs?: number | undefined;
  /** Fraction of a token's lease after which it is renewed (default 2/3). */
  renewFraction?: number | undefined;
  /** Where token renewals are scheduled (default: an unref'd `setTimeout`); see VaultSessionOptions. */
  schedule?: ScheduleRenewal | undefined;
  /** Operational notices (renewal trouble); never contain secrets or tokens. */
  log?: ((message: string) => void) | undefined;
}

export const VAULT_DEFAULTS = {
  mount: 'secret',
  prefix: 'plugform/instances',
  timeoutMs: 5000,
} as const;

/** Path segments an admin may configure: no empty, `.` or `..` segments, no URL metacharacters. */
const PATH_SEGMENT = /^[A-Za-z0-9_.-]+$/;

export function normalizeVaultPath(value: string, setting: string): string {
  const trimmed = value.trim().replace(/^\/+|\/+$/g, '');
  const segments = trimmed.split('/');
  if (trimmed === '' || segments.some((s) => !PATH_SEGMENT.test(s) || s === '.' || s === '..')) {
    throw new SecretStoreError(
      'misconfigured',
      `${setting} "${value}" is not a valid Vault path: use segments of letters, digits, "_", "-" and "." separated by "/".`,
    );
  }
  return segments.join('/');
}

/** The document check() reads to prove the mount and policy work; never a valid instance id. */
const PROBE = '.plugform-check';

export class VaultSecretStore implements SecretStore {
  readonly kind = 'vault' as const;
  readonly mount: string;
  readonly prefix: string;
  readonly #transport: VaultTransport;
  readonly #session: VaultSession;

  constructor(options: VaultSecretStoreOptions) {
    this.mount = normalizeVaultPath(options.mount ?? VAULT_DEFAULTS.mount, 'VAULT_KV_MOUNT');
    this.prefix = normalizeVaultPath(options.prefix ?? VAULT_DEFAULTS.prefix, 'VAULT_PATH_PREFIX');
    this.#transport = new VaultTransport({
      addr: options.addr,
      namespace: options.namespace,
      caCert: options.caCert,
      skipVerify: options.skipVerify,
      timeoutMs: options.timeoutMs ?? VAULT_DEFAULTS.timeoutMs,
    });
    this.#session = new VaultSession({
      transport: this.#transport,
      auth: options.auth,
      renewFraction: options.renewFraction,
      schedule: options.schedule,
      log: options.log ?? ((message) => console.warn(`[secrets/vault] ${message}`)),
    });
  }

  /**
   * Vault reachable and unsealed (sys/health), credentials valid (login / lookup-self), and
   * the KV v2 mount present and readable under the prefix (a read of a probe document).
   */
  async check(): Promise<void> {
    let health: unknown;
    try {
      health = await this.#transport.health();
    } catch (error) {
      throw toStoreError(error, this.#ctx('health check', 'sys/health'));
    }
    const h = (typeof health === 'object' && health !== null ? health : {}) as { sealed?: unknown; initialized?: unknown };
    if (typeof h.initialized !== 'boolean') {
      throw new SecretStoreError(
        'misconfigured',
        `${this.#transport.addr} does not answer sys/health like Vault: check that VAULT_ADDR points at the Vault server itself (scheme, host, port, no path).`,
      );
    }
    if (h.sealed === true) {
      throw new SecretStoreError('sealed', `Vault at ${this.#transport.addr} is sealed; unseal it (\`vault operator unseal\`) and start again.`);
    }
    if (h.initialized === false) {
      throw new SecretStoreError('misconfigured', `Vault at ${this.#transport.addr} is not initialized; run \`vault operator init\` (and unseal it) first.`);
    }
    await this.#session.verify();
    await this.#readAt(`${this.prefix}/${PROBE}`, 'check of the KV v2 mount');
  }

  async read(instanceId: string): Promise<SecretDocument> {
    assertInstanceId(instanceId);
    const { values, version } = await this.#readAt(this.#docPath(instanceId), `read of the secrets of instance ${instanceId}`);
    return { values, version };
  }

  async readVersion(instanceId: string, version: number): Promise<SecretDocument | undefined> {
    assertInstanceId(instanceId);
    assertCas(version);
    if (version === 0) return undefined;
    const document = await this.#readAt(this.#docPath(instanceId), `read of version ${version} of the secrets of instance ${instanceId}`, version);
    // Pruned past max_versions, deleted or destroyed: Vault answers 404 (version 0 here).
    return document.version === version && !document.unreadable ? { values: document.values, version } : undefined;
  }

  async write(instanceId: string, values: Record<string, string>, options: { cas: number }): Promise<number> {
    assertInstanceId(instanceId);
    assertSecretValues(values);
    assertCas(options.cas);
    const path = `${this.mount}/data/${this.#docPath(instanceId)}`;
    const ctx = this.#ctx(`write of the secrets of instance ${instanceId}`, path, Object.values(values));
    // cas 0 = "only if it does not exist yet": Vault's own check-and-set semantics.
    const body = await this.#call(ctx, (token) => this.#transport.post(path, { options: { cas: options.cas }, data: values }, token), (failure) => {
      if (isCasMismatch(failure)) {
        return new SecretStoreError(
          'conflict',
          `The secrets of instance ${instanceId} changed since they were read (Vault's check-and-set refused version ${options.cas}); read them again and retry.`,
        );
      }
      return undefined;
    });
    const version = (body as { data?: { version?: unknown } } | undefined)?.data?.version;
    if (typeof version !== 'number') {
      // KV v1 answers a write with 204 and no body: the data went to a plain path, unversioned.
      throw new SecretStoreError(
        'misconfigured',
        `Vault's answer to the write at ${path} has no version: VAULT_KV_MOUNT "${this.mount}" looks like a KV version 1 mount. ` +
          `Plugform needs KV version 2 (versions and check-and-set): \`vault secrets enable -path=<mount> kv-v2\` or \`vault kv enable-versioning ${this.mount}/\`.`,
      );
    }
    return version;
  }

  async delete(instanceId: string): Promise<void> {
    assertInstanceId(instanceId);
    // metadata/ (not data/): removes every version and the key itself, not just the latest.
    const path = `${this.mount}/metadata/${this.#docPath(instanceId)}`;
    await this.#call(this.#ctx(`delete of the secrets of instance ${instanceId}`, path), (token) => this.#transport.delete(path, token), (failure) =>
      failure.status === 404 && !isNoRoute(failure) && isVaultJson(failure.body) ? null : undefined,
    );
  }

  async close(): Promise<void> {
    this.#session.close();
  }

  #docPath(instanceId: string): string {
    return `${this.prefix}/${instanceId}`;
  }

  async #readAt(docPath: string, op: string, atVersion?: number): Promise<SecretDocument & { unreadable?: true }> {
    const path = `${this.mount}/data/${docPath}`;
    let missing: (SecretDocument & { unreadable?: true }) | undefined;
    const query = atVersion === undefined ? '' : `?version=${atVersion}`;
    const body = await this.#call(this.#ctx(op, path), (token) => this.#transport.get(`${path}${query}`, token), (failure) => {
      if (failure.status !== 404 || isNoRoute(failure) || !isVaultJson(failure.body)) return undefined;
      // 404 with metadata: the latest version was soft-deleted (or destroyed) by someone
      // else. Nothing readable, but the next write must name that version in `cas`.
      const version = (failure.body as { data?: { metadata?: { version?: unknown } } } | undefined)?.data?.metadata?.version;
      missing = { values: {}, version: typeof version === 'number' ? version : 0, unreadable: true };
      return null;
    });
    if (missing) return missing;
    const data = (body as { data?: { data?: unknown; metadata?: { version?: unknown } } } | undefined)?.data;
    const version = data?.metadata?.version;
    if (typeof version !== 'number' || typeof data?.data !== 'object' || data.data === null) {
      throw new SecretStoreError(
        'misconfigured',
        `Vault's answer to the read at ${path} is not a KV version 2 document: check that VAULT_KV_MOUNT "${this.mount}" is a KV v2 mount.`,
      );
    }
    return { values: toStringMap(data.data as Record<string, unknown>), version };
  }

  /**
   * One authenticated call with Plugform's error mapping. `special` may claim a failure:
   * a SecretStoreError to throw, null to treat it as success (resolves undefined), or
   * undefined to fall through to the general mapping. A 403 with AppRole logs in once more
   * and retries: the token may have been revoked or expired under us.
   */
  async #call(
    ctx: VaultCallContext,
    send: (token: string) => Promise<unknown>,
    special: (failure: NonNullable<ReturnType<typeof httpFailure>>) => SecretStoreError | null | undefined = () => undefined,
  ): Promise<unknown> {
    let retried = false;
    for (;;) {
      let token: string;
      try {
        token = await this.#session.token();
      } catch (error) {
        throw toStoreError(error, ctx);
      }
      try {
        return await send(token);
      } catch (error) {
        const failure = httpFailure(error);
        if (failure) {
          const claimed = special(failure);
          if (claimed === null) return undefined;
          if (claimed) throw claimed;
          if (failure.status === 403 && this.#session.canRelogin && !retried) {
            retried = true;
            try {
              await this.#session.relogin(token);
            } catch (loginError) {
              throw toStoreError(loginError, ctx);
            }
            continue;
          }
        }
        throw toStoreError(error, ctx);
      }
    }
  }

  #ctx(op: string, path: string, redact?: readonly string[]): VaultCallContext {
    const prefixPolicy = `"${this.mount}/data/${this.prefix}/*" (create, read, update) and "${this.mount}/metadata/${this.prefix}/*" (delete)`;
    return {
      op,
      path,
      addr: this.#transport.addr,
      namespace: this.#transport.namespace,
      timeoutMs: this.#transport.timeoutMs,
      forbiddenHint:
        `${this.#session.credentialsHint} lacks this path. Check the credentials, and that the policy grants ${prefixPolicy}` +
        ` — and that ${this.#transport.namespace ? `VAULT_KV_MOUNT="${this.mount}" and VAULT_NAMESPACE="${this.#transport.namespace}" are` : `VAULT_KV_MOUNT="${this.mount}" is`} right (Vault also answers 403 for a mount the policy does not name).`,
      noRouteHint:
        `no KV v2 mount "${this.mount}" exists${this.#transport.namespace ? ` in namespace "${this.#transport.namespace}"` : ''}. ` +
        `Set VAULT_KV_MOUNT to an existing KV version 2 mount, or create it: \`vault secrets enable -path=${this.mount} kv-v2\`.`,
      redact,
    };
  }
}

/** KV v2 values can be any JSON; Plugform's documents are strings, anything else is kept as JSON text. */
function toStringMap(data: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(data)) out[key] = typeof value === 'string' ? value : JSON.stringify(value);
  return out;
}

export function createVaultSecretStore(options: VaultSecretStoreOptions): VaultSecretStore {
  return new VaultSecretStore(options);
}
