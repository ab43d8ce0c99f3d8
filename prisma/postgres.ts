/**
 * PostgreSQL through node-postgres: raw connections for the migration runner, and a Prisma
 * driver adapter factory the wasm schema engine can use.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory, Transaction } from '@prisma/driver-adapter-utils';
import type { SqlConnection, SqlQueryable } from './database.ts';
import { toDriverAdapterError } from './pglite.ts';

export function pgConnection(client: pg.PoolClient): SqlConnection {
  const queryable: SqlQueryable = {
    query: async (sql, params) => (await client.query(sql, params)).rows,
    // Without parameters pg uses the simple protocol, which accepts several statements.
    exec: async (script) => void (await client.query(script)),
  };
  return {
    ...queryable,
    async transaction(fn) {
      await client.query('BEGIN');
      try {
        const result = await fn(queryable);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      }
    },
  };
}

/**
 * An adapter factory for the schema engine (not for Prisma Client, which uses PrismaPg as is).
 * Two problems of @prisma/adapter-pg 7.10 with the engine are worked around:
 * - the engine reads catalog columns of type "char" (oid 18, e.g. pg_class.relkind), which
 *   the adapter rejects ("Column type 'char' could not be deserialized"); we hand them on as
 *   text, which the engine reads fine;
 * - its connectToShadowDb() spreads `database` over a config whose connectionString wins, so
 *   the "shadow" is the main database. Ours creates a uniquely named database on the same
 *   server (same URL, other path) and drops it on dispose.
 */
export function postgresEngineAdapterFactory(databaseUrl: string): SqlMigrationAwareDriverAdapterFactory {
  const connectTo = async (url: string, onDispose?: () => Promise<void>) => {
    const adapter = withCharAsText(await new PrismaPg({ connectionString: url }).connect());
    // adapter-pg's executeScript splits a script at every ";", even inside a dollar-quoted
    // function body (migration read_generation has one); PostgreSQL takes a whole script as one query.
    adapter.executeScript = async (script) => {
      try {
        await adminQuery(url, script);
      } catch (error) {
        throw toDriverAdapterError(error);
      }
    };
    if (!onDispose) return adapter;
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      await dispose();
      await onDispose();
    };
    return adapter;
  };
  return {
    provider: 'postgres',
    adapterName: '@prisma/adapter-pg',
    connect: () => connectTo(databaseUrl),
    async connectToShadowDb() {
      const name = `prisma_migrate_shadow_db_${randomUUID()}`;
      await adminQuery(databaseUrl, `CREATE DATABASE "${name}"`);
      const url = new URL(databaseUrl);
      url.pathname = `/${name}`;
      return connectTo(url.toString(), () => adminQuery(databaseUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}

async function adminQuery(databaseUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

const CHAR_OID = 18;
const TEXT_OID = 25;

interface PerformsIO {
  performIO(query: unknown): Promise<{ fields: { dataTypeID: number }[] }>;
}

/** Patches the adapter's internal result step; transactions it opens get the same patch. */
function withCharAsText<T extends SqlDriverAdapter | Transaction>(adapter: T): T {
  const target = adapter as T & PerformsIO;
  const performIO = target.performIO.bind(target);
  target.performIO = async (query) => {
    const result = await performIO(query);
    for (const field of result.fields) if (field.dataTypeID === CHAR_OID) field.dataTypeID = TEXT_OID;
    return result;
  };
  if ('startTransaction' in target) {
    const start = target.startTransaction.bind(target);
    target.startTransaction = async (isolationLevel) => withCharAsText(await start(isolationLevel));
  }
  return adapter;
}

export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgresql (unparsable URL)';
  }
}
