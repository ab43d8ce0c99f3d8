/**
 * One database, one local secret store. A local store lives in one replica's data dir: a
 * second replica on the same PostgreSQL database with its own data dir (or another key) would
 * find none of the secrets the first one saved, and silently run without them. The first
 * local store to serve a database is recorded in it; any other is refused at start-up.
 * Shared stores (Vault) have no identity and are not bound: that is how N replicas run.
 */
import type { PrismaClient } from '../../prisma/generated/client/client.ts';
import { SecretStoreError, type SecretStore } from './secret-store.ts';

export async function bindSecretStore(prisma: PrismaClient, store: SecretStore, replica: string): Promise<void> {
  if (!store.identity) return;
  const mine = await store.identity();
  // Insert-if-absent: of replicas starting at once, exactly one binding wins.
  await prisma.secretStoreBinding.createMany({ data: [{ id: 1, kind: store.kind, ...mine }], skipDuplicates: true });
  const bound = await prisma.secretStoreBinding.findUniqueOrThrow({ where: { id: 1 } });
  if (bound.identity === mine.identity) return;
  throw new SecretStoreError(
    'misconfigured',
    `This database's secrets are kept by another local secret store (${bound.location}, since ${bound.boundAt.toISOString()}); ` +
      `the local store of replica ${replica} (${mine.location}) does not hold them (another data dir or another PLUGFORM_SECRET_KEY). ` +
      'More than one replica needs a shared secret store: set PLUGFORM_SECRET_STORE=vault on every replica. ' +
      'For one replica, start it with the data dir and key of that store. ' +
      'If that store is gone for good, delete the row of secret_store_binding and enter the secrets again.',
  );
}
