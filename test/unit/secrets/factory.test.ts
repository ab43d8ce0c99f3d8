import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSecretStore, LocalSecretStore, readVaultSettings, SecretStoreError, VaultSecretStore } from '../../../server/secrets/index.ts';
import { startVaultDouble } from '../../support/vault-double.ts';
import { tempDir } from './harness.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

function expectMisconfigured(fn: () => unknown, pattern: RegExp): void {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(SecretStoreError);
  expect((error as SecretStoreError).code).toBe('misconfigured');
  expect((error as Error).message).toMatch(pattern);
}

describe('createSecretStore', () => {
  it('defaults to the local store in the data dir', async () => {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const store = createSecretStore({}, { dataDir: dir });
    expect(store).toBeInstanceOf(LocalSecretStore);
    expect(store.kind).toBe('local');
    expect((store as LocalSecretStore).secretsDir).toBe(join(dir, 'secrets'));
    expect(createSecretStore({ PLUGFORM_SECRET_STORE: ' Local ' }, { dataDir: dir }).kind).toBe('local');
  });

  it('passes PLUGFORM_SECRET_KEY to the local store and rejects a malformed one at once', async () => {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const store = createSecretStore({ PLUGFORM_SECRET_KEY: randomBytes(32).toString('base64') }, { dataDir: dir });
    await store.write('inst-1', { a: '1' }, { cas: 0 });
    expectMisconfigured(() => createSecretStore({ PLUGFORM_SECRET_KEY: 'hunter2' }, { dataDir: dir }), /PLUGFORM_SECRET_KEY must hold a 32-byte key/);
  });

  it('rejects an unknown store name', () => {
    expectMisconfigured(() => createSecretStore({ PLUGFORM_SECRET_STORE: 'aws' }, { dataDir: '/tmp' }), /PLUGFORM_SECRET_STORE must be "local" or "vault" \(got "aws"\)/);
  });

  it('vault: needs VAULT_ADDR as an http(s) URL', () => {
    expectMisconfigured(() => createSecretStore({ PLUGFORM_SECRET_STORE: 'vault', VAULT_TOKEN: 't' }, { dataDir: '/tmp' }), /needs VAULT_ADDR/);
    expectMisconfigured(() => createSecretStore({ PLUGFORM_SECRET_STORE: 'vault', VAULT_ADDR: 'vault:8200', VAULT_TOKEN: 't' }, { dataDir: '/tmp' }), /must start with https:\/\//);
    expectMisconfigured(() => createSecretStore({ PLUGFORM_SECRET_STORE: 'vault', VAULT_ADDR: 'not a url', VAULT_TOKEN: 't' }, { dataDir: '/tmp' }), /is not a URL/);
  });

  it('vault: needs VAULT_TOKEN or both AppRole ids', () => {
    const base = { PLUGFORM_SECRET_STORE: 'vault', VAULT_ADDR: 'https://vault:8200' };
    expectMisconfigured(() => readVaultSettings(base), /needs credentials: VAULT_TOKEN, or VAULT_ROLE_ID and VAULT_SECRET_ID/);
    expectMisconfigured(() => readVaultSettings({ ...base, VAULT_ROLE_ID: 'r' }), /VAULT_ROLE_ID is set but VAULT_SECRET_ID is not/);
    expectMisconfigured(() => readVaultSettings({ ...base, VAULT_SECRET_ID: 's' }), /VAULT_SECRET_ID is set but VAULT_ROLE_ID is not/);
    expect(readVaultSettings({ ...base, VAULT_TOKEN: 't' }).auth).toEqual({ method: 'token', token: 't' });
    expect(readVaultSettings({ ...base, VAULT_TOKEN: 't', VAULT_ROLE_ID: 'r', VAULT_SECRET_ID: 's', VAULT_APPROLE_MOUNT: 'ci' }).auth).toEqual({
      method: 'approle',
      roleId: 'r',
      secretId: 's',
      mount: 'ci',
    });
  });

  it('vault: defaults, and validation of mount, prefix, timeout, skip-verify and CA file', async () => {
    const base = { VAULT_ADDR: 'https://vault:8200/', VAULT_TOKEN: 't' };
    expect(readVaultSettings(base)).toMatchObject({ addr: 'https://vault:8200', mount: 'secret', prefix: 'plugform/instances', timeoutMs: 5000, skipVerify: false, namespace: undefined });
    expect(readVaultSettings({ ...base, VAULT_NAMESPACE: '/team-a/', VAULT_TIMEOUT_MS: '1500', VAULT_SKIP_VERIFY: 'true' })).toMatchObject({ namespace: 'team-a', timeoutMs: 1500, skipVerify: true });
    expectMisconfigured(() => readVaultSettings({ ...base, VAULT_KV_MOUNT: '../sys' }), /VAULT_KV_MOUNT "..\/sys" is not a valid Vault path/);
    expectMisconfigured(() => readVaultSettings({ ...base, VAULT_PATH_PREFIX: 'a//b' }), /VAULT_PATH_PREFIX/);
    expectMisconfigured(() => readVaultSettings({ ...base, VAULT_TIMEOUT_MS: '5s' }), /VAULT_TIMEOUT_MS must be a whole number of milliseconds/);
    expectMisconfigured(() => readVaultSettings({ ...base, VAULT_SKIP_VERIFY: 'maybe' }), /VAULT_SKIP_VERIFY must be true or false/);
    expectMisconfigured(() => readVaultSettings({ ...base, VAULT_CACERT: '/nonexistent/ca.pem' }), /VAULT_CACERT names \/nonexistent\/ca.pem, which cannot be read \(ENOENT\)/);
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    await writeFile(join(dir, 'ca.pem'), '-----BEGIN CERTIFICATE-----\n');
    expect(readVaultSettings({ ...base, VAULT_CACERT: join(dir, 'ca.pem') }).caCert).toBeInstanceOf(Buffer);
  });

  it('vault: builds a working store from the environment alone', async () => {
    const vault = await startVaultDouble();
    cleanups.push(() => vault.close());
    const creds = vault.addAppRole({ tokenTtl: 60 });
    const store = createSecretStore(
      { PLUGFORM_SECRET_STORE: 'vault', VAULT_ADDR: vault.url, VAULT_ROLE_ID: creds.roleId, VAULT_SECRET_ID: creds.secretId, VAULT_KV_MOUNT: 'secret' },
      { dataDir: '/nonexistent' },
    );
    cleanups.push(async () => store.close?.());
    expect(store).toBeInstanceOf(VaultSecretStore);
    await store.check();
    expect(await store.write('inst-1', { a: '1' }, { cas: 0 })).toBe(1);
    expect(await store.read('inst-1')).toEqual({ values: { a: '1' }, version: 1 });
  });
});
