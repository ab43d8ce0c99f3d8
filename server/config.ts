/**
 * Every setting the server reads from the environment, parsed and checked in one place so a
 * typo fails at startup with the variable's name instead of misbehaving later.
 */
import { realpathSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, delimiter, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { egressEntryProblem, type EgressSettings } from './egress/egress.ts';
import { DEFAULT_MAX_RESPONSE_BYTES } from './egress/http-client.ts';
import { DEFAULT_CONFIGURATION_LIMITS, type ConfigurationLimits } from './instances/input-limits.ts';
import { BUILTIN_PLUGINS_DIR, DEFAULT_IMPORT_TIMEOUT_MS, parsePluginPaths } from './registry/index.ts';

export interface ServerConfig {
  port: number;
  host: string;
  /** PostgreSQL connection string; unset means embedded PGlite in `dataDir`. */
  databaseUrl: string | undefined;
  dataDir: string;
  builtinPluginsDir: string;
  localPluginsDir: string;
  extraPluginPaths: string[];
  /** How long one plugin's import may take before it is recorded as a load error. */
  pluginLoadTimeoutMs: number;
  /**
   * Unset means `production`: a server nobody configured gets the safe defaults. `npm run dev`
   * sets `development` (GraphiQL, token-less introspection); tests set `test`.
   */
  environment: 'development' | 'production' | 'test';
  /** Serve GraphiQL at `GET /graphql` (default: only in development). */
  graphiql: boolean;
  /** Answer introspection queries sent without a token (default: only in development). */
  anonymousIntrospection: boolean;
  /** What one request, one token and one subscription may use (README, "Limits"). */
  limits: RequestLimits;
  /** How often the tokens of open subscriptions are checked for a revocation on another replica. */
  sessionCheckIntervalMs: number;
  /**
   * How long an authenticated token is remembered (0: never). Revocations end it at once on
   * every replica (the cluster bus); the TTL only bounds a revocation whose announcement a
   * replica missed.
   */
  tokenCacheTtlMs: number;
  adminToken: string | undefined;
  healthIntervalMs: number;
  /** How long one health check may take before it counts as failed. */
  healthTimeoutMs: number;
  healthHistoryLimit: number;
  healthConcurrency: number;
  /** PLUGFORM_PROVIDER_IDLE: a provider unused this long is stopped and dropped (0: never); its next use starts it again. */
  providerIdleMs: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** Browser origins besides the server's own that may call the API (CSRF protection). */
  allowedOrigins: string[];
  /** Upper bound of one operation call (sendNotification …), vendor round trips included. */
  operationTimeoutMs: number;
  /** How long an idempotency key's first result is kept and returned for repeats. */
  idempotencyTtlMs: number;
  /** How long a signed download link works. */
  downloadUrlTtlMs: number;
  /** HMAC key of download links; every replica needs the same one. Unset: random per process. */
  signingKey: Buffer | undefined;
  /** HMAC key of secret fingerprints; every replica needs the same one. Unset: one kept in the secret store. */
  fingerprintKey: Buffer | undefined;
  /** The URL callers reach Plugform at, for download links; unset: the request's own origin. */
  publicUrl: string | undefined;
  /** Bearer token Prometheus sends to scrape `/metrics`; unset: `/metrics` is off (404). */
  metricsToken: string | undefined;
  /** This replica's name in logs, cluster events and `replicaProvider`. */
  replicaId: string;
  /** On SIGTERM: how long requests in flight and running checks get to finish. */
  shutdownGraceMs: number;
  /** Sizes and nesting a plugin configuration may have. */
  configurationLimits: ConfigurationLimits;
  /** The egress gate: private ranges blocked (default in production), allow and deny lists. */
  egress: EgressSettings;
  /** Largest vendor response body a plugin's HTTP client reads, in bytes. */
  vendorResponseMaxBytes: number;
  /** Directories local-storage instances may use (never the data dir, inside it or a parent of it). */
  localStorageRoots: string[];
}

/**
 * Every request-level limit, each documented with the variable that sets it, so an error can
 * say which setting refused the request (README, "Limits").
 */
export interface RequestLimits {
  /** PLUGFORM_MAX_BODY_BYTES: a request body larger than this is refused (413) before parsing. */
  maxBodyBytes: number;
  /** PLUGFORM_MAX_QUERY_DEPTH: nested field selections. */
  maxQueryDepth: number;
  /** PLUGFORM_MAX_ALIASES: aliased fields in one operation. */
  maxAliases: number;
  /** PLUGFORM_MAX_QUERY_TOKENS: lexical tokens of one document (checked while parsing). */
  maxQueryTokens: number;
  /** PLUGFORM_MAX_QUERY_COST: graphql-armor's cost estimate (fields weighted by depth and page size). */
  maxQueryCost: number;
  /** PLUGFORM_MAX_DIRECTIVES: directives in one operation. */
  maxDirectives: number;
  /** PLUGFORM_MAX_INPUT_DEPTH: nesting of a literal argument value or of a variable's JSON. */
  maxInputDepth: number;
  /** PLUGFORM_MAX_CHECKS_PER_REQUEST: connection tests and health checks one request may run. */
  maxChecksPerRequest: number;
  /** PLUGFORM_MAX_CHECKS_PER_MINUTE: connection tests and health checks one token may run per minute. */
  maxChecksPerMinute: number;
  /** PLUGFORM_MAX_RESPONSE_BYTES: a result larger than this is replaced by an error. */
  maxResponseBytes: number;
  /** PLUGFORM_MAX_SUBSCRIPTIONS_PER_TOKEN: subscriptions one token may hold open at once. */
  maxSubscriptionsPerToken: number;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly variable: string;
  constructor(variable: string, message: string) {
    super(`${variable}: ${message}`);
    this.variable = variable;
  }
}

type Env = Readonly<Record<string, string | undefined>>;

export function loadConfig(env: Env = process.env): ServerConfig {
  const environment = oneOf(env, 'NODE_ENV', ['development', 'production', 'test'] as const, 'production');
  const development = environment === 'development';
  return {
    port: integer(env, 'PORT', 4000, 0, 65535),
    host: env.HOST?.trim() || '0.0.0.0',
    databaseUrl: env.DATABASE_URL?.trim() || undefined,
    dataDir: dataDirOf(env.PLUGFORM_DATA_DIR?.trim() || 'data'),
    builtinPluginsDir: BUILTIN_PLUGINS_DIR,
    localPluginsDir: resolve('plugins'),
    extraPluginPaths: parsePluginPaths(env.PLUGIN_PATHS),
    pluginLoadTimeoutMs: integer(env, 'PLUGIN_LOAD_TIMEOUT_MS', DEFAULT_IMPORT_TIMEOUT_MS, 100, 600_000),
    environment,
    graphiql: flag(env, 'PLUGFORM_GRAPHIQL', development),
    anonymousIntrospection: flag(env, 'PLUGFORM_ANONYMOUS_INTROSPECTION', development),
    limits: {
      maxBodyBytes: integer(env, 'PLUGFORM_MAX_BODY_BYTES', 1_048_576, 1024, 100 * 1_048_576),
      maxQueryDepth: integer(env, 'PLUGFORM_MAX_QUERY_DEPTH', 10, 1, 100),
      maxAliases: integer(env, 'PLUGFORM_MAX_ALIASES', 15, 0, 1000),
      maxQueryTokens: integer(env, 'PLUGFORM_MAX_QUERY_TOKENS', 2000, 100, 50_000),
      maxQueryCost: integer(env, 'PLUGFORM_MAX_QUERY_COST', 50_000, 10, 10_000_000),
      maxDirectives: integer(env, 'PLUGFORM_MAX_DIRECTIVES', 50, 0, 1000),
      maxInputDepth: integer(env, 'PLUGFORM_MAX_INPUT_DEPTH', 32, 2, 256),
      maxChecksPerRequest: integer(env, 'PLUGFORM_MAX_CHECKS_PER_REQUEST', 3, 1, 100),
      maxChecksPerMinute: integer(env, 'PLUGFORM_MAX_CHECKS_PER_MINUTE', 30, 1, 10_000),
      maxResponseBytes: integer(env, 'PLUGFORM_MAX_RESPONSE_BYTES', 5_000_000, 1000, 1_000_000_000),
      maxSubscriptionsPerToken: integer(env, 'PLUGFORM_MAX_SUBSCRIPTIONS_PER_TOKEN', 10, 1, 1000),
    },
    sessionCheckIntervalMs: integer(env, 'PLUGFORM_SESSION_CHECK_INTERVAL', 10, 1, 3600) * 1000,
    tokenCacheTtlMs: integer(env, 'PLUGFORM_TOKEN_CACHE_TTL', 10, 0, 3600) * 1000,
    adminToken: env.PLUGFORM_ADMIN_TOKEN?.trim() || undefined,
    healthIntervalMs: integer(env, 'PLUGFORM_HEALTH_INTERVAL', 60, 1, 86_400) * 1000,
    healthTimeoutMs: integer(env, 'PLUGFORM_HEALTH_TIMEOUT', 10, 1, 300) * 1000,
    healthHistoryLimit: integer(env, 'PLUGFORM_HEALTH_HISTORY', 50, 1, 10_000),
    healthConcurrency: integer(env, 'PLUGFORM_HEALTH_CONCURRENCY', 16, 1, 1000),
    providerIdleMs: integer(env, 'PLUGFORM_PROVIDER_IDLE', 900, 0, 604_800) * 1000,
    logLevel: oneOf(env, 'PLUGFORM_LOG_LEVEL', ['debug', 'info', 'warn', 'error'] as const, 'info'),
    allowedOrigins: (env.PLUGFORM_ALLOWED_ORIGINS ?? '')
      .split(',')
      .map((o) => o.trim().replace(/\/$/, ''))
      .filter(Boolean),
    operationTimeoutMs: integer(env, 'PLUGFORM_OPERATION_TIMEOUT_MS', 30_000, 100, 600_000),
    idempotencyTtlMs: integer(env, 'PLUGFORM_IDEMPOTENCY_TTL_HOURS', 24, 1, 720) * 3_600_000,
    downloadUrlTtlMs: integer(env, 'PLUGFORM_DOWNLOAD_URL_TTL', 300, 10, 86_400) * 1000,
    signingKey: keyOf(env, 'PLUGFORM_SIGNING_KEY'),
    fingerprintKey: keyOf(env, 'PLUGFORM_FINGERPRINT_KEY'),
    publicUrl: urlOf(env, 'PLUGFORM_PUBLIC_URL'),
    metricsToken: env.PLUGFORM_METRICS_TOKEN?.trim() || undefined,
    replicaId: replicaIdOf(env.PLUGFORM_REPLICA_ID),
    shutdownGraceMs: integer(env, 'PLUGFORM_SHUTDOWN_GRACE', 10, 0, 600) * 1000,
    configurationLimits: {
      maxFieldBytes: integer(env, 'PLUGFORM_MAX_FIELD_BYTES', DEFAULT_CONFIGURATION_LIMITS.maxFieldBytes, 1024, 16 * 1024 * 1024),
      maxConfigurationBytes: integer(env, 'PLUGFORM_MAX_CONFIG_BYTES', DEFAULT_CONFIGURATION_LIMITS.maxConfigurationBytes, 1024, 64 * 1024 * 1024),
      maxJsonDepth: integer(env, 'PLUGFORM_MAX_JSON_DEPTH', DEFAULT_CONFIGURATION_LIMITS.maxJsonDepth, 1, 1000),
    },
    egress: {
      blockPrivate: flag(env, 'PLUGFORM_EGRESS_BLOCK_PRIVATE', environment === 'production'),
      allow: egressList(env, 'PLUGFORM_EGRESS_ALLOW'),
      deny: egressList(env, 'PLUGFORM_EGRESS_DENY'),
    },
    vendorResponseMaxBytes: integer(env, 'PLUGFORM_VENDOR_RESPONSE_MAX_BYTES', DEFAULT_MAX_RESPONSE_BYTES, 1024, 1024 ** 3),
    localStorageRoots: storageRoots(env, dataDirOf(env.PLUGFORM_DATA_DIR?.trim() || 'data')),
  };
}

/** At least 32 bytes, as 64+ hex characters or base64. */
function keyOf(env: Env, name: string): Buffer | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  const key = /^[0-9a-f]+$/i.test(raw) && raw.length % 2 === 0 ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64');
  if (key.length < 32) throw new ConfigError(name, 'expected at least 32 bytes, as hex or base64');
  return key;
}

function urlOf(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, 'expected an absolute http(s) URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(name, 'expected an absolute http(s) URL');
  return url.toString().replace(/\/$/, '');
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw) return fallback;
  if (['true', '1', 'yes', 'on'].includes(raw)) return true;
  if (['false', '0', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(name, `expected true or false, got "${raw}"`);
}

function egressList(env: Env, name: string): string[] {
  const entries = (env[name] ?? '').split(',').map((entry) => entry.trim()).filter(Boolean);
  for (const entry of entries) {
    const problem = egressEntryProblem(entry);
    if (problem) throw new ConfigError(name, problem);
  }
  return entries;
}

const LOCAL_STORAGE_ROOTS = 'PLUGFORM_LOCAL_STORAGE_ROOTS';

/**
 * The roots of local-storage: `PLUGFORM_LOCAL_STORAGE_ROOTS` (absolute paths separated by
 * `:`), default a `files` folder beside the data dir. A root may not be the data dir, be
 * inside it or contain it (the secret key and the database live there), compared both as
 * written and through symbolic links.
 */
function storageRoots(env: Env, dataDir: string): string[] {
  const raw = env[LOCAL_STORAGE_ROOTS]?.trim();
  const base = dataDir === ':memory:' ? resolve('data') : dataDir;
  const roots = raw ? raw.split(delimiter).map((entry) => entry.trim()).filter(Boolean) : [join(dirname(base), 'files')];
  return roots.map((root) => {
    if (!isAbsolute(root)) throw new ConfigError(LOCAL_STORAGE_ROOTS, `"${root}" is not an absolute path`);
    const resolved = resolve(root);
    for (const [a, b] of [[resolved, base], [realpathOfExistingPart(resolved), realpathOfExistingPart(base)]] as const) {
      if (overlaps(a, b)) {
        throw new ConfigError(LOCAL_STORAGE_ROOTS, `"${root}" is, contains or lies inside the data dir (${base}); choose a folder apart from it`);
      }
    }
    return resolved;
  });
}

function overlaps(a: string, b: string): boolean {
  const inside = (child: string, parent: string) => {
    const rel = relative(parent, child);
    return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
  };
  return inside(a, b) || inside(b, a);
}

/** The real path of the longest existing prefix of `path`, with the rest appended. */
function realpathOfExistingPart(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    const parent = dirname(path);
    return parent === path ? path : join(realpathOfExistingPart(parent), basename(path));
  }
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(name, `expected a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function oneOf<const T extends readonly string[]>(env: Env, name: string, allowed: T, fallback: T[number]): T[number] {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  if (!allowed.includes(raw)) throw new ConfigError(name, `expected one of ${allowed.join(', ')}, got "${raw}"`);
  return raw as T[number];
}

/** `:memory:` keeps the embedded database in memory (tests); anything else is a directory. */
function dataDirOf(value: string): string {
  return value === ':memory:' ? value : resolve(value);
}

/** Default `<host name>-<pid>`: unique per process on a machine, readable in a log line. */
function replicaIdOf(raw: string | undefined): string {
  const value = raw?.trim();
  if (!value) return `${hostname()}-${process.pid}`;
  if (!/^[\w.:-]{1,100}$/.test(value)) {
    throw new ConfigError('PLUGFORM_REPLICA_ID', 'expected 1 to 100 letters, digits, ".", ":", "_" or "-"');
  }
  return value;
}
