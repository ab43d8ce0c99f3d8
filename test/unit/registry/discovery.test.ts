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
import { closedEgress } from '../../../server/health/egress.ts';
import { definePluginTs, registerJs, removeTrees, SDK, tree } from './fixtures.ts';

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
      'gamma.mjs': registerJs('gamma'),
      'delta.js': registerJs('delta'),
      'named-export.ts': `import { definePlugin } from ${SDK};
export const plugin = definePlugin({ name: 'named', type: 'ANALYTICS', version: '1.0.0', fields: [],
  createProvider: () => ({ configure() {}, async trackEvent() {} }) });`,
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
      'register-missing-op.mjs': `export function register() {
  return { getConfigSchema: () => ({ name: 'half-payment', type: 'PAYMENT', version: '1.0.0', fields: [] }),
           configure() {}, async processPayment() { return { id: '1', status: 'ok' }; } };
}`,
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
      'folder-of-plugins/zz-duplicate-gamma.mjs': registerJs('gamma'),
      'single-folder/index.ts': definePluginTs('zeta'),
      'single-folder/other.ts': 'throw new Error("a plugin folder given directly loads only its index")',
      'single-file.mjs': registerJs('eta'),
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

  it('loads every good plugin, of both styles and all file kinds, ordered by name', () => {
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

  it('records a register() that throws', () => {
    expect(errorFor(registry, join(builtin, 'register-throws.mjs')).reason).toBe(
      'register() threw Error: missing STRIPE_KEY',
    );
  });

  it('records a file without a plugin export, listing what it does export', () => {
    expect(errorFor(registry, join(builtin, 'no-export.ts')).reason).toBe(
      'no plugin export: expected register() or a default export made with definePlugin() (found: answer)',
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

  it('rejects a register() provider missing an operation of its type at load time', () => {
    const error = errorFor(registry, join(builtin, 'register-missing-op.mjs'));
    expect(error.pluginName).toBe('half-payment');
    expect(error.reason).toBe('provider does not implement refund (required of a PAYMENT plugin)');
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
        join(builtin, 'register-missing-op.mjs'),
        join(builtin, 'register-throws.mjs'),
        join(builtin, 'throws-at-import.ts'),
        join(extra, 'does-not-exist'),
        join(extra, 'folder-of-plugins', 'zz-duplicate-gamma.mjs'),
        join(local, 'alpha.ts'),
      ].sort(),
    );
  });

  it('logs each failure and a one-line summary', () => {
    expect(logger.lines.at(-1)).toBe('info registry: 9 plugins loaded, 10 failed');
    expect(logger.lines.filter((line) => line.startsWith('warn registry: '))).toHaveLength(10);
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

  it('creates a fresh provider on every call, for both styles', async () => {
    for (const name of ['alpha', 'gamma']) {
      const plugin = registry.get(name)!;
      const a = plugin.createProvider(context('i-1'));
      const b = plugin.createProvider(context('i-2'));
      expect(a).not.toBe(b);
      await a.configure({ channel: 'a' });
      await b.configure({ channel: 'b' });
      expect((a as unknown as { config: unknown }).config).toEqual({ channel: 'a' });
      expect((b as unknown as { config: unknown }).config).toEqual({ channel: 'b' });
    }
    // register() receives the instance's own context
    const gamma = registry.get('gamma')!.createProvider(context('i-7')) as unknown as { context: PluginContext };
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
      'missing-op.ts': definePluginTs('missing-op', { provider: '{ configure() {} }' }),
      'shared.ts': `import { definePlugin } from ${SDK};
const shared = { configure() {}, async trackEvent() {} };
export default definePlugin({ name: 'shared', type: 'ANALYTICS', version: '1.0.0', fields: [],
  createProvider: () => shared });`,
      'factory-throws.ts': definePluginTs('factory-throws', { provider: '(() => { throw new RangeError("no quota"); })()' }),
      'async-factory.ts': definePluginTs('async-factory', { provider: 'Promise.resolve({})' }),
      'promises-health.ts': definePluginTs('promises-health', { schema: 'supportsHealthCheck: true,' }),
      'singleton-register.mjs': `const one = {
  getConfigSchema: () => ({ name: 'singleton', type: 'ANALYTICS', version: '1.0.0', fields: [] }),
  configure() {}, async trackEvent() {} };
export function register() { return one; }`,
      'async-register.mjs': 'export async function register() { return {}; }\n',
      'healthy.ts': `import { definePlugin } from ${SDK};
export default definePlugin({ name: 'healthy', type: 'ANALYTICS', version: '1.0.0', fields: [],
  createProvider: () => ({ configure() {}, async trackEvent() {}, async healthCheck() { return { status: 'healthy' as const, message: 'ok' }; } }) });`,
      'flaky.ts': `import { definePlugin } from ${SDK};
let made = 0;
export default definePlugin({ name: 'flaky', type: 'ANALYTICS', version: '1.0.0', fields: [],
  createProvider: () => (made++ === 0 ? { configure() {}, async trackEvent() {} } : { configure() {} }) as never });`,
      'flaky-throws.ts': `import { definePlugin } from ${SDK};
let made = 0;
export default definePlugin({ name: 'flaky-throws', type: 'ANALYTICS', version: '1.0.0', fields: [],
  createProvider: () => { if (made++ > 0) throw new Error('out of quota'); return { configure() {}, async trackEvent() {} }; } });`,
      'not-wrapped.mjs': `export default { name: 'raw', type: 'ANALYTICS', version: '1.0.0', fields: [], createProvider() { return {}; } };`,
      'two-plugins.ts': `import { definePlugin } from ${SDK};
const make = (name: string) => definePlugin({ name, type: 'ANALYTICS', version: '1.0.0', fields: [],
  createProvider: () => ({ configure() {}, async trackEvent() {} }) });
export const first = make('first');
export const second = make('second');`,
    });
    registry = await discoverPlugins({ builtinDir: dir, logger: capture() });
  });

  it('rejects, at load time, a definePlugin provider missing an operation of its type', () => {
    const error = errorFor(registry, join(dir, 'missing-op.ts'));
    expect(error.pluginName).toBe('missing-op');
    expect(error.reason).toContain('provider does not implement sendNotification (required of a NOTIFICATION plugin)');
    expect(registry.get('missing-op')).toBeUndefined();
  });

  it('requires healthCheck when the schema declares supportsHealthCheck', () => {
    expect(errorFor(registry, join(dir, 'promises-health.ts')).reason).toMatch(/provider does not implement healthCheck/);
  });

  it('reads supportsHealthCheck / supportsTestConnection off the provider when the schema leaves them unset', () => {
    const plugin = registry.get('healthy')!;
    expect(plugin.schema.supportsHealthCheck).toBe(true);
    expect(plugin.schema.supportsTestConnection).toBe(false);
  });

  it('refuses to hand out the same provider object twice (the load-time probe counts as handed out)', () => {
    const plugin = registry.get('shared')!;
    expect(() => plugin.createProvider(context('i-1'))).toThrow(/returned a provider it had returned before/);
  });

  it('records a throwing or asynchronous factory as a load error', () => {
    expect(errorFor(registry, join(dir, 'factory-throws.ts')).reason).toMatch(/createProvider\(\) threw RangeError: no quota/);
    expect(errorFor(registry, join(dir, 'async-factory.ts')).reason).toBe(
      'createProvider() returned a Promise; it must return the provider itself',
    );
  });

  it('still checks each provider made later: a factory that turns bad after startup is refused with a typed error', () => {
    const plugin = registry.get('flaky')!;
    const attempt = () => plugin.createProvider(context('i-1'));
    expect(attempt).toThrow(ProviderContractError);
    expect(attempt).toThrow(/provider does not implement trackEvent/);
    expect(() => registry.get('flaky-throws')!.createProvider(context())).toThrow(ProviderCreationError);
  });

  it('refuses a register() that returns one shared provider (already handed out for the schema)', () => {
    expect(() => registry.get('singleton')!.createProvider(context('i-1'))).toThrow(ProviderContractError);
  });

  it('records modules that export something unusable as load errors', () => {
    expect(errorFor(registry, join(dir, 'async-register.mjs')).reason).toBe(
      'register() returned a Promise; it must return the provider itself',
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
