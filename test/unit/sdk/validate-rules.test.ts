/**
 * validateConfig beyond single types: required fields and defaults, length/value/pattern
 * bounds, every validation rule type, custom rules, unknown keys and the order of errors.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { validateConfig, type FieldSpec, type ValidationRule } from '../../../plugins/sdk/index.ts';
import { errorsOf, validateOne, valueOf } from './helpers.ts';

const OPTIONS = [
  { value: 'a', label: 'A' },
  { value: 'b', label: 'B' },
  { value: 'c', label: 'C' },
];

describe('required', () => {
  const required = (type: FieldSpec['type'], extra: Partial<FieldSpec> = {}): FieldSpec => ({
    key: 'f',
    label: 'Business Phone Number',
    type,
    required: true,
    ...extra,
  });
  const missing = [['f', 'required', 'Business Phone Number is required']];

  it.each([undefined, null, ''])('treats %j as missing', (value) => {
    expect(errorsOf(required('STRING'), value)).toEqual(missing);
    expect(errorsOf(required('INTEGER'), value)).toEqual(missing);
    expect(errorsOf(required('JSON'), value)).toEqual(missing);
  });
  it('treats an empty list as missing for MULTI_SELECT and ARRAY', () => {
    expect(errorsOf(required('MULTI_SELECT', { options: OPTIONS }), [])).toEqual(missing);
    expect(errorsOf(required('ARRAY'), [])).toEqual(missing);
  });
  it('accepts falsy values that are values', () => {
    expect(valueOf(required('BOOLEAN'), false)).toBe(false);
    expect(valueOf(required('INTEGER'), 0)).toBe(0);
    expect(valueOf(required('STRING'), ' ')).toBe(' ');
    expect(valueOf(required('JSON'), {})).toEqual({});
  });
  it('reports only the missing value, not a type error too', () => {
    expect(errorsOf(required('URL', { minLength: 5 }), '')).toEqual(missing);
  });
});

describe('optional fields and defaults', () => {
  const retries: FieldSpec = { key: 'retries', label: 'Retry Count', type: 'INTEGER', default: 3 };

  it('leave an absent optional field without default out of the result', () => {
    const result = validateConfig({ fields: [{ key: 'x', label: 'X', type: 'STRING' }] }, { });
    expect(result).toEqual({ ok: true, value: {} });
    expect(validateConfig({ fields: [{ key: 'x', label: 'X', type: 'STRING', minLength: 3 }] }, { x: '' })).toEqual({ ok: true, value: {} });
    expect(validateConfig({ fields: [{ key: 'x', label: 'X', type: 'INTEGER' }] }, { x: null })).toEqual({ ok: true, value: {} });
  });
  it.each([undefined, null, ''])('fill the default in for %j', (value) => {
    expect(valueOf(retries, value)).toBe(3);
  });
  it('do not replace a given value', () => {
    expect(valueOf(retries, 0)).toBe(0);
    expect(valueOf({ key: 'l', label: 'L', type: 'ARRAY', default: ['x'] }, [])).toEqual([]);
  });
  it('make a required field with a default never missing', () => {
    expect(valueOf({ ...retries, required: true }, undefined)).toBe(3);
  });
  it('are copied, so a configuration cannot change the schema', () => {
    const field: FieldSpec = { key: 'h', label: 'Headers', type: 'JSON', default: { a: { b: 1 } } };
    const first = valueOf(field, undefined) as { a: { b: number } };
    first.a.b = 2;
    expect(field.default).toEqual({ a: { b: 1 } });
    expect(valueOf(field, undefined)).toEqual({ a: { b: 1 } });
  });
  it('are checked like given values', () => {
    expect(errorsOf({ ...retries, maxValue: 2 }, undefined)).toEqual([['retries', 'maxValue', 'Retry Count must be at most 2']]);
  });
});

describe('length, value and pattern attributes', () => {
  it('count string length in characters (code points)', () => {
    const field: FieldSpec = { key: 'n', label: 'Name', type: 'STRING', minLength: 2, maxLength: 3 };
    expect(errorsOf(field, 'a')).toEqual([['n', 'minLength', 'Name must be at least 2 characters']]);
    expect(errorsOf(field, 'abcd')).toEqual([['n', 'maxLength', 'Name must be at most 3 characters']]);
    expect(valueOf(field, '😀😀😀')).toBe('😀😀😀');
    expect(errorsOf({ ...field, minLength: 1, maxLength: 1 }, 'ab')).toEqual([['n', 'maxLength', 'Name must be at most 1 character']]);
  });
  it('apply to secrets like to other strings', () => {
    const field: FieldSpec = { key: 't', label: 'API Token', type: 'SECRET', minLength: 10, pattern: '^sk-' };
    expect(errorsOf(field, 'pk-1')).toEqual([
      ['t', 'minLength', 'API Token must be at least 10 characters'],
      ['t', 'pattern', 'API Token must match the pattern ^sk-'],
    ]);
  });
  it('count items of MULTI_SELECT and ARRAY', () => {
    const field: FieldSpec = { key: 'm', label: 'Modes', type: 'MULTI_SELECT', options: OPTIONS, minLength: 2, maxLength: 2 };
    expect(errorsOf(field, ['a'])).toEqual([['m', 'minLength', 'Modes must have at least 2 items']]);
    expect(errorsOf(field, ['a', 'b', 'c'])).toEqual([['m', 'maxLength', 'Modes must have at most 2 items']]);
    expect(errorsOf({ key: 'l', label: 'List', type: 'ARRAY', maxLength: 1 }, ['x', 'y'])).toEqual([
      ['l', 'maxLength', 'List must have at most 1 item'],
    ]);
  });
  it('bound numbers inclusively', () => {
    const field: FieldSpec = { key: 'r', label: 'Retry Count', type: 'INTEGER', minValue: 1, maxValue: 10 };
    expect(valueOf(field, 1)).toBe(1);
    expect(valueOf(field, '10')).toBe(10);
    expect(errorsOf(field, 11)).toEqual([['r', 'maxValue', 'Retry Count must be at most 10']]);
    expect(errorsOf(field, 0)).toEqual([['r', 'minValue', 'Retry Count must be at least 1']]);
    expect(errorsOf({ key: 'f', label: 'Ratio', type: 'FLOAT', maxValue: 0.5 }, '0.75')).toEqual([['f', 'maxValue', 'Ratio must be at most 0.5']]);
  });
  it('bound each item of a numeric ARRAY', () => {
    const field: FieldSpec = { key: 'p', label: 'Ports', type: 'ARRAY', itemType: 'INTEGER', minValue: 1, maxValue: 65535 };
    expect(errorsOf(field, [80, 0, 70000])).toEqual([
      ['p[1]', 'minValue', 'Ports item 2 must be at least 1'],
      ['p[2]', 'maxValue', 'Ports item 3 must be at most 65535'],
    ]);
  });
  it('match patterns unanchored, in Unicode mode', () => {
    expect(valueOf({ key: 'c', label: 'Code', type: 'STRING', pattern: 'abc' }, 'xxabcxx')).toBe('xxabcxx');
    const upper: FieldSpec = { key: 'c', label: 'Code', type: 'STRING', pattern: '^\\p{Lu}+$' };
    expect(valueOf(upper, 'ÄBC')).toBe('ÄBC');
    expect(errorsOf(upper, 'Abc')).toEqual([['c', 'pattern', 'Code must match the pattern ^\\p{Lu}+$']]);
    expect(valueOf({ key: 'c', label: 'Code', type: 'STRING', pattern: '^.$' }, '😀')).toBe('😀');
  });
  it('match patterns against each string item of an ARRAY', () => {
    const field: FieldSpec = { key: 't', label: 'Tags', type: 'ARRAY', pattern: '^[a-z]+$' };
    expect(errorsOf(field, ['ok', 'Not'])).toEqual([['t[1]', 'pattern', 'Tags item 2 must match the pattern ^[a-z]+$']]);
  });
  it('report an invalid pattern instead of letting the value through or crashing', () => {
    expect(errorsOf({ key: 'c', label: 'Code', type: 'STRING', pattern: '[a-' }, 'abc')).toEqual([
      ['c', 'pattern', 'Code cannot be checked: [a- is not a valid regular expression'],
    ]);
  });
});

describe('validation rules', () => {
  const withRules = (type: FieldSpec['type'], validationRules: ValidationRule[], extra: Partial<FieldSpec> = {}): FieldSpec => ({
    key: 'k',
    label: 'API Key',
    type,
    validationRules,
    ...extra,
  });

  it.each<[FieldSpec['type'], ValidationRule, unknown, unknown, string]>([
    ['STRING', { type: 'pattern', value: '^sk-' }, 'sk-1', 'pk-1', 'API Key must match the pattern ^sk-'],
    ['STRING', { type: 'minLength', value: 4 }, 'abcd', 'abc', 'API Key must be at least 4 characters'],
    ['STRING', { type: 'maxLength', value: 2 }, 'ab', 'abc', 'API Key must be at most 2 characters'],
    ['INTEGER', { type: 'min', value: 5 }, 5, 4, 'API Key must be at least 5'],
    ['FLOAT', { type: 'max', value: 1.5 }, 1.5, 1.6, 'API Key must be at most 1.5'],
    ['STRING', { type: 'enum', value: ['x', 'y'] }, 'y', 'z', 'API Key must be one of: x, y'],
    ['INTEGER', { type: 'enum', value: [1, 2, 3] }, '2', 4, 'API Key must be one of: 1, 2, 3'],
    ['BOOLEAN', { type: 'enum', value: [true] }, 'true', false, 'API Key must be one of: true'],
    ['SELECT', { type: 'enum', value: ['a'] }, 'a', 'b', 'API Key must be one of: a'],
    ['ARRAY', { type: 'minLength', value: 2 }, ['a', 'b'], ['a'], 'API Key must have at least 2 items'],
  ])('%s with %j', (type, rule, good, bad, message) => {
    const field = withRules(type, [rule], { options: type === 'SELECT' ? OPTIONS : undefined });
    expect(errorsOf(field, good)).toEqual([]);
    expect(errorsOf(field, bad)).toEqual([['k', rule.type, message]]);
  });

  it('use the rule message instead of the default one', () => {
    const field = withRules('STRING', [{ type: 'pattern', value: '^sk-', message: "API key must start with 'sk-'" }]);
    expect(errorsOf(field, 'pk-1')).toEqual([['k', 'pattern', "API key must start with 'sk-'"]]);
  });
  it('apply enum and pattern rules to each item of a list', () => {
    const tags = withRules('ARRAY', [{ type: 'enum', value: ['red', 'green'], message: 'Unknown colour' }]);
    expect(errorsOf(tags, ['red', 'blue'])).toEqual([['k[1]', 'enum', 'Unknown colour']]);
    const modes = withRules('MULTI_SELECT', [{ type: 'enum', value: ['a', 'b'] }], { options: OPTIONS });
    expect(errorsOf(modes, ['c'])).toEqual([['k[0]', 'enum', 'API Key item 1 must be one of: a, b']]);
  });
  it('are all checked, after the attributes, in declaration order', () => {
    const field = withRules(
      'STRING',
      [
        { type: 'pattern', value: '^sk-' },
        { type: 'maxLength', value: 3 },
        { type: 'pattern', value: '\\d$', message: 'must end in a digit' },
      ],
      { minLength: 6 },
    );
    expect(errorsOf(field, 'pk-abc')).toEqual([
      ['k', 'pattern', 'API Key must match the pattern ^sk-'],
      ['k', 'maxLength', 'API Key must be at most 3 characters'],
      ['k', 'pattern', 'must end in a digit'],
    ]);
    expect(errorsOf(field, 'pk')).toEqual([
      ['k', 'minLength', 'API Key must be at least 6 characters'],
      ['k', 'pattern', 'API Key must match the pattern ^sk-'],
      ['k', 'pattern', 'must end in a digit'],
    ]);
  });
  it('report an invalid pattern rule', () => {
    expect(errorsOf(withRules('STRING', [{ type: 'pattern', value: '(' }]), 'x')).toEqual([
      ['k', 'pattern', 'API Key cannot be checked: ( is not a valid regular expression'],
    ]);
  });
});

describe('custom rules', () => {
  const custom = (validate: (value: unknown, config: Readonly<Record<string, unknown>>) => boolean | string, message?: string): FieldSpec => ({
    key: 'port',
    label: 'Port',
    type: 'INTEGER',
    validationRules: [{ type: 'custom', validate, message }],
  });

  it('pass when the predicate returns true', () => {
    expect(valueOf(custom(() => true), 1)).toBe(1);
  });
  it('fail with a default message, the rule message, or the returned message', () => {
    expect(errorsOf(custom(() => false), 1)).toEqual([['port', 'custom', 'Port is invalid']]);
    expect(errorsOf(custom(() => false, 'Port must be free'), 1)).toEqual([['port', 'custom', 'Port must be free']]);
    expect(errorsOf(custom(() => 'Port 1 is taken', 'ignored'), 1)).toEqual([['port', 'custom', 'Port 1 is taken']]);
    expect(errorsOf(custom(() => '', 'Port must be free'), 1)).toEqual([['port', 'custom', 'Port must be free']]);
  });
  it('turn a throwing predicate into an error without its message', () => {
    const field = custom(() => {
      throw new Error('secret value leaked');
    });
    expect(errorsOf(field, 1)).toEqual([['port', 'custom', 'Port could not be validated: its custom rule threw an error']]);
  });
  it('receive the coerced value and the whole coerced configuration, frozen', () => {
    const validate = vi.fn((value: unknown, config: Readonly<Record<string, unknown>>) => {
      expect(Object.isFrozen(config)).toBe(true);
      return value !== config.other;
    });
    const fields: FieldSpec[] = [
      { key: 'port', label: 'Port', type: 'INTEGER', validationRules: [{ type: 'custom', validate }] },
      { key: 'other', label: 'Other', type: 'INTEGER', default: 8080 },
      { key: 'host', label: 'Host', type: 'STRING' },
    ];
    expect(validateConfig({ fields }, { port: '8080', host: 'h' })).toEqual({
      ok: false,
      errors: [{ field: 'port', rule: 'custom', message: 'Port is invalid' }],
    });
    expect(validate).toHaveBeenCalledWith(8080, { port: 8080, other: 8080, host: 'h' });
  });
  it('run alongside failing declarative checks, but not on a value of the wrong type or no value', () => {
    const validate = vi.fn(() => false);
    const field: FieldSpec = { key: 'port', label: 'Port', type: 'INTEGER', maxValue: 5, validationRules: [{ type: 'custom', validate }] };
    expect(errorsOf(field, 6)).toEqual([
      ['port', 'maxValue', 'Port must be at most 5'],
      ['port', 'custom', 'Port is invalid'],
    ]);
    expect(errorsOf(field, 'six')).toEqual([['port', 'type', 'Port must be an integer']]);
    expect(errorsOf(field, undefined)).toEqual([]);
    expect(validate).toHaveBeenCalledTimes(1);
  });
  it('see a list only when every item has the right type', () => {
    const validate = vi.fn(() => true);
    const field: FieldSpec = { key: 'p', label: 'Ports', type: 'ARRAY', itemType: 'INTEGER', validationRules: [{ type: 'custom', validate }] };
    validateOne(field, [1, 'x']);
    expect(validate).not.toHaveBeenCalled();
    validateOne(field, [1, '2']);
    expect(validate).toHaveBeenCalledWith([1, 2], { p: [1, 2] });
  });
});

describe('unknown keys', () => {
  const fields: FieldSpec[] = [{ key: 'a', label: 'A', type: 'STRING' }];
  it('are rejected by name, never dropped', () => {
    expect(validateConfig({ fields }, { a: 'x', extra: 1, other: undefined })).toEqual({
      ok: false,
      errors: [
        { field: 'extra', rule: 'unknown', message: 'Unknown field "extra"' },
        { field: 'other', rule: 'unknown', message: 'Unknown field "other"' },
      ],
    });
  });
  it('include keys that look like object internals', () => {
    const result = validateConfig({ fields }, JSON.parse('{"__proto__": {"a": "x"}, "constructor": 1}') as Record<string, unknown>);
    expect(result.ok ? [] : result.errors.map((error) => error.field)).toEqual(['__proto__', 'constructor']);
  });
});

describe('the result', () => {
  const fields: FieldSpec[] = [
    { key: 'host', label: 'Host', type: 'STRING', required: true },
    { key: 'port', label: 'Port', type: 'INTEGER', maxValue: 10 },
    { key: 'mode', label: 'Mode', type: 'SELECT', options: OPTIONS, default: 'a' },
    { key: 'debug', label: 'Debug', type: 'BOOLEAN' },
  ];
  it('lists every error in field order, then unknown keys in input order', () => {
    expect(validateConfig({ fields }, { zeta: 1, debug: 'maybe', port: 11, alpha: 2 })).toEqual({
      ok: false,
      errors: [
        { field: 'host', rule: 'required', message: 'Host is required' },
        { field: 'port', rule: 'maxValue', message: 'Port must be at most 10' },
        { field: 'debug', rule: 'type', message: 'Debug must be true or false' },
        { field: 'zeta', rule: 'unknown', message: 'Unknown field "zeta"' },
        { field: 'alpha', rule: 'unknown', message: 'Unknown field "alpha"' },
      ],
    });
  });
  it('is the normalized configuration on success, in field order, input untouched', () => {
    const input = { debug: 'true', port: '7', host: 'h' };
    expect(validateConfig({ fields }, input)).toEqual({ ok: true, value: { host: 'h', port: 7, mode: 'a', debug: true } });
    expect(input).toEqual({ debug: 'true', port: '7', host: 'h' });
  });
  it.each([null, [], 'x', 5])('is a single error when the configuration is not an object (%j)', (values) => {
    expect(validateConfig({ fields }, values as unknown as Record<string, unknown>)).toEqual({
      ok: false,
      errors: [{ field: '', rule: 'type', message: 'The configuration must be an object' }],
    });
  });
});

describe('browser safety', () => {
  it('no SDK module imports a Node built-in', () => {
    const sdk = fileURLToPath(new URL('../../../plugins/sdk/', import.meta.url));
    const files = readdirSync(sdk, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts'));
    expect(files).toContain(join('rules', 'scalars.ts'));
    for (const file of files) {
      expect(readFileSync(join(sdk, file), 'utf8'), file).not.toMatch(/from ['"](node:|fs|path|crypto|os)['"/]/);
    }
  });
});
