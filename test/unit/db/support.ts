/**
 * Databases for the db tests: in-memory PGlite, and throwaway PostgreSQL databases created on
 * the server at PLUGFORM_TEST_POSTGRES_URL (default: the machine's PostgreSQL).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { IN_MEMORY, openDatabase, type Database } from '../../../prisma/database.ts';

export const POSTGRES_URL = process.env['PLUGFORM_TEST_POSTGRES_URL'] || 'postgresql://postgres@127.0.0.1:5432/postgres';

/** Why PostgreSQL cannot be used, or undefined when it can. Probed once per test file. */
export async function postgresUnavailable(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return `PostgreSQL at ${POSTGRES_URL} is unreachable (${(error as Error).message})`;
  } finally {
    await client.end().catch(() => {});
  }
}

/** PostgreSQL is required in CI; elsewhere its tests are skipped, saying why. */
export async function postgresGate(): Promise<{ available: boolean; reason?: string }> {
  const reason = await postgresUnavailable();
  if (reason === undefined) return { available: true };
  if (process.env['CI']) throw new Error(`${reason}; CI requires it (set PLUGFORM_TEST_POSTGRES_URL)`);
  console.warn(`skipping PostgreSQL db tests: ${reason}. Set PLUGFORM_TEST_POSTGRES_URL or start it: pg_ctlcluster <version> main start`);
  return { available: false, reason };
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  db: Database;
  /** PostgreSQL only: the database's URL, to open more connections to it. */
  url?: string;
  /** Closes the database and, for PostgreSQL, drops it. */
  dispose(): Promise<void>;
}

export type Backend = 'pglite' | 'postgres';

/** A fresh, empty database of the given backend. */
export async function freshDatabase(backend: Backend): Promise<TestDatabase> {
  if (backend === 'pglite') {
    const db = await openDatabase({ dataDir: IN_MEMORY });
    return { db, dispose: () => db.close() };
  }
  const name = `plugform_test_${randomBytes(6).toString('hex')}`;
  await admin((client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  const db = await openDatabase({ databaseUrl: url.toString(), dataDir: IN_MEMORY });
  return {
    db,
    url: url.toString(),
    async dispose() {
      await db.close();
      await admin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}

/** Databases whose names match, e.g. leftovers of shadow databases. */
export function listDatabases(like: string): Promise<string[]> {
  return admin(async (client) => (await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [like])).rows.map((r) => r.datname));
}

/** Collects log lines instead of printing them. */
export function captureLog(): { lines: string[]; log: (line: string) => void } {
  const lines: string[] = [];
  return { lines, log: (line) => lines.push(line) };
}
