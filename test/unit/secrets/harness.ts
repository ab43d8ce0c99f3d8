import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { expect } from 'vitest';
import { LocalSecretStore, SecretStoreError, VaultSecretStore, type SecretStore, type VaultSecretStoreOptions } from '../../../server/secrets/index.ts';
import { startVaultDouble, type VaultDouble } from '../../support/vault-double.ts';

/** A value that must never show up in clear anywhere but a read() result. */
export const CANARY = 'canary-7f3a9c-do-not-leak';

export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'plugform-secrets-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export interface LocalFixture {
  store: LocalSecretStore;
  dataDir: string;
  cleanup: () => Promise<void>;
}

export async function localFixture(secretKey?: string): Promise<LocalFixture> {
  const { dir, cleanup } = await tempDir();
  const store = new LocalSecretStore({ dataDir: dir, secretKey });
  return {
    store,
    dataDir: dir,
    cleanup: async () => {
      await store.close();
      await cleanup();
    },
  };
}

export interface VaultFixture {
  store: VaultSecretStore;
  vault: VaultDouble;
  logs: string[];
  cleanup: () => Promise<void>;
}

export async function vaultFixture(options: Partial<VaultSecretStoreOptions> = {}, vault?: VaultDouble): Promise<VaultFixture> {
  const double = vault ?? (await startVaultDouble());
  const logs: string[] = [];
  const store = new VaultSecretStore({
    addr: double.url,
    auth: { method: 'token', token: double.rootToken },
    timeoutMs: 2000,
    log: (message) => logs.push(message),
    ...options,
  });
  return {
    store,
    vault: double,
    logs,
    cleanup: async () => {
      await store.close();
      await double.close();
    },
  };
}

/** Rejects with a SecretStoreError of `code`; returns it for message checks. */
export async function expectStoreError(promise: Promise<unknown>, code: SecretStoreError['code']): Promise<SecretStoreError> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected a SecretStoreError "${code}"`).toBeInstanceOf(SecretStoreError);
  const error = caught as SecretStoreError;
  expect(error.code, error.message).toBe(code);
  return error;
}

/** Everything a logger or an error reporter could print of an error, causes included. */
export function everythingPrintable(error: unknown): string {
  return [String(error), inspect(error, { depth: 10, showHidden: true }), JSON.stringify(error, Object.getOwnPropertyNames(error ?? {}))].join('\n');
}

export function expectNoSecrets(error: unknown, ...secrets: string[]): void {
  const text = everythingPrintable(error);
  for (const secret of [CANARY, ...secrets]) expect(text).not.toContain(secret);
}

export type StoreFactory = () => Promise<{ store: SecretStore; cleanup: () => Promise<void> }>;
