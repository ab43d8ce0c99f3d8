/** checkPluginSchema: a sound schema passes; each kind of mistake gets its own exact problem. */
import { describe, expect, it } from 'vitest';
import { checkPluginSchema, type FieldSpec } from '../../../plugins/sdk/index.ts';
import exampleEcho from '../../../plugins/example-echo/index.ts';

const base = {
  name: 'whatsapp-business',
  displayName: 'WhatsApp Business',
  type: 'NOTIFICATION',
  version: '1.2.0-beta.1+build.5',
  description: 'Messages',
  tags: ['chat'],
  groups: ['Basic', 'Advanced'],
  supportsHealthCheck: true,
  testTimeoutMs: 5000,
  fields: [
    { key: 'phone', label: 'Business Phone Number', type: 'PHONE', required: true, group: 'Basic', order: 1 },
    { key: 'token', label: 'API Token', type: 'SECRET', required: true, minLength: 10, group: 'Basic' },
    { key: 'retries', label: 'Retry Count', type: 'INTEGER', default: 3, minValue: 0, maxValue: 10, group: 'Advanced' },
    { key: 'env', label: 'Environment', type: 'SELECT', options: [{ value: 'prod', label: 'Production' }, { value: 'test', label: 'Test' }], default: 'prod' },
    { key: 'tags', label: 'Tags', type: 'ARRAY', itemType: 'EMAIL', maxLength: 5, default: ['ops@example.com'] },
    { key: 'extra', label: 'Extra', type: 'JSON', jsonShape: 'array', default: [] },
    { key: 'code', label: 'Code', type: 'STRING', validationRules: [{ type: 'pattern', value: '^[A-Z]+$', message: 'upper case' }, { type: 'custom', validate: () => true }] },
  ],
};

/** The base schema with one field replaced (or appended) by `field`. */
function withField(field: Record<string, unknown>): Record<string, unknown> {
  const fields = base.fields.filter((existing) => existing.key !== field.key);
  return { ...base, fields: [...fields, field] };
}

function problemsOf(schema: unknown): string[] {
  return checkPluginSchema(schema).map((problem) => problem.message);
}

describe('checkPluginSchema', () => {
  it('accepts a sound schema and the example plugin definition', () => {
    expect(checkPluginSchema(base)).toEqual([]);
    expect(checkPluginSchema(exampleEcho)).toEqual([]);
  });

  it.each([null, 'x', [], 5])('rejects %j: not an object', (schema) => {
    expect(checkPluginSchema(schema)).toEqual([{ field: '', message: 'the plugin schema must be an object' }]);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['missing name', { name: undefined }, 'name is required'],
    ['bad name', { name: 'My Plugin' }, 'name "My Plugin" must be lowercase letters and digits in dash-separated words, like "whatsapp-business"'],
    ['name with a double dash', { name: 'a--b' }, 'name "a--b" must be lowercase letters and digits in dash-separated words, like "whatsapp-business"'],
    ['name not a string', { name: 5 }, 'name 5 must be lowercase letters and digits in dash-separated words, like "whatsapp-business"'],
    ['long name', { name: 'a'.repeat(65) }, 'name must be at most 64 characters (it has 65)'],
    ['missing type', { type: undefined }, 'type is required'],
    ['unknown type', { type: 'CHAT' }, 'type "CHAT" is not a plugin type (one of: NOTIFICATION, PAYMENT, STORAGE, SEARCH, AUTHENTICATION, INTEGRATION, ANALYTICS, WORKFLOW)'],
    ['missing version', { version: undefined }, 'version is required'],
    ['bad version', { version: '1.0' }, 'version "1.0" is not a semantic version, like 1.2.0'],
    ['leading zero version', { version: '01.0.0' }, 'version "01.0.0" is not a semantic version, like 1.2.0'],
    ['fields not a list', { fields: {} }, 'fields must be a list'],
    ['displayName not a string', { displayName: 1 }, 'displayName must be a string'],
    ['tags not strings', { tags: ['a', 1] }, 'tags must be a list of strings'],
    ['bad flag', { supportsTestConnection: 'yes' }, 'supportsTestConnection must be true or false'],
    ['bad timeout', { testTimeoutMs: 0 }, 'testTimeoutMs must be a positive number of milliseconds'],
    ['unused group', { groups: ['Basic', 'Advanced', 'Extras'] }, 'group "Extras" is listed in groups but no field uses it'],
    ['repeated group', { groups: ['Basic', 'Advanced', 'Basic'] }, 'group "Basic" is listed more than once in groups'],
  ])('reports a plugin-level problem: %s', (_, change, message) => {
    expect(checkPluginSchema({ ...base, ...change })).toEqual([{ field: '', message }]);
  });

  it('accepts the longest name', () => {
    expect(checkPluginSchema({ ...base, name: `a${'-b'.repeat(31)}a` })).toEqual([]);
  });

  it.each<[string, Record<string, unknown>, string, string]>([
    ['a bad key', { key: 'my-key', label: 'K', type: 'STRING' }, '', 'fields[7]: key "my-key" must be an identifier (letters, digits and _, not starting with a digit)'],
    ['a key starting with a digit', { key: '1st', label: 'K', type: 'STRING' }, '', 'fields[7]: key "1st" must be an identifier (letters, digits and _, not starting with a digit)'],
    ['no key', { label: 'K', type: 'STRING' }, '', 'fields[7]: key is required'],
    ['a reserved key', { key: '__proto__', label: 'K', type: 'STRING' }, '__proto__', 'field "__proto__": key "__proto__" is reserved'],
    ['no label', { key: 'k', type: 'STRING' }, 'k', 'field "k": label is required'],
    ['a blank label', { key: 'k', label: '  ', type: 'STRING' }, 'k', 'field "k": label is required'],
    ['an unknown type', { key: 'k', label: 'K', type: 'NUMBER' }, 'k', 'field "k": type "NUMBER" is not a field type (one of: STRING, TEXT, INTEGER, FLOAT, BOOLEAN, SELECT, MULTI_SELECT, SECRET, URL, EMAIL, PHONE, JSON, ARRAY)'],
    ['an unknown attribute', { key: 'k', label: 'K', type: 'STRING', min_length: 3 }, 'k', 'field "k": unknown attribute "min_length"'],
    ['a non-boolean required', { key: 'k', label: 'K', type: 'STRING', required: 'yes' }, 'k', 'field "k": required must be true or false'],
    ['a non-string helpText', { key: 'k', label: 'K', type: 'STRING', helpText: 5 }, 'k', 'field "k": helpText must be a string'],
    ['a non-number order', { key: 'k', label: 'K', type: 'STRING', order: '1' }, 'k', 'field "k": order "1" must be an integer'],
    ['a fractional order', { key: 'k', label: 'K', type: 'STRING', order: 1.5 }, 'k', 'field "k": order 1.5 must be an integer'],
    ['an order beyond GraphQL\'s Int', { key: 'k', label: 'K', type: 'STRING', order: 2 ** 31 }, 'k', 'field "k": order 2147483648 must lie within ±2147483647 (GraphQL gives it as a 32-bit Int)'],
    ['a length beyond GraphQL\'s Int', { key: 'k', label: 'K', type: 'STRING', maxLength: 2 ** 32 }, 'k', 'field "k": maxLength 4294967296 must lie within ±2147483647 (GraphQL gives it as a 32-bit Int)'],
    ['a destination that is not a list of keys', { key: 'k', label: 'K', type: 'URL', destination: 'yes' }, 'k', 'field "k": destination must be true, false or a non-empty list of secret field keys'],
    ['a destination binding a field that is not secret', { key: 'k', label: 'K', type: 'URL', destination: ['phone'] }, 'k', 'field "k": destination names "phone", which is not a secret field of this plugin'],
    ['SELECT without options', { key: 'k', label: 'K', type: 'SELECT' }, 'k', 'field "k": options must list at least one choice for a SELECT field'],
    ['MULTI_SELECT with no options', { key: 'k', label: 'K', type: 'MULTI_SELECT', options: [] }, 'k', 'field "k": options must list at least one choice for a MULTI_SELECT field'],
    ['duplicate option values', { key: 'k', label: 'K', type: 'SELECT', options: [{ value: 'a', label: 'A' }, { value: 'a', label: 'A2' }] }, 'k', 'field "k": option value "a" is used more than once'],
    ['an option without value', { key: 'k', label: 'K', type: 'SELECT', options: [{ value: '', label: 'A' }] }, 'k', 'field "k": option 1 needs a non-empty string value'],
    ['an option without label', { key: 'k', label: 'K', type: 'SELECT', options: [{ value: 'a' }] }, 'k', 'field "k": option "a" needs a label'],
    ['options on a STRING', { key: 'k', label: 'K', type: 'STRING', options: [{ value: 'a', label: 'A' }] }, 'k', 'field "k": options apply only to SELECT and MULTI_SELECT fields'],
    ['an invalid pattern', { key: 'k', label: 'K', type: 'STRING', pattern: '[a-' }, 'k', 'field "k": pattern "[a-" is not a valid regular expression'],
    ['a pattern invalid in Unicode mode', { key: 'k', label: 'K', type: 'STRING', pattern: '\\a' }, 'k', 'field "k": pattern "\\\\a" is not a valid regular expression'],
    ['an invalid pattern rule', { key: 'k', label: 'K', type: 'STRING', validationRules: [{ type: 'pattern', value: '(' }] }, 'k', 'field "k": validation rule 1 (pattern) "(" is not a valid regular expression'],
    ['minLength > maxLength', { key: 'k', label: 'K', type: 'STRING', minLength: 10, maxLength: 5 }, 'k', 'field "k": minLength 10 is greater than maxLength 5'],
    ['minValue > maxValue', { key: 'port', label: 'Port', type: 'INTEGER', minValue: 10, maxValue: 5 }, 'port', 'field "port": minValue 10 is greater than maxValue 5'],
    ['a min rule above maxValue', { key: 'k', label: 'K', type: 'FLOAT', maxValue: 5, validationRules: [{ type: 'min', value: 7 }] }, 'k', 'field "k": validation rule 1 (min 7) is greater than maxValue 5'],
    ['a negative length', { key: 'k', label: 'K', type: 'STRING', minLength: -1 }, 'k', 'field "k": minLength -1 must be a non-negative integer'],
    ['a fractional length', { key: 'k', label: 'K', type: 'ARRAY', maxLength: 1.5 }, 'k', 'field "k": maxLength 1.5 must be a non-negative integer'],
    ['a non-numeric bound', { key: 'k', label: 'K', type: 'INTEGER', minValue: '1' }, 'k', 'field "k": minValue "1" must be a number'],
    ['a negative length rule', { key: 'k', label: 'K', type: 'STRING', validationRules: [{ type: 'maxLength', value: -2 }] }, 'k', 'field "k": validation rule 1 (maxLength) value -2 must be a non-negative integer'],
    ['a min rule without number', { key: 'k', label: 'K', type: 'INTEGER', validationRules: [{ type: 'min', value: 'x' }] }, 'k', 'field "k": validation rule 1 (min) value "x" must be a number'],
    ['an empty enum rule', { key: 'k', label: 'K', type: 'STRING', validationRules: [{ type: 'enum', value: [] }] }, 'k', 'field "k": validation rule 1 (enum) needs a non-empty list of values'],
    ['an enum rule of the wrong type', { key: 'k', label: 'K', type: 'INTEGER', validationRules: [{ type: 'enum', value: ['1'] }] }, 'k', 'field "k": validation rule 1 (enum) values must all be numbers'],
    ['a custom rule without a function', { key: 'k', label: 'K', type: 'STRING', validationRules: [{ type: 'custom', validate: 'x => true' }] }, 'k', 'field "k": validation rule 1 (custom) needs a validate function'],
    ['an unknown rule type', { key: 'k', label: 'K', type: 'STRING', validationRules: [{ type: 'regex', value: 'a' }] }, 'k', 'field "k": validation rule 1 has unknown type "regex" (one of: pattern, minLength, maxLength, min, max, enum, custom)'],
    ['a rule that is not an object', { key: 'k', label: 'K', type: 'STRING', validationRules: ['required'] }, 'k', 'field "k": validation rule 1 has unknown type "required" (one of: pattern, minLength, maxLength, min, max, enum, custom)'],
    ['a rule message that is not a string', { key: 'k', label: 'K', type: 'STRING', validationRules: [{ type: 'minLength', value: 1, message: 2 }] }, 'k', 'field "k": validation rule 1 message must be a string'],
    ['validationRules not a list', { key: 'k', label: 'K', type: 'STRING', validationRules: { type: 'min' } }, 'k', 'field "k": validationRules must be a list'],
    ['a pattern on an INTEGER', { key: 'k', label: 'K', type: 'INTEGER', pattern: '^1' }, 'k', 'field "k": pattern does not apply to INTEGER fields'],
    ['minValue on a STRING', { key: 'k', label: 'K', type: 'STRING', minValue: 1 }, 'k', 'field "k": minValue does not apply to STRING fields'],
    ['maxLength on a BOOLEAN', { key: 'k', label: 'K', type: 'BOOLEAN', maxLength: 1 }, 'k', 'field "k": maxLength does not apply to BOOLEAN fields'],
    ['a pattern on a numeric ARRAY', { key: 'k', label: 'K', type: 'ARRAY', itemType: 'INTEGER', pattern: '1' }, 'k', 'field "k": pattern does not apply to ARRAY fields'],
    ['an enum rule on a JSON field', { key: 'k', label: 'K', type: 'JSON', validationRules: [{ type: 'enum', value: ['a'] }] }, 'k', 'field "k": validation rule 1 (enum) does not apply to JSON fields'],
    ['a SECRET with a default', { key: 'k', label: 'K', type: 'SECRET', default: 'hunter2' }, 'k', 'field "k": a secret field cannot have a default'],
    ['an isSecret field with a default', { key: 'k', label: 'K', type: 'STRING', isSecret: true, default: 'x' }, 'k', 'field "k": a secret field cannot have a default'],
    ['isSecret on a number', { key: 'k', label: 'K', type: 'INTEGER', isSecret: true }, 'k', 'field "k": isSecret applies only to text fields (STRING, TEXT, SECRET, URL, EMAIL, PHONE)'],
    ['a default above maxValue', { key: 'k', label: 'Retry Count', type: 'INTEGER', maxValue: 10, default: 11 }, 'k', 'field "k": default 11 is invalid: Retry Count must be at most 10'],
    ['a default not among the options', { key: 'k', label: 'Env', type: 'SELECT', options: [{ value: 'a', label: 'A' }], default: 'b' }, 'k', 'field "k": default "b" is invalid: Env must be one of: a'],
    ['a default failing a pattern rule', { key: 'k', label: 'K', type: 'STRING', validationRules: [{ type: 'pattern', value: '^x', message: 'starts with x' }], default: 'y' }, 'k', 'field "k": default "y" is invalid: starts with x'],
    ['a default with bad items', { key: 'k', label: 'Ports', type: 'ARRAY', itemType: 'INTEGER', default: [1, 'a', 'b'] }, 'k', 'field "k": default [1,"a","b"] is invalid: Ports item 2 must be an integer; Ports item 3 must be an integer'],
    ['a default that needs coercion', { key: 'k', label: 'K', type: 'INTEGER', default: '5' }, 'k', 'field "k": default must be written as 5, not "5"'],
    ['a JSON default given as text', { key: 'k', label: 'K', type: 'JSON', default: '{}' }, 'k', 'field "k": default must be written as {}, not "{}"'],
    ['a bad itemType', { key: 'k', label: 'K', type: 'ARRAY', itemType: 'SELECT' }, 'k', 'field "k": itemType "SELECT" is not allowed (one of: STRING, INTEGER, FLOAT, BOOLEAN, URL, EMAIL, PHONE)'],
    ['itemType on a STRING', { key: 'k', label: 'K', type: 'STRING', itemType: 'STRING' }, 'k', 'field "k": itemType applies only to ARRAY fields'],
    ['a bad jsonShape', { key: 'k', label: 'K', type: 'JSON', jsonShape: 'map' }, 'k', 'field "k": jsonShape "map" must be "object" or "array"'],
    ['jsonShape on a TEXT', { key: 'k', label: 'K', type: 'TEXT', jsonShape: 'object' }, 'k', 'field "k": jsonShape applies only to JSON fields'],
  ])('reports a field with %s', (_, field, key, message) => {
    expect(checkPluginSchema(withField(field))).toEqual([{ field: key, message }]);
  });

  it('reports a duplicate key at its second use', () => {
    expect(checkPluginSchema({ ...base, fields: [...base.fields, { key: 'phone', label: 'Phone 2', type: 'PHONE' }] })).toEqual([
      { field: 'phone', message: 'field "phone": key is used by more than one field (fields[0] and fields[7])' },
    ]);
  });

  it('reports a field that is not an object by position', () => {
    expect(checkPluginSchema({ ...base, fields: [...base.fields, 'phone'] })).toEqual([{ field: '', message: 'fields[7]: must be an object' }]);
  });

  it('does not run custom rules on defaults (they may need the whole configuration)', () => {
    const field: FieldSpec = { key: 'k', label: 'K', type: 'STRING', default: 'x', validationRules: [{ type: 'custom', validate: () => false }] };
    expect(checkPluginSchema(withField(field as unknown as Record<string, unknown>))).toEqual([]);
  });

  it('accepts a required field with a default', () => {
    expect(checkPluginSchema(withField({ key: 'k', label: 'K', type: 'INTEGER', required: true, default: 1 }))).toEqual([]);
  });

  it('reports every problem at once', () => {
    const problems = problemsOf({
      name: 'Bad Name',
      type: 'NOTIFICATION',
      version: 'x',
      fields: [
        { key: 'a', label: 'A', type: 'STRING', minLength: 5, maxLength: 1 },
        { key: 'a', type: 'SELECT' },
      ],
    });
    expect(problems).toEqual([
      'name "Bad Name" must be lowercase letters and digits in dash-separated words, like "whatsapp-business"',
      'version "x" is not a semantic version, like 1.2.0',
      'field "a": minLength 5 is greater than maxLength 1',
      'field "a": key is used by more than one field (fields[0] and fields[1])',
      'field "a": label is required',
      'field "a": options must list at least one choice for a SELECT field',
    ]);
  });
});
