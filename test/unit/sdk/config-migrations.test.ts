/** configVersion and migrations: the schema check validates the chain; migrateConfig runs it step by step. */
import { describe, expect, it } from 'vitest';
import { checkPluginSchema, ConfigMigrationError, migrateConfig } from '../../../plugins/sdk/index.ts';

const base = {
  name: 'upgrading',
  type: 'NOTIFICATION',
  version: '3.0.0',
  fields: [{ key: 'timeoutSeconds', label: 'Timeout', type: 'INTEGER' }],
};
const step = (from: number, to = from + 1) => ({ from, to, migrate: (config: Record<string, unknown>) => ({ ...config, [`v${to}`]: true }) });
const messages = (schema: Record<string, unknown>) => checkPluginSchema(schema).map((problem) => problem.message);

describe('schema check of configVersion and migrations', () => {
  it('accepts no versioning, and a complete chain up to configVersion', () => {
    expect(messages(base)).toEqual([]);
    expect(messages({ ...base, configVersion: 3, migrations: [step(2), step(1)] })).toEqual([]);
  });

  it('names every gap, overlap and malformed step', () => {
    expect(messages({ ...base, configVersion: 0 })).toEqual(['configVersion 0 must be a whole number ≥ 1']);
    expect(messages({ ...base, configVersion: 2 })).toEqual(['configVersion is 2 but there are no migrations: add steps from 1 to 2']);
    expect(messages({ ...base, configVersion: 3, migrations: [step(1)] })).toEqual(['migrations have no step from version 2 to 3 (configVersion is 3)']);
    expect(messages({ ...base, configVersion: 2, migrations: [step(1), step(1)] })).toEqual(['migrations[1]: a second step from version 1']);
    expect(messages({ ...base, configVersion: 3, migrations: [step(1, 3), step(2)] })).toEqual([
      'migrations[0]: to must be from + 1 (2): a step goes one version up',
    ]);
    expect(messages({ ...base, configVersion: 2, migrations: [step(1), step(2)] })).toEqual(['migrations[1]: goes from 2, beyond configVersion 2']);
    expect(messages({ ...base, configVersion: 2, migrations: [{ from: 1, to: 2, migrate: 'rename' }] })).toEqual(['migrations[0]: migrate must be a function']);
    expect(messages({ ...base, migrations: 'none' })).toEqual(['migrations must be a list of { from, to, migrate } steps']);
  });
});

describe('migrateConfig', () => {
  const schema = {
    configVersion: 3,
    migrations: [
      { from: 1, to: 2, migrate: ({ timeout, ...rest }: Record<string, unknown>) => ({ ...rest, timeoutSeconds: Number(String(timeout).replace(/s$/, '')) }) },
      {
        from: 2,
        to: 3,
        migrate: (config: Record<string, unknown>) => {
          if (config['timeoutSeconds'] === 0) throw new Error('a timeout of 0 means nothing');
          return { ...config, retries: 3 };
        },
      },
    ],
  };

  it('runs each step from the stored version up, without touching the stored object', () => {
    const stored = Object.freeze({ timeout: '30s', sender: 'Ops' });
    expect(migrateConfig(schema, stored, 1)).toEqual({ sender: 'Ops', timeoutSeconds: 30, retries: 3 });
    expect(migrateConfig(schema, { timeoutSeconds: 5 }, 2)).toEqual({ timeoutSeconds: 5, retries: 3 });
    expect(migrateConfig(schema, { timeoutSeconds: 5 }, 3)).toEqual({ timeoutSeconds: 5 });
  });

  it('names the step that throws or returns no configuration', () => {
    expect(() => migrateConfig(schema, { timeout: '0s' }, 1)).toThrow(new ConfigMigrationError(2, 3, 'a timeout of 0 means nothing'));
    expect(() => migrateConfig(schema, { timeout: '0s' }, 1)).toThrow('step 2 → 3 failed: a timeout of 0 means nothing');
    const broken = { configVersion: 2, migrations: [{ from: 1, to: 2, migrate: () => null as never }] };
    expect(() => migrateConfig(broken, {}, 1)).toThrow('step 1 → 2 failed: migrate() did not return a configuration object');
  });
});
