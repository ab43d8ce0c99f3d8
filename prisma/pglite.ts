/**
 * Embedded PGlite: opening it (with a lock so two processes never share one data directory)
 * and a Prisma driver adapter factory for it.
 */
import { open, readFile, rm, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { DriverAdapterError } from '@prisma/driver-adapter-utils';
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';

export interface OpenedPglite {
  pglite: PGlite;
  /** Closes PGlite and releases the directory lock. */
  close(): Promise<void>;
}

/**
 * Opens PGlite persisted in `dir`, or in memory when `dir` is undefined.
 *
 * PGlite is one Postgres backend inside this process; a second process opening the same
 * files corrupts them, so a lock file holding our pid guards the directory. A lock left by a
 * dead process is taken over.
 */
export async function openPglite(dir: string | undefined): Promise<OpenedPglite> {
  if (dir === undefined) {
    const pglite = new PGlite();
    await pglite.waitReady;
    return { pglite, close: () => pglite.close() };
  }
  await mkdir(dir, { recursive: true });
  const lockPath = `${dir}.lock`;
  await acquireLock(lockPath, dir);
  try {
    const pglite = new PGlite({ dataDir: dir });
    await pglite.waitReady;
    return {
      pglite,
      async close() {
        try {
          await pglite.close();
        } finally {
          await rm(lockPath, { force: true });
        }
      },
    };
  } catch (error) {
    await rm(lockPath, { force: true });
    throw error;
  }
}

async function acquireLock(lockPath: string, dir: string): Promise<void> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(lockPath, 'wx', 0o600);
      await handle.writeFile(String(process.pid));
      await handle.close();
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number.parseInt(await readFile(lockPath, 'utf8').catch(() => ''), 10);
    if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) {
      const who = owner === process.pid ? 'this process (it is already open)' : `process ${owner}`;
      throw new Error(
        `The embedded database in ${dir} is in use by ${who}. PGlite allows one process per data ` +
          `directory: stop the other Plugform server, or point PLUGFORM_DATA_DIR elsewhere.`,
      );
    }
    await rm(lockPath, { force: true }); // stale: its owner is gone
  }
  throw new Error(`Could not lock the embedded database in ${dir} (${lockPath} keeps reappearing).`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The adapter factory for Prisma Client and for the wasm schema engine.
 *
 * pglite-prisma-adapter 0.7.2's `executeScript` does not await `exec`, so a failing script
 * (what the schema engine runs for migrations) resolves as success and its error surfaces as
 * an unhandled rejection. We replace that one method; its shadow database (a fresh in-memory
 * PGlite) is also closed on dispose instead of leaking.
 */
export function pgliteAdapterFactory(pglite: PGlite): SqlMigrationAwareDriverAdapterFactory {
  const inner = new PrismaPGlite(pglite);
  return {
    provider: inner.provider,
    adapterName: inner.adapterName,
    connect: async () => withAwaitedScripts(await inner.connect(), pglite),
    connectToShadowDb: async () => {
      const shadow = new PGlite();
      await shadow.waitReady;
      return withAwaitedScripts(await new PrismaPGlite(shadow).connect(), shadow, () => shadow.close());
    },
  };
}

function withAwaitedScripts(
  adapter: SqlDriverAdapter,
  pglite: PGlite,
  onDispose?: () => Promise<void>,
): SqlDriverAdapter {
  return {
    provider: adapter.provider,
    adapterName: adapter.adapterName,
    queryRaw: (query) => adapter.queryRaw(query),
    executeRaw: (query) => adapter.executeRaw(query),
    startTransaction: (isolationLevel) => adapter.startTransaction(isolationLevel),
    getConnectionInfo: () => adapter.getConnectionInfo?.() ?? { supportsRelationJoins: true },
    async executeScript(script) {
      try {
        await pglite.exec(script);
      } catch (error) {
        throw toDriverAdapterError(error);
      }
    },
    async dispose() {
      await adapter.dispose();
      await onDispose?.();
    },
  };
}

/** A PostgreSQL error (PGlite's or node-postgres's: the same fields) as Prisma's engines expect it. */
export function toDriverAdapterError(error: unknown): unknown {
  const e = error as { code?: unknown; message?: unknown; severity?: unknown; detail?: unknown; hint?: unknown; column?: unknown };
  if (typeof e?.code !== 'string' || typeof e.message !== 'string') return error;
  return new DriverAdapterError({
    kind: 'postgres',
    code: e.code,
    severity: typeof e.severity === 'string' ? e.severity : 'ERROR',
    message: e.message,
    detail: typeof e.detail === 'string' ? e.detail : undefined,
    column: typeof e.column === 'string' ? e.column : undefined,
    hint: typeof e.hint === 'string' ? e.hint : undefined,
  });
}

/** Where a file-backed PGlite lives inside the data directory. */
export function pgliteDir(dataDir: string): string {
  return join(dataDir, 'pglite');
}
