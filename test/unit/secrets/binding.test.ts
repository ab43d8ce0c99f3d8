/**
 * One database, one local secret store: the first local store that serves a database is
 * recorded in it; another local store (another data dir, or the same dir under another key)
 * is refused with a message that says what to do; the same store again, and a shared store
 * (Vault), are accepted. Several replicas starting at once bind exactly one store.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bindSecretStore } from '../../../server/secrets/binding.ts';
import { LocalSecretStore, SecretStoreError, VaultSecretStore } from '../../../server/secrets/index.ts';
import { openTestDatabase, postgresGate, rejectionOf, type Backend, type TestDatabase } from '../../support/instances.ts';
import { startVaultDouble, type VaultDouble } from '../../support/vault-double.ts';
import { tempDir } from './harness.ts';

const postgres = await postgresGate();

for (const backend of ['pglite', 'postgres'] as const satisfies readonly Backend[]) {
  describe.skipIf(backend === 'postgres' && !postgres.available)(`secret store binding on ${backend}`, () => {
    let testDb: TestDatabase;
    let vault: VaultDouble;
    const cleanups: Array<() => Promise<void>> = [];

    beforeAll(async () => {
      testDb = await openTestDatabase(backend);
      vault = await startVaultDouble();
    });
    afterAll(async () => {
      for (const cleanup of cleanups) await cleanup();
      await testDb?.dispose();
      await vault?.close();
    });
    beforeEach(async () => {
      await testDb.db.withConnection((c) => c.exec('TRUNCATE secret_store_binding'));
    });

    async function local(dir?: string, secretKey?: string): Promise<{ store: LocalSecretStore; dir: string }> {
      let where = dir;
      if (!where) {
        const made = await tempDir();
        cleanups.push(made.cleanup);
        where = made.dir;
      }
      return { store: new LocalSecretStore({ dataDir: where, secretKey }), dir: where };
    }

    it('binds the first local store, accepts it again, and refuses another data dir with what to do', async () => {
      const first = await local();
      await bindSecretStore(testDb.db.prisma, first.store, 'replica-a');
      await bindSecretStore(testDb.db.prisma, new LocalSecretStore({ dataDir: first.dir }), 'replica-a-restarted');
      const [row] = await testDb.db.prisma.secretStoreBinding.findMany();
      expect(row).toMatchObject({ id: 1, kind: 'local', location: expect.stringContaining(first.dir) });

      const other = await local();
      const error = await rejectionOf(bindSecretStore(testDb.db.prisma, other.store, 'replica-b'));
      expect(error).toBeInstanceOf(SecretStoreError);
      expect((error as SecretStoreError).code).toBe('misconfigured');
      expect(error.message).toContain(first.dir);
      expect(error.message).toContain(other.dir);
      expect(error.message).toContain('replica-b');
      expect(error.message).toMatch(/PLUGFORM_SECRET_STORE=vault/);
      // The binding still names the first store.
      expect(await testDb.db.prisma.secretStoreBinding.findMany()).toEqual([row]);
    });

    it('refuses the same data dir under another key, and never records the key', async () => {
      const key = randomBytes(32).toString('base64');
      const first = await local(undefined, key);
      await bindSecretStore(testDb.db.prisma, first.store, 'a');
      const rekeyed = new LocalSecretStore({ dataDir: first.dir, secretKey: randomBytes(32).toString('base64') });
      // The store itself refuses a wrong key once it holds data; with none yet, the binding does.
      const error = await rejectionOf(bindSecretStore(testDb.db.prisma, rekeyed, 'b'));
      expect(error).toBeInstanceOf(SecretStoreError);
      const [row] = await testDb.db.prisma.secretStoreBinding.findMany();
      expect(JSON.stringify(row)).not.toContain(key);
    });

    it('a shared store (Vault) is not bound, whatever local store served before', async () => {
      await bindSecretStore(testDb.db.prisma, (await local()).store, 'a');
      const store = new VaultSecretStore({ addr: vault.url, auth: { method: 'token', token: vault.rootToken }, timeoutMs: 2000 });
      await bindSecretStore(testDb.db.prisma, store, 'b');
      await store.close();
      expect(await testDb.db.prisma.secretStoreBinding.count()).toBe(1);
    });

    it('of local stores starting at once, exactly one is bound and the others are refused', async () => {
      const stores = await Promise.all([local(), local(), local()]);
      const results = await Promise.allSettled(stores.map(({ store }, i) => bindSecretStore(testDb.db.prisma, store, `r${i}`)));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(await testDb.db.prisma.secretStoreBinding.count()).toBe(1);
    });
  });
}
