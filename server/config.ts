/**
 * Every setting the server reads from the environment, parsed and checked in one place so a
 * typo fails at startup with the variable's name instead of misbehaving later.
 */
import { realpathSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, delimiter, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { z } from 'zod';
import { egressEntryProblem, type EgressSettings } from './egress/egress.ts';
import { DEFAULT_MAX_RESPONSE_BYTES } from './egress/http-client.ts';
import { DEFAULT_CONFIGURATION_LIMITS, type ConfigurationLimits } from './instances/input-limits.ts';
import { readSecretStoreSettings, type SecretStoreSettings } from './secrets/index.ts';
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
  /** PLUGFORM_READ_CACHE_MB: the answers of repeated reads kept per replica (server/app/read-cache.ts); undefined: none. */
  readCache: { maxEntries: number; maxBytes: number } | undefined;
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
  /** PLUGFORM_SECRET_STORE, PLUGFORM_SECRET_KEY and VAULT_*: holds credentials, never log it. */
  secretStore: SecretStoreSettings;
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

// ---------------------------------------------------------------------------------------
// The environment schema: every variable, its type, bounds and default, in one zod object.
// A blank value counts as unset, as it always did; an error names the variable (ConfigError).

/** Trimmed, and `undefined` when blank. */
const blankIsUnset = (value: unknown) => {
  if (typeof value !== 'string') return value;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
};

const text = () => z.preprocess(blankIsUnset, z.string().optional());

function whole(min: number, max: number, fallback: number) {
  const isWhole = (raw: string) => /^[+-]?\d+$/.test(raw) && Number(raw) >= min && Number(raw) <= max;
  return z.preprocess(
    blankIsUnset,
    z
      .string()
      .refine(isWhole, { error: (issue) => `expected a whole number from ${min} to ${max}, got "${String(issue.input)}"` })
      .transform(Number)
      .optional()
      .default(fallback),
  );
}

const TRUE = ['true', '1', 'yes', 'on'];
const FALSE = ['false', '0', 'no', 'off'];
/** true/false (or 1/0, yes/no, on/off); unset stays `undefined` when the default depends on another variable. */
const flag = () =>
  z.preprocess(
    (value) => (typeof value === 'string' ? blankIsUnset(value.toLowerCase()) : value),
    z
      .enum([...TRUE, ...FALSE], { error: (issue) => `expected true or false, got "${String(issue.input)}"` })
      .transform((value) => TRUE.includes(value))
      .optional(),
  );

function oneOf<const T extends readonly [string, ...string[]]>(allowed: T, fallback: T[number]) {
  return z.preprocess(
    blankIsUnset,
    z.enum(allowed, { error: (issue) => `expected one of ${allowed.join(', ')}, got "${String(issue.input)}"` }).optional().default(fallback as never),
  );
}

/** At least 32 bytes, as 64+ hex characters or base64. */
const key = () =>
  text()
    .transform((raw) => (raw === undefined ? undefined : /^[0-9a-f]+$/i.test(raw) && raw.length % 2 === 0 ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64')))
    .refine((bytes) => bytes === undefined || bytes.length >= 32, { error: 'expected at least 32 bytes, as hex or base64' });

const httpUrl = () =>
  text().transform((raw, ctx) => {
    if (raw === undefined) return undefined;
    const url = URL.parse(raw);
    if (url && (url.protocol === 'http:' || url.protocol === 'https:')) return url.toString().replace(/\/$/, '');
    ctx.addIssue({ code: 'custom', message: 'expected an absolute http(s) URL' });
    return z.NEVER;
  });

/** Comma-separated hosts, addresses or CIDRs of the egress gate, each checked. */
const egressList = () =>
  z.preprocess(
    (value) => (typeof value === 'string' ? value : ''),
    z.string().transform((raw, ctx) => {
      const entries = raw.split(',').map((entry) => entry.trim()).filter(Boolean);
      for (const entry of entries) {
        const problem = egressEntryProblem(entry);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }
      return entries;
    }),
  );

/** Default `<host name>-<pid>`: unique per process on a machine, readable in a log line. */
const replicaId = () =>
  text()
    .refine((value) => value === undefined || /^[\w.:-]{1,100}$/.test(value), { error: 'expected 1 to 100 letters, digits, ".", ":", "_" or "-"' })
    .transform((value) => value ?? `${hostname()}-${process.pid}`);

const ENVIRONMENT = z.object({
  NODE_ENV: oneOf(['development', 'production', 'test'], 'production'),
  PORT: whole(0, 65535, 4000),
  HOST: text().default('0.0.0.0'),
  DATABASE_URL: text(),
  PLUGFORM_DATA_DIR: text().default('data'),
  PLUGIN_PATHS: text(),
  PLUGIN_LOAD_TIMEOUT_MS: whole(100, 600_000, DEFAULT_IMPORT_TIMEOUT_MS),
  PLUGFORM_GRAPHIQL: flag(),
  PLUGFORM_ANONYMOUS_INTROSPECTION: flag(),
  PLUGFORM_MAX_BODY_BYTES: whole(1024, 100 * 1_048_576, 1_048_576),
  PLUGFORM_MAX_QUERY_DEPTH: whole(1, 100, 10),
  PLUGFORM_MAX_ALIASES: whole(0, 1000, 15),
  PLUGFORM_MAX_QUERY_TOKENS: whole(100, 50_000, 2000),
  PLUGFORM_MAX_QUERY_COST: whole(10, 10_000_000, 50_000),
  PLUGFORM_MAX_DIRECTIVES: whole(0, 1000, 50),
  PLUGFORM_MAX_INPUT_DEPTH: whole(2, 256, 32),
  PLUGFORM_MAX_CHECKS_PER_REQUEST: whole(1, 100, 3),
  PLUGFORM_MAX_CHECKS_PER_MINUTE: whole(1, 10_000, 30),
  PLUGFORM_MAX_RESPONSE_BYTES: whole(1000, 1_000_000_000, 5_000_000),
  PLUGFORM_MAX_SUBSCRIPTIONS_PER_TOKEN: whole(1, 1000, 10),
  PLUGFORM_SESSION_CHECK_INTERVAL: whole(1, 3600, 10),
  PLUGFORM_TOKEN_CACHE_TTL: whole(0, 3600, 10),
  PLUGFORM_READ_CACHE_MB: whole(0, 4096, 16),
  PLUGFORM_ADMIN_TOKEN: text(),
  PLUGFORM_HEALTH_INTERVAL: whole(1, 86_400, 60),
  PLUGFORM_HEALTH_TIMEOUT: whole(1, 300, 10),
  PLUGFORM_HEALTH_HISTORY: whole(1, 10_000, 50),
  PLUGFORM_HEALTH_CONCURRENCY: whole(1, 1000, 16),
  PLUGFORM_PROVIDER_IDLE: whole(0, 604_800, 900),
  PLUGFORM_LOG_LEVEL: oneOf(['debug', 'info', 'warn', 'error'], 'info'),
  PLUGFORM_ALLOWED_ORIGINS: text(),
  PLUGFORM_OPERATION_TIMEOUT_MS: whole(100, 600_000, 30_000),
  PLUGFORM_IDEMPOTENCY_TTL_HOURS: whole(1, 720, 24),
  PLUGFORM_DOWNLOAD_URL_TTL: whole(10, 86_400, 300),
  PLUGFORM_SIGNING_KEY: key(),
  PLUGFORM_FINGERPRINT_KEY: key(),
  PLUGFORM_PUBLIC_URL: httpUrl(),
  PLUGFORM_METRICS_TOKEN: text(),
  PLUGFORM_REPLICA_ID: replicaId(),
  PLUGFORM_SHUTDOWN_GRACE: whole(0, 600, 10),
  PLUGFORM_MAX_FIELD_BYTES: whole(1024, 16 * 1024 * 1024, DEFAULT_CONFIGURATION_LIMITS.maxFieldBytes),
  PLUGFORM_MAX_CONFIG_BYTES: whole(1024, 64 * 1024 * 1024, DEFAULT_CONFIGURATION_LIMITS.maxConfigurationBytes),
  PLUGFORM_MAX_JSON_DEPTH: whole(1, 1000, DEFAULT_CONFIGURATION_LIMITS.maxJsonDepth),
  PLUGFORM_EGRESS_BLOCK_PRIVATE: flag(),
  PLUGFORM_EGRESS_ALLOW: egressList(),
  PLUGFORM_EGRESS_DENY: egressList(),
  PLUGFORM_VENDOR_RESPONSE_MAX_BYTES: whole(1024, 1024 ** 3, DEFAULT_MAX_RESPONSE_BYTES),
  PLUGFORM_LOCAL_STORAGE_ROOTS: text(),
});

/** The environment, checked against the schema; the first problem is thrown naming its variable. */
export function parseEnvironment(env: Env): z.infer<typeof ENVIRONMENT> {
  const parsed = ENVIRONMENT.safeParse(env);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new ConfigError(String(issue.path[0]), issue.message);
}

export function loadConfig(env: Env = process.env): ServerConfig {
  const e = parseEnvironment(env);
  const environment = e.NODE_ENV;
  const development = environment === 'development';
  const dataDir = dataDirOf(e.PLUGFORM_DATA_DIR);
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir,
    builtinPluginsDir: BUILTIN_PLUGINS_DIR,
    localPluginsDir: resolve('plugins'),
    extraPluginPaths: parsePluginPaths(e.PLUGIN_PATHS),
    pluginLoadTimeoutMs: e.PLUGIN_LOAD_TIMEOUT_MS,
    environment,
    graphiql: e.PLUGFORM_GRAPHIQL ?? development,
    anonymousIntrospection: e.PLUGFORM_ANONYMOUS_INTROSPECTION ?? development,
    limits: {
      maxBodyBytes: e.PLUGFORM_MAX_BODY_BYTES,
      maxQueryDepth: e.PLUGFORM_MAX_QUERY_DEPTH,
      maxAliases: e.PLUGFORM_MAX_ALIASES,
      maxQueryTokens: e.PLUGFORM_MAX_QUERY_TOKENS,
      maxQueryCost: e.PLUGFORM_MAX_QUERY_COST,
      maxDirectives: e.PLUGFORM_MAX_DIRECTIVES,
      maxInputDepth: e.PLUGFORM_MAX_INPUT_DEPTH,
      maxChecksPerRequest: e.PLUGFORM_MAX_CHECKS_PER_REQUEST,
      maxChecksPerMinute: e.PLUGFORM_MAX_CHECKS_PER_MINUTE,
      maxResponseBytes: e.PLUGFORM_MAX_RESPONSE_BYTES,
      maxSubscriptionsPerToken: e.PLUGFORM_MAX_SUBSCRIPTIONS_PER_TOKEN,
    },
    sessionCheckIntervalMs: e.PLUGFORM_SESSION_CHECK_INTERVAL * 1000,
    tokenCacheTtlMs: e.PLUGFORM_TOKEN_CACHE_TTL * 1000,
    // Entries are few (one per query, variables and token); the count only bounds the bookkeeping.
    readCache: e.PLUGFORM_READ_CACHE_MB > 0 ? { maxEntries: 256, maxBytes: e.PLUGFORM_READ_CACHE_MB * 1_048_576 } : undefined,
    adminToken: e.PLUGFORM_ADMIN_TOKEN,
    healthIntervalMs: e.PLUGFORM_HEALTH_INTERVAL * 1000,
    healthTimeoutMs: e.PLUGFORM_HEALTH_TIMEOUT * 1000,
    healthHistoryLimit: e.PLUGFORM_HEALTH_HISTORY,
    healthConcurrency: e.PLUGFORM_HEALTH_CONCURRENCY,
    providerIdleMs: e.PLUGFORM_PROVIDER_IDLE * 1000,
    logLevel: e.PLUGFORM_LOG_LEVEL,
    allowedOrigins: (e.PLUGFORM_ALLOWED_ORIGINS ?? '')
      .split(',')
      .map((o) => o.trim().replace(/\/$/, ''))
      .filter(Boolean),
    operationTimeoutMs: e.PLUGFORM_OPERATION_TIMEOUT_MS,
    idempotencyTtlMs: e.PLUGFORM_IDEMPOTENCY_TTL_HOURS * 3_600_000,
    downloadUrlTtlMs: e.PLUGFORM_DOWNLOAD_URL_TTL * 1000,
    signingKey: e.PLUGFORM_SIGNING_KEY,
    fingerprintKey: e.PLUGFORM_FINGERPRINT_KEY,
    publicUrl: e.PLUGFORM_PUBLIC_URL,
    metricsToken: e.PLUGFORM_METRICS_TOKEN,
    replicaId: e.PLUGFORM_REPLICA_ID,
    shutdownGraceMs: e.PLUGFORM_SHUTDOWN_GRACE * 1000,
    configurationLimits: {
      maxFieldBytes: e.PLUGFORM_MAX_FIELD_BYTES,
      maxConfigurationBytes: e.PLUGFORM_MAX_CONFIG_BYTES,
      maxJsonDepth: e.PLUGFORM_MAX_JSON_DEPTH,
    },
    egress: {
      blockPrivate: e.PLUGFORM_EGRESS_BLOCK_PRIVATE ?? environment === 'production',
      allow: e.PLUGFORM_EGRESS_ALLOW,
      deny: e.PLUGFORM_EGRESS_DENY,
    },
    vendorResponseMaxBytes: e.PLUGFORM_VENDOR_RESPONSE_MAX_BYTES,
    localStorageRoots: storageRoots(e.PLUGFORM_LOCAL_STORAGE_ROOTS, dataDir),
    // Checked by the secrets module, whose messages say what each Vault setting needs.
    secretStore: readSecretStoreSettings(env),
  };
}

const LOCAL_STORAGE_ROOTS = 'PLUGFORM_LOCAL_STORAGE_ROOTS';

/**
 * The roots of local-storage: `PLUGFORM_LOCAL_STORAGE_ROOTS` (absolute paths separated by
 * `:`), default a `files` folder beside the data dir. A root may not be the data dir, be
 * inside it or contain it (the secret key and the database live there), compared both as
 * written and through symbolic links.
 */
function storageRoots(raw: string | undefined, dataDir: string): string[] {
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



/** `:memory:` keeps the embedded database in memory (tests); anything else is a directory. */
function dataDirOf(value: string): string {
  return value === ':memory:' ? value : resolve(value);
}

