/**
 * Every request is bounded (contract 9), over HTTP against the real server: body size, query
 * tokens, aliases, depth and cost (graphql-armor), nesting of literals and variables,
 * connection tests and health checks per request and per token per minute, response size and
 * subscriptions per token. Each refusal names the setting that refused it, runs nothing
 * (no resolver, no outbound call, no write) and is never a 500.
 *
 * Two servers: one with the defaults (what an operator gets) and one with tight limits, so a
 * limit can be reached with a small request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVendor, type Vendor } from '../api/fixtures/vendor.ts';
import { startAttacker, type Attacker } from '../support/attacker.ts';
import { CHECK_HEALTH, CREATE, TEST_UNSAVED, resultOf, succeed } from '../support/graphql.ts';
import { startTestServer, type GqlResponse, type TestServer } from '../support/server.ts';
import { openSubscription, type SseSubscription } from '../support/sse.ts';

let server: TestServer;
let tight: TestServer;
let vendor: Vendor;
let attacker: Attacker;
let viewer: string;

const TIGHT = {
  PLUGFORM_MAX_QUERY_DEPTH: '5',
  PLUGFORM_MAX_BODY_BYTES: '4096',
  PLUGFORM_MAX_RESPONSE_BYTES: '3000',
  PLUGFORM_MAX_CHECKS_PER_REQUEST: '2',
  PLUGFORM_MAX_CHECKS_PER_MINUTE: '3',
  PLUGFORM_MAX_SUBSCRIPTIONS_PER_TOKEN: '2',
};

beforeAll(async () => {
  [server, tight, vendor, attacker] = await Promise.all([startTestServer(), startTestServer({ env: TIGHT }), startVendor(), startAttacker('http')]);
  viewer = await server.tokenFor('viewer', 'limits viewer');
}, 180_000);
afterAll(async () => {
  await Promise.all([server?.close(), tight?.close(), vendor?.close(), attacker?.close()]);
});

const notifyConfig = (endpoint: string) => ({ endpoint, apiKey: 'good-key-limits', senderName: 'Limits Test' });

/** The one error of a refused request: it names its setting, and nothing ran. */
function expectRefused(response: GqlResponse, setting: string) {
  expect(response.status).toBeLessThan(500);
  expect(response.body.data ?? null).toBeNull();
  expect(response.body.errors).toEqual([
    expect.objectContaining({ message: expect.stringContaining(setting), extensions: expect.objectContaining({ code: 'LIMIT_EXCEEDED', limit: setting }) }),
  ]);
}

/** SQL other than the bearer-token lookup: proof a resolver ran. */
function sqlBeyondAuthentication(target: TestServer): string[] {
  return target.sql.statements.filter((sql) => !/"api_token"/.test(sql));
}

// ---------------------------------------------------------------------------------------
// The finding: 5,000 aliased `plugins { fields … }` with a viewer token

describe('the query that took 37 s and 281 MB', () => {
  const aliased = (count: number, selection: string) => `{ ${Array.from({ length: count }, (_, i) => `a${i}: ${selection}`).join(' ')} }`;

  it('5,000 aliased plugins { fields … } (viewer token) are refused before anything runs', async () => {
    server.sql.reset();
    const response = await server.gql(aliased(5000, 'plugins { name fields { key label type helpText options { value label } } }'), undefined, { token: viewer });
    expectRefused(response, 'PLUGFORM_MAX_QUERY_TOKENS');
    expect(response.text.length).toBeLessThan(1000);
    expect(sqlBeyondAuthentication(server)).toEqual([]);
  });

  it('aliases past the limit are refused even in a short query', async () => {
    const response = await server.gql(aliased(16, 'plugins { name }'), undefined, { token: viewer });
    expectRefused(response, 'PLUGFORM_MAX_ALIASES');
    expect(response.body.errors?.[0]?.message).toMatch(/15/);
    const allowed = await server.gql(aliased(15, 'plugins { name }'), undefined, { token: viewer });
    expect(allowed.body.errors).toBeUndefined();
    expect(Object.keys(allowed.body.data)).toHaveLength(15);
  });

  it('a costly query is refused by its estimated cost', async () => {
    const response = await server.gql(
      '{ pluginInstances(first: 5000) { edges { node { id name configuration plugin { name fields { key label } } } } } }',
      undefined,
      { token: viewer },
    );
    expectRefused(response, 'PLUGFORM_MAX_QUERY_COST');
  });

  it('a query deeper than the limit is refused', async () => {
    const deep = await tight.gql('{ pluginInstances { edges { node { plugin { fields { options { value } } } } } } }');
    expectRefused(deep, 'PLUGFORM_MAX_QUERY_DEPTH');
    const shallow = await tight.gql('{ pluginInstances { edges { node { id } } } }');
    expect(shallow.body.errors).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------
// Request body

describe('request body size', () => {
  const bigBody = () => JSON.stringify({ query: 'query ($x: String) { viewer { role } }', variables: { x: 'x'.repeat(8000) } });
  const headers = () => ({ 'content-type': 'application/json', authorization: `Bearer ${tight.adminToken}` });

  it('a body larger than PLUGFORM_MAX_BODY_BYTES is refused with 413', async () => {
    const response = await tight.fetch('/graphql', { method: 'POST', headers: headers(), body: bigBody() });
    expect(response.status).toBe(413);
    const body = JSON.parse(response.text);
    expect(body.errors[0]).toMatchObject({ message: expect.stringContaining('PLUGFORM_MAX_BODY_BYTES'), extensions: { code: 'LIMIT_EXCEEDED', limit: 'PLUGFORM_MAX_BODY_BYTES' } });
  });

  it('so is one sent in chunks without a Content-Length', async () => {
    const bytes = new TextEncoder().encode(bigBody());
    const chunked = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let at = 0; at < bytes.length; at += 1000) controller.enqueue(bytes.slice(at, at + 1000));
        controller.close();
      },
    });
    const response = await tight.fetch('/graphql', { method: 'POST', headers: headers(), body: chunked, duplex: 'half' } as RequestInit);
    expect(response.status).toBe(413);
    expect(JSON.parse(response.text).errors[0].extensions).toMatchObject({ code: 'LIMIT_EXCEEDED', limit: 'PLUGFORM_MAX_BODY_BYTES' });
  });

  it('a body within the limit is served, with or without a Content-Length', async () => {
    const small = JSON.stringify({ query: `{ viewer { role } } # ${'x'.repeat(3000)}` });
    const declared = await tight.fetch('/graphql', { method: 'POST', headers: headers(), body: small });
    const bytes = new TextEncoder().encode(small);
    const chunked = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let at = 0; at < bytes.length; at += 1000) controller.enqueue(bytes.slice(at, at + 1000));
        controller.close();
      },
    });
    const streamed = await tight.fetch('/graphql', { method: 'POST', headers: headers(), body: chunked, duplex: 'half' } as RequestInit);
    for (const response of [declared, streamed]) {
      expect(response.status).toBe(200);
      expect(JSON.parse(response.text)).toEqual({ data: { viewer: { role: 'ADMIN' } } });
    }
  });
});

// ---------------------------------------------------------------------------------------
// Nesting: the 5,000-deep JSON literal that overflowed the stack

describe('input nesting', () => {
  const nestedLiteral = (depth: number) => `${'{a: '.repeat(depth)}1${'}'.repeat(depth)}`;
  /** As JSON text: JSON.stringify itself would overflow the test's stack. */
  const nestedJson = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
  const instanceCount = () => server.running.services.prisma.pluginInstance.count();

  it('a 5,000-deep JSON literal gets a clear error, not a stack overflow', async () => {
    const before = await instanceCount();
    const response = await server.gql(`mutation {
      createPluginInstance(input: { pluginName: "api-notify", name: "deep-literal", configuration: { endpoint: "http://127.0.0.1:1", apiKey: "good-key-deep", senderName: "Deep", headers: ${nestedLiteral(5000)} } }) { __typename }
    }`);
    expectRefused(response, 'PLUGFORM_MAX_INPUT_DEPTH');
    expect(await instanceCount()).toBe(before);
  });

  it('a literal just past the limit is refused, one at the limit is not', async () => {
    // input (1) › configuration (2) › headers: the literal's own levels.
    const test = (depth: number) =>
      server.gql(`mutation { testPluginConnection(input: { pluginName: "not-installed", configuration: { headers: ${nestedLiteral(depth)} } }) { __typename } }`);
    expectRefused(await test(31), 'PLUGFORM_MAX_INPUT_DEPTH');
    expect((await test(30)).body).toEqual({ data: { testPluginConnection: { __typename: 'PluginUnavailableError' } } });
    // Brackets in a string or a comment are no nesting.
    const quoted = await server.gql(`{ plugins(search: "${'{['.repeat(100)}") { name } } # ${nestedLiteral(100)}`);
    expect(quoted.body).toEqual({ data: { plugins: [] } });
  });

  it('a 5,000-deep JSON variable gets a clear error and stores nothing', async () => {
    const before = await instanceCount();
    const configuration = `{"endpoint":"http://127.0.0.1:1","apiKey":"good-key-deep","senderName":"Deep","headers":${nestedJson(5000)}}`;
    const response = await server.fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${server.adminToken}` },
      body: `{"query":${JSON.stringify(CREATE)},"variables":{"input":{"pluginName":"api-notify","name":"deep-variable","configuration":${configuration}}}}`,
    });
    expectRefused({ ...response, body: JSON.parse(response.text) }, 'PLUGFORM_MAX_INPUT_DEPTH');
    expect(JSON.parse(response.text).errors[0].message).toMatch(/\$input/);
    expect(await instanceCount()).toBe(before);
  });
});

// ---------------------------------------------------------------------------------------
// Connection tests and health checks: outbound calls per request and per token

describe('connection tests and health checks', () => {
  const aliasedTests = (count: number, endpoint: string, selection = '__typename ... on Error { message } ... on LimitExceededError { limit max }') =>
    `mutation { ${Array.from(
      { length: count },
      (_, i) =>
        `t${i}: testPluginConnection(input: { pluginName: "api-notify", configuration: { endpoint: "${endpoint}", apiKey: "good-key-limits", senderName: "Limits Test" } }) { ${selection} }`,
    ).join('\n')} }`;

  it('500 aliased testPluginConnection make no outbound request at all', async () => {
    const response = await server.gql(aliasedTests(500, attacker.url, '__typename'));
    expect(response.status).toBeLessThan(500);
    expect(response.body.data ?? null).toBeNull();
    expect(response.body.errors?.[0]?.extensions).toMatchObject({ code: 'LIMIT_EXCEEDED' });
    expect(attacker.connections).toBe(0);
  });

  it('within the alias limit, only PLUGFORM_MAX_CHECKS_PER_REQUEST of them run; the rest get a LimitExceededError', async () => {
    vendor.requests.length = 0;
    const response = await server.gql(aliasedTests(10, vendor.url));
    const results = Object.values(response.body.data as Record<string, { __typename: string; limit?: string; max?: number }>);
    expect(results.map((r) => r.__typename)).toEqual([
      ...Array(3).fill('MutationTestPluginConnectionSuccess'),
      ...Array(7).fill('LimitExceededError'),
    ]);
    expect(results[9]).toMatchObject({ limit: 'PLUGFORM_MAX_CHECKS_PER_REQUEST', max: 3, message: expect.stringContaining('3') });
    expect(vendor.requests).toHaveLength(3);
  });

  it('one token runs at most PLUGFORM_MAX_CHECKS_PER_MINUTE per minute; another token is not affected', async () => {
    const operator = await tight.tokenFor('operator', 'minute budget');
    const created = await succeed<{ id: string }>(tight, CREATE, 'createPluginInstance', {
      input: { pluginName: 'api-notify', name: 'minute-budget', configuration: notifyConfig(vendor.url) },
    });
    const test = async (token: string) =>
      resultOf(await tight.gql(TEST_UNSAVED, { input: { pluginName: 'api-notify', configuration: notifyConfig(vendor.url) } }, { token }), 'testPluginConnection');
    const check = async (token: string) => resultOf(await tight.gql(CHECK_HEALTH, { id: created.id }, { token }), 'checkPluginInstanceHealth');

    vendor.requests.length = 0;
    expect((await test(operator)).__typename).toBe('MutationTestPluginConnectionSuccess');
    expect((await check(operator)).__typename).toBe('MutationCheckPluginInstanceHealthSuccess');
    expect((await test(operator)).__typename).toBe('MutationTestPluginConnectionSuccess');
    const refused = await check(operator);
    expect(refused).toMatchObject({
      __typename: 'LimitExceededError',
      message: expect.stringContaining('PLUGFORM_MAX_CHECKS_PER_MINUTE'),
    });
    const refusedTest = await tight.gql(
      `mutation ($input: TestPluginConnectionInput!) { testPluginConnection(input: $input) { __typename ... on LimitExceededError { limit max retryAfterSeconds } } }`,
      { input: { pluginName: 'api-notify', configuration: notifyConfig(vendor.url) } },
      { token: operator },
    );
    expect(refusedTest.body.data.testPluginConnection).toEqual({
      __typename: 'LimitExceededError',
      limit: 'PLUGFORM_MAX_CHECKS_PER_MINUTE',
      max: 3,
      retryAfterSeconds: expect.any(Number),
    });
    expect(refusedTest.body.data.testPluginConnection.retryAfterSeconds).toBeGreaterThan(0);
    expect(refusedTest.body.data.testPluginConnection.retryAfterSeconds).toBeLessThanOrEqual(60);
    expect(vendor.requests).toHaveLength(3);

    expect((await test(tight.adminToken)).__typename).toBe('MutationTestPluginConnectionSuccess');
  });
});

// ---------------------------------------------------------------------------------------
// Response size

describe('response size', () => {
  it('a result larger than PLUGFORM_MAX_RESPONSE_BYTES is replaced by an error naming the limit', async () => {
    const big = await tight.gql('{ plugins { name description fields { key label description helpText } } }');
    expectRefused(big, 'PLUGFORM_MAX_RESPONSE_BYTES');
    expect(big.text.length).toBeLessThan(1000);
    const small = await tight.gql('{ plugins(search: "api-notify") { name } }');
    expect(small.body).toEqual({ data: { plugins: [{ name: 'api-notify' }] } });
  });
});

// ---------------------------------------------------------------------------------------
// Subscriptions per token

describe('subscriptions per token', () => {
  const SUBSCRIPTION = 'subscription { pluginInstanceHealthChanged { instanceId status } }';
  const open: SseSubscription[] = [];
  afterAll(() => open.forEach((s) => s.close()));
  const subscribe = async (token: string) => {
    const stream = await openSubscription(tight.graphqlUrl, SUBSCRIPTION, { token });
    open.push(stream);
    return stream;
  };

  it('a token holds at most PLUGFORM_MAX_SUBSCRIPTIONS_PER_TOKEN open; closing one frees its place', async () => {
    const token = await tight.tokenFor('viewer', 'subscriber');
    const first = await subscribe(token);
    await subscribe(token);
    const third = await subscribe(token);
    expect(third.status).toBe(429);
    expect(await third.finished).toBe('ended');
    expect(third.events).toEqual([
      {
        errors: [
          expect.objectContaining({
            message: expect.stringContaining('PLUGFORM_MAX_SUBSCRIPTIONS_PER_TOKEN'),
            extensions: expect.objectContaining({ code: 'LIMIT_EXCEEDED', limit: 'PLUGFORM_MAX_SUBSCRIPTIONS_PER_TOKEN' }),
          }),
        ],
      },
    ]);

    // Another token has its own allowance.
    const other = await subscribe(tight.adminToken);
    expect(other.status).toBe(200);

    // The server notices a client that went away, and the token may subscribe again.
    first.close();
    await expect
      .poll(async () => {
        const again = await subscribe(token);
        again.close();
        return again.status;
      })
      .toBe(200);
  });
});
