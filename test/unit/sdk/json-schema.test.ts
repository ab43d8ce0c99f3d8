/**
 * toJsonSchema: the shape of the output, and parity with validateConfig: for a broad table of
 * canonical (already typed) configurations, Ajv (2020-12, strict, with ajv-formats) reaches
 * the verdict validateConfig reaches, and both reach the verdict the table expects.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import {
  JSON_SCHEMA_DIALECT,
  JSON_SCHEMA_EXTENSION_KEYWORDS,
  toJsonSchema,
  validateConfig,
  type FieldSpec,
  type PluginConfig,
} from '../../../plugins/sdk/index.ts';

// ajv-formats is CommonJS; its default export arrives wrapped under NodeNext typing.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

function makeAjv(): Ajv2020 {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats(ajv);
  for (const keyword of JSON_SCHEMA_EXTENSION_KEYWORDS) ajv.addKeyword(keyword);
  return ajv;
}

const plugin = (fields: FieldSpec[], extra: Partial<PluginConfig> = {}): PluginConfig => ({
  name: 'sample',
  type: 'INTEGRATION',
  version: '1.0.0',
  fields,
  ...extra,
});

const OPTIONS = [
  { value: 'a', label: 'A' },
  { value: 'b', label: 'B' },
  { value: 'c', label: 'C' },
];

describe('toJsonSchema output', () => {
  const schema = toJsonSchema(
    plugin(
      [
        {
          key: 'phone',
          label: 'Business Phone Number',
          type: 'PHONE',
          required: true,
          description: 'Your verified number',
          helpText: 'From Meta',
          placeholder: '+14155550123',
          group: 'Basic',
          order: 1,
          validationRules: [{ type: 'pattern', value: '^\\+1' }],
        },
        { key: 'token', label: 'API Token', type: 'SECRET', required: true, minLength: 8 },
        { key: 'password', label: 'Password', type: 'STRING', isSecret: true },
        { key: 'retries', label: 'Retry Count', type: 'INTEGER', required: true, default: 3, minValue: 0, maxValue: 10, validationRules: [{ type: 'max', value: 5 }, { type: 'min', value: -2 }] },
        { key: 'ratio', label: 'Ratio', type: 'FLOAT' },
        { key: 'on', label: 'On', type: 'BOOLEAN', default: false },
        { key: 'env', label: 'Env', type: 'SELECT', options: OPTIONS, validationRules: [{ type: 'enum', value: ['a', 'b'] }] },
        { key: 'modes', label: 'Modes', type: 'MULTI_SELECT', options: OPTIONS, required: true, maxLength: 2 },
        { key: 'site', label: 'Site', type: 'URL' },
        { key: 'mail', label: 'Mail', type: 'EMAIL' },
        { key: 'doc', label: 'Doc', type: 'JSON' },
        { key: 'steps', label: 'Steps', type: 'JSON', jsonShape: 'array' },
        { key: 'ports', label: 'Ports', type: 'ARRAY', itemType: 'INTEGER', minValue: 1, minLength: 1, validationRules: [{ type: 'enum', value: [80, 443] }] },
        { key: 'names', label: 'Names', type: 'ARRAY', pattern: '^[a-z]+$', validationRules: [{ type: 'maxLength', value: 3 }] },
      ],
      { displayName: 'Sample Plugin', description: 'For tests', groups: ['Basic'] },
    ),
  );
  const properties = schema.properties as Record<string, Record<string, unknown>>;

  it('is a closed 2020-12 object schema', () => {
    expect(schema).toMatchObject({
      $schema: JSON_SCHEMA_DIALECT,
      title: 'Sample Plugin',
      description: 'For tests',
      type: 'object',
      additionalProperties: false,
      'x-groups': ['Basic'],
    });
    expect(JSON_SCHEMA_DIALECT).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(Object.keys(properties)).toEqual([
      'phone', 'token', 'password', 'retries', 'ratio', 'on', 'env', 'modes', 'site', 'mail', 'doc', 'steps', 'ports', 'names',
    ]);
  });
  it('requires required fields, except those a default fills', () => {
    expect(schema.required).toEqual(['phone', 'token', 'modes']);
  });
  it('carries labels, descriptions and presentation keywords, and folds extra patterns into allOf', () => {
    expect(properties.phone).toEqual({
      title: 'Business Phone Number',
      description: 'Your verified number',
      type: 'string',
      pattern: '^\\+[1-9]\\d{1,14}$',
      minLength: 1,
      allOf: [{ pattern: '^\\+1' }],
      'x-field-type': 'PHONE',
      'x-group': 'Basic',
      'x-order': 1,
      'x-help-text': 'From Meta',
      'x-placeholder': '+14155550123',
    });
  });
  it('marks secrets write-only', () => {
    expect(properties.token).toEqual({ title: 'API Token', type: 'string', minLength: 8, writeOnly: true, 'x-field-type': 'SECRET' });
    expect(properties.password).toMatchObject({ type: 'string', writeOnly: true, 'x-field-type': 'STRING' });
  });
  it('combines value bounds into the strictest, within the safe integers', () => {
    expect(properties.retries).toEqual({ title: 'Retry Count', type: 'integer', minimum: 0, maximum: 5, default: 3, 'x-field-type': 'INTEGER' });
    expect(properties.ratio).toEqual({ title: 'Ratio', type: 'number', 'x-field-type': 'FLOAT' });
    expect(properties.on).toEqual({ title: 'On', type: 'boolean', default: false, 'x-field-type': 'BOOLEAN' });
  });
  it('turns options into enums and enum rules into allOf', () => {
    expect(properties.env).toEqual({ title: 'Env', type: 'string', enum: ['a', 'b', 'c'], allOf: [{ enum: ['a', 'b'] }], 'x-field-type': 'SELECT' });
    expect(properties.modes).toEqual({
      title: 'Modes',
      type: 'array',
      items: { type: 'string', enum: ['a', 'b', 'c'] },
      uniqueItems: true,
      minItems: 1,
      maxItems: 2,
      'x-field-type': 'MULTI_SELECT',
    });
  });
  it('uses formats and their exact patterns for URL and EMAIL', () => {
    expect(properties.site).toMatchObject({ type: 'string', format: 'uri', pattern: expect.stringMatching(/^\^\[Hh\]\[Tt\]\[Tt\]\[Pp\]\[Ss\]\?:\/\//) });
    expect(properties.mail).toMatchObject({ type: 'string', format: 'email', pattern: expect.any(String) });
  });
  it('describes JSON fields by shape and ARRAY fields by item schema', () => {
    expect(properties.doc).toEqual({ title: 'Doc', type: 'object', 'x-field-type': 'JSON' });
    expect(properties.steps).toEqual({ title: 'Steps', type: 'array', 'x-field-type': 'JSON' });
    expect(properties.ports).toEqual({
      title: 'Ports',
      type: 'array',
      items: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER, enum: [80, 443] },
      minItems: 1,
      'x-field-type': 'ARRAY',
    });
    expect(properties.names).toEqual({
      title: 'Names',
      type: 'array',
      items: { type: 'string', pattern: '^[a-z]+$' },
      maxItems: 3,
      'x-field-type': 'ARRAY',
    });
  });
  it('never carries a secret default', () => {
    const withDefault = toJsonSchema(plugin([{ key: 't', label: 'T', type: 'SECRET', default: 'hunter2' }]));
    expect(JSON.stringify(withDefault)).not.toContain('hunter2');
  });
  it('compiles in Ajv strict mode', () => {
    expect(() => makeAjv().compile(schema)).not.toThrow();
  });
});

// ---------------------------------------------------------------------------------------
// Parity

interface ParityCase {
  field: FieldSpec;
  valid: unknown[];
  invalid: unknown[];
}

const parityCases: ParityCase[] = [
  { field: { key: 's', label: 'S', type: 'STRING' }, valid: ['', 'x', ' '], invalid: [1, true, ['x'], {}] },
  { field: { key: 's', label: 'S', type: 'STRING', minLength: 2, maxLength: 3 }, valid: ['ab', 'abc', '😀😀', '😀😀😀'], invalid: ['a', 'abcd', '😀😀😀😀'] },
  {
    field: { key: 's', label: 'S', type: 'STRING', pattern: '^[A-Z]', validationRules: [{ type: 'pattern', value: '[0-9]$' }, { type: 'enum', value: ['A1', 'B2', 'c3'] }] },
    valid: ['A1', 'B2'],
    invalid: ['A', '1', 'c3', 'C3'],
  },
  { field: { key: 's', label: 'S', type: 'STRING', pattern: '^\\p{Lu}$' }, valid: ['Ä', 'Q'], invalid: ['ä', 'AB'] },
  { field: { key: 't', label: 'T', type: 'TEXT', validationRules: [{ type: 'maxLength', value: 5 }, { type: 'minLength', value: 2 }] }, valid: ['a\nb', 'abcde'], invalid: ['a', 'abcdef'] },
  { field: { key: 'k', label: 'K', type: 'SECRET', required: true, minLength: 8 }, valid: ['12345678'], invalid: ['1234567', '', 12345678] },
  { field: { key: 'k', label: 'K', type: 'STRING', isSecret: true, required: true }, valid: ['x'], invalid: [''] },
  {
    field: { key: 'i', label: 'I', type: 'INTEGER', minValue: 1, maxValue: 10, validationRules: [{ type: 'max', value: 8 }] },
    valid: [1, 8, 5.0],
    invalid: [0, 9, 11, 1.5, true, [1]],
  },
  { field: { key: 'i', label: 'I', type: 'INTEGER' }, valid: [0, -1, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER], invalid: [2 ** 53, -(2 ** 53), 1e300, 0.1] },
  { field: { key: 'i', label: 'I', type: 'INTEGER', required: true }, valid: [0], invalid: [] },
  {
    field: { key: 'f', label: 'F', type: 'FLOAT', minValue: 0.5, validationRules: [{ type: 'enum', value: [0.5, 1.5, 0.25] }] },
    valid: [0.5, 1.5],
    invalid: [0.25, 1, 2, 'x'],
  },
  { field: { key: 'f', label: 'F', type: 'FLOAT' }, valid: [0, -1e-9, 1e300], invalid: [false, {}] },
  { field: { key: 'b', label: 'B', type: 'BOOLEAN', required: true }, valid: [true, false], invalid: [0, 1, {}, ''] },
  { field: { key: 'b', label: 'B', type: 'BOOLEAN', validationRules: [{ type: 'enum', value: [true] }] }, valid: [true], invalid: [false] },
  { field: { key: 'o', label: 'O', type: 'SELECT', options: OPTIONS }, valid: ['a', 'c'], invalid: ['z', 'A', 1, ['a']] },
  { field: { key: 'o', label: 'O', type: 'SELECT', options: OPTIONS, required: true, default: 'b' }, valid: ['a'], invalid: ['d'] },
  {
    field: { key: 'm', label: 'M', type: 'MULTI_SELECT', options: OPTIONS, required: true, maxLength: 2 },
    valid: [['a'], ['c', 'a']],
    invalid: [[], ['a', 'a'], ['z'], ['a', 'b', 'c'], 'a', [1]],
  },
  { field: { key: 'm', label: 'M', type: 'MULTI_SELECT', options: OPTIONS, minLength: 2 }, valid: [['a', 'b']], invalid: [[], ['a']] },
  {
    field: { key: 'u', label: 'U', type: 'URL' },
    valid: [
      'https://example.com',
      'http://localhost:4000/path/to?q=1&r=a%20b#top',
      'HTTPS://EXAMPLE.COM/',
      'http://user:pa%24s@my_service.internal:8080',
      'http://10.0.0.1:65535/',
      'http://[::1]:9200/',
      'http://[2001:db8::7]/x',
      'http://[::ffff:192.0.2.1]/',
      'https://a.example/p;x=1/(y)?a=b/c?d#f/g?h',
    ],
    invalid: [
      'ftp://example.com',
      'mailto:a@b.co',
      'example.com',
      '//example.com',
      'http://',
      'http:/example.com',
      'http://exa mple.com',
      'http://example.com/a b',
      'http://example.com:99999',
      'http://example.com:65536',
      'http://example.com:0',
      'http://example.com/%zz',
      'http://[::g]/',
      'http://[1:2:3:4:5:6:7:8:9]/',
      'https://exämple.com',
      'https://example.com/"quoted"',
      'javascript:alert(1)',
    ],
  },
  {
    field: { key: 'e', label: 'E', type: 'EMAIL' },
    valid: ['ops@example.com', 'first.last+tag@mail.example.co.uk', "o'brien@example.ie", 'x@a-b.io'],
    invalid: ['ops@localhost', 'ops', '@example.com', 'a@@example.com', 'a b@example.com', 'a..b@example.com', 'a@example.1com', 'a@-example.com', 'a@example-.com', '.a@example.com'],
  },
  {
    field: { key: 'p', label: 'P', type: 'PHONE', validationRules: [{ type: 'pattern', value: '^\\+49' }] },
    valid: ['+4930123456'],
    invalid: ['+14155550123', '4930123456', '+49 30 123456', '+0', '+491234567890123456'],
  },
  { field: { key: 'j', label: 'J', type: 'JSON' }, valid: [{ a: 1 }, {}, { nested: { list: [1, null] } }], invalid: [[1], [], 5, true, '"x"', 'not json'] },
  { field: { key: 'j', label: 'J', type: 'JSON', jsonShape: 'array', required: true }, valid: [[1, 'a'], []], invalid: [{}, 'x'] },
  {
    field: { key: 'a', label: 'A', type: 'ARRAY', itemType: 'INTEGER', minValue: 0, maxLength: 3, validationRules: [{ type: 'enum', value: [0, 1, 2, 3, 80] }] },
    valid: [[], [0, 1, 2], [80, 80]],
    invalid: [[-1], [4], [0, 1, 2, 3], [1.5], ['1x'], 1],
  },
  { field: { key: 'a', label: 'A', type: 'ARRAY', itemType: 'URL', required: true }, valid: [['https://a.example']], invalid: [[], ['a.example'], [null]] },
  { field: { key: 'a', label: 'A', type: 'ARRAY', pattern: '^[a-z]+$', minLength: 1 }, valid: [['ab', 'ab']], invalid: [[], ['Ab'], [1]] },
  { field: { key: 'a', label: 'A', type: 'ARRAY', itemType: 'BOOLEAN' }, valid: [[true, false]], invalid: [[0]] },
  { field: { key: 'a', label: 'A', type: 'ARRAY', itemType: 'FLOAT', maxValue: 1 }, valid: [[0.5, 1]], invalid: [[1.5]] },
  { field: { key: 'a', label: 'A', type: 'ARRAY', itemType: 'EMAIL' }, valid: [['a@b.io']], invalid: [['a@b']] },
  { field: { key: 'a', label: 'A', type: 'ARRAY', itemType: 'PHONE' }, valid: [['+4930123456']], invalid: [['030123456']] },
];

interface Sample {
  name: string;
  schema: PluginConfig;
  config: Record<string, unknown>;
  valid: boolean;
}

function samples(): Sample[] {
  const all: Sample[] = [];
  for (const { field, valid, invalid } of parityCases) {
    const schema = plugin([field]);
    const label = `${field.type} ${JSON.stringify({ ...field, key: undefined, label: undefined, type: undefined })}`;
    const fillsItself = field.default !== undefined;
    all.push({ name: `${label} absent`, schema, config: {}, valid: !field.required || fillsItself });
    for (const value of valid) all.push({ name: `${label} = ${JSON.stringify(value)}`, schema, config: { [field.key]: value }, valid: true });
    for (const value of invalid) all.push({ name: `${label} = ${JSON.stringify(value)}`, schema, config: { [field.key]: value }, valid: false });
  }
  const wide = plugin(parityCases.slice(0, 12).map(({ field }, index) => ({ ...field, key: `f${index}`, required: false })));
  all.push(
    { name: 'several fields, all valid', schema: wide, config: { f0: 'x', f1: 'abc', f7: 3, f10: 1.5, f11: 2 }, valid: true },
    { name: 'several fields, one invalid', schema: wide, config: { f0: 'x', f1: 'abc', f7: 30 }, valid: false },
    { name: 'an unknown key', schema: wide, config: { f0: 'x', nope: 1 }, valid: false },
  );
  return all;
}

describe('parity with Ajv on canonical configurations', () => {
  const ajv = makeAjv();
  const table = samples();

  it('covers valid and invalid configurations of every field type', () => {
    const types = (valid: boolean) => new Set(table.filter((s) => s.valid === valid).flatMap((s) => s.schema.fields.map((f) => f.type)));
    expect(types(true).size).toBe(13);
    expect(types(false).size).toBe(13);
    expect(table.length).toBeGreaterThan(200);
  });

  it.each(table.map((sample) => [sample.name, sample] as const))('%s', (_, sample) => {
    const validate = ajv.compile(toJsonSchema(sample.schema));
    const ours = validateConfig(sample.schema, sample.config);
    expect({ validateConfig: ours.ok, ajv: validate(sample.config) }).toEqual({ validateConfig: sample.valid, ajv: sample.valid });
  });
});
