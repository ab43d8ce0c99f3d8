/**
 * The real Plugform server, started in-process for API tests: a free port on 127.0.0.1, a
 * temporary data directory (file-backed PGlite and the local secret store), a known admin
 * token, extra plugins through PLUGIN_PATHS, and a logger whose lines the test can read.
 *
 * Instruments, so tests can prove what a request cost:
 * - `sql`: every SQL statement Prisma sends (counted at the PGlite driver adapter);
 * - `secretCalls`: every call into the secret store (the store handed to the server is wrapped).
 * Every response `gql`/`post` received is kept in `responses`, for the canary check.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { startServer, type RunningServer } from '../../server/app/start-server.ts';
import { loadConfig } from '../../server/config.ts';
import type { EgressGate } from '../../server/instances/plugin-context.ts';
import { createLogger } from '../../server/logger.ts';
import { createSecretStore, type SecretStore } from '../../server/secrets/index.ts';

export type Role = 'viewer' | 'operator' | 'admin';

export interface GqlError {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; requestId?: string; [key: string]: unknown };
}

export interface GqlBody<T> {
  data?: T | null;
  errors?: GqlError[];
}

export interface GqlResponse<T = any> {
  status: number;
  body: GqlBody<T>;
  headers: Headers;
  /** The raw body text. */
  text: string;
}

export interface GqlOptions {
  /** A bearer token; `null` sends none (anonymous). Default: the admin token. */
  token?: string | null;
  headers?: Record<string, string>;
}

export interface RecordedResponse {
  status: number;
  headers: [string, string][];
  text: string;
}

export interface SecretCalls {
  read: number;
  write: number;
  delete: number;
}

/** Set one to make every such call of the secret store fail with it (until unset). */
export interface SecretFaults {
  read?: Error;
  write?: Error;
  delete?: Error;
}

export interface SqlCounter {
  /** SQL statements sent since the last `reset`. */
  readonly statements: string[];
  reset(): void;
}

export interface TestServer {
  url: string;
  graphqlUrl: string;
  adminToken: string;
  dataDir: string;
  running: RunningServer;
  /** Every log line, as the server's logger wrote it. */
  logs: string[];
  /** What the server announced once (nothing when PLUGFORM_ADMIN_TOKEN is set). */
  announcements: string[];
  /** Every HTTP response received through `gql`/`post`/`fetch`. */
  responses: RecordedResponse[];
  secretCalls: SecretCalls;
  secretFaults: SecretFaults;
  sql: SqlCounter;
  gql<T = any>(query: string, variables?: Record<string, unknown>, options?: GqlOptions): Promise<GqlResponse<T>>;
  /** A raw request to /graphql (CSRF and transport tests). */
  fetch(path: string, init?: RequestInit): Promise<{ status: number; headers: Headers; text: string }>;
  /** A new token of the role, made through the createApiToken mutation. */
  tokenFor(role: Role, name?: string): Promise<string>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  /** Entries of PLUGIN_PATHS (default: the API fixture plugins). */
  pluginPaths?: string[];
  /** Extra environment for loadConfig and the secret store. */
  env?: Record<string, string>;
  /** Default: the gate of the config (NODE_ENV=test: loopback and private ranges reachable, as the fixtures need). */
  egress?: EgressGate;
  /** Reuse this data directory (a restart); it is then left in place on close. */
  dataDir?: string;
}

export const FIXTURE_PLUGINS = join(import.meta.dirname, '../api/fixtures/plugins');

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const ownDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'plugform-api-')));
  const adminToken = `pf_test_admin_${randomBytes(12).toString('hex')}`;
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    PLUGFORM_DATA_DIR: dataDir,
    PLUGFORM_ADMIN_TOKEN: adminToken,
    PLUGIN_PATHS: (options.pluginPaths ?? [FIXTURE_PLUGINS]).join(delimiter),
    // Scheduled checks are stopped once started (below); a day's interval until then.
    PLUGFORM_HEALTH_INTERVAL: '86400',
    PLUGFORM_LOG_LEVEL: 'debug',
    // Suites run many tests and checks with one token within a minute; test/security sets its own.
    PLUGFORM_MAX_CHECKS_PER_MINUTE: '10000',
    ...options.env,
  };
  const config = loadConfig(env);
  const logs: string[] = [];
  const announcements: string[] = [];
  const logger = createLogger({ level: 'debug', sink: (line) => logs.push(line) });
  const secretCalls: SecretCalls = { read: 0, write: 0, delete: 0 };
  const secretFaults: SecretFaults = {};
  const secretStore = instrumentedStore(
    createSecretStore(env, { dataDir: config.dataDir, log: (line) => logger.info(line) }),
    secretCalls,
    secretFaults,
  );
  const sql = sqlCounter();

  let running: RunningServer;
  try {
    running = await startServer({
      config,
      logger,
      announce: (text) => announcements.push(text),
      secretStore,
      ...(options.egress ? { egress: options.egress } : {}),
    });
  } catch (error) {
    if (ownDataDir) await rm(dataDir, { recursive: true, force: true });
    throw error;
  }

  // Scheduled health checks would add statements and rows while a test measures or counts.
  running.services.scheduler.stop();

  const graphqlUrl = `${running.url}/graphql`;
  const responses: RecordedResponse[] = [];
  const record = async (response: Response) => {
    const text = await response.text();
    responses.push({ status: response.status, headers: [...response.headers.entries()], text });
    return { status: response.status, headers: response.headers, text };
  };

  const gql = async <T>(query: string, variables?: Record<string, unknown>, gqlOptions: GqlOptions = {}): Promise<GqlResponse<T>> => {
    const token = gqlOptions.token === undefined ? adminToken : gqlOptions.token;
    const response = await fetch(graphqlUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        ...(token === null ? {} : { authorization: `Bearer ${token}` }),
        ...gqlOptions.headers,
      },
      body: JSON.stringify({ query, ...(variables ? { variables } : {}) }),
    });
    const { status, headers, text } = await record(response);
    let body: GqlBody<T>;
    try {
      body = JSON.parse(text) as GqlBody<T>;
    } catch {
      throw new Error(`expected a JSON body from ${graphqlUrl}, got ${status}: ${text.slice(0, 500)}`);
    }
    return { status, body, headers, text };
  };

  let tokenCount = 0;
  const server: TestServer = {
    url: running.url,
    graphqlUrl,
    adminToken,
    dataDir,
    running,
    logs,
    announcements,
    responses,
    secretCalls,
    secretFaults,
    sql,
    gql,
    fetch: async (path, init) => record(await fetch(`${running.url}${path}`, init)),
    async tokenFor(role, name = `${role} ${++tokenCount}`) {
      const result = await gql<{ createApiToken: { __typename: string; data?: { token: string } } }>(
        `mutation ($name: String!, $role: Role!) {
          createApiToken(name: $name, role: $role) { __typename ... on MutationCreateApiTokenSuccess { data { token } } }
        }`,
        { name, role: role.toUpperCase() },
      );
      const token = result.body.data?.createApiToken.data?.token;
      if (!token) throw new Error(`could not create a ${role} token: ${result.text}`);
      return token;
    },
    async close() {
      await running.close();
      if (ownDataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
  return server;
}

/** The store the server gets: the real local store, every call counted, faults on demand. */
function instrumentedStore(store: SecretStore, calls: SecretCalls, faults: SecretFaults): SecretStore {
  const call = <T>(operation: keyof SecretCalls, run: () => Promise<T>): Promise<T> => {
    calls[operation]++;
    const fault = faults[operation];
    return fault ? Promise.reject(fault) : run();
  };
  return {
    kind: store.kind,
    check: () => store.check(),
    read: (id) => call('read', () => store.read(id)),
    write: (id, values, options) => call('write', () => store.write(id, values, options)),
    delete: (id) => call('delete', () => store.delete(id)),
    ...(store.readVersion ? { readVersion: (id: string, version: number) => call('read', () => store.readVersion!(id, version)) } : {}),
    ...(store.identity ? { identity: () => store.identity!() } : {}),
    ...(store.close ? { close: () => store.close!() } : {}),
  };
}

// -----------------------------------------------------------------------------------------
// SQL statement counting

/**
 * Every statement Prisma Client sends to PGlite goes through the driver adapter's
 * `performIO` (queries and transactions alike; see pglite-prisma-adapter's PGliteQueryable).
 * The method is wrapped once per process on the class's prototype, reached through an
 * adapter instance (connecting the factory touches no database).
 */
const RECORDERS = Symbol.for('plugform.test.sqlRecorders');

interface Queryable {
  performIO(query: { sql: string }): Promise<unknown>;
}

function sqlCounter(): SqlCounter {
  const registry = globalThis as unknown as { [RECORDERS]?: Set<(sql: string) => void> };
  if (!registry[RECORDERS]) {
    const recorders = new Set<(sql: string) => void>();
    registry[RECORDERS] = recorders;
    void new PrismaPGlite({} as never).connect().then((adapter) => {
      const queryable = Object.getPrototypeOf(Object.getPrototypeOf(adapter)) as Queryable;
      const original = queryable.performIO;
      if (typeof original !== 'function') throw new Error('pglite-prisma-adapter changed: no performIO to count SQL with');
      queryable.performIO = function (this: Queryable, query) {
        for (const record of recorders) record(query.sql);
        return original.call(this, query);
      };
    });
  }
  const statements: string[] = [];
  registry[RECORDERS].add((sql) => statements.push(sql));
  return {
    statements,
    reset: () => void statements.splice(0),
  };
}
