/**
 * `npm run db:migration:create`: offline, from the committed migrations to schema.prisma, and
 * the migration it writes brings a database exactly to the schema.
 */
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createMigration, migrationTimestamp, slugifyMigrationName } from '../../../prisma/create-migration.ts';
import { applyMigrations } from '../../../prisma/migrate.ts';
import { lockFileContent, MIGRATIONS_DIR, SCHEMA_PATH } from '../../../prisma/paths.ts';
import { diffDatabaseToSchema } from '../../../prisma/schema-engine.ts';
import { freshDatabase } from './support.ts';

// PGlite's initdb and the wasm schema engine are CPU-bound; on a busy two-core machine they
// take several times their usual seconds.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

let scratch: string;
let migrationsDir: string;
let schemaPath: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'plugform-create-migration-'));
  migrationsDir = join(scratch, 'migrations');
  schemaPath = join(scratch, 'schema.prisma');
  await cp(MIGRATIONS_DIR, migrationsDir, { recursive: true });
  await cp(SCHEMA_PATH, schemaPath);
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('createMigration', () => {
  it('finds no changes between the committed migrations and schema.prisma', async () => {
    expect(await createMigration('nothing', { migrationsDir, schemaPath })).toBeUndefined();
    expect((await readdir(migrationsDir)).sort()).toEqual((await readdir(MIGRATIONS_DIR)).sort());
  });

  it('writes <timestamp>_<name>/migration.sql for a schema change, which applies without drift', async () => {
    const schema = await readFile(schemaPath, 'utf8');
    await writeFile(schemaPath, schema.replace('  revokedAt  DateTime? @map("revoked_at")', '  revokedAt  DateTime? @map("revoked_at")\n  scopes     String[]  @default([])'));

    const created = await createMigration('Add token scopes', { migrationsDir, schemaPath, now: new Date(Date.UTC(2099, 0, 2, 3, 4, 5)) });

    expect(created).toEqual({ name: '20990102030405_add_token_scopes', path: join(migrationsDir, '20990102030405_add_token_scopes', 'migration.sql') });
    expect(await readFile(created!.path, 'utf8')).toBe('-- AlterTable\nALTER TABLE "api_token" ADD COLUMN     "scopes" TEXT[] DEFAULT ARRAY[]::TEXT[];\n');
    expect(await readFile(join(migrationsDir, 'migration_lock.toml'), 'utf8')).toBe(lockFileContent('postgresql'));
    expect(await createMigration('again', { migrationsDir, schemaPath })).toBeUndefined();

    const { db, dispose } = await freshDatabase('pglite');
    try {
      await applyMigrations(db, { migrationsDir, log: () => {} });
      expect(await diffDatabaseToSchema(db.engineAdapterFactory, schemaPath)).toBeUndefined();
    } finally {
      await dispose();
    }
  });
});

describe('migration names', () => {
  it('are slugged as the Prisma CLI slugs them', () => {
    expect(slugifyMigrationName('Add API tokens')).toBe('add_api_tokens');
    expect(slugifyMigrationName('addTags')).toBe('add_tags');
    expect(slugifyMigrationName('  init  ')).toBe('init');
    expect(slugifyMigrationName('déjà vu!')).toBe('deja_vu');
  });

  it('start with a UTC timestamp', () => {
    expect(migrationTimestamp(new Date(Date.UTC(2025, 10, 24, 20, 34, 18, 999)))).toBe('20251124203418');
  });
});
