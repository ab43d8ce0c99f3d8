/**
 * Opens Plugform's database: embedded PGlite by default, PostgreSQL when a URL is given.
 * Both go through a Prisma driver adapter, so the same schema, client and migrations serve
 * both. Migrations are applied separately (prisma/migrate.ts: `applyMigrations(db)`).
 */
import { resolve } from 'node:path';
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { PrismaClient } from './generated/client/client.ts';
import { openPglite, pgliteAdapterFactory, pgliteDir } from './pglite.ts';
import { pgConnection, postgresEngineAdapterFactory, redactUrl } from './postgres.ts';

export { Prisma, PrismaClient } from './generated/client/client.ts';

/** `dataDir` value that keeps an embedded database in memory (tests). */
export const IN_MEMORY = ':memory:';

export interface OpenDatabaseOptions {
  /** PostgreSQL connection string. Unset or empty: embedded PGlite. */
  databaseUrl?: string | undefined;
  /** PGlite lives in `<dataDir>/pglite`; `':memory:'` keeps it in memory. */
  dataDir: string;
}

export type DatabaseKind = 'pglite' | 'postgres';

/** Raw SQL on one connection; `exec` runs a multi-statement script (no parameters). */
export interface SqlQueryable {
  query<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<Row[]>;
  exec(script: string): Promise<void>;
}

export interface SqlConnection extends SqlQueryable {
  /** Runs `fn` in a transaction on this connection: commit on return, rollback on throw. */
  transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T>;
}

export interface Database {
  readonly prisma: PrismaClient;
  readonly kind: DatabaseKind;
  /** For log lines: 'memory', the PGlite directory, or the URL without its password. */
  readonly location: string;
  /**
   * How the wasm schema engine (prisma/schema-engine.ts) reaches this database: for PGlite
   * the client's own adapter on the same instance; for PostgreSQL a separate one (see
   * postgres.ts for why).
   */
  readonly engineAdapterFactory: SqlMigrationAwareDriverAdapterFactory;
  /** One dedicated connection for `fn` (session state such as advisory locks holds). */
  withConnection<T>(fn: (connection: SqlConnection) => Promise<T>): Promise<T>;
  /** Disconnects Prisma, then closes PGlite or the pool. Safe to call twice. */
  close(): Promise<void>;
}

/** The configured database: DATABASE_URL, else PGlite under PLUGFORM_DATA_DIR (default ./data). */
export function databaseOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): OpenDatabaseOptions {
  const dataDir = env['PLUGFORM_DATA_DIR'] || './data';
  return {
    databaseUrl: env['DATABASE_URL'] || undefined,
    dataDir: dataDir === IN_MEMORY ? IN_MEMORY : resolve(dataDir),
  };
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  return options.databaseUrl ? openPostgres(options.databaseUrl) : openEmbedded(options.dataDir);
}

async function openEmbedded(dataDir: string): Promise<Database> {
  const dir = dataDir === IN_MEMORY ? undefined : pgliteDir(resolve(dataDir));
  const { pglite, close } = await openPglite(dir);
  const adapterFactory = pgliteAdapterFactory(pglite);
  const prisma = new PrismaClient({ adapter: adapterFactory });
  const connection: SqlConnection = {
    query: async (sql, params) => (await pglite.query<never>(sql, params)).rows,
    exec: async (script) => void (await pglite.exec(script)),
    // PGlite is a single backend: its transaction() holds every other query (Prisma's too)
    // until this one ends, so nothing interleaves.
    transaction: (fn) =>
      pglite.transaction((tx) =>
        fn({
          query: async (sql, params) => (await tx.query<never>(sql, params)).rows,
          exec: async (script) => void (await tx.exec(script)),
        }),
      ),
  };
  return {
    prisma,
    kind: 'pglite',
    location: dir ?? 'memory',
    engineAdapterFactory: adapterFactory,
    withConnection: (fn) => fn(connection),
    close: once(async () => {
      await prisma.$disconnect();
      await close();
    }),
  };
}

async function openPostgres(databaseUrl: string): Promise<Database> {
  const pool = new pg.Pool({ connectionString: databaseUrl });
  // An idle client losing its server must not crash the process; the next query reports it.
  pool.on('error', () => {});
  // Fail at startup, naming the server, rather than at some later request.
  try {
    (await pool.connect()).release();
  } catch (error) {
    await pool.end().catch(() => {});
    throw new Error(`Cannot connect to PostgreSQL at ${redactUrl(databaseUrl)} (DATABASE_URL): ${(error as Error).message}`, {
      cause: error,
    });
  }
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    prisma,
    kind: 'postgres',
    location: redactUrl(databaseUrl),
    engineAdapterFactory: postgresEngineAdapterFactory(databaseUrl),
    async withConnection(fn) {
      const client = await pool.connect();
      try {
        return await fn(pgConnection(client));
      } finally {
        client.release();
      }
    },
    close: once(async () => {
      await prisma.$disconnect();
      await pool.end();
    }),
  };
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= fn());
}
