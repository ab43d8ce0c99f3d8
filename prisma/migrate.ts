/**
 * Applies the committed migrations (prisma/migrations/<name>/migration.sql) at startup and
 * through `npm run db:migrate`, bookkeeping in `_prisma_migrations` exactly as `prisma migrate
 * deploy` does, so the Prisma CLI (or the schema engine) reads our history as its own:
 * same table, a UUID v4 id, checksum = lowercase hex SHA-256 of the file, started_at,
 * finished_at, logs on failure, rolled_back_at, applied_steps_count = 1 once applied.
 *
 * Differences from migrate deploy, on purpose:
 * - Each migration and its "finished" mark run in ONE transaction, so a failed migration
 *   leaves no half-applied schema. Its row stays (finished_at NULL, logs = the error), as
 *   Prisma leaves it; because nothing was applied, the next run marks that row rolled back
 *   (what `prisma migrate resolve --rolled-back` does) and tries again. A failed row we did
 *   not write (no marker in its logs) still stops startup until someone resolves it.
 * - A migration whose file changed after it was applied stops startup (deploy only warns):
 *   the database would silently differ from what the files say.
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Database, SqlConnection, SqlQueryable } from './database.ts';
import { MIGRATION_LOCK_FILE, MIGRATIONS_DIR } from './paths.ts';

export interface Migration {
  /** Directory name: `<timestamp>_<name>`. */
  name: string;
  script: string;
  /** Lowercase hex SHA-256 of migration.sql, as Prisma computes it. */
  checksum: string;
}

export interface ApplyMigrationsOptions {
  /** One line per migration and a summary. Default: console.log. */
  log?: (line: string) => void;
  migrationsDir?: string;
}

export interface ApplyMigrationsResult {
  /** Names applied by this call, in order. */
  applied: string[];
  /** How many were applied before this call. */
  alreadyApplied: number;
}

/** Thrown when the history in the database cannot be reconciled with the files. */
export class MigrationError extends Error {
  override name = 'MigrationError';
}

/**
 * `CREATE TABLE` of the PostgreSQL schema engine, verbatim but for IF NOT EXISTS (several
 * servers may start at once; the advisory lock below serializes the rest).
 */
export const MIGRATIONS_TABLE_DDL = `CREATE TABLE IF NOT EXISTS _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
);`;

/** The key Prisma's PostgreSQL connector locks, so we also exclude a concurrent Prisma CLI. */
const ADVISORY_LOCK_KEY = 72707369;

/** Prefix of `logs` for a failure we rolled back ourselves (safe to retry). */
const ROLLED_BACK_MARKER = 'Plugform: the migration ran in a transaction that was rolled back; nothing was applied.';

interface MigrationRow {
  id: string;
  checksum: string;
  migration_name: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  started_at: Date;
  logs: string | null;
}

export function migrationChecksum(script: string): string {
  return createHash('sha256').update(script, 'utf8').digest('hex');
}

/**
 * Prisma once rendered checksums without zero padding per byte; its engine accepts both
 * forms, and so do we, so an old history still reads as unmodified.
 */
function checksumMatches(stored: string, script: string): boolean {
  const digest = createHash('sha256').update(script, 'utf8').digest();
  const padded = digest.toString('hex');
  const legacy = [...digest].map((byte) => byte.toString(16)).join('');
  return stored === padded || stored === legacy;
}

/** The migrations on disk, sorted by name (names start with a UTC timestamp). */
export async function readMigrations(migrationsDir = MIGRATIONS_DIR): Promise<Migration[]> {
  if (!existsSync(migrationsDir)) return [];
  await checkLockFile(migrationsDir);
  const names = (await readdir(migrationsDir, { withFileTypes: true }))
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const path = join(migrationsDir, name, 'migration.sql');
      const script = await readFile(path, 'utf8').catch(() => {
        throw new MigrationError(`Migration ${name} has no migration.sql (${path}). Remove the directory or restore the file.`);
      });
      return { name, script, checksum: migrationChecksum(script) };
    }),
  );
}

async function checkLockFile(migrationsDir: string): Promise<void> {
  const content = await readFile(join(migrationsDir, MIGRATION_LOCK_FILE), 'utf8').catch(() => undefined);
  const provider = content?.match(/^\s*provider\s*=\s*"([^"]*)"/m)?.[1];
  if (content !== undefined && provider !== 'postgresql') {
    throw new MigrationError(
      `${join(migrationsDir, MIGRATION_LOCK_FILE)} says provider = "${provider}"; these migrations must be for "postgresql".`,
    );
  }
}

/**
 * Brings the database up to date with the migrations directory. Idempotent; safe to call at
 * every startup and from several processes at once.
 */
export async function applyMigrations(db: Database, options: ApplyMigrationsOptions = {}): Promise<ApplyMigrationsResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const migrations = await readMigrations(options.migrationsDir);
  return db.withConnection(async (connection) => {
    await connection.query('SELECT pg_advisory_lock($1)', [ADVISORY_LOCK_KEY]);
    try {
      await connection.exec(MIGRATIONS_TABLE_DDL);
      const pending = await pendingMigrations(connection, migrations, log);
      const applied: string[] = [];
      for (const migration of pending) {
        log(`migrate: applying ${migration.name}`);
        const started = performance.now();
        await applyOne(connection, migration);
        log(`migrate: applied ${migration.name} (${Math.round(performance.now() - started)} ms)`);
        applied.push(migration.name);
      }
      const alreadyApplied = migrations.length - pending.length;
      log(
        applied.length > 0
          ? `migrate: ${applied.length} migration(s) applied to ${db.kind} (${db.location}); ${alreadyApplied} were already applied`
          : `migrate: ${db.kind} (${db.location}) is up to date (${alreadyApplied} migration(s))`,
      );
      return { applied, alreadyApplied };
    } finally {
      await connection.query('SELECT pg_advisory_unlock($1)', [ADVISORY_LOCK_KEY]);
    }
  });
}

/** Checks the recorded history against the files; returns what is left to apply. */
async function pendingMigrations(
  connection: SqlConnection,
  migrations: Migration[],
  log: (line: string) => void,
): Promise<Migration[]> {
  const rows = await connection.query<MigrationRow>(
    `SELECT id, checksum, migration_name, finished_at, rolled_back_at, started_at, logs
       FROM _prisma_migrations ORDER BY started_at, migration_name`,
  );
  const live = rows.filter((row) => row.rolled_back_at === null);

  for (const row of live.filter((r) => r.finished_at === null)) {
    if (row.logs?.startsWith(ROLLED_BACK_MARKER)) {
      await connection.query('UPDATE _prisma_migrations SET rolled_back_at = now() WHERE id = $1', [row.id]);
      log(`migrate: ${row.migration_name} failed last time and was rolled back; retrying it`);
      continue;
    }
    throw new MigrationError(
      `Migration ${row.migration_name} failed or was interrupted (started ${row.started_at.toISOString()}) and may be ` +
        `partly applied. ${row.logs ? `Its log:\n${row.logs}\n` : ''}Make the database match either the state before ` +
        `or after it, then record the outcome as \`prisma migrate resolve\` would: UPDATE _prisma_migrations SET ` +
        `rolled_back_at = now() WHERE id = '${row.id}' (to retry it), or SET finished_at = now(), ` +
        `applied_steps_count = 1 (if it is fully applied).`,
    );
  }

  const finished = new Map(live.filter((r) => r.finished_at !== null).map((row) => [row.migration_name, row]));
  const edited = migrations.filter((m) => {
    const row = finished.get(m.name);
    return row !== undefined && !checksumMatches(row.checksum, m.script);
  });
  if (edited.length > 0) {
    throw new MigrationError(
      `Applied migration(s) were modified after they were applied: ${edited
        .map((m) => `${m.name} (checksum in database ${finished.get(m.name)?.checksum}, file ${m.checksum})`)
        .join('; ')}. An applied migration must never change: restore it from version control and put the ` +
        `change in a new migration (npm run db:migration:create -- <name>).`,
    );
  }

  const known = new Set(migrations.map((m) => m.name));
  const unknown = [...finished.keys()].filter((name) => !known.has(name));
  if (unknown.length > 0) {
    // A newer release may have migrated this database; its additions do not stop this one.
    log(`migrate: warning: the database has migration(s) this version does not know: ${unknown.join(', ')}`);
  }
  return migrations.filter((m) => !finished.has(m.name));
}

async function applyOne(connection: SqlConnection, migration: Migration): Promise<void> {
  const id = randomUUID();
  // Recorded as started outside the transaction, as Prisma does, so a failure leaves a trace.
  await connection.query(
    'INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, applied_steps_count) VALUES ($1, $2, $3, now(), 0)',
    [id, migration.checksum, migration.name],
  );
  try {
    await connection.transaction(async (tx: SqlQueryable) => {
      await tx.exec(migration.script);
      await tx.query(
        // clock_timestamp(): now() would be the transaction's start, before the script ran.
        'UPDATE _prisma_migrations SET applied_steps_count = applied_steps_count + 1, finished_at = clock_timestamp() WHERE id = $1',
        [id],
      );
    });
  } catch (error) {
    const reason = describeError(error);
    await connection.query('UPDATE _prisma_migrations SET logs = $1 WHERE id = $2', [`${ROLLED_BACK_MARKER}\n${reason}`, id]);
    throw new MigrationError(
      `Migration ${migration.name} failed and was rolled back; the database is as it was before it.\n${reason}`,
      { cause: error },
    );
  }
}

function describeError(error: unknown): string {
  const e = error as { message?: string; code?: string; detail?: string; hint?: string; position?: string };
  return [
    `${e.code ? `Database error ${e.code}: ` : ''}${e.message ?? String(error)}`,
    e.detail ? `DETAIL: ${e.detail}` : '',
    e.hint ? `HINT: ${e.hint}` : '',
  ]
    .filter(Boolean)
    .join('\n');
}
