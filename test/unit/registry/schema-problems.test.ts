/**
 * How the registry reports what the schema check finds, independent of the check's own rules
 * (those are tested with the SDK): the checker is replaced by one that flags chosen plugins.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { discoverPlugins } from '../../../server/registry/index.ts';
import { definePluginTs, paymentJs, removeTrees, tree } from './fixtures.ts';

vi.mock('../../../plugins/sdk/schema-check.ts', () => ({
  checkPluginSchema(schema: { name?: string }) {
    if (schema.name === 'flagged') {
      return [
        { field: 'port', message: 'minValue 10 is greater than maxValue 5' },
        { field: '', message: 'version must be a semantic version' },
        { field: 'region', message: 'field "region": SELECT needs options' },
      ];
    }
    if (schema.name === 'crashes-checker') throw new TypeError('cannot read fields');
    return [];
  },
}));

afterAll(removeTrees);

describe('schema problems found at registration', () => {
  it('become one load error per plugin listing every problem, with its field', async () => {
    const dir = await tree({
      'flagged.ts': definePluginTs('flagged'),
      'crashes.mjs': paymentJs('crashes-checker'),
      'fine.ts': definePluginTs('fine'),
    });
    const registry = await discoverPlugins({ builtinDir: dir, logger: { info() {}, warn() {} } });
    expect(registry.list().map((p) => p.schema.name)).toEqual(['fine']);
    expect(registry.loadErrors()).toEqual([
      {
        path: join(dir, 'crashes.mjs'),
        pluginName: 'crashes-checker',
        reason: 'invalid schema: the schema check failed: TypeError: cannot read fields',
      },
      {
        path: join(dir, 'flagged.ts'),
        pluginName: 'flagged',
        reason:
          'invalid schema: field "port": minValue 10 is greater than maxValue 5; ' +
          'version must be a semantic version; field "region": SELECT needs options',
      },
    ]);
  });
});
