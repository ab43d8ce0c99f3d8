/**
 * Prisma's schema engine, as WebAssembly (@prisma/schema-engine-wasm), over a driver adapter.
 * The native engine binary cannot be downloaded here; the wasm build needs no binary and no
 * database URL, only an adapter (PGlite or pg). Used to create migrations offline and to
 * prove there is no drift between migrations, database and schema.prisma.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { lockFileContent, MIGRATION_LOCK_FILE, MIGRATIONS_DIR, SCHEMA_PATH } from './paths.ts';
import type { MigrationList, SchemaContainer, SchemaEngine, SchemaFilter } from '@prisma/schema-engine-wasm/schema_engine_bg';

type EngineModule = typeof import('@prisma/schema-engine-wasm/schema_engine_bg');

/** No externally managed tables or enums: the engine owns the whole schema. */
export const NO_FILTER: SchemaFilter = { externalTables: [], externalEnums: [] };

let enginePromise: Promise<EngineModule> | undefined;

/**
 * The package's main entry imports the .wasm as an ES module, which Node runs only behind an
 * experimental flag; so, as prisma-pglite does, we instantiate the wasm ourselves against the
 * JS glue. Compiled once per process.
 */
function loadEngineModule(): Promise<EngineModule> {
  enginePromise ??= (async () => {
    const glue = await import('@prisma/schema-engine-wasm/schema_engine_bg');
    const require = createRequire(import.meta.url);
    const wasmPath = join(dirname(require.resolve('@prisma/schema-engine-wasm/schema_engine_bg')), 'schema_engine_bg.wasm');
    const instance = new WebAssembly.Instance(new WebAssembly.Module(await readFile(wasmPath)), {
      './schema_engine_bg.js': glue as unknown as WebAssembly.ModuleImports,
    });
    (glue as unknown as { __wbg_set_wasm(exports: unknown): void }).__wbg_set_wasm(instance.exports);
    (instance.exports as unknown as { __wbindgen_start(): void }).__wbindgen_start();
    return glue;
  })();
  return enginePromise;
}

/**
 * Runs `fn` with an engine connected through `factory`. Afterwards the engine is freed and
 * every connection it opened is disposed (freeing the engine does not dispose them, and an
 * open pg pool would keep the process alive).
 */
export async function withSchemaEngine<T>(
  factory: SqlMigrationAwareDriverAdapterFactory,
  fn: (engine: SchemaEngine) => Promise<T>,
): Promise<T> {
  const { SchemaEngine } = await loadEngineModule();
  const open = new Set<SqlDriverAdapter>();
  const tracked = (adapter: SqlDriverAdapter): SqlDriverAdapter => {
    open.add(adapter);
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      if (!open.delete(adapter)) return;
      await dispose();
    };
    return adapter;
  };
  const trackingFactory: SqlMigrationAwareDriverAdapterFactory = {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => tracked(await factory.connect()),
    connectToShadowDb: async () => tracked(await factory.connectToShadowDb()),
  };
  const engine = await SchemaEngine.new({ datamodels: undefined }, () => {}, bindMigrationAwareSqlAdapterFactory(trackingFactory));
  try {
    return await fn(engine);
  } finally {
    engine.free();
    for (const adapter of [...open]) await adapter.dispose();
  }
}

export async function readSchemaFiles(schemaPath = SCHEMA_PATH): Promise<SchemaContainer[]> {
  return [{ path: schemaPath, content: await readFile(schemaPath, 'utf8') }];
}

/** The migrations directory as the engine wants it (what the Prisma CLI builds, too). */
export async function readMigrationList(migrationsDir = MIGRATIONS_DIR): Promise<MigrationList> {
  const lockPath = join(migrationsDir, MIGRATION_LOCK_FILE);
  const names = existsSync(migrationsDir)
    ? (await readdir(migrationsDir, { withFileTypes: true }))
        .filter((entry) => entry.isDirectory())
        .map((entry) => entry.name)
        .sort()
    : [];
  return {
    baseDir: migrationsDir,
    lockfile: { path: MIGRATION_LOCK_FILE, content: existsSync(lockPath) ? await readFile(lockPath, 'utf8') : null },
    shadowDbInitScript: '',
    migrationDirectories: await Promise.all(
      names.map(async (name) => ({
        path: name,
        migrationFile: {
          path: 'migration.sql',
          content: await readFile(join(migrationsDir, name, 'migration.sql'), 'utf8').then(
            (value) => ({ tag: 'ok' as const, value }),
            (error: Error) => ({ tag: 'error' as const, value: error.message }),
          ),
        },
      })),
    ),
  };
}

/**
 * SQL that would bring the database behind `factory` to schema.prisma; undefined when there
 * is nothing to do (no drift). The engine leaves `_prisma_migrations` out of the comparison.
 */
export async function diffDatabaseToSchema(
  factory: SqlMigrationAwareDriverAdapterFactory,
  schemaPath = SCHEMA_PATH,
): Promise<string | undefined> {
  const files = await readSchemaFiles(schemaPath);
  return withSchemaEngine(factory, async (engine) => {
    const diff = await engine.diff({
      from: { tag: 'schemaDatasource', files, configDir: dirname(schemaPath) },
      to: { tag: 'schemaDatamodel', files },
      script: true,
      exitCode: true,
      filters: NO_FILTER,
    });
    // With exitCode, the engine answers 0 for an empty diff and 2 otherwise.
    return diff.exitCode === 0 ? undefined : (diff.stdout ?? '');
  });
}

/**
 * SQL that would bring a database built by replaying the migrations (in the factory's shadow
 * database) to schema.prisma; undefined when the migrations already produce the schema.
 */
export async function diffMigrationsToSchema(
  factory: SqlMigrationAwareDriverAdapterFactory,
  options: { migrationsDir?: string; schemaPath?: string } = {},
): Promise<string | undefined> {
  const files = await readSchemaFiles(options.schemaPath);
  const migrations = await readMigrationList(options.migrationsDir);
  // Before the first migration there is no lock file yet; the engine needs one to know the
  // connector, so hand it the one the first migration will get.
  migrations.lockfile.content ??= lockFileContent('postgresql');
  return withSchemaEngine(factory, async (engine) => {
    const diff = await engine.diff({
      from: { tag: 'migrations', ...migrations },
      to: { tag: 'schemaDatamodel', files },
      script: true,
      exitCode: true,
      filters: NO_FILTER,
    });
    return diff.exitCode === 0 ? undefined : (diff.stdout ?? '');
  });
}
