/**
 * Imports one plugin file and turns it into a `RegisteredPlugin`, whatever its style.
 * Every way this can go wrong ends in a `PluginLoadFailure` naming the file and the reason;
 * nothing escapes as a bare exception, so discovery can carry on with the next plugin.
 */
import { pathToFileURL } from 'node:url';
import { checkPluginSchema } from '../../plugins/sdk/index.ts';
import type { PluginConfig, PluginContext, PluginDefinition, PluginProvider, SchemaProblem } from '../../plugins/sdk/index.ts';
import { PluginLoadFailure, ProviderContractError, ProviderCreationError, describeError } from './errors.ts';
import { resolveOwnPackageNameEverywhere } from './own-package-hook.ts';
import { findPluginExport } from './plugin-export.ts';
import { assertProvider, kindOf } from './provider-contract.ts';
import { frozenCopy } from './snapshot.ts';
import { syntaxErrorIn } from './syntax-check.ts';
import { isThenable, withTimeout } from '../timeout.ts';

// Before any plugin is imported: plugins import the SDK as `plugform/sdk` from anywhere.
resolveOwnPackageNameEverywhere();

/** One plugin as the rest of the platform sees it. */
export interface RegisteredPlugin {
  /** The checked schema; deeply frozen. */
  readonly schema: PluginConfig;
  /** Absolute path of the file it was loaded from. */
  readonly source: string;
  /**
   * A new, ready provider for one instance or one connection test, made from its validated
   * configuration. Never resolves to an object it has returned before. Rejects with
   * `ProviderContractError` when the provider lacks an operation of its type,
   * `ProviderCreationError` when the plugin's factory throws or rejects (it refused the
   * configuration). Does not bound the wait: callers do (`callPlugin`).
   */
  createProvider(config: Record<string, unknown>, context: PluginContext): Promise<PluginProvider>;
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
  return fromDefinition(path, found.definition);
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

/**
 * No provider is made at load time: a provider only exists with a configuration. What can be
 * checked without one is checked here (the schema, that the factory is a function); the
 * operations of each provider are checked as it is created (`assertProvider`).
 */
function fromDefinition(path: string, definition: PluginDefinition): RegisteredPlugin {
  // The schema is the definition minus its factory (and the definePlugin marker, a symbol).
  const { createProvider: factory, ...schemaPart } = definition;
  const schema = checkedSchema(path, schemaPart);
  if (typeof factory !== 'function') {
    throw new PluginLoadFailure(path, `createProvider is ${kindOf(factory)}, expected a function (config, context) => provider`, schema.name);
  }
  return makeRegistered(schema, path, (config, context) => factory.call(definition, config as never, context));
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

function makeRegistered(
  schema: PluginConfig,
  source: string,
  factory: (config: Record<string, unknown>, context: PluginContext) => unknown,
): RegisteredPlugin {
  const registered: RegisteredPlugin = Object.freeze({
    schema,
    source,
    async createProvider(config: Record<string, unknown>, context: PluginContext): Promise<PluginProvider> {
      let value: unknown;
      try {
        value = factory(config, context);
        if (isThenable(value)) value = await value;
      } catch (error) {
        throw new ProviderCreationError(schema.name, source, error);
      }
      const provider = assertProvider(schema, source, value, 'createProvider()');
      const seen = handedOut.get(registered)!;
      if (seen.has(provider)) {
        throw new ProviderContractError(
          schema.name,
          source,
          'createProvider() returned a provider it had returned before; every instance needs its own provider',
        );
      }
      seen.add(provider);
      return provider;
    },
  });
  handedOut.set(registered, new WeakSet());
  return registered;
}
