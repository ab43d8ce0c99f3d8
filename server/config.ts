/**
 * Every setting the server reads from the environment, parsed and checked in one place so a
 * typo fails at startup with the variable's name instead of misbehaving later.
 */
import { resolve } from 'node:path';
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
  adminToken: string | undefined;
  healthIntervalMs: number;
  healthHistoryLimit: number;
  healthConcurrency: number;
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
  /** The URL callers reach Plugform at, for download links; unset: the request's own origin. */
  publicUrl: string | undefined;
  /** Bearer token Prometheus sends to scrape `/metrics`; unset: `/metrics` is off (404). */
  metricsToken: string | undefined;
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
    graphiql: boolean(env, 'PLUGFORM_GRAPHIQL', development),
    anonymousIntrospection: boolean(env, 'PLUGFORM_ANONYMOUS_INTROSPECTION', development),
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
    adminToken: env.PLUGFORM_ADMIN_TOKEN?.trim() || undefined,
    healthIntervalMs: integer(env, 'PLUGFORM_HEALTH_INTERVAL', 60, 1, 86_400) * 1000,
    healthHistoryLimit: integer(env, 'PLUGFORM_HEALTH_HISTORY', 50, 1, 10_000),
    healthConcurrency: integer(env, 'PLUGFORM_HEALTH_CONCURRENCY', 16, 1, 1000),
    logLevel: oneOf(env, 'PLUGFORM_LOG_LEVEL', ['debug', 'info', 'warn', 'error'] as const, 'info'),
    allowedOrigins: (env.PLUGFORM_ALLOWED_ORIGINS ?? '')
      .split(',')
      .map((o) => o.trim().replace(/\/$/, ''))
      .filter(Boolean),
    operationTimeoutMs: integer(env, 'PLUGFORM_OPERATION_TIMEOUT_MS', 30_000, 100, 600_000),
    idempotencyTtlMs: integer(env, 'PLUGFORM_IDEMPOTENCY_TTL_HOURS', 24, 1, 720) * 3_600_000,
    downloadUrlTtlMs: integer(env, 'PLUGFORM_DOWNLOAD_URL_TTL', 300, 10, 86_400) * 1000,
    signingKey: keyOf(env, 'PLUGFORM_SIGNING_KEY'),
    publicUrl: urlOf(env, 'PLUGFORM_PUBLIC_URL'),
    metricsToken: env.PLUGFORM_METRICS_TOKEN?.trim() || undefined,
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

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(name, `expected a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw) return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(name, `expected true or false, got "${raw}"`);
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
