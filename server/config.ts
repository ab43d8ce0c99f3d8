/**
 * Every setting the server reads from the environment, parsed and checked in one place so a
 * typo fails at startup with the variable's name instead of misbehaving later.
 */
import { resolve } from 'node:path';
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
  /** `development` serves GraphiQL and the console's dev helpers. */
  environment: 'development' | 'production' | 'test';
  adminToken: string | undefined;
  healthIntervalMs: number;
  healthHistoryLimit: number;
  healthConcurrency: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** Browser origins besides the server's own that may call the API (CSRF protection). */
  allowedOrigins: string[];
  /** Sizes and nesting a plugin configuration may have. */
  configurationLimits: ConfigurationLimits;
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
  const environment = oneOf(env, 'NODE_ENV', ['development', 'production', 'test'] as const, 'development');
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
    adminToken: env.PLUGFORM_ADMIN_TOKEN?.trim() || undefined,
    healthIntervalMs: integer(env, 'PLUGFORM_HEALTH_INTERVAL', 60, 1, 86_400) * 1000,
    healthHistoryLimit: integer(env, 'PLUGFORM_HEALTH_HISTORY', 50, 1, 10_000),
    healthConcurrency: integer(env, 'PLUGFORM_HEALTH_CONCURRENCY', 16, 1, 1000),
    logLevel: oneOf(env, 'PLUGFORM_LOG_LEVEL', ['debug', 'info', 'warn', 'error'] as const, 'info'),
    allowedOrigins: (env.PLUGFORM_ALLOWED_ORIGINS ?? '')
      .split(',')
      .map((o) => o.trim().replace(/\/$/, ''))
      .filter(Boolean),
    configurationLimits: {
      maxFieldBytes: integer(env, 'PLUGFORM_MAX_FIELD_BYTES', DEFAULT_CONFIGURATION_LIMITS.maxFieldBytes, 1024, 16 * 1024 * 1024),
      maxConfigurationBytes: integer(env, 'PLUGFORM_MAX_CONFIG_BYTES', DEFAULT_CONFIGURATION_LIMITS.maxConfigurationBytes, 1024, 64 * 1024 * 1024),
      maxJsonDepth: integer(env, 'PLUGFORM_MAX_JSON_DEPTH', DEFAULT_CONFIGURATION_LIMITS.maxJsonDepth, 1, 1000),
    },
  };
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
