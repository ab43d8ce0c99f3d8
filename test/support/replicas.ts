/**
 * A Plugform cluster for multi-replica tests: N real server processes (`server/main.ts`) on
 * one fresh PostgreSQL database, sharing one Vault KV v2 double that runs as its own process,
 * behind a round-robin HTTP proxy, with a TCP proxy in front of PostgreSQL that the test can
 * cut and restore.
 *
 *   test ──► round-robin proxy ──► replica 0 ┐
 *                                  replica 1 ├──► PostgreSQL TCP proxy ──► PostgreSQL
 *                                  replica 2 ┘        (cut / restore)
 *                                      └──────────────► Vault double (own process)
 *
 * Replicas run under Node's own type stripping (the repository is `erasableSyntaxOnly`), which
 * starts a process several seconds sooner than tsx on these 2-core machines; `runner: 'tsx'`
 * uses tsx instead. Each replica has its own data directory (nothing shared through it), logs
 * at debug level, and is reached directly at `replica.url` or through `cluster.url`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer as createHttpServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { createConnection, createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { openDatabase } from '../../prisma/database.ts';
import { applyMigrations } from '../../prisma/migrate.ts';
import { POSTGRES_URL } from './postgres.ts';
import type { GqlBody, GqlOptions, GqlResponse } from './server.ts';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');
export { POSTGRES_URL } from './postgres.ts';

// -----------------------------------------------------------------------------------------
// Polling

/** Polls `probe` until it returns something other than undefined/false, or fails at the deadline. */
export async function waitUntil<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  { timeoutMs = 20_000, everyMs = 50 }: { timeoutMs?: number; everyMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

// -----------------------------------------------------------------------------------------
// TCP proxy in front of PostgreSQL

export interface TcpProxy {
  port: number;
  /** True while cut. */
  readonly isCut: boolean;
  /** Drops every open connection and resets new ones until `restore()`. */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const open = new Set<Socket>();
  let cut = false;
  const server = createTcpServer((client) => {
    if (cut) return void client.destroy();
    const upstream = createConnection(target);
    open.add(client);
    open.add(upstream);
    const drop = () => {
      open.delete(client);
      open.delete(upstream);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    get isCut() {
      return cut;
    },
    cut() {
      cut = true;
      for (const socket of open) socket.destroy();
      open.clear();
    },
    restore() {
      cut = false;
    },
    async close() {
      for (const socket of open) socket.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

// -----------------------------------------------------------------------------------------
// The Vault double as a process

export interface VaultProcess {
  url: string;
  rootToken: string;
  seal(): Promise<void>;
  unseal(): Promise<void>;
  /** Requests the double has received so far. */
  requestCount(): Promise<number>;
  close(): Promise<void>;
}

export async function startVaultProcess(): Promise<VaultProcess> {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'test/support/vault-double-process.ts')], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const first = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the Vault double exited (${code}) before listening: ${stderr.join('')}`)));
  });
  const { url, rootToken, controlUrl } = JSON.parse(first) as { url: string; rootToken: string; controlUrl: string };
  const control = async (method: string, path: string) => {
    const response = await fetch(`${controlUrl}${path}`, { method });
    if (!response.ok) throw new Error(`Vault double control ${method} ${path}: ${response.status}`);
    return response.json() as Promise<Record<string, unknown>>;
  };
  return {
    url,
    rootToken,
    seal: async () => void (await control('POST', '/seal')),
    unseal: async () => void (await control('POST', '/unseal')),
    requestCount: async () => (await control('GET', '/requests')).count as number,
    close: () => stopProcess(child, 'SIGTERM'),
  };
}

// -----------------------------------------------------------------------------------------
// Replicas

export interface Replica {
  /** Position in `cluster.replicas` (stable: a replica added later gets the next index). */
  readonly index: number;
  readonly pid: number;
  /** `http://127.0.0.1:<port>`, once listening. */
  readonly url: string;
  readonly port: number;
  /** Every line the process wrote (stderr: the log; stdout: announcements), in order. */
  readonly output: string[];
  /** Lines of stdout only (announcements, such as a generated admin token). */
  readonly stdout: string[];
  /** False once the process exited (killed or stopped). */
  readonly alive: boolean;
  readonly exitCode: number | null;
  readonly exitSignal: NodeJS.Signals | null;
  /** Resolves when the process has exited. */
  readonly exited: Promise<void>;
  /** Output lines matching `pattern`. */
  logLines(pattern?: RegExp): string[];
}

interface ReplicaHandle extends Replica {
  child: ChildProcess;
}

export interface ClusterOptions {
  replicas?: number;
  /** Environment given to every replica (on top of the cluster's own). */
  env?: Record<string, string>;
  /** Entries of PLUGIN_PATHS. */
  pluginPaths?: string[];
  /** The admin token every replica registers; `null` sets none (each start may bootstrap one). */
  adminToken?: string | null;
  /** `node` (type stripping, default) or `tsx`. */
  runner?: 'node' | 'tsx';
  /** How long a replica may take to listen (default 90 s: 2 shared cores). */
  startTimeoutMs?: number;
  /** The PostgreSQL server the fresh database is created on (default POSTGRES_URL). */
  postgresUrl?: string;
  /**
   * Runs after the fresh database is migrated and before any replica starts (e.g. to store many
   * instances at once), with the database's direct URL and the Vault double.
   */
  seed?: (context: { databaseUrl: string; vault: VaultProcess }) => Promise<void>;
}

export interface Cluster {
  /** The round-robin proxy's URL. */
  url: string;
  graphqlUrl: string;
  /** The admin token (generated unless `adminToken: null`, then set it with `useToken`). */
  adminToken: string | undefined;
  readonly replicas: Replica[];
  /** The database's direct URL (not through the TCP proxy), for assertions. */
  databaseUrl: string;
  /** What replicas connect to: the database through the TCP proxy. */
  proxiedDatabaseUrl: string;
  databaseName: string;
  postgresProxy: TcpProxy;
  vault: VaultProcess;
  /** Which replica served each request through the proxy, by index, in order. */
  readonly served: number[];
  /** Sets the token `gql` sends by default. */
  useToken(token: string): void;
  /** GraphQL through the proxy, or straight to `options.replica`. */
  gql<T = any>(query: string, variables?: Record<string, unknown>, options?: GqlOptions & { replica?: number }): Promise<GqlResponse<T>>;
  /** A plain GET (or other) request through the proxy, or to one replica. */
  request(path: string, init?: RequestInit & { replica?: number }): Promise<{ status: number; headers: Headers; text: string }>;
  /** SQL on the database directly (never through the cuttable proxy). */
  sql<Row = Record<string, unknown>>(text: string, params?: unknown[]): Promise<Row[]>;
  /** Starts one more replica with the cluster's settings (plus `env`). */
  addReplica(env?: Record<string, string>): Promise<Replica>;
  /** SIGKILL: no shutdown code runs. Resolves once the process is gone. */
  kill(index: number): Promise<void>;
  /** SIGTERM and wait for the exit (graceful shutdown). */
  stop(index: number): Promise<void>;
  /** Polls GET /readyz on the replica until it answers 200. */
  waitReady(index: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const count = options.replicas ?? 3;
  const serverUrl = options.postgresUrl ?? POSTGRES_URL;
  const databaseName = `plugform_replicas_${randomBytes(6).toString('hex')}`;
  await adminQuery(serverUrl, `CREATE DATABASE "${databaseName}"`);
  const direct = new URL(serverUrl);
  direct.pathname = `/${databaseName}`;
  const databaseUrl = direct.toString();

  const cleanups: Array<() => Promise<unknown>> = [() => adminQuery(serverUrl, `DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`)];
  const cleanup = async () => {
    for (const step of cleanups.reverse()) await step().catch(() => undefined);
  };

  try {
    const postgresProxy = await startTcpProxy({ host: direct.hostname, port: Number(direct.port || 5432) });
    cleanups.push(() => postgresProxy.close());
    const proxied = new URL(databaseUrl);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(postgresProxy.port);
    const proxiedDatabaseUrl = proxied.toString();

    const vault = await startVaultProcess();
    cleanups.push(() => vault.close());

    if (options.seed) {
      const database = await openDatabase({ databaseUrl, dataDir: ':memory:' });
      try {
        await applyMigrations(database, { log: () => undefined });
        await options.seed({ databaseUrl, vault });
      } finally {
        await database.close();
      }
    }

    const dataRoot = await mkdtemp(join(tmpdir(), 'plugform-replicas-'));
    cleanups.push(() => rm(dataRoot, { recursive: true, force: true }));

    const adminToken = options.adminToken === null ? undefined : (options.adminToken ?? `pf_replicas_admin_${randomBytes(12).toString('hex')}`);
    const baseEnv: Record<string, string> = {
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: '0',
      DATABASE_URL: proxiedDatabaseUrl,
      PLUGFORM_SECRET_STORE: 'vault',
      VAULT_ADDR: vault.url,
      VAULT_TOKEN: vault.rootToken,
      PLUGFORM_LOG_LEVEL: 'debug',
      PLUGFORM_HEALTH_INTERVAL: '86400',
      ...(options.pluginPaths ? { PLUGIN_PATHS: options.pluginPaths.join(delimiter) } : {}),
      ...(adminToken ? { PLUGFORM_ADMIN_TOKEN: adminToken } : {}),
      ...options.env,
    };

    const replicas: ReplicaHandle[] = [];
    cleanups.push(async () => {
      await Promise.all(replicas.filter((r) => r.alive).map((r) => stopProcess(r.child, 'SIGKILL')));
    });

    const launch = async (extraEnv: Record<string, string> = {}): Promise<ReplicaHandle> => {
      const index = replicas.length;
      const dataDir = join(dataRoot, `replica-${index}`);
      const args = options.runner === 'tsx' ? ['--import', 'tsx', 'server/main.ts'] : ['server/main.ts'];
      const child = spawn(process.execPath, args, {
        cwd: REPO_ROOT,
        env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? tmpdir(), ...baseEnv, PLUGFORM_DATA_DIR: dataDir, ...extraEnv },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const output: string[] = [];
      const stdout: string[] = [];
      createInterface({ input: child.stdout! }).on('line', (line) => {
        output.push(line);
        stdout.push(line);
      });
      createInterface({ input: child.stderr! }).on('line', (line) => output.push(line));
      let alive = true;
      let exitCode: number | null = null;
      let exitSignal: NodeJS.Signals | null = null;
      const exited = new Promise<void>((r) =>
        child.once('exit', (code, signal) => {
          alive = false;
          exitCode = code;
          exitSignal = signal;
          r();
        }),
      );
      let port = 0;
      const handle: ReplicaHandle = {
        index,
        child,
        pid: child.pid!,
        get url() {
          return `http://127.0.0.1:${port}`;
        },
        get port() {
          return port;
        },
        output,
        stdout,
        get alive() {
          return alive;
        },
        get exitCode() {
          return exitCode;
        },
        get exitSignal() {
          return exitSignal;
        },
        exited,
        logLines: (pattern) => (pattern ? output.filter((line) => pattern.test(line)) : [...output]),
      };
      replicas.push(handle);
      const listening = /Plugform is listening on http:\/\/[^:]+:(\d+)/;
      await waitUntil(
        `replica ${index} to listen`,
        () => {
          if (!alive) throw new Error(`replica ${index} exited (${exitCode ?? exitSignal}):\n${output.slice(-30).join('\n')}`);
          const line = output.find((l) => listening.test(l));
          return line ? Number(listening.exec(line)![1]) : undefined;
        },
        { timeoutMs: options.startTimeoutMs ?? 90_000, everyMs: 100 },
      ).then((p) => (port = p));
      return handle;
    };

    // Started together, as an orchestrator would start them (the bootstrap test relies on it).
    await Promise.all(Array.from({ length: count }, () => launch()));

    const served: number[] = [];
    const balancer = await startRoundRobin(replicas, served);
    cleanups.push(() => balancer.close());

    let token = adminToken;
    const request: Cluster['request'] = async (path, init = {}) => {
      const { replica, ...rest } = init;
      const base = replica === undefined ? balancer.url : replicas[replica]!.url;
      const response = await fetch(`${base}${path}`, rest);
      return { status: response.status, headers: response.headers, text: await response.text() };
    };
    const gql: Cluster['gql'] = async (query, variables, gqlOptions = {}) => {
      const bearer = gqlOptions.token === undefined ? token : gqlOptions.token;
      const { status, headers, text } = await request('/graphql', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
          ...gqlOptions.headers,
        },
        body: JSON.stringify({ query, ...(variables ? { variables } : {}) }),
        ...(gqlOptions.replica === undefined ? {} : { replica: gqlOptions.replica }),
      });
      let body: GqlBody<any>;
      try {
        body = JSON.parse(text) as GqlBody<any>;
      } catch {
        throw new Error(`expected a JSON body from /graphql, got ${status}: ${text.slice(0, 300)}`);
      }
      return { status, headers, text, body };
    };

    const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    pool.on('error', () => undefined);
    cleanups.splice(1, 0, () => pool.end());

    const cluster: Cluster = {
      url: balancer.url,
      graphqlUrl: `${balancer.url}/graphql`,
      get adminToken() {
        return token;
      },
      replicas,
      databaseUrl,
      proxiedDatabaseUrl,
      databaseName,
      postgresProxy,
      vault,
      served,
      useToken: (value) => void (token = value),
      gql,
      request,
      sql: async (text, params) => (await pool.query(text, params)).rows,
      addReplica: (env) => launch(env),
      async kill(index) {
        const replica = replicas[index]!;
        await stopProcess(replica.child, 'SIGKILL');
      },
      async stop(index) {
        await stopProcess(replicas[index]!.child, 'SIGTERM');
      },
      async waitReady(index, timeoutMs = 30_000) {
        await waitUntil(`replica ${index} to be ready`, async () => (await request('/readyz', { replica: index })).status === 200, { timeoutMs });
      },
      close: cleanup,
    };
    return cluster;
  } catch (error) {
    await cleanup();
    throw error;
  }
}

// -----------------------------------------------------------------------------------------
// Round-robin HTTP proxy

interface Balancer {
  url: string;
  close(): Promise<void>;
}

/**
 * Sends each request to the next live replica, as a load balancer would. A replica that
 * refuses the connection (killed) is skipped and the request goes to the next one: nothing
 * was sent, so that is safe. A replica that dies mid-request makes the request fail (502),
 * exactly what a client behind a real balancer sees. Responses stream (SSE works).
 * Each response carries `x-plugform-replica: <index>`.
 */
async function startRoundRobin(replicas: Replica[], served: number[]): Promise<Balancer> {
  let next = 0;
  const pick = (tried: Set<number>): Replica | undefined => {
    for (let i = 0; i < replicas.length; i++) {
      const replica = replicas[(next + i) % replicas.length]!;
      if (replica.alive && replica.port && !tried.has(replica.index)) {
        next = (replica.index + 1) % replicas.length;
        return replica;
      }
    }
    return undefined;
  };
  const server: Server = createHttpServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const tried = new Set<number>();
    const attempt = () => {
      const replica = pick(tried);
      if (!replica) {
        res.writeHead(502, { 'content-type': 'text/plain' }).end('no live replica');
        return;
      }
      tried.add(replica.index);
      const upstream = httpRequest(
        { host: '127.0.0.1', port: replica.port, method: req.method, path: req.url, headers: { ...req.headers, host: `127.0.0.1:${replica.port}` } },
        (response: IncomingMessage) => {
          served.push(replica.index);
          res.writeHead(response.statusCode ?? 502, { ...response.headers, 'x-plugform-replica': String(replica.index) });
          response.pipe(res);
          response.on('error', () => res.destroy());
        },
      );
      upstream.on('error', (error: NodeJS.ErrnoException) => {
        if (res.headersSent) return void res.destroy();
        if (error.code === 'ECONNREFUSED') return attempt();
        res.writeHead(502, { 'content-type': 'text/plain' }).end(`replica ${replica.index}: ${error.code ?? error.message}`);
      });
      res.on('close', () => upstream.destroy());
      upstream.end(body);
    };
    attempt();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

// -----------------------------------------------------------------------------------------

async function adminQuery(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function stopProcess(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill(signal);
  return exited;
}
