/**
 * Databases for the db tests: in-memory PGlite, and throwaway PostgreSQL databases created on
 * the server at PLUGFORM_TEST_POSTGRES_URL (default: the machine's PostgreSQL).
 */
import { randomBytes } from 'node:crypto';
import { IN_MEMORY, openDatabase, type Database } from '../../../prisma/database.ts';

export { POSTGRES_URL, postgresGate, postgresUnavailable } from '../../support/postgres.ts';
import { POSTGRES_URL, withPostgresAdmin as admin } from '../../support/postgres.ts';

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
