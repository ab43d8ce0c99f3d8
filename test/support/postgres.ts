/**
 * The PostgreSQL server the tests create their throwaway databases on, and the gate that
 * decides what a suite does when it does not answer.
 */
import pg from 'pg';

type Env = Readonly<Record<string, string | undefined>>;

const DEFAULT_POSTGRES_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';

export const POSTGRES_URL = postgresUrlOf(process.env);

function postgresUrlOf(env: Env): string {
  return env['PLUGFORM_TEST_POSTGRES_URL'] || DEFAULT_POSTGRES_URL;
}

/** The URL without its password, for messages. */
function shown(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(an unparsable PLUGFORM_TEST_POSTGRES_URL)';
  }
}

/** Why PostgreSQL at `url` cannot be used, or undefined when it can. */
export async function postgresUnavailable(url = POSTGRES_URL): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return `PostgreSQL at ${shown(url)} is unreachable (${(error as Error).message})`;
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Whether the PostgreSQL suites run. Where PostgreSQL is expected — in CI (`CI=true`), or when
 * PLUGFORM_TEST_POSTGRES_URL is set on purpose — an unreachable server throws, failing the
 * suite at import instead of letting it pass with nothing run; elsewhere the suite is skipped,
 * saying why.
 */
export async function postgresGate(env: Env = process.env, url = postgresUrlOf(env)): Promise<{ available: boolean; reason?: string }> {
  const reason = await postgresUnavailable(url);
  if (reason === undefined) return { available: true };
  if (env['PLUGFORM_TEST_POSTGRES_URL']) throw new Error(`${reason}; PLUGFORM_TEST_POSTGRES_URL is set, so the PostgreSQL tests must run`);
  if (isTrue(env['CI'])) throw new Error(`${reason}; CI requires it (set PLUGFORM_TEST_POSTGRES_URL)`);
  console.warn(`skipping the PostgreSQL tests: ${reason}. Set PLUGFORM_TEST_POSTGRES_URL or start it: pg_ctlcluster <version> main start`);
  return { available: false, reason };
}

/** CI services set CI to `true` (some to `1`); `false`/`0`/empty mean not CI. */
function isTrue(value: string | undefined): boolean {
  return value !== undefined && !['', '0', 'false', 'no'].includes(value.trim().toLowerCase());
}

/** Runs `fn` on a fresh connection to the server's own database (CREATE/DROP DATABASE …). */
export async function withPostgresAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
