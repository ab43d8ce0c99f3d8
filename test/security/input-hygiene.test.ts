/**
 * Bad input gets a clear error and loses nothing, and no error echoes the values it was given
 * (contract 7), against the real server over HTTP:
 *
 * - GraphQL input errors (variable coercion, literals in the document) name the path and the
 *   expected type, never the value, so a secret in a malformed request is not sent back;
 * - a NUL character or an unpaired surrogate in a name, a configuration value or a secret is a
 *   ValidationError on that field (not an internal error from the database);
 * - a field over the size limit, a configuration over the total limit and JSON nested past
 *   the depth limit are ValidationErrors naming the field and the limit;
 * and in every case nothing is stored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREATE, UPDATE, mutate, succeed } from '../support/graphql.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const SECRET = 'echo-hygiene-canary-7f3a9c';
const LIMITS = { PLUGFORM_MAX_FIELD_BYTES: '2048', PLUGFORM_MAX_CONFIG_BYTES: '6144', PLUGFORM_MAX_JSON_DEPTH: '8' };

let server: TestServer;
let names = 0;

beforeAll(async () => {
  server = await startTestServer({ env: LIMITS });
});
afterAll(async () => {
  await server?.close();
});

const instanceCount = () => server.running.services.prisma.pluginInstance.count();
const echoInput = (overrides: Record<string, unknown> = {}) => ({
  pluginName: 'example-echo',
  name: `hygiene-${++names}`,
  configuration: { senderName: 'Ops' },
  secrets: [{ key: 'apiToken', value: SECRET }],
  ...overrides,
});

describe('GraphQL input errors name the path and the type, never the value', () => {
  it.each([
    ['a missing required field (the whole input is the invalid value)', () => { const { name: _name, ...input } = echoInput(); return input; }, /Field "name" of required type "String!" was not provided/],
    ['an unknown field', () => ({ ...echoInput(), colour: SECRET }), /Field "colour" is not defined by type "CreatePluginInstanceInput"/],
    ['a secret of the wrong type', () => echoInput({ secrets: [{ key: 'apiToken', value: { nested: SECRET } }] }), /at "input\.secrets\[0\]\.value"; Expected type "SecretValue"/],
    ['a name of the wrong type', () => echoInput({ name: [SECRET] }), /at "input\.name"; Expected type "String"/],
  ])('%s', async (_case, input, expected) => {
    const before = await instanceCount();
    const response = await server.gql(CREATE, { input: input() });
    expect(response.body.errors?.[0]?.message).toMatch(expected);
    expect(response.text).not.toContain(SECRET);
    expect(response.text).not.toContain('got invalid value');
    expect(await instanceCount()).toBe(before);
  });

  it('an Int variable given text names the variable, not the text', async () => {
    const response = await server.gql(UPDATE, { input: { id: 'x', version: SECRET } });
    expect(response.body.errors?.[0]?.message).toBe('Variable "$input" got an invalid value at "input.version"; Expected type "Int".');
    expect(response.text).not.toContain(SECRET);
  });

  it('a literal of the wrong type in the document names the type and the location', async () => {
    const response = await server.gql(`mutation {
      createPluginInstance(input: { pluginName: "example-echo", name: { value: "${SECRET}" }, configuration: {} }) { __typename }
    }`);
    expect(response.body.errors?.[0]).toMatchObject({ message: 'Expected value of type "String" at this location.', locations: [{ line: 2 }] });
    expect(response.text).not.toContain(SECRET);
  });
});

describe('text that cannot be stored is a ValidationError on its field', () => {
  it.each([
    ['a NUL in the instance name', { name: 'ops\u0000bot' }, 'name', 'text'],
    ['an unpaired surrogate in the instance name', { name: 'ops\ud800bot' }, 'name', 'text'],
    ['a NUL in a configuration value', { configuration: { senderName: 'Ops\u0000' } }, 'senderName', 'text'],
    ['an unpaired low surrogate in a configuration value', { configuration: { senderName: '\udc00Ops' } }, 'senderName', 'text'],
    ['a NUL in a secret value', { secrets: [{ key: 'apiToken', value: `${SECRET}\u0000` }] }, 'apiToken', 'text'],
    ['an unpaired surrogate in a secret value', { secrets: [{ key: 'apiToken', value: `${SECRET}\ud83d` }] }, 'apiToken', 'text'],
  ])('%s', async (_case, overrides, field, rule) => {
    const before = await instanceCount();
    const result = await mutate(server, CREATE, 'createPluginInstance', { input: echoInput(overrides) });
    expect(result.__typename).toBe('ValidationError');
    expect(result.fieldErrors).toEqual([expect.objectContaining({ field, rule })]);
    expect(JSON.stringify(result)).not.toContain(SECRET);
    expect(await instanceCount()).toBe(before);
  });

  it('an update with such text changes nothing stored', async () => {
    const created = await succeed(server, CREATE, 'createPluginInstance', { input: echoInput() });
    const result = await mutate(server, UPDATE, 'updatePluginInstance', {
      input: { id: created.id, version: created.version, configuration: { senderName: 'bad\u0000' } },
    });
    expect(result.fieldErrors).toEqual([expect.objectContaining({ field: 'senderName', rule: 'text' })]);
    const row = await server.running.services.prisma.pluginInstance.findUniqueOrThrow({ where: { id: created.id } });
    expect(row).toMatchObject({ version: created.version, config: expect.objectContaining({ senderName: 'Ops' }) });
  });
});

describe('sizes and nesting are limited, with errors naming the field and the limit', () => {
  const nested = (depth: number): unknown => {
    let value: unknown = 'leaf';
    for (let level = 0; level < depth; level++) value = { next: value };
    return value;
  };

  it('a value larger than the field limit (a secret too)', async () => {
    for (const input of [
      echoInput({ configuration: { senderName: 'x'.repeat(3000) } }),
      echoInput({ secrets: [{ key: 'apiToken', value: `echo-${'s'.repeat(3000)}` }] }),
    ]) {
      const before = await instanceCount();
      const result = await mutate(server, CREATE, 'createPluginInstance', { input });
      const field = 'senderName' in input.configuration && String(input.configuration.senderName).length > 100 ? 'senderName' : 'apiToken';
      expect(result.fieldErrors).toEqual([{ field, rule: 'maxSize', message: `"${field}" is 3000 bytes; at most 2048 are allowed`.replace('3000', String(field === 'apiToken' ? 3005 : 3000)) }]);
      expect(await instanceCount()).toBe(before);
    }
  });

  it('a configuration larger than the total limit', async () => {
    const configuration = Object.fromEntries(Array.from({ length: 4 }, (_, i) => [`extra${i}`, 'y'.repeat(2000)]));
    const result = await mutate(server, CREATE, 'createPluginInstance', { input: echoInput({ configuration: { senderName: 'Ops', ...configuration } }) });
    expect(result.__typename).toBe('ValidationError');
    expect(result.fieldErrors).toEqual([expect.objectContaining({ field: '', rule: 'maxSize', message: expect.stringMatching(/^The configuration is \d+ bytes; at most 6144 are allowed$/) })]);
  });

  it('JSON nested past the depth limit is refused naming the field', async () => {
    const before = await instanceCount();
    const result = await mutate(server, CREATE, 'createPluginInstance', {
      input: { pluginName: 'webhook', name: 'deep', configuration: { url: 'https://hooks.example/in', headers: nested(9) } },
    });
    expect(result.fieldErrors).toEqual([{ field: 'headers', rule: 'maxDepth', message: '"headers" is nested deeper than 8 levels' }]);
    expect(await instanceCount()).toBe(before);
  });

  it('JSON nested 5000 levels deep is refused with a clear error, never an internal one', async () => {
    // Written by hand: JSON.stringify itself would overflow the stack on this value.
    const before = await instanceCount();
    const depth = 5000;
    const headers = `${'{"next":'.repeat(depth)}"leaf"${'}'.repeat(depth)}`;
    const variables = `{"input":{"pluginName":"webhook","name":"deeper","configuration":{"url":"https://hooks.example/in","headers":${headers}}}}`;
    const response = await server.fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${server.adminToken}` },
      body: `{"query":${JSON.stringify(CREATE)},"variables":${variables}}`,
    });
    // The request-level nesting limit (PLUGFORM_MAX_INPUT_DEPTH) stops it before the
    // configuration limit would; either way it is a clear error, not a stack overflow.
    expect(response.status).toBeLessThan(500);
    expect(response.text).not.toContain('INTERNAL_SERVER_ERROR');
    expect(JSON.parse(response.text).errors[0].message).toMatch(/nests deeper than \d+ levels \(PLUGFORM_MAX_INPUT_DEPTH\)/);
    expect(await instanceCount()).toBe(before);
  });
});
