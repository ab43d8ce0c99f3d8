/**
 * `npm run db:migrate`: applies pending migrations to the configured database
 * (DATABASE_URL, else embedded PGlite under PLUGFORM_DATA_DIR, default ./data).
 * The server applies them at startup too; this is for deploy pipelines and operators.
 */
import { databaseOptionsFromEnv, openDatabase } from '../database.ts';
import { applyMigrations, MigrationError } from '../migrate.ts';

const db = await openDatabase(databaseOptionsFromEnv());
try {
  await applyMigrations(db);
} catch (error) {
  console.error(error instanceof MigrationError ? `migrate: ${error.message}` : error);
  process.exitCode = 1;
} finally {
  await db.close();
}
