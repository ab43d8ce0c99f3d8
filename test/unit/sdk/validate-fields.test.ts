/**
 * validateFields (the per-field entry point the console runs as the user types) against
 * validateConfig (the whole form, run on submit and by the server): for every built-in
 * plugin and a schema with cross-field custom rules, over many random configurations, the
 * errors of any set of fields are exactly validateConfig's errors about them; and changing
 * one field changes no error outside fieldsToRecheck of it.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  FieldType,
  fieldsToRecheck,
  isPluginDefinition,
  validateConfig,
  validateFields,
  type FieldError,
  type FieldSpec,
} from '../../../plugins/sdk/index.ts';

const PLUGINS_DIR = join(import.meta.dirname, '../../../plugins');
const builtIns = await Promise.all(
  readdirSync(PLUGINS_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && entry.name !== 'sdk')
    .map(async (entry) => {
      const module = (await import(join(PLUGINS_DIR, entry.name, 'index.ts'))) as { default: unknown };
      if (!isPluginDefinition(module.default)) throw new Error(`${entry.name} exports no plugin definition`);
      return { name: entry.name, fields: module.default.fields };
    }),
);

/** Rules that read other fields, as custom rules may: the dependency case. */
const crossField: FieldSpec[] = [
  { key: 'min', label: 'Minimum', type: FieldType.INTEGER, required: true, minValue: 0 },
  {
    key: 'max',
    label: 'Maximum',
    type: FieldType.INTEGER,
    maxValue: 100,
    validationRules: [{ type: 'custom', validate: (value, config) => (value as number) >= ((config.min as number) ?? 0) || 'Maximum must not be below Minimum' }],
  },
  { key: 'mode', label: 'Mode', type: FieldType.SELECT, options: [{ value: 'a', label: 'A' }, { value: 'b', label: 'B' }] },
  {
    key: 'target',
    label: 'Target',
    type: FieldType.URL,
    validationRules: [{ type: 'custom', validate: (value, config) => config.mode !== 'b' || String(value).startsWith('https:'), message: 'Mode B needs an https Target' }],
  },
  {
    key: 'broken',
    label: 'Broken',
    type: FieldType.STRING,
    validationRules: [{ type: 'custom', validate: () => { throw new Error('boom'); } }],
  },
  { key: 'tags', label: 'Tags', type: FieldType.ARRAY, itemType: FieldType.EMAIL, maxLength: 2 },
];

const schemas = [...builtIns, { name: 'cross-field custom rules', fields: crossField }];

/** A seeded generator (mulberry32), so a failure replays the same configurations. */
function random(seed: number) {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Candidate values for a field: valid, invalid, blank, wrong type, edge of its bounds. */
function candidates(field: FieldSpec): unknown[] {
  const options = (field.options ?? []).map((o) => o.value);
  const common = [undefined, null, '', 'x', 42, true, { a: 1 }];
  const bounds = [field.minValue, field.maxValue].flatMap((b) => (b === undefined ? [] : [b, b - 1, b + 1]));
  const lengths = [field.minLength, field.maxLength].flatMap((n) => (n === undefined ? [] : ['a'.repeat(n), 'a'.repeat(n + 1), 'a'.repeat(Math.max(0, n - 1))]));
  switch (field.type) {
    case FieldType.INTEGER:
    case FieldType.FLOAT:
      return [...common, 0, -1, 2.5, '7', ...bounds];
    case FieldType.BOOLEAN:
      return [...common, false, 'true', 'no'];
    case FieldType.SELECT:
      return [...common, ...options, 'not-an-option'];
    case FieldType.MULTI_SELECT:
      return [...common, [], options.slice(0, 1), [...options.slice(0, 1), ...options.slice(0, 1)], ['not-an-option'], options];
    case FieldType.URL:
      return [...common, 'https://example.com', 'http://localhost:1', 'ftp://x', 'not a url', ...lengths];
    case FieldType.EMAIL:
      return [...common, 'a@example.com', 'not-an-email', ...lengths];
    case FieldType.JSON:
      return [...common, '{"a":1}', '{bad', [1, 2], {}];
    case FieldType.ARRAY:
      return [...common, [], ['a@example.com'], ['a@example.com', 'bad'], ['x', 'y', 'z'], [1], 'a@example.com'];
    default:
      return [...common, 'hello', 'UPPER', 'a-b-c', '+14155550123', ...lengths];
  }
}

function randomConfig(fields: readonly FieldSpec[], next: () => number): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  for (const field of fields) {
    const pool = candidates(field);
    const value = pool[Math.floor(next() * pool.length)];
    if (value !== undefined) config[field.key] = value;
  }
  return config;
}

/** validateConfig's errors about field `key` itself or one of its items. */
function errorsAbout(errors: readonly FieldError[], keys: ReadonlySet<string>): FieldError[] {
  return errors.filter((e) => keys.has(e.field) || keys.has(e.field.replace(/\[\d+\]$/, '')));
}

const whole = (fields: readonly FieldSpec[], config: Record<string, unknown>) => {
  const result = validateConfig({ fields }, config);
  return result.ok ? [] : result.errors;
};

const RUNS = 150;

describe.each(schemas)('validateFields on $name', ({ fields }) => {
  it('gives each field, and any set of fields, exactly the errors validateConfig gives them', () => {
    const next = random(fields.length * 7919 + 1);
    let seenErrors = 0;
    for (let run = 0; run < RUNS; run++) {
      const config = randomConfig(fields, next);
      const all = whole(fields, config);
      seenErrors += all.length;
      for (const field of fields) {
        expect(validateFields({ fields }, config, [field.key]), `${field.key} in ${JSON.stringify(config)}`).toEqual(errorsAbout(all, new Set([field.key])));
      }
      const some = fields.filter(() => next() < 0.5).map((f) => f.key);
      expect(validateFields({ fields }, config, some)).toEqual(errorsAbout(all, new Set(some)));
    }
    // The generator must reach invalid configurations, or the comparison proves nothing.
    expect(seenErrors).toBeGreaterThan(RUNS);
  });

  it('changing one field changes no error outside fieldsToRecheck of that field', () => {
    const next = random(fields.length * 104729 + 3);
    for (let run = 0; run < RUNS; run++) {
      const before = randomConfig(fields, next);
      const field = fields[Math.floor(next() * fields.length)]!;
      const pool = candidates(field);
      const after = { ...before, [field.key]: pool[Math.floor(next() * pool.length)] };
      const recheck = new Set(fieldsToRecheck({ fields }, field.key));
      const others = new Set(fields.map((f) => f.key).filter((key) => !recheck.has(key)));
      expect(errorsAbout(whole(fields, after), others), `changed ${field.key}`).toEqual(errorsAbout(whole(fields, before), others));
    }
  });
});

describe('fieldsToRecheck', () => {
  it('is the field itself when no field has a custom rule, and adds every field with one', () => {
    const plain = crossField.filter((f) => !f.validationRules);
    expect(fieldsToRecheck({ fields: plain }, 'min')).toEqual(['min']);
    expect(fieldsToRecheck({ fields: crossField }, 'min')).toEqual(['min', 'max', 'target', 'broken']);
  });

  it('a custom rule sees the other fields: Minimum above Maximum is an error of Maximum', () => {
    const config = { min: 50, max: 10 };
    expect(validateFields({ fields: crossField }, config, ['max'])).toEqual([{ field: 'max', rule: 'custom', message: 'Maximum must not be below Minimum' }]);
    expect(validateFields({ fields: crossField }, { ...config, min: 5 }, ['max'])).toEqual([]);
  });
});
