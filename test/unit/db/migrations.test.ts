/**
 * The migration runner on both backends: all migrations apply to a fresh database with no
 * drift against schema.prisma (the wasm schema engine's diff is empty), the history is
 * recorded as Prisma records it (Prisma's own engine reads it back as clean), reruns are
 * no-ops, and edited or failed migrations are caught.
 */
import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { applyMigrations, MigrationError, MIGRATIONS_TABLE_DDL, readMigrations } from '../../../prisma/migrate.ts';
import { MIGRATIONS_DIR } from '../../../prisma/paths.ts';
import { diffDatabaseToSchema, diffMigrationsToSchema, NO_FILTER, readMigrationList, withSchemaEngine } from '../../../prisma/schema-engine.ts';
import { IN_MEMORY, openDatabase, type Database } from '../../../prisma/database.ts';
import { captureLog, freshDatabase, listDatabases, postgresGate, type Backend, type TestDatabase } from './support.ts';

// PGlite's initdb and the wasm schema engine are CPU-bound; on a busy two-core machine they
// take several times their usual seconds.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const postgres = await postgresGate();
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'plugform-migrations-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** A private copy of the committed migrations, free to edit. */
async function copyOfMigrations(): Promise<string> {
  const dir = await mkdtemp(join(scratch, 'm-'));
  await cp(MIGRATIONS_DIR, dir, { recursive: true });
  return dir;
}

function migrationRows(db: Database) {
  return db.withConnection((c) =>
    c.query<{
      id: string;
      checksum: string;
      migration_name: string;
      started_at: Date;
      finished_at: Date | null;
      rolled_back_at: Date | null;
      logs: string | null;
      applied_steps_count: number;
    }>('SELECT * FROM _prisma_migrations ORDER BY started_at, migration_name'),
  );
}

function tableExists(db: Database, table: string): Promise<boolean> {
  return db.withConnection(async (c) => (await c.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [table]))[0]?.t != null);
}

describe.each<Backend>(['pglite', 'postgres'])('migrations on %s', (backend) => {
  const skip = backend === 'postgres' && !postgres.available;
  let fresh: TestDatabase;

  describe.skipIf(skip)('the committed migrations', () => {
    beforeAll(async () => {
      fresh = await freshDatabase(backend);
    });
    afterAll(async () => {
      await fresh?.dispose();
    });

    it('apply to a fresh database, one progress line each, and leave no drift against schema.prisma', async () => {
      const { lines, log } = captureLog();
      const migrations = await readMigrations();
      expect(migrations.length).toBeGreaterThan(0);

      const result = await applyMigrations(fresh.db, { log });

      expect(result).toEqual({ applied: migrations.map((m) => m.name), alreadyApplied: 0 });
      for (const m of migrations) expect(lines).toContain(`migrate: applying ${m.name}`);
      expect(lines.at(-1)).toMatch(new RegExp(`^migrate: ${migrations.length} migration\\(s\\) applied to ${backend}`));
      // The assertion: the engine finds nothing to change between the database and the schema.
      expect(await diffDatabaseToSchema(fresh.db.engineAdapterFactory)).toBeUndefined();
    });

    it('replayed by Prisma into a shadow database, produce schema.prisma exactly', async () => {
      // Shadow databases of other runs on the same server (another checkout's tests) may come
      // and go meanwhile: this replay must leave none of its own behind.
      const shadowsBefore = backend === 'postgres' ? await listDatabases('prisma_migrate_shadow_db_%') : [];
      expect(await diffMigrationsToSchema(fresh.db.engineAdapterFactory)).toBeUndefined();
      if (backend === 'postgres') {
        const left = (await listDatabases('prisma_migrate_shadow_db_%')).filter((name) => !shadowsBefore.includes(name));
        expect(left).toEqual([]);
      }
    });

    it('are recorded in _prisma_migrations as Prisma records them', async () => {
      const migrations = await readMigrations();
      const rows = await migrationRows(fresh.db);
      expect(rows.map((r) => r.migration_name)).toEqual(migrations.map((m) => m.name));
      for (const [i, row] of rows.entries()) {
        const file = await readFile(join(MIGRATIONS_DIR, row.migration_name, 'migration.sql'));
        expect(row.id).toMatch(UUID_V4);
        expect(row.checksum).toBe(createHash('sha256').update(file).digest('hex'));
        expect(row.checksum).toBe(migrations[i]?.checksum);
        expect(row.applied_steps_count).toBe(1);
        expect(row.logs).toBeNull();
        expect(row.rolled_back_at).toBeNull();
        expect(row.finished_at!.getTime()).toBeGreaterThanOrEqual(row.started_at.getTime());
      }
      // Prisma's own engine reads our history as a clean, complete one.
      const diagnosis = await withSchemaEngine(fresh.db.engineAdapterFactory, async (engine) =>
        engine.diagnoseMigrationHistory({ migrationsList: await readMigrationList(), optInToShadowDatabase: false, filters: NO_FILTER }),
      );
      expect(diagnosis).toMatchObject({ hasMigrationsTable: true, history: null, editedMigrationNames: [], failedMigrationNames: [] });
    });

    it('are a no-op the second time', async () => {
      const before = await migrationRows(fresh.db);
      const { lines, log } = captureLog();
      const result = await applyMigrations(fresh.db, { log });
      expect(result).toEqual({ applied: [], alreadyApplied: before.length });
      expect(lines).toEqual([expect.stringMatching(/is up to date \(\d+ migration\(s\)\)$/)]);
      expect(await migrationRows(fresh.db)).toEqual(before);
    });

    it('(the drift check is not vacuous: it reports a database that differs from the schema)', async () => {
      await fresh.db.withConnection((c) => c.exec('DROP INDEX "health_check_instance_id_checked_at_idx"'));
      try {
        expect(await diffDatabaseToSchema(fresh.db.engineAdapterFactory)).toContain(
          'CREATE INDEX "health_check_instance_id_checked_at_idx" ON "health_check"("instance_id", "checked_at" DESC);',
        );
      } finally {
        await fresh.db.withConnection((c) =>
          c.exec('CREATE INDEX "health_check_instance_id_checked_at_idx" ON "health_check"("instance_id", "checked_at" DESC)'),
        );
      }
    });
  });

  describe.skipIf(skip)('history checks', () => {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await freshDatabase(backend);
    });
    afterAll(async () => {
      await db?.dispose();
    });

    it('refuses an applied migration whose file changed, naming it and both checksums', async () => {
      const dir = await copyOfMigrations();
      await applyMigrations(db.db, { migrationsDir: dir, log: () => {} });
      const [first] = await readMigrations(dir);
      const path = join(dir, first!.name, 'migration.sql');
      await writeFile(path, `${first!.script}\n-- edited after the fact\n`);
      const edited = migrationChecksumOf(await readFile(path, 'utf8'));

      const error = await applyMigrations(db.db, { migrationsDir: dir, log: () => {} }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MigrationError);
      expect((error as Error).message).toContain(`modified after they were applied: ${first!.name}`);
      expect((error as Error).message).toContain(first!.checksum);
      expect((error as Error).message).toContain(edited);
      expect((error as Error).message).toContain('npm run db:migration:create');

      // Prisma's engine agrees that it was edited.
      const diagnosis = await withSchemaEngine(db.db.engineAdapterFactory, async (engine) =>
        engine.diagnoseMigrationHistory({ migrationsList: await readMigrationList(dir), optInToShadowDatabase: false, filters: NO_FILTER }),
      );
      expect(diagnosis.editedMigrationNames).toEqual([first!.name]);
    });

    it('rolls a failing migration back whole, records it like Prisma, and retries it once fixed', async () => {
      const dir = await copyOfMigrations();
      await applyMigrations(db.db, { migrationsDir: dir, log: () => {} });
      const name = '29990101000000_broken';
      await mkdir(join(dir, name));
      const broken = 'CREATE TABLE "half_done" ("id" TEXT);\nSELECT 1/0;\n';
      await writeFile(join(dir, name, 'migration.sql'), broken);

      const error = await applyMigrations(db.db, { migrationsDir: dir, log: () => {} }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MigrationError);
      expect((error as Error).message).toMatch(/29990101000000_broken failed and was rolled back.*\n.*division by zero/);
      expect(await tableExists(db.db, 'half_done')).toBe(false);
      const failed = (await migrationRows(db.db)).filter((r) => r.migration_name === name);
      expect(failed).toEqual([
        expect.objectContaining({ finished_at: null, rolled_back_at: null, applied_steps_count: 0, logs: expect.stringContaining('division by zero') }),
      ]);

      await writeFile(join(dir, name, 'migration.sql'), 'CREATE TABLE "half_done" ("id" TEXT);\n');
      const { lines, log } = captureLog();
      expect((await applyMigrations(db.db, { migrationsDir: dir, log })).applied).toEqual([name]);
      expect(lines[0]).toBe(`migrate: ${name} failed last time and was rolled back; retrying it`);
      expect(await tableExists(db.db, 'half_done')).toBe(true);
      const rows = (await migrationRows(db.db)).filter((r) => r.migration_name === name);
      expect(rows).toHaveLength(2);
      expect(rows[0]!.rolled_back_at).not.toBeNull();
      expect(rows[1]).toMatchObject({ rolled_back_at: null, applied_steps_count: 1, logs: null });
      await db.db.withConnection((c) => c.exec(`DROP TABLE "half_done"; DELETE FROM _prisma_migrations WHERE migration_name = '${name}'`));
    });

    it('stops at a failed migration it did not roll back itself, saying how to resolve it', async () => {
      await db.db.withConnection((c) =>
        c.query(
          `INSERT INTO _prisma_migrations (id, checksum, migration_name, logs, applied_steps_count)
           VALUES ('00000000-0000-4000-8000-000000000000', 'x', '29990101000000_foreign', 'boom', 0)`,
        ),
      );
      const error = await applyMigrations(db.db, { log: () => {} }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MigrationError);
      expect((error as Error).message).toContain('Migration 29990101000000_foreign failed or was interrupted');
      expect((error as Error).message).toContain('boom');
      expect((error as Error).message).toContain('rolled_back_at = now()');
      await db.db.withConnection((c) => c.query(`DELETE FROM _prisma_migrations WHERE migration_name = '29990101000000_foreign'`));
    });
  });
});

describe.skipIf(!postgres.available)('migrations on postgres from two servers starting at once', () => {
  it('are applied once: the second waits on the advisory lock, then finds them applied', async () => {
    const fresh = await freshDatabase('postgres');
    const other = await openDatabase({ databaseUrl: fresh.url, dataDir: IN_MEMORY });
    try {
      const results = await Promise.all([applyMigrations(fresh.db, { log: () => {} }), applyMigrations(other, { log: () => {} })]);
      const count = (await readMigrations()).length;
      expect(results.map((r) => r.applied.length).sort()).toEqual([0, count]);
      expect(await migrationRows(fresh.db)).toHaveLength(count);
    } finally {
      await other.close();
      await fresh.dispose();
    }
  });
});

describe('migrations table', () => {
  it('is created with the DDL of Prisma\'s own engine', async () => {
    // Let Prisma's engine create the table in one database and our runner in another.
    const byPrisma = await freshDatabase('pglite');
    const byUs = await freshDatabase('pglite');
    try {
      await withSchemaEngine(byPrisma.db.engineAdapterFactory, async (engine) =>
        engine.applyMigrations({ migrationsList: await readMigrationList(), filters: NO_FILTER }),
      );
      await applyMigrations(byUs.db, { log: () => {} });
      const describeTable = (db: Database) =>
        db.withConnection((c) =>
          c.query(`SELECT column_name, data_type, character_maximum_length, is_nullable, column_default, ordinal_position
                     FROM information_schema.columns WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position`),
        );
      expect(await describeTable(byUs.db)).toEqual(await describeTable(byPrisma.db));
      const checksums = (db: Database) => migrationRows(db).then((rows) => rows.map((r) => [r.migration_name, r.checksum, r.applied_steps_count]));
      expect(await checksums(byUs.db)).toEqual(await checksums(byPrisma.db));
      expect(MIGRATIONS_TABLE_DDL).toContain('CREATE TABLE IF NOT EXISTS _prisma_migrations');
    } finally {
      await byPrisma.dispose();
      await byUs.dispose();
    }
  });
});

function migrationChecksumOf(script: string): string {
  return createHash('sha256').update(script).digest('hex');
}
