/**
 * The plugin catalog over HTTP: plugins with filters, one plugin's full schema (every
 * FieldSpec attribute, groups in order, JSON Schema), load errors, the caller's identity,
 * and what bad GraphQL input gets (yoga's standard errors, never a 500).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildClientSchema, getIntrospectionQuery, lexicographicSortSchema, printSchema, type IntrospectionQuery } from 'graphql';
import { FIXTURE_PLUGINS, startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

const PLUGINS = `query ($type: PluginType, $search: String) { plugins(type: $type, search: $search) { name type } }`;

describe('plugins(type, search)', () => {
  it('lists every loaded plugin by name, the fixtures among them', async () => {
    const { status, body } = await server.gql<{ plugins: { name: string; type: string }[] }>(PLUGINS);
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    const names = body.data!.plugins.map((p) => p.name);
    expect(names).toEqual([...names].sort());
    expect(names).toEqual(expect.arrayContaining(['api-analytics', 'api-notify']));
    expect(names).not.toContain('broken-schema');
  });

  it.each([
    { variables: { type: 'ANALYTICS' }, includes: ['api-analytics'], excludes: ['api-notify'] },
    { variables: { type: 'NOTIFICATION' }, includes: ['api-notify'], excludes: ['api-analytics'] },
    { variables: { search: 'MESSAGING' }, includes: ['api-notify'], excludes: ['api-analytics'] }, // a tag, any case
    { variables: { search: 'counts events' }, includes: ['api-analytics'], excludes: ['api-notify'] }, // the description
    { variables: { search: 'api-' }, includes: ['api-analytics', 'api-notify'], excludes: [] },
    { variables: { type: 'ANALYTICS', search: 'notify' }, includes: [], excludes: ['api-analytics', 'api-notify'] },
  ])('filters with $variables', async ({ variables, includes, excludes }) => {
    const { body } = await server.gql<{ plugins: { name: string; type: string }[] }>(PLUGINS, variables);
    const plugins = body.data!.plugins;
    const names = plugins.map((p) => p.name);
    expect(names).toEqual(expect.arrayContaining(includes));
    for (const name of excludes) expect(names).not.toContain(name);
    if ('type' in variables) for (const plugin of plugins) expect(plugin.type).toBe(variables.type);
  });

  it('an unknown type is a standard GraphQL error, not a 500', async () => {
    const { status, body } = await server.gql(PLUGINS, { type: 'TELEPATHY' });
    expect(status).toBeLessThan(500);
    // Named by type, never by the value sent (no input value is echoed).
    expect(body.errors?.[0]?.message).toMatch(/Expected type "PluginType"/);
    expect(body.errors?.[0]?.message).not.toMatch(/TELEPATHY/);
  });
});

describe('plugin(name)', () => {
  const PLUGIN = `query ($name: String!) {
    plugin(name: $name) {
      name displayName type version description author homepage tags dependencies
      supportsHealthCheck supportsTestConnection groups jsonSchema
      fields {
        key label type description required default minLength maxLength minValue maxValue pattern
        validationRules { type value message } placeholder helpText group order
        options { value label description } isSecret itemType jsonShape
      }
    }
  }`;

  /** Every attribute not listed is null (or [] for lists, false for booleans). */
  const field = (attributes: Record<string, unknown>) => ({
    description: null,
    required: false,
    default: null,
    minLength: null,
    maxLength: null,
    minValue: null,
    maxValue: null,
    pattern: null,
    validationRules: [],
    placeholder: null,
    helpText: null,
    group: null,
    order: null,
    options: [],
    isSecret: false,
    itemType: null,
    jsonShape: null,
    ...attributes,
  });

  it('returns the metadata and every FieldSpec attribute, ordered by group then order', async () => {
    const { body } = await server.gql(PLUGIN, { name: 'api-notify' });
    expect(body.errors).toBeUndefined();
    const plugin = body.data.plugin;
    expect(plugin).toMatchObject({
      name: 'api-notify',
      displayName: 'API Notify (fixture)',
      type: 'NOTIFICATION',
      version: '2.1.0',
      description: 'Fixture: notifies through a local vendor double.',
      author: 'Plugform tests',
      homepage: 'https://example.invalid/api-notify',
      tags: ['fixture', 'messaging'],
      dependencies: ['vendor-double'],
      supportsHealthCheck: true,
      supportsTestConnection: true,
      // Declared groups in their order, then the undeclared one.
      groups: ['Connection', 'Delivery', 'Advanced', 'Extras'],
    });
    expect(plugin.fields).toEqual([
      field({ key: 'region', label: 'Region', type: 'STRING', order: 1 }),
      field({
        key: 'endpoint',
        label: 'Endpoint',
        type: 'URL',
        description: 'Base URL of the vendor API',
        required: true,
        placeholder: 'https://vendor.example',
        group: 'Connection',
        order: 1,
      }),
      field({
        key: 'apiKey',
        label: 'API Key',
        type: 'SECRET',
        required: true,
        minLength: 8,
        validationRules: [{ type: 'pattern', value: '^[A-Za-z0-9_-]+$', message: 'API Key may hold letters, digits, _ and -' }],
        group: 'Connection',
        order: 2,
        isSecret: true,
      }),
      field({
        key: 'webhookSecret',
        label: 'Webhook Secret',
        type: 'STRING',
        description: 'Signs callbacks (optional)',
        group: 'Connection',
        order: 3,
        isSecret: true,
      }),
      field({
        key: 'senderName',
        label: 'Sender Name',
        type: 'STRING',
        required: true,
        minLength: 2,
        maxLength: 40,
        pattern: '^[A-Za-z ]+$',
        placeholder: 'Acme Alerts',
        // A custom rule is server-only: its type and message are shown, its value is null.
        validationRules: [
          { type: 'custom', value: null, message: 'No reserved names' },
          { type: 'maxLength', value: 30, message: 'Keep the sender short' },
        ],
        group: 'Delivery',
        order: 1,
      }),
      field({
        key: 'retries',
        label: 'Retries',
        type: 'INTEGER',
        default: 3,
        minValue: 0,
        maxValue: 10,
        helpText: 'How often a failed delivery is retried',
        group: 'Delivery',
        order: 2,
      }),
      field({ key: 'rateLimit', label: 'Rate Limit', type: 'FLOAT', minValue: 0.5, maxValue: 100, group: 'Delivery', order: 3 }),
      field({
        key: 'channel',
        label: 'Channel',
        type: 'SELECT',
        default: 'email',
        options: [
          { value: 'email', label: 'Email', description: 'Sends an email' },
          { value: 'sms', label: 'SMS', description: null },
        ],
        group: 'Delivery',
        order: 4,
      }),
      field({ key: 'footer', label: 'Footer', type: 'TEXT', maxLength: 500, group: 'Delivery', order: 5 }),
      field({
        key: 'topics',
        label: 'Topics',
        type: 'MULTI_SELECT',
        options: [
          { value: 'alerts', label: 'Alerts', description: null },
          { value: 'billing', label: 'Billing', description: null },
        ],
        minLength: 1,
        group: 'Delivery',
        order: 6,
      }),
      field({ key: 'verbose', label: 'Verbose', type: 'BOOLEAN', default: false, group: 'Advanced', order: 1 }),
      field({ key: 'headers', label: 'Headers', type: 'JSON', jsonShape: 'object', group: 'Advanced', order: 2 }),
      field({
        key: 'ports',
        label: 'Ports',
        type: 'ARRAY',
        itemType: 'INTEGER',
        maxLength: 5,
        validationRules: [{ type: 'enum', value: [25, 465, 587], message: 'Ports must be SMTP ports' }],
        group: 'Advanced',
        order: 3,
      }),
      // jsonShape defaults to "object" for JSON fields.
      field({ key: 'faults', label: 'Faults', type: 'JSON', description: 'Test steering', jsonShape: 'object', group: 'Advanced', order: 9 }),
      field({ key: 'replyTo', label: 'Reply To', type: 'EMAIL', group: 'Extras' }),
      field({ key: 'phone', label: 'Phone', type: 'PHONE', group: 'Extras' }),
    ]);
  });

  it('returns a JSON Schema 2020-12 that marks secrets write-only and carries the rules', async () => {
    const { body } = await server.gql(PLUGIN, { name: 'api-notify' });
    const schema = body.data.plugin.jsonSchema;
    expect(schema).toMatchObject({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      additionalProperties: false,
      'x-groups': ['Connection', 'Delivery', 'Advanced'],
    });
    expect([...schema.required].sort()).toEqual(['apiKey', 'endpoint', 'senderName']);
    expect(schema.properties.apiKey).toMatchObject({ type: 'string', writeOnly: true, minLength: 8, pattern: '^[A-Za-z0-9_-]+$' });
    expect(schema.properties.webhookSecret).toMatchObject({ type: 'string', writeOnly: true });
    expect(schema.properties.senderName).toMatchObject({ minLength: 2, maxLength: 30 });
    expect(schema.properties.retries).toMatchObject({ type: 'integer', default: 3, minimum: 0, maximum: 10 });
    expect(schema.properties.ports).toMatchObject({ type: 'array', maxItems: 5 });
    expect(schema.properties.channel).toMatchObject({ type: 'string', enum: ['email', 'sms'], default: 'email' });
  });

  it('is null for an unknown name, and for a plugin that failed to load', async () => {
    for (const name of ['no-such-plugin', 'broken-schema']) {
      const { status, body } = await server.gql(PLUGIN, { name });
      expect(status).toBe(200);
      expect(body).toEqual({ data: { plugin: null } });
    }
  });

  it('a plugin without health check or connection test says so', async () => {
    const { body } = await server.gql(PLUGIN, { name: 'api-analytics' });
    expect(body.data.plugin).toMatchObject({ supportsHealthCheck: false, supportsTestConnection: false, groups: [], displayName: 'api-analytics' });
  });
});

describe('pluginLoadErrors', () => {
  it('lists the path and reason of every fixture that failed to load; the others still serve', async () => {
    const { body } = await server.gql<{ pluginLoadErrors: { path: string; reason: string; pluginName: string | null }[] }>(
      '{ pluginLoadErrors { path reason pluginName } }',
    );
    const ours = body.data!.pluginLoadErrors.filter((e) => e.path.startsWith(FIXTURE_PLUGINS));
    expect(ours).toEqual([
      { path: join(FIXTURE_PLUGINS, 'broken-import.ts'), reason: expect.stringContaining('fixture: this plugin fails at import'), pluginName: null },
      {
        path: join(FIXTURE_PLUGINS, 'broken-schema.ts'),
        reason: expect.stringMatching(/version "one" is not a semantic version.*a secret field cannot have a default/),
        pluginName: 'broken-schema',
      },
    ]);
  });
});

describe('viewer', () => {
  it('names the caller and its role', async () => {
    const { body } = await server.gql('{ viewer { tokenName role } }');
    expect(body.data).toEqual({ viewer: { tokenName: 'admin (PLUGFORM_ADMIN_TOKEN)', role: 'ADMIN' } });
    const viewer = await server.tokenFor('viewer', 'dashboard');
    const mine = await server.gql('{ viewer { tokenName role } }', undefined, { token: viewer });
    expect(mine.body.data).toEqual({ viewer: { tokenName: 'dashboard', role: 'VIEWER' } });
  });

  it('PLUGFORM_ADMIN_TOKEN is registered silently: nothing is announced', () => {
    expect(server.announcements).toEqual([]);
  });
});

describe('bad GraphQL input gets yoga’s standard errors, never a 500', () => {
  const post = (body: string, contentType = 'application/json') =>
    server.fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': contentType, authorization: `Bearer ${server.adminToken}` },
      body,
    });

  it.each([
    { case: 'a syntax error', query: '{ plugins { name ', variables: undefined, code: 'GRAPHQL_PARSE_FAILED', message: /Syntax Error/ },
    { case: 'an unknown field', query: '{ plugins { nam } }', variables: undefined, code: 'GRAPHQL_VALIDATION_FAILED', message: /Did you mean "name"/ },
    { case: 'a missing required argument', query: '{ plugin { name } }', variables: undefined, code: 'GRAPHQL_VALIDATION_FAILED', message: /argument "name" of type "String!" is required/ },
    { case: 'a literal of the wrong type', query: '{ plugin(name: 5) { name } }', variables: undefined, code: 'GRAPHQL_VALIDATION_FAILED', message: /^Expected value of type "String" at this location\.$/ },
    {
      case: 'a variable of the wrong type',
      query: 'query ($n: String!) { plugin(name: $n) { name } }',
      variables: { n: 5 },
      code: undefined,
      message: /^Variable "\$n" got an invalid value; Expected type "String"\.$/,
    },
    {
      case: 'a missing variable',
      query: 'query ($n: String!) { plugin(name: $n) { name } }',
      variables: {},
      code: undefined,
      message: /Variable "\$n" of required type "String!" was not provided/,
    },
    {
      case: 'a secret that is not a string',
      query: 'mutation ($i: TestPluginConnectionInput!) { testPluginConnection(input: $i) { __typename } }',
      variables: { i: { pluginName: 'api-notify', secrets: [{ key: 'apiKey', value: 12345 }] } },
      code: undefined,
      message: /^Variable "\$i" got an invalid value at "i\.secrets\[0\]\.value"; Expected type "SecretValue"\.$/,
    },
    {
      case: 'a configuration that is not an object',
      query: 'mutation ($i: TestPluginConnectionInput!) { testPluginConnection(input: $i) { __typename } }',
      variables: { i: { pluginName: 'api-notify', configuration: [1, 2] } },
      code: undefined,
      message: /^Variable "\$i" got an invalid value at "i\.configuration"; Expected type "JSONObject"\.$/,
    },
  ])('$case', async ({ query, variables, code, message }) => {
    const { status, body } = await server.gql(query, variables);
    expect(status).toBeGreaterThanOrEqual(200);
    expect(status).toBeLessThan(500);
    expect(body.data ?? null).toBeNull();
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0]).toMatchObject({ message: expect.stringMatching(message) });
    // Yoga gives parse and validation errors a code; variable coercion errors carry none.
    expect(body.errors![0]!.extensions?.code).toBe(code);
  });

  it.each([
    { case: 'a body that is not JSON', body: '{"query": ', status: 400, message: /POST body sent invalid JSON/ },
    { case: 'no query at all', body: '{"variables": {}}', status: 200, message: /Must provide query string/ },
    { case: 'a query that is not a string', body: '{"query": 42}', status: 400, message: /Expected "query" param to be a string/ },
  ])('$case: $status with BAD_REQUEST', async ({ body, status, message }) => {
    const response = await post(body);
    expect(response.status).toBe(status);
    expect(JSON.parse(response.text).errors).toEqual([
      expect.objectContaining({ message: expect.stringMatching(message), extensions: expect.objectContaining({ code: 'BAD_REQUEST' }) }),
    ]);
  });
});

describe('schema.graphql', () => {
  it('is exactly what a server with extra plugins serves: the schema does not depend on plugins', async () => {
    // Through introspection: printing the server's own schema object here would mix two
    // copies of graphql-js (see notAuthorizedError in server/graphql/builder.ts).
    const { body } = await server.gql<IntrospectionQuery>(getIntrospectionQuery({ descriptions: true }));
    const served = `${printSchema(lexicographicSortSchema(buildClientSchema(body.data!)))}\n`;
    const committed = await readFile(join(import.meta.dirname, '../../schema.graphql'), 'utf8');
    expect(served).toBe(committed);
    for (const name of ['api-notify', 'api-analytics', 'apiKey', 'senderName']) expect(committed).not.toContain(name);
  });
});
