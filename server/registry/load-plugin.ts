/**
 * Imports one plugin file and turns it into a `RegisteredPlugin`, whatever its style.
 * Every way this can go wrong ends in a `PluginLoadFailure` naming the file and the reason;
 * nothing escapes as a bare exception, so discovery can carry on with the next plugin.
 */
import { pathToFileURL } from 'node:url';
import { checkPluginSchema } from '../../plugins/sdk/index.ts';
import type {
  PluginConfig,
  PluginContext,
  PluginDefinition,
  PluginProvider,
  RegisterFunction,
  SchemaProblem,
} from '../../plugins/sdk/index.ts';
import { closedEgress } from '../health/egress.ts';
import { PluginLoadFailure, ProviderContractError, ProviderCreationError, describeError, displayPath } from './errors.ts';
import { resolveOwnPackageNameEverywhere } from './own-package-hook.ts';
import { findPluginExport } from './plugin-export.ts';
import { assertProvider, kindOf } from './provider-contract.ts';
import { frozenCopy } from './snapshot.ts';
import { syntaxErrorIn } from './syntax-check.ts';
import { isThenable, withTimeout } from '../timeout.ts';

// Before any plugin is imported: plugins import the SDK as `plugform/sdk` from anywhere.
resolveOwnPackageNameEverywhere();

/** One plugin as the rest of the platform sees it, whichever style it was written in. */
export interface RegisteredPlugin {
  /** The checked schema; deeply frozen. */
  readonly schema: PluginConfig;
  /** Absolute path of the file it was loaded from. */
  readonly source: string;
  /**
   * A new provider for one instance or one connection test. Never returns an object it has
   * returned before. Throws `ProviderContractError` when the provider lacks an operation of
   * its type, `ProviderCreationError` when the plugin's factory throws.
   */
  createProvider(context: PluginContext): PluginProvider;
}

/** Minimal logger the registry writes to; `console` fits. */
export interface RegistryLogger {
  info(message: string): void;
  warn(message: string): void;
}

export interface LoadPluginOptions {
  /** How long the import (with its top-level awaits) may take. */
  timeoutMs: number;
  logger: RegistryLogger;
}

export async function loadPlugin(path: string, options: LoadPluginOptions): Promise<RegisteredPlugin> {
  const mod = await importWithTimeout(path, options.timeoutMs);
  const found = findPluginExport(mod);
  if ('problem' in found) throw new PluginLoadFailure(path, found.problem);

  if (found.style === 'register') return fromRegister(path, found.register, options.logger);
  return fromDefinition(path, found.definition, options.logger);
}

async function importWithTimeout(path: string, timeoutMs: number): Promise<Record<string, unknown>> {
  const timedOut = new Error(`timed out after ${timeoutMs} ms while importing (a top-level await that never settles?)`);
  try {
    // A file URL, not a path: Windows drive letters and `#`/`?` in folder names break bare paths.
    const loading = import(pathToFileURL(path).href) as Promise<Record<string, unknown>>;
    return await withTimeout(loading, timeoutMs, () => timedOut);
  } catch (error) {
    // A file that does not parse failed for that reason, whatever the loader's error says.
    const reason = error === timedOut ? timedOut.message : ((await syntaxErrorIn(path)) ?? describeError(error));
    throw new PluginLoadFailure(path, reason, undefined, { cause: error });
  }
}

function fromDefinition(path: string, definition: PluginDefinition, logger: RegistryLogger): RegisteredPlugin {
  // The schema is the definition minus its factory (and the definePlugin marker, a symbol).
  const { createProvider: _factory, ...schemaPart } = definition;
  const checked = checkedSchema(path, schemaPart);
  // One provider is made now, offline, and checked like a register() probe: a provider that
  // lacks an operation of its type fails at startup, not when the first instance is created.
  let probe: unknown;
  try {
    probe = definition.createProvider(registrationContext(path, logger));
  } catch (error) {
    throw new PluginLoadFailure(path, `createProvider() threw ${describeError(error)}`, checked.name, { cause: error });
  }
  if (isThenable(probe)) {
    throw new PluginLoadFailure(path, 'createProvider() returned a Promise; it must return the provider itself', checked.name);
  }
  const schema = withCapabilities(checked, probe);
  try {
    assertProvider(schema, path, probe, 'createProvider()');
  } catch (error) {
    if (error instanceof ProviderContractError) throw new PluginLoadFailure(path, error.problem, schema.name);
    throw error;
  }
  void Promise.resolve()
    .then(() => (probe as { stop?: () => unknown }).stop?.())
    .catch(() => undefined);
  const registered = makeRegistered(schema, path, 'createProvider()', (context) => definition.createProvider(context));
  rememberProvider(registered, probe);
  return registered;
}

/**
 * `supportsHealthCheck` / `supportsTestConnection` left unset are read off the provider, so
 * the API never advertises a check that a plugin does not have.
 */
function withCapabilities(schema: PluginConfig, probe: unknown): PluginConfig {
  const has = (method: string) => typeof (probe as Record<string, unknown> | null)?.[method] === 'function';
  if (schema.supportsHealthCheck !== undefined && schema.supportsTestConnection !== undefined) return schema;
  return Object.freeze({
    ...schema,
    supportsHealthCheck: schema.supportsHealthCheck ?? has('healthCheck'),
    supportsTestConnection: schema.supportsTestConnection ?? has('testConnection'),
  });
}

function fromRegister(path: string, register: RegisterFunction, logger: RegistryLogger): RegisteredPlugin {
  // The reference design calls register() to learn the schema; that provider is only asked
  // for its schema and then dropped. Real instances each get their own register() call.
  let probe: unknown;
  try {
    probe = register(registrationContext(path, logger));
  } catch (error) {
    throw new PluginLoadFailure(path, `register() threw ${describeError(error)}`, undefined, { cause: error });
  }
  if (isThenable(probe)) {
    // createProvider() is synchronous (one call, one provider), so register() must be too.
    throw new PluginLoadFailure(path, 'register() returned a Promise; it must return the provider itself');
  }
  if ((typeof probe !== 'object' && typeof probe !== 'function') || probe === null) {
    throw new PluginLoadFailure(path, `register() returned ${kindOf(probe)}, expected a provider with getConfigSchema()`);
  }
  const getConfigSchema = (probe as { getConfigSchema?: unknown }).getConfigSchema;
  if (typeof getConfigSchema !== 'function') {
    throw new PluginLoadFailure(path, 'the provider returned by register() has no getConfigSchema() method');
  }
  let raw: unknown;
  try {
    raw = getConfigSchema.call(probe);
  } catch (error) {
    throw new PluginLoadFailure(path, `getConfigSchema() threw ${describeError(error)}`, undefined, { cause: error });
  }
  if (isThenable(raw)) {
    throw new PluginLoadFailure(path, 'getConfigSchema() returned a Promise; it must return the schema itself');
  }
  const schema = withCapabilities(checkedSchema(path, raw), probe);

  const registered = makeRegistered(schema, path, 'register()', (context) => register(context));
  // The probe is a provider like any other: a register() whose provider lacks an operation
  // fails now, at startup, instead of when the first instance is created.
  try {
    assertProvider(schema, path, probe, 'register()');
  } catch (error) {
    if (error instanceof ProviderContractError) throw new PluginLoadFailure(path, error.problem, schema.name);
    throw error;
  }
  rememberProvider(registered, probe);
  return registered;
}

/** Copies, freezes and checks a schema; a schema with problems is a load failure listing them all. */
function checkedSchema(path: string, raw: unknown): PluginConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new PluginLoadFailure(path, `invalid schema: expected a PluginConfig object, got ${kindOf(raw)}`);
  }
  let schema: PluginConfig;
  try {
    schema = frozenCopy(raw) as PluginConfig;
  } catch (error) {
    throw new PluginLoadFailure(path, `invalid schema: ${describeError(error)}`);
  }
  const name = typeof schema.name === 'string' && schema.name !== '' ? schema.name : undefined;
  let problems: SchemaProblem[];
  try {
    problems = checkPluginSchema(schema);
  } catch (error) {
    // A schema odd enough to crash the checker is still this plugin's problem, not discovery's.
    throw new PluginLoadFailure(path, `invalid schema: the schema check failed: ${describeError(error)}`, name);
  }
  if (problems.length > 0) {
    throw new PluginLoadFailure(path, `invalid schema: ${problems.map(formatProblem).join('; ')}`, name);
  }
  return schema;
}

function formatProblem(problem: SchemaProblem): string {
  if (problem.field === '' || problem.message.includes(`"${problem.field}"`)) return problem.message;
  return `field "${problem.field}": ${problem.message}`;
}

/** Providers each plugin has handed out; a repeat means two instances would share state. */
const handedOut = new WeakMap<RegisteredPlugin, WeakSet<object>>();

function rememberProvider(plugin: RegisteredPlugin, provider: unknown) {
  if (typeof provider === 'object' && provider !== null) handedOut.get(plugin)?.add(provider);
}

function makeRegistered(
  schema: PluginConfig,
  source: string,
  madeBy: string,
  factory: (context: PluginContext) => unknown,
): RegisteredPlugin {
  const registered: RegisteredPlugin = Object.freeze({
    schema,
    source,
    createProvider(context: PluginContext): PluginProvider {
      let value: unknown;
      try {
        value = factory(context);
      } catch (error) {
        throw new ProviderCreationError(schema.name, source, error);
      }
      const provider = assertProvider(schema, source, value, madeBy);
      const seen = handedOut.get(registered)!;
      if (seen.has(provider)) {
        throw new ProviderContractError(
          schema.name,
          source,
          `${madeBy} returned a provider it had returned before; every instance needs its own provider`,
        );
      }
      seen.add(provider);
      return provider;
    },
  });
  handedOut.set(registered, new WeakSet());
  return registered;
}

/**
 * The context of the schema-only register() call. No instance exists yet, so the network is
 * closed: a plugin that connects while registering fails loudly rather than at random.
 */
function registrationContext(path: string, logger: RegistryLogger): PluginContext {
  const refuse = () => Promise.reject(new Error('the network is not available while a plugin registers'));
  const prefix = `registry: ${displayPath(path)}:`;
  return {
    http: { fetch: refuse },
    egress: closedEgress('the network is not available while a plugin registers'),
    fileRoots: [],
    logger: {
      debug: () => {},
      info: (message) => logger.info(`${prefix} ${message}`),
      warn: (message) => logger.warn(`${prefix} ${message}`),
      error: (message) => logger.warn(`${prefix} ${message}`),
    },
  };
}
