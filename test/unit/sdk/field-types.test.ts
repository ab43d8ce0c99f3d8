/**
 * Every field type with valid and invalid values: the typed (coerced) value it yields, or the
 * exact error (field key, rule, message).
 */
import { describe, expect, it } from 'vitest';
import type { FieldSpec } from '../../../plugins/sdk/index.ts';
import { errorsOf, valueOf } from './helpers.ts';

const OPTIONS = [
  { value: 'email', label: 'Email' },
  { value: 'sms', label: 'SMS' },
  { value: 'push', label: 'Push' },
];

interface TypeCase {
  field: FieldSpec;
  /** Input → the value the validated configuration holds. */
  valid: [unknown, unknown][];
  /** Input → the one message it gets (under the field's own key, rule as given). */
  invalid: [unknown, string, string][];
}

const cases: TypeCase[] = [
  {
    field: { key: 'name', label: 'Display Name', type: 'STRING' },
    valid: [['abc', 'abc'], [' padded ', ' padded '], ['0', '0']],
    invalid: [
      [5, 'type', 'Display Name must be a string'],
      [true, 'type', 'Display Name must be a string'],
      [['a'], 'type', 'Display Name must be a string'],
      [{}, 'type', 'Display Name must be a string'],
    ],
  },
  {
    field: { key: 'body', label: 'Body', type: 'TEXT' },
    valid: [['line 1\nline 2', 'line 1\nline 2']],
    invalid: [[42, 'type', 'Body must be a string']],
  },
  {
    field: { key: 'token', label: 'API Token', type: 'SECRET' },
    valid: [['s3cret with spaces ', 's3cret with spaces ']],
    invalid: [[12345, 'type', 'API Token must be a string']],
  },
  {
    field: { key: 'retries', label: 'Retry Count', type: 'INTEGER' },
    valid: [[5, 5], [0, 0], [-3, -3], [5.0, 5], ['5', 5], ['-7', -7], ['007', 7], [Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER]],
    invalid: [
      [5.5, 'type', 'Retry Count must be an integer'],
      ['5.0', 'type', 'Retry Count must be an integer'],
      ['1e3', 'type', 'Retry Count must be an integer'],
      [' 5', 'type', 'Retry Count must be an integer'],
      ['+5', 'type', 'Retry Count must be an integer'],
      ['0x10', 'type', 'Retry Count must be an integer'],
      ['five', 'type', 'Retry Count must be an integer'],
      [true, 'type', 'Retry Count must be an integer'],
      [Number.NaN, 'type', 'Retry Count must be an integer'],
      [Number.POSITIVE_INFINITY, 'type', 'Retry Count must be an integer'],
      [2 ** 53, 'type', 'Retry Count must be an integer between -9007199254740991 and 9007199254740991'],
      ['9007199254740993', 'type', 'Retry Count must be an integer between -9007199254740991 and 9007199254740991'],
    ],
  },
  {
    field: { key: 'ratio', label: 'Sample Ratio', type: 'FLOAT' },
    valid: [[2.5, 2.5], [3, 3], ['2.5', 2.5], ['-.5', -0.5], ['1e-3', 0.001], ['10', 10], ['4.', 4]],
    invalid: [
      ['Infinity', 'type', 'Sample Ratio must be a number'],
      ['NaN', 'type', 'Sample Ratio must be a number'],
      [Number.NaN, 'type', 'Sample Ratio must be a number'],
      [Number.NEGATIVE_INFINITY, 'type', 'Sample Ratio must be a number'],
      ['1e999', 'type', 'Sample Ratio must be a number'],
      ['1,5', 'type', 'Sample Ratio must be a number'],
      [' 1', 'type', 'Sample Ratio must be a number'],
      [false, 'type', 'Sample Ratio must be a number'],
    ],
  },
  {
    field: { key: 'enabled', label: 'Enabled', type: 'BOOLEAN' },
    valid: [[true, true], [false, false], ['true', true], ['false', false]],
    invalid: [
      ['yes', 'type', 'Enabled must be true or false'],
      ['TRUE', 'type', 'Enabled must be true or false'],
      [1, 'type', 'Enabled must be true or false'],
      [0, 'type', 'Enabled must be true or false'],
    ],
  },
  {
    field: { key: 'channel', label: 'Channel', type: 'SELECT', options: OPTIONS },
    valid: [['sms', 'sms']],
    invalid: [
      ['fax', 'options', 'Channel must be one of: email, sms, push'],
      ['SMS', 'options', 'Channel must be one of: email, sms, push'],
      [1, 'options', 'Channel must be one of: email, sms, push'],
    ],
  },
  {
    field: { key: 'site', label: 'Website', type: 'URL' },
    valid: [
      ['https://example.com', 'https://example.com'],
      ['http://localhost:4000/path/to?q=1&r=a%20b#top', 'http://localhost:4000/path/to?q=1&r=a%20b#top'],
      ['HTTPS://EXAMPLE.COM/', 'HTTPS://EXAMPLE.COM/'],
      ['http://user:pa%24s@my_service.internal:8080', 'http://user:pa%24s@my_service.internal:8080'],
      ['http://10.0.0.1:65535/', 'http://10.0.0.1:65535/'],
      ['http://[::1]:9200/', 'http://[::1]:9200/'],
      ['http://[2001:db8::7]/', 'http://[2001:db8::7]/'],
    ],
    invalid: [
      ['ftp://example.com', 'format', 'Website must be an http or https URL'],
      ['example.com', 'format', 'Website must be an http or https URL'],
      ['//example.com', 'format', 'Website must be an http or https URL'],
      ['http://', 'format', 'Website must be an http or https URL'],
      ['http:/example.com', 'format', 'Website must be an http or https URL'],
      ['http://exa mple.com', 'format', 'Website must be an http or https URL'],
      ['http://example.com/a b', 'format', 'Website must be an http or https URL'],
      ['http://example.com:99999', 'format', 'Website must be an http or https URL'],
      ['http://example.com:65536', 'format', 'Website must be an http or https URL'],
      ['http://example.com:080', 'format', 'Website must be an http or https URL'],
      ['http://example.com/%zz', 'format', 'Website must be an http or https URL'],
      ['http://[::g]/', 'format', 'Website must be an http or https URL'],
      ['javascript:alert(1)', 'format', 'Website must be an http or https URL'],
      ['https://exämple.com', 'format', 'Website must be an http or https URL'],
      [42, 'type', 'Website must be a string'],
    ],
  },
  {
    field: { key: 'contact', label: 'Contact Email', type: 'EMAIL' },
    valid: [
      ['ops@example.com', 'ops@example.com'],
      ['first.last+tag@mail.example.co.uk', 'first.last+tag@mail.example.co.uk'],
    ],
    invalid: [
      ['ops@localhost', 'format', 'Contact Email must be a valid email address'],
      ['ops', 'format', 'Contact Email must be a valid email address'],
      ['@example.com', 'format', 'Contact Email must be a valid email address'],
      ['a@@example.com', 'format', 'Contact Email must be a valid email address'],
      ['a b@example.com', 'format', 'Contact Email must be a valid email address'],
      ['a..b@example.com', 'format', 'Contact Email must be a valid email address'],
      ['a@example.1com', 'format', 'Contact Email must be a valid email address'],
      ['a@-example.com', 'format', 'Contact Email must be a valid email address'],
    ],
  },
  {
    field: { key: 'phone', label: 'Business Phone Number', type: 'PHONE' },
    valid: [['+14155550123', '+14155550123'], ['+12', '+12'], ['+123456789012345', '+123456789012345']],
    invalid: [
      ['14155550123', 'format', 'Business Phone Number must be a phone number in E.164 format, like +14155550123'],
      ['+04155550123', 'format', 'Business Phone Number must be a phone number in E.164 format, like +14155550123'],
      ['+1', 'format', 'Business Phone Number must be a phone number in E.164 format, like +14155550123'],
      ['+1234567890123456', 'format', 'Business Phone Number must be a phone number in E.164 format, like +14155550123'],
      ['+1 415 555 0123', 'format', 'Business Phone Number must be a phone number in E.164 format, like +14155550123'],
      ['+1-415-555-0123', 'format', 'Business Phone Number must be a phone number in E.164 format, like +14155550123'],
      [14155550123, 'type', 'Business Phone Number must be a string'],
    ],
  },
  {
    field: { key: 'headers', label: 'Custom Headers', type: 'JSON' },
    valid: [[{ a: 1 }, { a: 1 }], [{}, {}], ['{"a":[1,2]}', { a: [1, 2] }], [Object.create(null), Object.create(null)]],
    invalid: [
      [[1], 'type', 'Custom Headers must be a JSON object'],
      ['[1]', 'type', 'Custom Headers must be a JSON object'],
      ['"text"', 'type', 'Custom Headers must be a JSON object'],
      [5, 'type', 'Custom Headers must be a JSON object'],
      [new Date(0), 'type', 'Custom Headers must be a JSON object'],
    ],
  },
  {
    field: { key: 'steps', label: 'Steps', type: 'JSON', jsonShape: 'array' },
    valid: [[[1, 'a'], [1, 'a']], [[], []], ['[{"x":1}]', [{ x: 1 }]]],
    invalid: [
      [{}, 'type', 'Steps must be a JSON array'],
      ['{}', 'type', 'Steps must be a JSON array'],
    ],
  },
];

describe.each(cases)('$field.type field ($field.label)', ({ field, valid, invalid }) => {
  it.each(valid)('accepts %j as %j', (input, expected) => {
    expect(valueOf(field, input)).toStrictEqual(expected);
  });
  it.each(invalid)('rejects %j (%s): %s', (input, rule, message) => {
    expect(errorsOf(field, input)).toEqual([[field.key, rule, message]]);
  });
});

describe('JSON text', () => {
  const field: FieldSpec = { key: 'headers', label: 'Custom Headers', type: 'JSON' };
  it('that does not parse is reported with the parser explanation', () => {
    const [error] = errorsOf(field, '{"a": }');
    expect(error?.slice(0, 2)).toEqual(['headers', 'json']);
    expect(error?.[2]).toMatch(/^Custom Headers is not valid JSON: \S/);
  });
});

describe('MULTI_SELECT field', () => {
  const field: FieldSpec = { key: 'channels', label: 'Channels', type: 'MULTI_SELECT', options: OPTIONS };
  it('accepts a list of option values, in any order', () => {
    expect(valueOf(field, ['push', 'email'])).toEqual(['push', 'email']);
    expect(valueOf(field, [])).toEqual([]);
  });
  it('rejects a value that is not a list', () => {
    expect(errorsOf(field, 'email')).toEqual([['channels', 'type', 'Channels must be a list']]);
  });
  it('names each item that is not an option by its index', () => {
    expect(errorsOf(field, ['email', 'fax', 3])).toEqual([
      ['channels[1]', 'options', 'Channels item 2 must be one of: email, sms, push'],
      ['channels[2]', 'options', 'Channels item 3 must be one of: email, sms, push'],
    ]);
  });
  it('rejects duplicates, naming each repeated value once', () => {
    expect(errorsOf(field, ['sms', 'email', 'sms', 'sms', 'email'])).toEqual([
      ['channels', 'uniqueItems', 'Channels lists "sms" more than once'],
      ['channels', 'uniqueItems', 'Channels lists "email" more than once'],
    ]);
  });
});

describe('ARRAY field', () => {
  it('holds strings by default', () => {
    const field: FieldSpec = { key: 'tags', label: 'Tags', type: 'ARRAY' };
    expect(valueOf(field, ['a', 'b', 'a'])).toEqual(['a', 'b', 'a']);
    expect(errorsOf(field, 'a,b')).toEqual([['tags', 'type', 'Tags must be a list']]);
    expect(errorsOf(field, ['a', 2, null])).toEqual([
      ['tags[1]', 'type', 'Tags item 2 must be a string'],
      ['tags[2]', 'type', 'Tags item 3 must be a string'],
    ]);
  });

  it.each([
    ['INTEGER', [1, '2', -3], [1, 2, -3], [1, 2.5], 'Ports item 2 must be an integer'],
    ['FLOAT', [1.5, '2.5'], [1.5, 2.5], [1, 'x'], 'Ports item 2 must be a number'],
    ['BOOLEAN', [true, 'false'], [true, false], [true, 'no'], 'Ports item 2 must be true or false'],
    ['URL', ['https://a.example'], ['https://a.example'], ['https://a.example', 'a.example'], 'Ports item 2 must be an http or https URL'],
    ['EMAIL', ['a@b.io'], ['a@b.io'], ['a@b.io', 'a@b'], 'Ports item 2 must be a valid email address'],
    ['PHONE', ['+4930123456'], ['+4930123456'], ['+4930123456', '030123456'], 'Ports item 2 must be a phone number in E.164 format, like +14155550123'],
    ['STRING', ['x'], ['x'], ['x', 1], 'Ports item 2 must be a string'],
  ] as const)('of %s items checks and coerces each item', (itemType, input, expected, bad, message) => {
    const field: FieldSpec = { key: 'ports', label: 'Ports', type: 'ARRAY', itemType };
    expect(valueOf(field, input)).toEqual(expected);
    const [error] = errorsOf(field, bad);
    expect(error).toEqual(['ports[1]', expect.any(String), message]);
  });
});
