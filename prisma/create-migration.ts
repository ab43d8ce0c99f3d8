/**
 * Creates the next migration offline, as `prisma migrate dev --create-only` would, with the
 * wasm schema engine and a throwaway in-memory PGlite: the committed migrations are replayed
 * into it, the engine diffs it against schema.prisma, and the script is written to
 * prisma/migrations/<UTC timestamp>_<name>/migration.sql (plus migration_lock.toml), laid out
 * as the Prisma CLI lays them out. No database server, no engine binary.
 *
 * Why not the engine's own createMigration: in the wasm build it cannot reach a shadow
 * database for PostgreSQL ("must be provided through an external factory"); diff can. One
 * consequence: no "Warnings" comment about data loss atop the script (createMigration's
 * data-independent check is not exposed otherwise) — review DROP/ALTER statements yourself.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { openPglite, pgliteAdapterFactory } from './pglite.ts';
import { lockFileContent, MIGRATIONS_DIR, SCHEMA_PATH } from './paths.ts';
import { NO_FILTER, readMigrationList, readSchemaFiles, withSchemaEngine } from './schema-engine.ts';

export interface CreatedMigration {
  /** Directory name, e.g. `20250101120000_add_tags`. */
  name: string;
  /** Absolute path of the new migration.sql. */
  path: string;
}

export interface CreateMigrationOptions {
  migrationsDir?: string;
  schemaPath?: string;
  /** Defaults to now; the directory name starts with it as YYYYMMDDHHMMSS (UTC). */
  now?: Date;
}

/** Returns undefined, writing nothing, when schema.prisma matches the migrations already. */
export async function createMigration(
  name: string,
  options: CreateMigrationOptions = {},
): Promise<CreatedMigration | undefined> {
  const migrationsDir = options.migrationsDir ?? MIGRATIONS_DIR;
  const schemaPath = options.schemaPath ?? SCHEMA_PATH;
  const slug = slugifyMigrationName(name);
  const [files, migrationsList] = await Promise.all([readSchemaFiles(schemaPath), readMigrationList(migrationsDir)]);
  migrationsList.lockfile.content ??= lockFileContent('postgresql');

  const scratch = await openPglite(undefined);
  const script = await withSchemaEngine(pgliteAdapterFactory(scratch.pglite), async (engine) => {
    if (migrationsList.migrationDirectories.length > 0) {
      await engine.applyMigrations({ migrationsList, filters: NO_FILTER });
    }
    const diff = await engine.diff({
      from: { tag: 'schemaDatasource', files, configDir: dirname(schemaPath) },
      to: { tag: 'schemaDatamodel', files },
      script: true,
      exitCode: true,
      filters: NO_FILTER,
    });
    return diff.exitCode === 0 || !diff.stdout ? undefined : diff.stdout;
  }).finally(() => scratch.close());
  if (!script) return undefined;

  const dirName = `${migrationTimestamp(options.now ?? new Date())}${slug ? `_${slug}` : ''}`;
  const dir = join(migrationsDir, dirName);
  if (existsSync(dir)) throw new Error(`The migration directory already exists at ${dir}`);
  await mkdir(dir, { recursive: true });
  const path = join(dir, 'migration.sql');
  await writeFile(path, script, 'utf8');
  await writeFile(join(migrationsDir, migrationsList.lockfile.path), lockFileContent('postgresql'), 'utf8');
  return { name: dirName, path };
}

/** YYYYMMDDHHMMSS in UTC, as the engine names migrations. */
export function migrationTimestamp(date: Date): string {
  return date.toISOString().replace(/\D/g, '').slice(0, 14);
}

/**
 * Close to the Prisma CLI's `slugify(name, { separator: '_' }).substring(0, 200)`:
 * "Add API tokens" → "add_api_tokens", "addTags" → "add_tags".
 */
export function slugifyMigrationName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/([a-z\d])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z\d]+)/g, '$1_$2')
    .toLowerCase()
    .replace(/([a-z\d]+)'([ts])(\s|$)/g, '$1$2$3')
    .replace(/[^a-z\d]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .substring(0, 200);
}
