import { readFileSync } from 'node:fs';
import { SecretStoreError, type SecretStore } from './secret-store.ts';
import { DEFAULT_KEPT_SECRET_VERSIONS, LocalSecretStore } from './local-store.ts';
import { normalizeVaultPath, VAULT_DEFAULTS, VaultSecretStore, type VaultSecretStoreOptions } from './vault-store.ts';
import type { VaultAuth } from './vault-session.ts';
import { errnoCode } from './atomic-file.ts';

export * from './secret-store.ts';
export { LocalSecretStore, createLocalSecretStore, type LocalSecretStoreOptions } from './local-store.ts';
export { VaultSecretStore, createVaultSecretStore, VAULT_DEFAULTS, type VaultSecretStoreOptions } from './vault-store.ts';
export type { VaultAuth } from './vault-session.ts';
export { parseSecretKey } from './local-key.ts';
export { assertInstanceId } from './instance-id.ts';

type Env = NodeJS.ProcessEnv | Record<string, string | undefined>;

export interface CreateSecretStoreOptions {
  /** PLUGFORM_DATA_DIR: the local store keeps `secret.key` and `secrets/` here. */
  dataDir: string;
  /** Operational notices (key file generated, token renewal trouble); never secrets. */
  log?: ((message: string) => void) | undefined;
}

/** Which secret store to open, and its settings. Holds credentials: never log it. */
export type SecretStoreSettings = { kind: 'local'; secretKey: string | undefined; keepVersions: number | undefined } | { kind: 'vault'; vault: VaultSecretStoreOptions };

/**
 * The secret store settings in `env` (PLUGFORM_SECRET_STORE: `local`, the default, or
 * `vault`), checked, so a typo fails at start-up with a message naming the variable.
 * server/config.ts reads them with every other setting.
 */
export function readSecretStoreSettings(env: Env): SecretStoreSettings {
  const kind = (value(env, 'PLUGFORM_SECRET_STORE') ?? 'local').toLowerCase();
  if (kind === 'local') return { kind, secretKey: value(env, 'PLUGFORM_SECRET_KEY'), keepVersions: readKeptVersions(env) };
  if (kind === 'vault') return { kind, vault: readVaultSettings(env) };
  throw new SecretStoreError('misconfigured', `PLUGFORM_SECRET_STORE must be "local" or "vault" (got "${kind}").`);
}

/** The configured secret store; call `check()` on it before serving to prove it usable. */
export function openSecretStore(settings: SecretStoreSettings, options: CreateSecretStoreOptions): SecretStore {
  if (settings.kind === 'local') return new LocalSecretStore({ dataDir: options.dataDir, secretKey: settings.secretKey, keepVersions: settings.keepVersions, log: options.log });
  return new VaultSecretStore({ ...settings.vault, log: options.log });
}

/** `openSecretStore` with the settings read from `env`. */
export function createSecretStore(env: Env, options: CreateSecretStoreOptions): SecretStore {
  return openSecretStore(readSecretStoreSettings(env), options);
}

/** The Vault settings in `env`, validated. Holds the credentials: never log the result. */
export function readVaultSettings(env: Env): VaultSecretStoreOptions {
  const addr = value(env, 'VAULT_ADDR');
  if (!addr) {
    throw new SecretStoreError('misconfigured', 'PLUGFORM_SECRET_STORE=vault needs VAULT_ADDR, the URL of the Vault server (e.g. https://vault.example.com:8200).');
  }
  let url: URL;
  try {
    url = new URL(addr);
  } catch {
    throw new SecretStoreError('misconfigured', `VAULT_ADDR "${addr}" is not a URL; use e.g. https://vault.example.com:8200.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new SecretStoreError('misconfigured', `VAULT_ADDR "${addr}" must start with https:// (or http:// for a local development server).`);
  }
  if (url.username || url.password) {
    throw new SecretStoreError('misconfigured', 'VAULT_ADDR must not contain credentials; use VAULT_TOKEN or VAULT_ROLE_ID/VAULT_SECRET_ID.');
  }

  const settings: VaultSecretStoreOptions = {
    addr: addr.replace(/\/+$/, ''),
    mount: normalizeVaultPath(value(env, 'VAULT_KV_MOUNT') ?? VAULT_DEFAULTS.mount, 'VAULT_KV_MOUNT'),
    prefix: normalizeVaultPath(value(env, 'VAULT_PATH_PREFIX') ?? VAULT_DEFAULTS.prefix, 'VAULT_PATH_PREFIX'),
    auth: readAuth(env),
    namespace: value(env, 'VAULT_NAMESPACE')?.replace(/^\/+|\/+$/g, '') || undefined,
    skipVerify: readBoolean(env, 'VAULT_SKIP_VERIFY'),
    timeoutMs: readTimeout(env),
  };
  const caFile = value(env, 'VAULT_CACERT');
  if (caFile) {
    try {
      settings.caCert = readFileSync(caFile);
    } catch (error) {
      throw new SecretStoreError('misconfigured', `VAULT_CACERT names ${caFile}, which cannot be read (${errnoCode(error)}); point it at the PEM file of the CA that signed Vault's certificate.`);
    }
  }
  return settings;
}

function readAuth(env: Env): VaultAuth {
  const roleId = value(env, 'VAULT_ROLE_ID');
  const secretId = value(env, 'VAULT_SECRET_ID');
  const mountRaw = value(env, 'VAULT_APPROLE_MOUNT');
  if (roleId || secretId) {
    // AppRole wins over a VAULT_TOKEN that may linger in the environment from an operator's shell.
    if (!roleId) throw new SecretStoreError('misconfigured', 'VAULT_SECRET_ID is set but VAULT_ROLE_ID is not; AppRole login needs both.');
    if (!secretId) throw new SecretStoreError('misconfigured', 'VAULT_ROLE_ID is set but VAULT_SECRET_ID is not; AppRole login needs both.');
    const mount = mountRaw ? normalizeVaultPath(mountRaw, 'VAULT_APPROLE_MOUNT') : undefined;
    return { method: 'approle', roleId, secretId, mount };
  }
  const token = value(env, 'VAULT_TOKEN');
  if (!token) {
    throw new SecretStoreError('misconfigured', 'PLUGFORM_SECRET_STORE=vault needs credentials: VAULT_TOKEN, or VAULT_ROLE_ID and VAULT_SECRET_ID for AppRole.');
  }
  return { method: 'token', token };
}

function readBoolean(env: Env, name: string): boolean {
  const raw = value(env, name)?.toLowerCase();
  if (raw === undefined || ['0', 'false', 'no', 'off'].includes(raw)) return false;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  throw new SecretStoreError('misconfigured', `${name} must be true or false (got "${raw}").`);
}

/** PLUGFORM_SECRET_VERSIONS: earlier versions of each instance's secrets the local store keeps. */
function readKeptVersions(env: Env): number {
  const raw = value(env, 'PLUGFORM_SECRET_VERSIONS');
  if (raw === undefined) return DEFAULT_KEPT_SECRET_VERSIONS;
  const count = Number(raw);
  if (!Number.isInteger(count) || count < 0 || count > 1000) {
    throw new SecretStoreError('misconfigured', `PLUGFORM_SECRET_VERSIONS must be a whole number between 0 and 1000 (got "${raw}").`);
  }
  return count;
}

function readTimeout(env: Env): number {
  const raw = value(env, 'VAULT_TIMEOUT_MS');
  if (raw === undefined) return VAULT_DEFAULTS.timeoutMs;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms < 100 || ms > 600_000) {
    throw new SecretStoreError('misconfigured', `VAULT_TIMEOUT_MS must be a whole number of milliseconds between 100 and 600000 (got "${raw}").`);
  }
  return ms;
}

/** A setting's value; empty and whitespace-only count as unset. */
function value(env: Env, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined) return undefined;
  const trimmed = raw.trim();
  return trimmed === '' ? undefined : trimmed;
}
