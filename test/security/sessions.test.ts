/**
 * Sessions end when tokens do, over HTTP against the real server: a revoked token's open
 * subscription is closed at once (not at its next event), on the replica that revoked it and,
 * through the cluster bus, on every other one (real server processes), a request without a token is a
 * 401 like one with a bad token, and GraphiQL and token-less introspection are off unless
 * turned on; a server started without NODE_ENV behaves as production.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECK_HEALTH, CREATE, REVOKE_TOKEN, CREATE_TOKEN, resultOf, succeed } from '../support/graphql.ts';
import { startCluster, type Cluster } from '../support/replicas.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { openSubscription } from '../support/sse.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

const SIGN_IN = 'Sign in: send an API token as "Authorization: Bearer <token>"';
const INTROSPECTION = '{ __schema { queryType { name } } }';

describe('a revoked token', () => {
  it('has its open subscription closed at once', async () => {
    const created = await succeed(server, CREATE_TOKEN, 'createApiToken', { name: 'watcher', role: 'VIEWER' });
    const instance = await succeed<{ id: string }>(server, CREATE, 'createPluginInstance', {
      input: { pluginName: 'example-echo', name: 'watched', configuration: { senderName: 'Watched', apiToken: 'echo-watched' } },
    });
    const stream = await openSubscription(server.graphqlUrl, 'subscription ($id: ID) { pluginInstanceHealthChanged(id: $id) { instanceId status } }', {
      token: created.token,
      variables: { id: instance.id },
    });
    expect(stream.status).toBe(200);

    // The stream is live: a health change reaches it.
    await succeed(server, CHECK_HEALTH, 'checkPluginInstanceHealth', { id: instance.id });
    expect(await stream.nextEvent()).toEqual({ data: { pluginInstanceHealthChanged: { instanceId: instance.id, status: 'HEALTHY' } } });

    await succeed(server, REVOKE_TOKEN, 'revokeApiToken', { id: created.apiToken.id });

    // The server ends the stream by itself, with a last event saying why; nothing else follows.
    expect(await stream.finished).toBe('ended');
    expect(stream.events.at(-1)).toEqual({
      errors: [expect.objectContaining({ message: 'This API token was revoked', extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }) })],
    });
    expect(stream.events).toHaveLength(2);

    // And the token opens no new one.
    const again = await openSubscription(server.graphqlUrl, 'subscription { pluginInstanceHealthChanged { status } }', { token: created.token });
    expect(again.status).toBe(401);
    again.close();
  });

  it("leaves other tokens' subscriptions open", async () => {
    const kept = await succeed(server, CREATE_TOKEN, 'createApiToken', { name: 'kept', role: 'VIEWER' });
    const revoked = await succeed(server, CREATE_TOKEN, 'createApiToken', { name: 'gone', role: 'VIEWER' });
    const instance = await succeed<{ id: string }>(server, CREATE, 'createPluginInstance', {
      input: { pluginName: 'example-echo', name: 'watched-by-two', configuration: { senderName: 'Watched', apiToken: 'echo-watched' } },
    });
    const query = 'subscription ($id: ID) { pluginInstanceHealthChanged(id: $id) { status } }';
    const keptStream = await openSubscription(server.graphqlUrl, query, { token: kept.token, variables: { id: instance.id } });
    const revokedStream = await openSubscription(server.graphqlUrl, query, { token: revoked.token, variables: { id: instance.id } });

    await succeed(server, REVOKE_TOKEN, 'revokeApiToken', { id: revoked.apiToken.id });
    expect(await revokedStream.finished).toBe('ended');

    await succeed(server, CHECK_HEALTH, 'checkPluginInstanceHealth', { id: instance.id });
    expect(await keptStream.nextEvent()).toEqual({ data: { pluginInstanceHealthChanged: { status: 'HEALTHY' } } });
    keptStream.close();
  });
});

describe('a token revoked on another replica', () => {
  /**
   * The sweep of open streams' tokens is made too rare to matter, and authenticated tokens are
   * remembered for an hour: only the bus can end the stream, or refuse the token, in time.
   */
  const SESSION_CHECK_INTERVAL_S = 600;
  const TOKEN_CACHE_TTL_S = 3600;
  let cluster: Cluster | undefined;
  afterAll(async () => {
    await cluster?.close();
  });

  async function startOnce(): Promise<Cluster> {
    // Two real server processes on one PostgreSQL database and one Vault double (their shared secret store).
    cluster ??= await startCluster({
      replicas: 2,
      env: { PLUGFORM_SESSION_CHECK_INTERVAL: String(SESSION_CHECK_INTERVAL_S), PLUGFORM_TOKEN_CACHE_TTL: String(TOKEN_CACHE_TTL_S) },
    });
    return cluster;
  }

  it('ends the subscriptions another replica holds at once, through the cluster bus', async () => {
    const cluster = await startOnce();
    const created = resultOf(await cluster.gql(CREATE_TOKEN, { name: 'cluster watcher', role: 'VIEWER' }, { replica: 0 }), 'createApiToken').data;
    const stream = await openSubscription(`${cluster.replicas[1]!.url}/graphql`, 'subscription { pluginInstanceHealthChanged { status } }', {
      token: created.token,
      // Generous, and far shorter than the sweep: a stream still open then was not ended by the bus.
      guardMs: 20_000,
    });
    expect(stream.status).toBe(200);

    const revoked = resultOf(await cluster.gql(REVOKE_TOKEN, { id: created.apiToken.id }, { replica: 0 }), 'revokeApiToken');
    expect(revoked.__typename).toBe('MutationRevokeApiTokenSuccess');
    expect(await stream.finished).toBe('ended');
    expect(stream.events.at(-1)?.errors?.[0]?.message).toBe('This API token was revoked');
  }, 180_000);

  it('is refused by the other replica once the announcement arrives, though that replica remembered it', async () => {
    const cluster = await startOnce();
    const created = resultOf(await cluster.gql(CREATE_TOKEN, { name: 'cluster caller', role: 'VIEWER' }, { replica: 0 }), 'createApiToken').data;
    // Replica 1 authenticates it, and so remembers it (for the hour of PLUGFORM_TOKEN_CACHE_TTL).
    for (let i = 0; i < 2; i++) expect((await cluster.gql('{ viewer { role } }', undefined, { token: created.token, replica: 1 })).status).toBe(200);

    const revoked = resultOf(await cluster.gql(REVOKE_TOKEN, { id: created.apiToken.id }, { replica: 0 }), 'revokeApiToken');
    expect(revoked.__typename).toBe('MutationRevokeApiTokenSuccess');
    // Refused at once on the replica that revoked it …
    expect((await cluster.gql('{ viewer { role } }', undefined, { token: created.token, replica: 0 })).status).toBe(401);
    // … and on the other as soon as the bus carried it (far sooner than the cache's hour).
    const deadline = Date.now() + 10_000;
    let status = 200;
    while (Date.now() < deadline && (status = (await cluster.gql('{ viewer { role } }', undefined, { token: created.token, replica: 1 })).status) === 200) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(status).toBe(401);
  }, 180_000);
});

describe('a remembered token', () => {
  const tokenStatements = () => server.sql.statements.filter((sql) => /"api_token"/.test(sql));

  it('is authenticated without a database round trip, and refused on the very next request once revoked', async () => {
    const created = await succeed(server, CREATE_TOKEN, 'createApiToken', { name: 'remembered', role: 'VIEWER' });
    expect((await server.gql('{ viewer { role } }', undefined, { token: created.token })).status).toBe(200);
    server.sql.reset();
    expect((await server.gql('{ viewer { role } }', undefined, { token: created.token })).status).toBe(200);
    expect(tokenStatements()).toEqual([]);

    await succeed(server, REVOKE_TOKEN, 'revokeApiToken', { id: created.apiToken.id });
    server.sql.reset();
    const refused = await server.gql('{ viewer { role } }', undefined, { token: created.token });
    expect(refused.status).toBe(401);
    expect(refused.body.errors?.[0]?.message).toBe('This API token is unknown or revoked');
    // Refused by reading the database again, not by something else remembered.
    expect(tokenStatements().length).toBeGreaterThan(0);
  });

  it('is read again once forgotten, as after the bus reconnects', async () => {
    const created = await succeed(server, CREATE_TOKEN, 'createApiToken', { name: 'forgotten', role: 'VIEWER' });
    expect((await server.gql('{ viewer { role } }', undefined, { token: created.token })).status).toBe(200);
    // A revocation the bus never announced here (written straight to the database) …
    await server.running.services.prisma.apiToken.update({ where: { id: created.apiToken.id }, data: { revokedAt: new Date() } });
    expect((await server.gql('{ viewer { role } }', undefined, { token: created.token })).status).toBe(200);
    // … is seen once the cache is dropped, which a reconnected bus does.
    server.running.services.tokens.forget();
    expect((await server.gql('{ viewer { role } }', undefined, { token: created.token })).status).toBe(401);
  });
});

describe('a request without a token', () => {
  it('is a 401, like a request with a bad token', async () => {
    const none = await server.gql('{ plugins { name } }', undefined, { token: null });
    const bad = await server.gql('{ plugins { name } }', undefined, { token: 'pf_not-a-real-token' });
    expect(none.status).toBe(401);
    expect(bad.status).toBe(401);
    expect(none.body).toEqual({ errors: [expect.objectContaining({ message: SIGN_IN, extensions: { code: 'UNAUTHENTICATED' } })] });
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('is a 401 for a mutation, before validation says anything about the schema', async () => {
    const response = await server.gql('mutation { createApiToken(name: "x", role: ADMIN) { notAField } }', undefined, { token: null });
    expect(response.status).toBe(401);
    expect(response.text).not.toMatch(/notAField|Did you mean/);
    expect(await server.running.services.prisma.apiToken.count({ where: { name: 'x' } })).toBe(0);
  });

  it('is a 401 for a GET query and for a subscription', async () => {
    const get = await server.fetch(`/graphql?query=${encodeURIComponent('{ viewer { role } }')}`, { headers: { accept: 'application/json' } });
    expect(get.status).toBe(401);
    const stream = await openSubscription(server.graphqlUrl, 'subscription { pluginInstanceHealthChanged { status } }', { token: null });
    expect(stream.status).toBe(401);
    stream.close();
  });

  it('cannot introspect the schema by default; a token can', async () => {
    const anonymous = await server.gql(INTROSPECTION, undefined, { token: null });
    expect(anonymous.status).toBe(401);
    expect(anonymous.text).not.toContain('queryType');
    const viewer = await server.gql(INTROSPECTION, undefined, { token: await server.tokenFor('viewer') });
    expect(viewer.body).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
  });
});

describe('settings', () => {
  it('PLUGFORM_ANONYMOUS_INTROSPECTION=true opens introspection, and only introspection, to anonymous callers', async () => {
    const open = await startTestServer({ pluginPaths: [], env: { PLUGFORM_ANONYMOUS_INTROSPECTION: 'true' } });
    try {
      const schema = await open.gql(INTROSPECTION, undefined, { token: null });
      expect(schema.body).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
      const data = await open.gql('{ __schema { queryType { name } } plugins { name } }', undefined, { token: null });
      expect(data.body.data?.plugins ?? null).toBeNull();
      expect(data.text).not.toContain('example-echo');
      const plain = await open.gql('{ plugins { name } }', undefined, { token: null });
      expect(plain.status).toBe(401);
    } finally {
      await open.close();
    }
  }, 120_000);

  it('without NODE_ENV the server behaves as production: no GraphiQL, no anonymous introspection, no schema hints', async () => {
    const production = await startTestServer({ pluginPaths: [], env: { NODE_ENV: '' } });
    try {
      const page = await production.fetch('/graphql', { headers: { accept: 'text/html' } });
      expect(page.text).not.toMatch(/graphiql/i);
      expect((await production.gql(INTROSPECTION, undefined, { token: null })).status).toBe(401);
      // Validation errors describe no more of the schema than asked.
      const typo = await production.gql('{ plugins { nam } }');
      expect(typo.body.errors?.[0]?.message).toMatch(/Cannot query field "nam"/);
      expect(typo.text).not.toMatch(/Did you mean/);
    } finally {
      await production.close();
    }
  }, 120_000);

  it('PLUGFORM_GRAPHIQL=true serves GraphiQL', async () => {
    const withGraphiql = await startTestServer({ pluginPaths: [], env: { NODE_ENV: '', PLUGFORM_GRAPHIQL: 'true' } });
    try {
      const page = await withGraphiql.fetch('/graphql', { headers: { accept: 'text/html' } });
      expect(page.status).toBe(200);
      expect(page.text).toMatch(/graphiql/i);
      expect(page.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
    } finally {
      await withGraphiql.close();
    }
  }, 120_000);
});
