/** destinationBindings and secretsToReenter: which stored secrets a destination change asks for again. */
import { describe, expect, it } from 'vitest';
import { destinationBindings, secretsToReenter, type FieldSpec } from '../../../plugins/sdk/index.ts';
import slack from '../../../plugins/slack/index.ts';

const MASK = '••••••••';

/** A plugin that marks nothing: the default decides. */
const unmarked: FieldSpec[] = [
  { key: 'apiBaseUrl', label: 'API base URL', type: 'STRING', default: 'https://api.example.com' },
  { key: 'smtpPort', label: 'Port', type: 'INTEGER', default: 587 },
  { key: 'callback', label: 'Callback', type: 'URL' },
  { key: 'awsRegion', label: 'Region', type: 'STRING' },
  { key: 'endpoint', label: 'Endpoint', type: 'STRING' },
  { key: 'hostName', label: 'Host', type: 'STRING' },
  { key: 'reportInterval', label: 'Report interval', type: 'INTEGER' },
  { key: 'sender', label: 'Sender', type: 'STRING' },
  { key: 'token', label: 'Token', type: 'SECRET' },
  { key: 'password', label: 'Password', type: 'STRING', isSecret: true },
];

describe('destinationBindings', () => {
  it('binds every secret to URL fields and to keys naming a host, port, endpoint, URL or region when a plugin marks none', () => {
    const bindings = destinationBindings(unmarked);
    expect([...bindings.keys()]).toEqual(['apiBaseUrl', 'smtpPort', 'callback', 'awsRegion', 'endpoint', 'hostName']);
    for (const bound of bindings.values()) expect(bound).toEqual(['token', 'password']);
  });

  it('takes exactly what a plugin marks once it marks any field', () => {
    const fields: FieldSpec[] = [
      { key: 'apiBaseUrl', label: 'API base URL', type: 'URL', destination: ['botToken'] },
      { key: 'returnUrl', label: 'Return URL', type: 'URL', destination: false },
      { key: 'host', label: 'Host', type: 'STRING' },
      { key: 'webhookUrl', label: 'Webhook URL', type: 'SECRET' },
      { key: 'botToken', label: 'Bot Token', type: 'SECRET' },
    ];
    expect(Object.fromEntries(destinationBindings(fields))).toEqual({ apiBaseUrl: ['botToken'] });
  });

  it('never binds a secret destination to itself', () => {
    const fields: FieldSpec[] = [
      { key: 'webhookUrl', label: 'Webhook URL', type: 'SECRET', destination: true },
      { key: 'signingKey', label: 'Signing key', type: 'SECRET' },
    ];
    expect(Object.fromEntries(destinationBindings(fields))).toEqual({ webhookUrl: ['signingKey'] });
  });
});

describe('secretsToReenter', () => {
  const stored = { apiBaseUrl: 'https://api.example.com', smtpPort: 587, sender: 'ops', token: MASK, password: MASK };

  it('asks for every stored secret bound to a destination that changed, saying which field changed', () => {
    const result = secretsToReenter({ fields: unmarked, stored, next: { ...stored, apiBaseUrl: 'https://evil.example' }, suppliedSecretKeys: [] });
    expect(result).toEqual([
      { key: 'token', changedFields: ['apiBaseUrl'], message: 're-enter Token: API base URL changed' },
      { key: 'password', changedFields: ['apiBaseUrl'], message: 're-enter Password: API base URL changed' },
    ]);
  });

  it('names every destination that changed', () => {
    const next = { ...stored, apiBaseUrl: 'https://evil.example', smtpPort: 25 };
    expect(secretsToReenter({ fields: unmarked, stored, next, suppliedSecretKeys: ['password'] })).toEqual([
      { key: 'token', changedFields: ['apiBaseUrl', 'smtpPort'], message: 're-enter Token: API base URL, Port changed' },
    ]);
  });

  it('accepts the change when the bound secrets are supplied (or cleared) in the same request', () => {
    const next = { ...stored, apiBaseUrl: 'https://elsewhere.example' };
    expect(secretsToReenter({ fields: unmarked, stored, next, suppliedSecretKeys: ['token', 'password'] })).toEqual([]);
  });

  it('asks for nothing when no destination changed, or only a non-destination did', () => {
    expect(secretsToReenter({ fields: unmarked, stored, next: { ...stored, sender: 'other', reportInterval: 5 }, suppliedSecretKeys: [] })).toEqual([]);
  });

  it('treats a missing value as the default and "5" as 5', () => {
    const { apiBaseUrl: _omitted, ...withoutBase } = stored;
    expect(secretsToReenter({ fields: unmarked, stored: withoutBase, next: { ...stored, smtpPort: '587' }, suppliedSecretKeys: [] })).toEqual([]);
  });

  it('asks only for secrets that are set', () => {
    const { password: _unset, ...onlyToken } = stored;
    const result = secretsToReenter({ fields: unmarked, stored: onlyToken, next: { ...onlyToken, hostName: 'evil' }, suppliedSecretKeys: [] });
    expect(result.map((r) => r.key)).toEqual(['token']);
  });

  it('counts a replaced secret destination as a change of destination', () => {
    const fields: FieldSpec[] = [
      { key: 'webhookUrl', label: 'Webhook URL', type: 'SECRET', destination: true },
      { key: 'signingKey', label: 'Signing key', type: 'SECRET' },
    ];
    const both = { webhookUrl: MASK, signingKey: MASK };
    expect(secretsToReenter({ fields, stored: both, next: both, suppliedSecretKeys: ['webhookUrl'] })).toEqual([
      { key: 'signingKey', changedFields: ['webhookUrl'], message: 're-enter Signing key: Webhook URL changed' },
    ]);
  });

  it('follows what a built-in plugin marks: Slack binds the bot token to the Web API base URL only', () => {
    const fields = slack.fields;
    const saved = { mode: 'bot', apiBaseUrl: 'https://slack.com/api', botToken: MASK, webhookUrl: MASK };
    expect(secretsToReenter({ fields, stored: saved, next: { ...saved, apiBaseUrl: 'http://127.0.0.1:9' }, suppliedSecretKeys: [] })).toEqual([
      { key: 'botToken', changedFields: ['apiBaseUrl'], message: 're-enter Bot Token: Web API Base URL changed' },
    ]);
  });
});
