import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  describeError,
  formatLoadError,
  isPluginFileName,
  PluginRegistry,
  UnknownPluginError,
} from '../../../server/registry/index.ts';
import type { RegisteredPlugin } from '../../../server/registry/index.ts';

describe('describeError', () => {
  it('reports tsx/esbuild compile errors as one SyntaxError line with file, line and column', () => {
    const error = Object.assign(
      new Error('Transform failed with 1 error:\n/tmp/x/bad.ts:1:13: ERROR: Expected identifier but found "="'),
      { name: 'TransformError' },
    );
    expect(describeError(error)).toBe('SyntaxError: Expected identifier but found "=" (bad.ts:1:13)');
  });

  it('reports Vite compile errors (colours and box drawing stripped) the same way', () => {
    const message =
      'Transform failed with 1 error:\n\n\u001b[31m[PARSE_ERROR] \u001b[0mUnexpected token\n' +
      '   \u001b[38;5;246m╭\u001b[0m─[ ../../tmp/x/bad.ts:1:14 ]\n   │\n 1 │ export const = ;\n';
    expect(describeError(new Error(message))).toBe('SyntaxError: Unexpected token (bad.ts:1:14)');
  });

  it('keeps name and message of ordinary errors, on one line', () => {
    expect(describeError(new TypeError('boom'))).toBe('TypeError: boom');
    expect(describeError(new Error('first\n  second'))).toBe('Error: first second');
  });

  it('describes thrown non-errors', () => {
    expect(describeError('nope')).toBe('threw a non-error value: "nope"');
    expect(describeError(undefined)).toBe('threw a non-error value: undefined');
  });

  it('formats a load error as path: reason, relative to the working directory when inside it', () => {
    expect(formatLoadError({ path: join(process.cwd(), 'plugins', 'foo', 'index.ts'), reason: 'bad' })).toBe(
      `${join('plugins', 'foo', 'index.ts')}: bad`,
    );
    expect(formatLoadError({ path: '/elsewhere/p.ts', reason: 'bad' })).toBe('/elsewhere/p.ts: bad');
  });
});

describe('isPluginFileName', () => {
  it('accepts .ts, .js and .mjs plugins', () => {
    for (const name of ['slack.ts', 'slack.js', 'slack.mjs']) expect(isPluginFileName(name)).toBe(true);
  });
  it('ignores tests, declarations, generated config types, dotfiles and other files', () => {
    for (const name of [
      'slack.test.ts',
      'slack.spec.js',
      'slack.test-d.ts',
      'slack.d.ts',
      'config.generated.ts',
      '.slack.ts',
      'README.md',
      'slack.json',
    ]) {
      expect(isPluginFileName(name), name).toBe(false);
    }
  });
});

describe('PluginRegistry', () => {
  const fake = (name: string, type: RegisteredPlugin['schema']['type'] = 'SEARCH'): RegisteredPlugin => ({
    schema: { name, type, version: '1.0.0', fields: [] },
    source: `/p/${name}.ts`,
    createProvider: async () => ({}),
  });

  it('orders by name whatever the insertion order, and looks plugins up', () => {
    const registry = new PluginRegistry([fake('zed'), fake('Alpha'), fake('beta', 'STORAGE')]);
    expect(registry.list().map((p) => p.schema.name)).toEqual(['Alpha', 'beta', 'zed']);
    expect(registry.get('beta')?.source).toBe('/p/beta.ts');
    expect(registry.get('nope')).toBeUndefined();
    expect(registry.has('zed')).toBe(true);
    expect(registry.size).toBe(3);
    expect(registry.loadErrors()).toEqual([]);
  });

  it('throws UnknownPluginError from require() for a missing plugin', () => {
    const registry = new PluginRegistry([fake('one')]);
    expect(registry.require('one').schema.name).toBe('one');
    expect(() => registry.require('two')).toThrow(UnknownPluginError);
    expect(() => registry.require('two')).toThrow('no plugin named "two" is registered');
  });

  it('refuses duplicate names (discovery resolves them before building a registry)', () => {
    expect(() => new PluginRegistry([fake('one'), fake('one')])).toThrow(/duplicate plugin name "one"/);
  });

  it('hands out load errors that callers cannot change', () => {
    const registry = new PluginRegistry([], [{ path: '/p/x.ts', reason: 'broken' }]);
    expect(Object.isFrozen(registry.loadErrors())).toBe(true);
    expect(Object.isFrozen(registry.loadErrors()[0])).toBe(true);
  });
});
