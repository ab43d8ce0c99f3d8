/**
 * Secrets are bound to their destination (contract 8), for every built-in plugin with a
 * destination field, against the real server over HTTP. An operator who may edit an instance
 * points its destination at an attacker's listener on loopback, without sending the secret:
 *
 * - a connection test with that override, and an update followed by a health check, are both
 *   refused with a ValidationError on the secret ("re-enter …: … changed"), and the listener
 *   receives nothing: not a byte, not a connection;
 * - sending the secret again in the same request is accepted (and then the test's listener
 *   is reached, which shows it would have seen a leak).
 *
 * The egress policy allows loopback here on purpose: the binding, not the network gate, is
 * what keeps the secret home.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAttacker, type Attacker, type AttackerProtocol } from '../support/attacker.ts';
import { CHECK_HEALTH, CREATE, INSTANCE, TEST_SAVED, UPDATE, mutate, succeed } from '../support/graphql.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/** Where the stored configuration points: a closed port on loopback (nothing listens there). */
const HOME_HOST = '127.0.0.1';
const HOME_PORT = 9;
const HOME_URL = `http://${HOME_HOST}:${HOME_PORT}`;

interface Case {
  plugin: string;
  protocol: AttackerProtocol;
  /** A valid configuration pointing home, secrets included. */
  config: Record<string, unknown>;
  /** The secrets of `config` that the destination binds. */
  secrets: string[];
  /** The patch that points the destination at the attacker. */
  redirect: (attacker: Attacker) => Record<string, unknown>;
}

const CASES: Case[] = [
  {
    plugin: 'slack',
    protocol: 'http',
    config: { mode: 'bot', botToken: 'xoxb-1111-canary-slack', apiBaseUrl: `${HOME_URL}/api` },
    secrets: ['botToken'],
    redirect: (attacker) => ({ apiBaseUrl: `${attacker.url}/api` }),
  },
  {
    plugin: 'stripe',
    protocol: 'http',
    config: { secretKey: 'sk_test_CanaryStripeKey0001', apiBaseUrl: HOME_URL },
    secrets: ['secretKey'],
    redirect: (attacker) => ({ apiBaseUrl: attacker.url }),
  },
  {
    plugin: 'meilisearch',
    protocol: 'http',
    config: { host: HOME_URL, apiKey: 'canary-meili-master-key-0001' },
    secrets: ['apiKey'],
    redirect: (attacker) => ({ host: attacker.url }),
  },
  {
    plugin: 'whatsapp-business',
    protocol: 'http',
    config: {
      phoneNumber: '+15550100200',
      apiToken: 'EAAcanaryWhatsAppToken0001',
      businessAccountId: '1234567890',
      phoneNumberId: '9876543210',
      apiBaseUrl: HOME_URL,
    },
    secrets: ['apiToken'],
    redirect: (attacker) => ({ apiBaseUrl: attacker.url }),
  },
  {
    plugin: 'posthog',
    protocol: 'http',
    config: { projectApiKey: 'phc_CanaryPosthogKey0001', host: HOME_URL },
    secrets: ['projectApiKey'],
    redirect: (attacker) => ({ host: attacker.url }),
  },
  {
    plugin: 'webhook',
    protocol: 'http',
    config: { url: `${HOME_URL}/hook`, signingSecret: 'canary-webhook-signing-0001', bearerToken: 'canary-webhook-bearer-0001' },
    secrets: ['signingSecret', 'bearerToken'],
    redirect: (attacker) => ({ url: `${attacker.url}/hook` }),
  },
  {
    plugin: 'http-workflow',
    protocol: 'http',
    config: { triggerUrl: `${HOME_URL}/webhook/run`, authHeaderValue: 'Bearer canary-workflow-0001' },
    secrets: ['authHeaderValue'],
    redirect: (attacker) => ({ triggerUrl: `${attacker.url}/webhook/run` }),
  },
  {
    plugin: 'smtp-email',
    protocol: 'smtp',
    config: { host: HOME_HOST, port: HOME_PORT, username: 'mailer', password: 'canary-smtp-password-0001', fromAddress: 'ops@example.com', timeoutMs: 2000 },
    secrets: ['password'],
    redirect: (attacker) => ({ host: attacker.host, port: attacker.port, tlsMode: 'none' }),
  },
  {
    plugin: 'ldap',
    protocol: 'silent',
    config: {
      url: `ldap://${HOME_HOST}:${HOME_PORT}`,
      bindDn: 'cn=service,dc=example,dc=com',
      bindPassword: 'canary-ldap-bind-0001',
      baseDn: 'dc=example,dc=com',
      connectTimeoutMs: 500,
      operationTimeoutMs: 500,
    },
    secrets: ['bindPassword'],
    redirect: (attacker) => ({ url: `ldap://${attacker.host}:${attacker.port}` }),
  },
  {
    plugin: 's3-storage',
    protocol: 'http',
    config: {
      bucket: 'canary-bucket',
      region: 'eu-west-1',
      accessKeyId: 'AKIACANARY0001',
      secretAccessKey: 'canary-s3-secret-access-key-0001',
      endpoint: HOME_URL,
      forcePathStyle: true,
      maxAttempts: 1,
    },
    secrets: ['secretAccessKey'],
    redirect: (attacker) => ({ endpoint: attacker.url }),
  },
];

let server: TestServer;
let names = 0;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

async function createInstance(c: Case): Promise<{ id: string; version: number }> {
  return succeed(server, CREATE, 'createPluginInstance', {
    input: { pluginName: c.plugin, name: `bound-${++names}`, configuration: c.config },
  });
}

const secretValues = (c: Case) => c.secrets.map((key) => String(c.config[key]));
/** The bound secrets, sent again as the operator who knows them would. */
const resent = (c: Case) => c.secrets.map((key) => ({ key, value: c.config[key] }));

function expectRefusedOnSecrets(result: { __typename: string; fieldErrors?: { field: string; rule: string; message: string }[] }, c: Case): void {
  expect(result.__typename).toBe('ValidationError');
  const refused = (result.fieldErrors ?? []).filter((error) => error.rule === 'destinationChanged');
  expect(refused.map((error) => error.field).sort()).toEqual([...c.secrets].sort());
  for (const error of refused) expect(error.message).toMatch(/^re-enter .+: .+ changed$/);
  // The refusal never echoes the secret or the new destination's value.
  for (const value of secretValues(c)) expect(JSON.stringify(result)).not.toContain(value);
}

function expectNothingReceived(attacker: Attacker): void {
  expect(attacker.connections).toBe(0);
  expect(attacker.received()).toBe('');
}

describe.each(CASES)('$plugin: the stored secret never follows a changed destination', (c) => {
  let attacker: Attacker;
  beforeAll(async () => {
    attacker = await startAttacker(c.protocol);
  });
  afterAll(async () => {
    await attacker?.close();
  });

  it('a connection test whose override changes only the destination is refused; with the secrets sent again it runs', async () => {
    const instance = await createInstance(c);
    const result = await mutate(server, TEST_SAVED, 'testPluginInstanceConnection', { input: { id: instance.id, configuration: c.redirect(attacker) } });
    expectRefusedOnSecrets(result, c);
    expectNothingReceived(attacker);

    const tested = await mutate(server, TEST_SAVED, 'testPluginInstanceConnection', {
      input: { id: instance.id, configuration: c.redirect(attacker), secrets: resent(c) },
    });
    expect(tested.__typename).toBe('MutationTestPluginInstanceConnectionSuccess');
    // The listener works: given the secret again, the plugin does connect to it.
    expect(attacker.connections).toBeGreaterThan(0);
  });

  it('an update that changes only the destination is refused and stores nothing, the next health check goes home; with the secrets it saves', async () => {
    const quiet = await startAttacker(c.protocol);
    try {
      const instance = await createInstance(c);
      const before = (await server.gql(INSTANCE, { id: instance.id })).body.data.pluginInstance;
      const result = await mutate(server, UPDATE, 'updatePluginInstance', { input: { id: instance.id, version: instance.version, configuration: c.redirect(quiet) } });
      expectRefusedOnSecrets(result, c);
      await succeed(server, CHECK_HEALTH, 'checkPluginInstanceHealth', { id: instance.id });
      const after = (await server.gql(INSTANCE, { id: instance.id })).body.data.pluginInstance;
      expect(after.version).toBe(instance.version);
      expect(after.configuration).toEqual(before.configuration);
      expectNothingReceived(quiet);

      const updated = await mutate(server, UPDATE, 'updatePluginInstance', {
        input: { id: instance.id, version: instance.version, configuration: c.redirect(quiet), secrets: resent(c) },
      });
      expect(updated.__typename).toBe('MutationUpdatePluginInstanceSuccess');
      expect(updated.data.version).toBe(instance.version + 1);
    } finally {
      await quiet.close();
    }
  });
});

describe('audit of connection tests', () => {
  it('records who tested which instance and which keys the override changed, never values', async () => {
    const c = CASES.find((entry) => entry.plugin === 'meilisearch')!;
    const operator = await server.tokenFor('operator', 'audited operator');
    const instance = await createInstance(c);
    await mutate(server, TEST_SAVED, 'testPluginInstanceConnection', { input: { id: instance.id, configuration: { retryCount: 0 } } }, operator);
    const query = `query ($id: ID!) { pluginInstance(id: $id) { auditEvents { actor actorTokenId action changedKeys } } }`;
    const events = (await server.gql(query, { id: instance.id })).body.data.pluginInstance.auditEvents;
    const tokens = (await server.gql(`{ apiTokens { id name } }`)).body.data.apiTokens as { id: string; name: string }[];
    expect(events[0]).toEqual({
      actor: 'token:audited operator',
      actorTokenId: tokens.find((token) => token.name === 'audited operator')!.id,
      action: 'instance.test',
      changedKeys: ['retryCount'],
    });
  });
});
