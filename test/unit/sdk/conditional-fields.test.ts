/**
 * Conditional fields (`visibleWhen`): the one validator skips and drops hidden fields and
 * requires shown ones, the schema check refuses conditions it cannot evaluate, and the JSON
 * Schema says the same with `if`/`then` (Ajv reaches validateConfig's verdict).
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import {
  JSON_SCHEMA_EXTENSION_KEYWORDS,
  checkPluginSchema,
  fieldsToRecheck,
  secretsToReenter,
  toJsonSchema,
  validateConfig,
  validateFields,
  type ConfigOf,
  type FieldSpec,
  type PluginConfig,
} from '../../../plugins/sdk/index.ts';

const MODE: FieldSpec = {
  key: 'mode',
  label: 'Mode',
  type: 'SELECT',
  default: 'webhook',
  options: [
    { value: 'webhook', label: 'Incoming webhook' },
    { value: 'bot', label: 'Bot token' },
    { value: 'app', label: 'App' },
  ],
};
const FIELDS: FieldSpec[] = [
  MODE,
  { key: 'webhookUrl', label: 'Webhook URL', type: 'SECRET', required: true, pattern: '^https://', visibleWhen: { field: 'mode', equals: 'webhook' } },
  { key: 'botToken', label: 'Bot Token', type: 'SECRET', required: true, visibleWhen: { field: 'mode', in: ['bot', 'app'] } },
  { key: 'threads', label: 'Use Threads', type: 'BOOLEAN', visibleWhen: { field: 'mode', equals: 'bot' } },
  { key: 'threadKey', label: 'Thread Key', type: 'STRING', required: true, visibleWhen: { field: 'threads', equals: true } },
  { key: 'name', label: 'Name', type: 'STRING', validationRules: [{ type: 'custom', validate: (_value, config) => !('webhookUrl' in config) || 'sees the hidden webhook URL' }] },
];
const schema: PluginConfig = { name: 'conditional', type: 'NOTIFICATION', version: '1.0.0', fields: FIELDS };

const messages = (values: Record<string, unknown>) => {
  const result = validateConfig(schema, values);
  return result.ok ? [] : result.errors.map((error) => `${error.field} ${error.rule}: ${error.message}`);
};

describe('validateConfig with conditional fields', () => {
  it('requires a shown field, naming the field and the condition', () => {
    expect(messages({})).toEqual(['webhookUrl required: Webhook URL is required when Mode is "Incoming webhook"']);
    expect(messages({ mode: 'app' })).toEqual(['botToken required: Bot Token is required when Mode is "Bot token" or "App"']);
    expect(messages({ mode: 'bot', botToken: 'xoxb-1', threads: true })).toEqual(['threadKey required: Thread Key is required when Use Threads is on']);
  });

  it('neither checks nor returns a hidden field, and custom rules do not see it', () => {
    const result = validateConfig(schema, { mode: 'bot', botToken: 'xoxb-1', webhookUrl: 'not-a-url', threadKey: 'k', name: 'n' });
    expect(result).toEqual({ ok: true, value: { mode: 'bot', botToken: 'xoxb-1', name: 'n' } });
  });

  it('hides the fields of a hidden field in turn, and follows the default of the field a condition names', () => {
    // threads is hidden in webhook mode, so threadKey is too, even though threads is true.
    expect(validateConfig(schema, { webhookUrl: 'https://hook', threads: true })).toEqual({ ok: true, value: { mode: 'webhook', webhookUrl: 'https://hook' } });
  });

  it('still rejects unknown keys', () => {
    expect(messages({ webhookUrl: 'https://hook', channel: '#x' })).toEqual(['channel unknown: Unknown field "channel"']);
  });

  it('validateFields agrees, and a change of the named field rechecks the fields it shows or hides', () => {
    expect(validateFields(schema, { mode: 'bot', webhookUrl: 'bad' }, ['webhookUrl', 'botToken']).map((e) => e.message)).toEqual([
      'Bot Token is required when Mode is "Bot token" or "App"',
    ]);
    expect(fieldsToRecheck(schema, 'mode')).toEqual(['mode', 'webhookUrl', 'botToken', 'threads', 'threadKey', 'name']);
    expect(fieldsToRecheck(schema, 'threads')).toEqual(['threads', 'threadKey', 'name']);
  });
});

describe('ConfigOf with conditional fields', () => {
  it('types a conditional field as optional even when it is required (a condition may hide it)', () => {
    const fields = [
      { key: 'mode', label: 'Mode', type: 'SELECT', default: 'a', options: [{ value: 'a', label: 'A' }, { value: 'b', label: 'B' }] },
      { key: 'token', label: 'Token', type: 'SECRET', required: true, visibleWhen: { field: 'mode', equals: 'b' } },
    ] as const satisfies readonly FieldSpec[];
    // Type-checked by tsc: without the token the configuration is still a ConfigOf.
    const typed: ConfigOf<typeof fields> = { mode: 'a' };
    expect(validateConfig({ fields }, {})).toEqual({ ok: true, value: typed });
  });
});

describe('secretsToReenter with conditional fields', () => {
  it('never asks again for a secret the new configuration hides', () => {
    const fields: FieldSpec[] = [...FIELDS, { key: 'apiBaseUrl', label: 'API Base URL', type: 'URL', destination: ['botToken'] }];
    const stored = { mode: 'bot', botToken: '••••••••', apiBaseUrl: 'https://slack.com/api' };
    const moved = { apiBaseUrl: 'https://proxy.example/api' };
    const reenter = (next: Record<string, unknown>) => secretsToReenter({ fields, stored, next, suppliedSecretKeys: [] }).map((r) => r.key);
    expect(reenter({ mode: 'bot', ...moved })).toEqual(['botToken']);
    expect(reenter({ mode: 'webhook', ...moved })).toEqual([]);
  });
});

describe('checkPluginSchema of conditions', () => {
  const problemsWith = (field: Record<string, unknown>, before: Record<string, unknown>[] = FIELDS.slice(0, 4) as never) =>
    checkPluginSchema({ ...schema, fields: [...before, field] }).map((problem) => problem.message);
  const field = (visibleWhen: unknown) => ({ key: 'extra', label: 'Extra', type: 'STRING', visibleWhen });

  it('accepts sound conditions', () => {
    expect(checkPluginSchema(schema)).toEqual([]);
  });

  it('names the field and what is wrong with its condition', () => {
    expect(problemsWith(field({ field: 'missing', equals: 'x' }))).toEqual(['field "extra": visibleWhen names "missing", which is not a field of this plugin']);
    expect(problemsWith(field({ field: 'mode', equals: 'sms' }))).toEqual([
      'field "extra": visibleWhen value "sms" is not an option of "mode" (one of: webhook, bot, app)',
    ]);
    expect(problemsWith(field({ field: 'threads', in: ['yes'] }))).toEqual(['field "extra": visibleWhen value "yes" must be true or false: "threads" is a BOOLEAN field']);
    expect(problemsWith(field({ field: 'botToken', equals: 'x' }))).toEqual([
      'field "extra": visibleWhen names "botToken", a SECRET field: a condition may only name a SELECT or BOOLEAN field',
    ]);
    expect(problemsWith(field({ field: 'mode', in: [] }))).toEqual(['field "extra": visibleWhen "in" must be a non-empty list of values']);
    expect(problemsWith(field({ field: 'mode', equals: 'bot', in: ['bot'] }))).toEqual([
      'field "extra": visibleWhen must be { field, equals: value } or { field, in: [values] }',
    ]);
    expect(problemsWith(field('mode'))).toEqual(['field "extra": visibleWhen must be { field, equals: value } or { field, in: [values] }']);
  });

  it('refuses a condition on itself or on a later field, so conditions never go round in a circle', () => {
    const own = { key: 'flag', label: 'Flag', type: 'BOOLEAN', visibleWhen: { field: 'flag', equals: true } };
    expect(problemsWith(own, [])).toEqual(['field "flag": visibleWhen names "flag", which does not come before it: a condition may only name an earlier field']);
    const first = { key: 'a', label: 'A', type: 'BOOLEAN', visibleWhen: { field: 'b', equals: true } };
    const second = { key: 'b', label: 'B', type: 'BOOLEAN', visibleWhen: { field: 'a', equals: true } };
    expect(problemsWith(second, [first])).toEqual(['field "a": visibleWhen names "b", which does not come before it: a condition may only name an earlier field']);
  });
});

describe('toJsonSchema of conditions', () => {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  for (const keyword of JSON_SCHEMA_EXTENSION_KEYWORDS) ajv.addKeyword(keyword);
  const jsonSchema = toJsonSchema(schema);

  it('requires a conditional field under if/then, not at the top', () => {
    expect(jsonSchema.required).toEqual([]);
    expect(jsonSchema.allOf).toEqual([
      { if: { properties: { mode: { const: 'webhook' } } }, then: { properties: { webhookUrl: true }, required: ['webhookUrl'] } },
      { if: { properties: { mode: { enum: ['bot', 'app'] } }, required: ['mode'] }, then: { properties: { botToken: true }, required: ['botToken'] } },
      {
        if: { allOf: [{ properties: { threads: { const: true } }, required: ['threads'] }, { properties: { mode: { const: 'bot' } }, required: ['mode'] }] },
        then: { properties: { threadKey: true }, required: ['threadKey'] },
      },
    ]);
  });

  // Canonical configurations: typed values, hidden fields left out.
  const cases: [string, Record<string, unknown>, boolean][] = [
    ['webhook by default, with its URL', { webhookUrl: 'https://hook' }, true],
    ['webhook by default, without its URL', {}, false],
    ['webhook named, without its URL', { mode: 'webhook' }, false],
    ['bot with its token', { mode: 'bot', botToken: 'xoxb-1' }, true],
    ['bot without its token', { mode: 'bot' }, false],
    ['app without its token', { mode: 'app' }, false],
    ['app with its token and no webhook URL', { mode: 'app', botToken: 't' }, true],
    ['threads on without a thread key', { mode: 'bot', botToken: 't', threads: true }, false],
    ['threads on with a thread key', { mode: 'bot', botToken: 't', threads: true, threadKey: 'k' }, true],
    ['threads off without a thread key', { mode: 'bot', botToken: 't', threads: false }, true],
    ['a shown field of the wrong value', { webhookUrl: 'http://plain' }, false],
  ];
  it.each(cases)('parity: %s', (_, config, valid) => {
    const validate = ajv.compile(jsonSchema);
    expect({ validateConfig: validateConfig(schema, config).ok, ajv: validate(config) }).toEqual({ validateConfig: valid, ajv: valid });
  });
});
