/**
 * One egress gate at connect time, for every outbound socket. The server runs with the
 * production policy (loopback and private ranges blocked; 127.0.0.2 allowed, standing in for
 * a public address) and a resolver the test controls, and an attacker's listener waits on
 * 127.0.0.1. Whatever a plugin is pointed at — a name that resolves to an allowed address
 * once and to the attacker's the next time (DNS rebinding), a name whose lookup fails,
 * NAT64/SIIT/IPv4-mapped spellings of a blocked address, names with trailing dots — the
 * attacker receives nothing, and SMTP, LDAP and S3 are held to the same gate as fetch.
 */
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createEgressGate, type ResolvedAddress } from '../../server/egress/egress.ts';
import { startAttacker, type Attacker } from '../support/attacker.ts';
import { LIST_FILES, SEND_NOTIFICATION, VERIFY_CREDENTIALS, createInstance, operation } from '../support/operations.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { OUTBOUND_CALLS, canary, fetchPluginCases, testUnsaved } from './support.ts';

/** What the resolver answers, by name; a function sees how often it was asked. */
type Answer = (calls: number) => readonly string[] | Error;
const answers = new Map<string, Answer>();
const lookups: string[] = [];
const resolve = async (host: string): Promise<ResolvedAddress[]> => {
  lookups.push(host);
  const answer = answers.get(host)?.(lookups.filter((h) => h === host).length) ?? Object.assign(new Error(`queryA ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  if (answer instanceof Error) throw answer;
  return answer.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};

const gate = createEgressGate({ blockPrivate: true, allow: ['127.0.0.2'], deny: ['evil.example'], resolve });
let server: TestServer;
let http: Attacker;
let smtp: Attacker;
let ldap: Attacker;

beforeAll(async () => {
  [server, http, smtp, ldap] = await Promise.all([startTestServer({ egress: gate }), startAttacker('http'), startAttacker('smtp'), startAttacker('silent')]);
});
afterAll(async () => {
  await Promise.all([server?.close(), http?.close(), smtp?.close(), ldap?.close(), gate.close()]);
});
beforeEach(() => {
  answers.clear();
  lookups.length = 0;
});

const SECRET = canary('Egress');

/** A webhook test (fetch) at `url`; the signing secret is what an attacker wants. */
const webhookAt = (url: string) => testUnsaved(server, 'webhook', { url, signingSecret: SECRET, bearerToken: SECRET, retryCount: 0, timeoutSeconds: 3 });

/** A name that resolves to the allowed address on the first lookup and to the attacker's after it. */
function rebinding(name: string): void {
  answers.set(name, (calls) => (calls === 1 ? ['127.0.0.2'] : ['127.0.0.1']));
}

function expectNothingReached(...attackers: Attacker[]): void {
  for (const attacker of attackers) {
    expect(attacker.connections).toBe(0);
    expect(attacker.saw(SECRET)).toBe(false);
  }
}

describe('fetch goes through the gate at connect time', () => {
  it('DNS rebinding: the address checked is the address connected (one lookup, no second resolution)', async () => {
    // `localhost` resolves to the attacker through the system resolver: a client that
    // resolved again after the check would reach it.
    rebinding('localhost');
    const outcome = await webhookAt(`http://localhost:${http.port}/hook`);
    expect(outcome.data?.success).toBe(false);
    expect(lookups).toEqual(['localhost']);
    expectNothingReached(http);
  });

  it('a lookup that fails is refused, not handed to another resolver', async () => {
    answers.set('localhost', () => Object.assign(new Error('queryA ESERVFAIL localhost'), { code: 'ESERVFAIL' }));
    const outcome = await webhookAt(`http://localhost:${http.port}/hook`);
    expect(outcome.data).toMatchObject({ success: false, message: expect.stringContaining('Outbound connection to localhost blocked: the name could not be resolved (ESERVFAIL)') });
    expectNothingReached(http);
  });

  it.each([
    ['IPv4-mapped', `[::ffff:7f00:1]`],
    ['IPv4-mapped, dotted', `[::ffff:127.0.0.1]`],
    ['IPv4-compatible', `[::127.0.0.1]`],
    ['SIIT (IPv4-translated)', `[::ffff:0:7f00:1]`],
    ['NAT64', `[64:ff9b::7f00:1]`],
  ])('%s spelling of loopback (%s) is checked as 127.0.0.1 and refused', async (_form, host) => {
    const outcome = await webhookAt(`http://${host}:${http.port}/hook`);
    expect(outcome.data).toMatchObject({ success: false, message: expect.stringMatching(/127\.0\.0\.1 .*is a private or loopback address/) });
    expectNothingReached(http);
  });

  it.each([
    ['NAT64', '[64:ff9b::a9fe:a9fe]'],
    ['IPv4-mapped', '[::ffff:a9fe:a9fe]'],
    ['SIIT', '[::ffff:0:a9fe:a9fe]'],
    ['6to4', '[2002:a9fe:a9fe::1]'],
  ])('%s spelling of the metadata address (%s) is always refused', async (_form, host) => {
    const outcome = await webhookAt(`http://${host}/latest/meta-data/`);
    expect(outcome.data).toMatchObject({ success: false, message: expect.stringContaining('169.254.169.254 is a link-local or cloud metadata address') });
  });

  it('a name that resolves to a mapped or NAT64 form of a blocked address is refused', async () => {
    answers.set('mapped.example', () => ['::ffff:169.254.169.254']);
    answers.set('nat64.example', () => ['64:ff9b::a9fe:a9fe']);
    for (const name of ['mapped.example', 'nat64.example']) {
      const outcome = await webhookAt(`http://${name}/hook`);
      expect(outcome.data?.message).toContain(`169.254.169.254 (resolved from ${name}) is a link-local or cloud metadata address`);
    }
  });

  it('trailing dots do not get a name past the metadata and deny lists', async () => {
    const metadata = await webhookAt('http://metadata.google.internal./computeMetadata/v1/');
    expect(metadata.data?.message).toContain('metadata.google.internal is a cloud metadata service');
    answers.set('evil.example', () => ['127.0.0.2']);
    const denied = await webhookAt('http://EVIL.example./hook');
    expect(denied.data?.message).toContain('evil.example is listed in PLUGFORM_EGRESS_DENY');
    expect(lookups).toEqual([]);
  });
});

describe('SMTP, LDAP and S3 open their sockets through the same gate', () => {
  const smtpConfig = (host: string) => ({ host, port: smtp.port, tlsMode: 'none', username: 'mailer', password: SECRET, fromAddress: 'noreply@example.com', timeoutMs: 2000 });
  const ldapConfig = (host: string) => ({ url: `ldap://${host}:${ldap.port}`, bindDn: 'cn=service,dc=example,dc=org', bindPassword: SECRET, baseDn: 'dc=example,dc=org', connectTimeoutMs: 1000, operationTimeoutMs: 1000 });
  const s3Config = (host: string) => ({
    bucket: 'plugform-test',
    region: 'us-east-1',
    accessKeyId: 'AKIACANARY0000000000',
    secretAccessKey: SECRET,
    endpoint: `http://${host}:${http.port}`,
    forcePathStyle: true,
    maxAttempts: 1,
    connectionTimeoutMs: 1000,
    requestTimeoutMs: 1000,
  });
  const smtpTo = (host: string) => testUnsaved(server, 'smtp-email', smtpConfig(host));
  const ldapTo = (host: string) => testUnsaved(server, 'ldap', ldapConfig(host));
  const s3To = (host: string) => testUnsaved(server, 's3-storage', s3Config(host));

  it.each([
    ['smtp-email', smtpConfig, SEND_NOTIFICATION, { input: { recipient: 'ops@example.org', message: 'hello' } }, () => smtp],
    ['ldap', ldapConfig, VERIFY_CREDENTIALS, { input: { username: 'alice', password: 'alice-password' } }, () => ldap],
    ['s3-storage', s3Config, LIST_FILES, { prefix: 'reports/' }, () => http],
  ] as const)('%s: an operation of a saved instance at a rebinding name never connects', async (plugin, config, query, variables, attacker) => {
    const id = await createInstance(server, plugin, `egress-${plugin}`, config('localhost'));
    rebinding('localhost');
    const refused = await operation(server, query, { ...variables, id });
    expect(refused.__typename, JSON.stringify(refused)).toBe('OperationFailedError');
    expect(refused.message).not.toContain(SECRET);
    expect(lookups).toEqual(['localhost']);
    expectNothingReached(attacker());
  });

  it.each([
    ['smtp-email', smtpTo, () => smtp],
    ['ldap', ldapTo, () => ldap],
    ['s3-storage', s3To, () => http],
  ] as const)('%s: a rebinding name and a mapped loopback address never connect', async (_plugin, testAt, attacker) => {
    rebinding('localhost');
    const rebound = await testAt('localhost');
    expect(rebound.data?.success).toBe(false);
    expect(lookups).toEqual(['localhost']);

    const mapped = await testAt('[::ffff:7f00:1]');
    expect(mapped.data).toMatchObject({ success: false, details: expect.objectContaining({ code: 'EGRESS_BLOCKED' }) });
    expect(mapped.data?.message).toMatch(/127\.0\.0\.1 .*is a private or loopback address/);
    expectNothingReached(attacker());
  });

  it('a connection the gate allows does reach its peer (the gate is not just closed)', async () => {
    // 127.0.0.2 is allowed: a listener there sees the SMTP client arrive.
    const allowed = createServer((socket) => socket.end('554 no service\r\n'));
    await new Promise<void>((done) => allowed.listen(0, '127.0.0.2', done));
    let reached = 0;
    allowed.on('connection', () => (reached += 1));
    try {
      const outcome = await testUnsaved(server, 'smtp-email', {
        host: '127.0.0.2',
        port: (allowed.address() as AddressInfo).port,
        tlsMode: 'none',
        fromAddress: 'noreply@example.com',
        timeoutMs: 2000,
      });
      expect(outcome.data?.success).toBe(false);
      expect(reached).toBe(1);
    } finally {
      allowed.close();
    }
  });
});

describe('the default policy of a production server', () => {
  let production: TestServer;
  let attacker: Attacker;
  beforeAll(async () => {
    [production, attacker] = await Promise.all([startTestServer({ env: { NODE_ENV: 'production' } }), startAttacker('http')]);
  });
  afterAll(async () => {
    await Promise.all([production?.close(), attacker?.close()]);
  });

  // PLUGFORM_EGRESS_ALLOW's exception is proven in test/unit/health/egress.test.ts.
  it('blocks loopback', async () => {
    const refused = await testUnsaved(production, 'webhook', { url: `${attacker.url}/hook`, signingSecret: SECRET, retryCount: 0, timeoutSeconds: 3 });
    expect(refused.data).toMatchObject({ success: false, message: expect.stringContaining('127.0.0.1 is a private or loopback address and PLUGFORM_EGRESS_BLOCK_PRIVATE is on') });
    expectNothingReached(attacker);
  });

  describe.each(OUTBOUND_CALLS)('$label', (call) => {
    it.each(fetchPluginCases().map((plugin) => [plugin.label, plugin] as const))('%s pointed at loopback is refused at the gate, and the attacker receives nothing', async (_label, plugin) => {
      const failure = await call.failure(production, plugin, attacker.url);
      expect(failure).toContain('127.0.0.1 is a private or loopback address and PLUGFORM_EGRESS_BLOCK_PRIVATE is on');
      expect(failure).not.toMatch(new RegExp(plugin.secrets.join('|')));
      expect(attacker.connections).toBe(0);
      for (const secret of plugin.secrets) expect(attacker.saw(secret)).toBe(false);
    });
  });
});
