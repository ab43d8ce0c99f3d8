import { join } from 'node:path';
import { delimiter } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  discoverPlugins,
  parsePluginPaths,
  PluginRegistry,
  ProviderContractError,
  ProviderCreationError,
} from '../../../server/registry/index.ts';
import type { PluginLoadError, RegistryLogger } from '../../../server/registry/index.ts';
import type { PluginContext } from '../../../plugins/sdk/index.ts';
import { closedEgress } from '../../../server/egress/egress.ts';
import { definePluginTs, paymentJs, removeTrees, SDK, tree } from './fixtures.ts';

const context = (instanceId?: string): PluginContext => ({
  instanceId,
  http: { fetch: () => Promise.reject(new Error('no network in tests')) },
  egress: closedEgress('no network in tests'),
  fileRoots: [],
  logger: { debug() {}, info() {}, warn() {}, error() {} },
});

function capture(): RegistryLogger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (m) => lines.push(`info ${m}`), warn: (m) => lines.push(`warn ${m}`) };
}

function errorFor(registry: PluginRegistry, path: string): PluginLoadError {
  const found = registry.loadErrors().find((error) => error.path === path);
  if (found === undefined) {
    throw new Error(`no load error for ${path}; errors: ${JSON.stringify(registry.loadErrors(), null, 2)}`);
  }
  return found;
}

afterAll(removeTrees);

describe('discoverPlugins: a built-in folder with good and broken plugins, a local folder and PLUGIN_PATHS', () => {
  let builtin: string;
  let local: string;
  let extra: string;
  let registry: PluginRegistry;
  const logger = capture();

  beforeAll(async () => {
    builtin = await tree({
      'alpha.ts': definePluginTs('alpha'),
      'beta/index.ts': definePluginTs('beta'),
      'beta/helper-not-loaded.ts': 'throw new Error("only index files of folders are loaded")',
      'beta/config.generated.ts': 'export interface BetaConfig { channel: string }',
      'gamma.mjs': paymentJs('gamma'),
      'delta.js': paymentJs('delta'),
      'named-export.ts': `import { definePlugin } from ${SDK};
export const plugin = definePlugin({ name: 'named', type: 'ANALYTICS', version: '1.0.0', fields: [],
  createProvider: () => ({ async trackEvent() {} }) });`,
      'broken-syntax.ts': 'export const = ;\n',
      'throws-at-import.ts': 'const reason: string = "database unreachable";\nthrow new TypeError(reason);\n',
      'register-throws.mjs': 'export function register() { throw new Error("missing STRIPE_KEY"); }\n',
      'bad-select.ts': definePluginTs('bad-select', {
        fields: `[{ key: 'region', label: 'Region', type: 'SELECT' }]`,
      }),
      'bad-range.ts': definePluginTs('bad-range', {
        fields: `[{ key: 'port', label: 'Port', type: 'INTEGER', minValue: 10, maxValue: 5 }]`,
      }),
      'no-export.ts': 'export const answer: number = 42;\n',
      // Never loaded: the SDK folder, tests, declarations, generated types, dotfiles, node_modules,
      // folders without an index. Each would be a load error if discovery tried it.
      'sdk/index.ts': 'export const = ;',
      'alpha.test.ts': 'export const = ;',
      'types.d.ts': 'export const = ;',
      'config.generated.ts': 'export const = ;',
      '.hidden.ts': 'export const = ;',
      'node_modules/dep/index.js': 'export const = ;',
      'assets/logo.ts': 'export const = ;',
      'README.md': '# plugins',
    });
    local = await tree({
      'alpha.ts': definePluginTs('alpha'),
      'local-one.ts': definePluginTs('local-one'),
    });
    extra = await tree({
      'folder-of-plugins/epsilon.ts': definePluginTs('epsilon'),
      'folder-of-plugins/zz-duplicate-gamma.mjs': paymentJs('gamma'),
      'single-folder/index.ts': definePluginTs('zeta'),
      'single-folder/other.ts': 'throw new Error("a plugin folder given directly loads only its index")',
      'single-file.mjs': paymentJs('eta'),
    });
    const pluginPaths = [
      join(extra, 'folder-of-plugins'),
      join(extra, 'single-folder'),
      '',
      join(extra, 'single-file.mjs'),
      join(extra, 'does-not-exist'),
      builtin, // the built-in folder again: the same files must not count as duplicates
    ].join(delimiter);
    registry = await discoverPlugins({
      builtinDir: builtin,
      localDir: local,
      extraPaths: parsePluginPaths(pluginPaths),
      importTimeoutMs: 5_000,
      logger,
    });
  });

  it('loads every good plugin, of all file kinds and export names, ordered by name', () => {
    expect(registry.list().map((p) => p.schema.name)).toEqual([
      'alpha',
      'beta',
      'delta',
      'epsilon',
      'eta',
      'gamma',
      'local-one',
      'named',
      'zeta',
    ]);
    expect(registry.get('alpha')?.source).toBe(join(builtin, 'alpha.ts'));
    expect(registry.get('beta')?.source).toBe(join(builtin, 'beta', 'index.ts'));
    expect(registry.get('gamma')?.source).toBe(join(builtin, 'gamma.mjs'));
    expect(registry.get('zeta')?.source).toBe(join(extra, 'single-folder', 'index.ts'));
    expect(registry.get('eta')?.source).toBe(join(extra, 'single-file.mjs'));
  });

  it('records a syntax error with its path and a SyntaxError reason', () => {
    const error = errorFor(registry, join(builtin, 'broken-syntax.ts'));
    expect(error.reason).toMatch(/^SyntaxError: /);
    expect(error.reason).toContain('broken-syntax.ts:1:');
    expect(error.reason).not.toMatch(/\u001b|\n/); // one clean line
  });

  it('records a module that throws while importing', () => {
    expect(errorFor(registry, join(builtin, 'throws-at-import.ts')).reason).toBe('TypeError: database unreachable');
  });

  it('records a module in the reference design\'s register() style, naming what replaces it', () => {
    expect(errorFor(registry, join(builtin, 'register-throws.mjs')).reason).toBe(
      'exports register(), which Plugform does not load; export definePlugin({ ...schema, createProvider(config, context) }) instead (see docs/plugin-authoring.md)',
    );
  });

  it('records a file without a plugin export, listing what it does export', () => {
    expect(errorFor(registry, join(builtin, 'no-export.ts')).reason).toBe(
      'no plugin export: expected a default export made with definePlugin() (found: answer)',
    );
  });

  it('records bad schemas with the plugin name, the field and the rule', () => {
    const select = errorFor(registry, join(builtin, 'bad-select.ts'));
    expect(select.pluginName).toBe('bad-select');
    expect(select.reason).toMatch(/^invalid schema: /);
    expect(select.reason).toContain('region');
    expect(select.reason).toMatch(/option/i);

    const range = errorFor(registry, join(builtin, 'bad-range.ts'));
    expect(range.pluginName).toBe('bad-range');
    expect(range.reason).toMatch(/^invalid schema: /);
    expect(range.reason).toContain('port');
    expect(range.reason).toMatch(/10/);
    expect(range.reason).toMatch(/5/);
  });

  it('keeps the first of two plugins with one name and names both paths in the error', () => {
    expect(registry.get('alpha')?.source).toBe(join(builtin, 'alpha.ts'));
    const localDup = errorFor(registry, join(local, 'alpha.ts'));
    expect(localDup.pluginName).toBe('alpha');
    expect(localDup.reason).toBe(`duplicate plugin name "alpha": already registered from ${join(builtin, 'alpha.ts')}`);

    const extraDup = errorFor(registry, join(extra, 'folder-of-plugins', 'zz-duplicate-gamma.mjs'));
    expect(extraDup.reason).toBe(`duplicate plugin name "gamma": already registered from ${join(builtin, 'gamma.mjs')}`);
  });

  it('records a PLUGIN_PATHS entry that does not exist', () => {
    expect(errorFor(registry, join(extra, 'does-not-exist')).reason).toBe('path does not exist');
  });

  it('never tries the SDK, tests, declarations, generated types, dotfiles, node_modules or index-less folders', () => {
    const tried = registry.loadErrors().map((error) => error.path);
    for (const skipped of ['sdk', 'alpha.test.ts', 'types.d.ts', 'config.generated.ts', '.hidden.ts', 'node_modules', 'assets']) {
      expect(tried.filter((path) => path.includes(join(builtin, skipped)))).toEqual([]);
    }
    expect(tried.filter((path) => path.includes('helper-not-loaded') || path.endsWith('other.ts'))).toEqual([]);
  });

  it('has exactly the expected errors, no more (nothing loaded twice, nothing silently skipped)', () => {
    expect(registry.loadErrors().map((error) => error.path).sort()).toEqual(
      [
        join(builtin, 'bad-range.ts'),
        join(builtin, 'bad-select.ts'),
        join(builtin, 'broken-syntax.ts'),
        join(builtin, 'no-export.ts'),
        join(builtin, 'register-throws.mjs'),
        join(builtin, 'throws-at-import.ts'),
        join(extra, 'does-not-exist'),
        join(extra, 'folder-of-plugins', 'zz-duplicate-gamma.mjs'),
        join(local, 'alpha.ts'),
      ].sort(),
    );
  });

  it('logs each failure and a one-line summary', () => {
    expect(logger.lines.at(-1)).toBe('info registry: 9 plugins loaded, 9 failed');
    expect(logger.lines.filter((line) => line.startsWith('warn registry: '))).toHaveLength(9);
    expect(logger.lines.some((line) => line.includes('broken-syntax.ts: SyntaxError: '))).toBe(true);
  });

  it('keeps a frozen copy of the schema, without the factory', () => {
    const alpha = registry.get('alpha')!;
    expect(Object.isFrozen(alpha.schema)).toBe(true);
    expect(Object.isFrozen(alpha.schema.fields)).toBe(true);
    expect(Object.isFrozen(alpha.schema.fields[0])).toBe(true);
    expect('createProvider' in alpha.schema).toBe(false);
    expect(alpha.schema).toMatchObject({ name: 'alpha', type: 'NOTIFICATION', displayName: 'Plugin alpha' });
    expect(registry.get('gamma')!.schema).toMatchObject({ name: 'gamma', type: 'PAYMENT', version: '2.0.0' });
  });

  it('filters by type and by a case-insensitive search over name, display name, description and tags', () => {
    const names = (filter: Parameters<PluginRegistry['list']>[0]) => registry.list(filter).map((p) => p.schema.name);
    expect(names({ type: 'PAYMENT' })).toEqual(['delta', 'eta', 'gamma']);
    expect(names({ type: 'ANALYTICS' })).toEqual(['named']);
    expect(names({ search: 'ZETA' })).toEqual(['zeta']); // name
    expect(names({ search: 'plugin BETA' })).toEqual(['beta']); // display name
    expect(names({ search: 'takes PAY' })).toEqual(['delta', 'eta', 'gamma']); // description
    expect(names({ search: 'CHAT', type: 'NOTIFICATION' })).toEqual(['alpha', 'beta', 'epsilon', 'local-one', 'zeta']); // tag
    expect(names({ search: '  ' })).toHaveLength(9);
    expect(names({ search: 'nothing matches this' })).toEqual([]);
  });

  it('creates a fresh, configured provider on every call, from .ts and .mjs files', async () => {
    for (const name of ['alpha', 'gamma']) {
      const plugin = registry.get(name)!;
      const a = await plugin.createProvider({ channel: 'a' }, context('i-1'));
      const b = await plugin.createProvider({ channel: 'b' }, context('i-2'));
      expect(a).not.toBe(b);
      expect((a as unknown as { config: unknown }).config).toEqual({ channel: 'a' });
      expect((b as unknown as { config: unknown }).config).toEqual({ channel: 'b' });
    }
    // the factory receives the instance's own context
    const gamma = (await registry.get('gamma')!.createProvider({}, context('i-7'))) as unknown as { context: PluginContext };
    expect(gamma.context.instanceId).toBe('i-7');
  });
});

describe('discoverPlugins: a hanging import', () => {
  it('gives up after the timeout, records the plugin and still loads the others', async () => {
    const dir = await tree({
      'hangs.mjs': 'await new Promise(() => {});\nexport function register() {}\n',
      'fine.ts': definePluginTs('fine'),
    });
    const logger = capture();
    // The import never settles: only the timeout can end discovery.
    const registry = await discoverPlugins({ builtinDir: dir, importTimeoutMs: 1_000, logger });
    expect(registry.list().map((p) => p.schema.name)).toEqual(['fine']);
    expect(registry.loadErrors()).toEqual([
      {
        path: join(dir, 'hangs.mjs'),
        reason: 'timed out after 1000 ms while importing (a top-level await that never settles?)',
      },
    ]);
    expect(logger.lines.at(-1)).toBe('info registry: 1 plugin loaded, 1 failed');
  });
});

describe('createProvider: the provider contract', () => {
  let registry: PluginRegistry;
  let dir: string;

  beforeAll(async () => {
    dir = await tree({
      'missing-op.ts': definePluginTs('missing-op', { provider: '{}' }),
      'shared.ts': `import { definePlugin } from ${SDK};
const shared = { async trackEvent() {} };
export default definePlugin({ name: 'shared', type: 'ANALYTICS', version: '1.0.0', fields: [],
  createProvider: () => shared });`,
      'factory-throws.ts': definePluginTs('factory-throws', { provider: '(() => { throw new RangeError("no quota"); })()' }),
      'async-factory.ts': definePluginTs('async-factory', { provider: 'Promise.resolve({ async sendNotification() { return { success: true }; } })' }),
      'async-empty.ts': definePluginTs('async-empty', { provider: 'Promise.resolve({})' }),
      'promises-health.ts': definePluginTs('promises-health', { schema: 'supportsHealthCheck: true,' }),
      'async-register.mjs': 'export async function register() { return {}; }\n',
      'healthy.ts': `import { definePlugin } from ${SDK};
export default definePlugin({ name: 'healthy', type: 'ANALYTICS', version: '1.0.0', fields: [],
  createProvider: () => ({ async trackEvent() {}, async healthCheck() { return { status: 'healthy' as const, message: 'ok' }; } }) });`,
      'flaky.ts': `import { definePlugin } from ${SDK};
let made = 0;
export default definePlugin({ name: 'flaky', type: 'ANALYTICS', version: '1.0.0', fields: [],
  createProvider: () => (made++ === 0 ? { async trackEvent() {} } : {}) as never });`,
      'flaky-throws.ts': `import { definePlugin } from ${SDK};
let made = 0;
export default definePlugin({ name: 'flaky-throws', type: 'ANALYTICS', version: '1.0.0', fields: [],
  createProvider: () => { if (made++ > 0) throw new Error('out of quota'); return { async trackEvent() {} }; } });`,
      'not-a-function.mjs': `import { definePlugin } from ${SDK};
export default definePlugin({ name: 'not-a-function', type: 'ANALYTICS', version: '1.0.0', fields: [], createProvider: 'soon' });`,
      'not-wrapped.mjs': `export default { name: 'raw', type: 'ANALYTICS', version: '1.0.0', fields: [], createProvider() { return {}; } };`,
      'two-plugins.ts': `import { definePlugin } from ${SDK};
const make = (name: string) => definePlugin({ name, type: 'ANALYTICS', version: '1.0.0', fields: [],
  createProvider: () => ({ async trackEvent() {} }) });
export const first = make('first');
export const second = make('second');`,
    });
    registry = await discoverPlugins({ builtinDir: dir, logger: capture() });
  });

  // No provider exists before an instance is configured: what a provider must implement is
  // checked on each one made, and the plugin still registers (its schema is fine).
  it('refuses a provider missing an operation of its type, with a typed error naming it', async () => {
    const plugin = registry.get('missing-op')!;
    const made = plugin.createProvider({ channel: 'c' }, context('i-1'));
    await expect(made).rejects.toThrow(ProviderContractError);
    await expect(plugin.createProvider({ channel: 'c' }, context('i-1'))).rejects.toThrow(
      'provider does not implement sendNotification (required of a NOTIFICATION plugin)',
    );
  });

  it('requires healthCheck when the schema declares supportsHealthCheck', async () => {
    await expect(registry.get('promises-health')!.createProvider({ channel: 'c' }, context())).rejects.toThrow(/provider does not implement healthCheck/);
  });

  it('advertises supportsHealthCheck / supportsTestConnection only as the schema declares them', () => {
    const plugin = registry.get('healthy')!;
    expect(plugin.schema.supportsHealthCheck).toBeUndefined();
    expect(plugin.schema.supportsTestConnection).toBeUndefined();
  });

  it('refuses to hand out the same provider object twice', async () => {
    const plugin = registry.get('shared')!;
    await plugin.createProvider({}, context('i-1'));
    await expect(plugin.createProvider({}, context('i-2'))).rejects.toThrow(/returned a provider it had returned before/);
  });

  it('turns a throwing factory into a ProviderCreationError and waits for an asynchronous one', async () => {
    await expect(registry.get('factory-throws')!.createProvider({ channel: 'c' }, context())).rejects.toThrow(ProviderCreationError);
    await expect(registry.get('factory-throws')!.createProvider({ channel: 'c' }, context())).rejects.toThrow(/no quota/);
    const ready = await registry.get('async-factory')!.createProvider({ channel: 'c' }, context());
    expect(typeof (ready as { sendNotification?: unknown }).sendNotification).toBe('function');
    await expect(registry.get('async-empty')!.createProvider({ channel: 'c' }, context())).rejects.toThrow(/provider does not implement sendNotification/);
  });

  it('checks each provider made: a factory that turns bad later is refused with a typed error', async () => {
    const plugin = registry.get('flaky')!;
    await plugin.createProvider({}, context('i-1'));
    await expect(plugin.createProvider({}, context('i-2'))).rejects.toThrow(ProviderContractError);
    const throwing = registry.get('flaky-throws')!;
    await throwing.createProvider({}, context());
    await expect(throwing.createProvider({}, context())).rejects.toThrow(ProviderCreationError);
  });

  it('records modules that export something unusable as load errors', () => {
    expect(errorFor(registry, join(dir, 'async-register.mjs')).reason).toMatch(/^exports register\(\), which Plugform does not load/);
    expect(errorFor(registry, join(dir, 'not-a-function.mjs')).reason).toBe(
      'createProvider is a string, expected a function (config, context) => provider',
    );
    expect(errorFor(registry, join(dir, 'not-wrapped.mjs')).reason).toMatch(/not made with definePlugin\(\)/);
    expect(errorFor(registry, join(dir, 'two-plugins.ts')).reason).toBe(
      'exports 2 definePlugin() values (first, second); one module holds one plugin',
    );
  });
});

describe('discoverPlugins: sources', () => {
  it('skips a missing local folder silently but records a missing built-in folder', async () => {
    const dir = await tree({ 'one.ts': definePluginTs('one') });
    const quiet = await discoverPlugins({ builtinDir: dir, localDir: join(dir, 'nope'), logger: capture() });
    expect(quiet.loadErrors()).toEqual([]);
    expect(quiet.list().map((p) => p.schema.name)).toEqual(['one']);

    const loud = await discoverPlugins({ builtinDir: join(dir, 'missing'), logger: capture() });
    expect(loud.loadErrors()).toEqual([{ path: join(dir, 'missing'), reason: 'path does not exist' }]);
  });

  it('does not scan the local folder twice when it is the built-in folder', async () => {
    const dir = await tree({ 'one.ts': definePluginTs('one') });
    const registry = await discoverPlugins({ builtinDir: dir, localDir: `${dir}/`, logger: capture() });
    expect(registry.loadErrors()).toEqual([]);
    expect(registry.size).toBe(1);
  });

  it('parses PLUGIN_PATHS like PATH, relative to the working directory', () => {
    expect(parsePluginPaths(`a${delimiter}${delimiter}/abs/b${delimiter}`, '/work')).toEqual(['/work/a', '/abs/b']);
    expect(parsePluginPaths(undefined)).toEqual([]);
  });
});
