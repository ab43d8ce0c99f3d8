import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ldapPlugin, { escapeFilterValue, LdapProblem } from '../../../plugins/ldap/index.ts';
import type { LdapConfig } from '../../../plugins/ldap/index.ts';
import { checkPluginSchema, validateConfig } from '../../../plugins/sdk/index.ts';
import { createTestPluginContext, everythingSaid, loopbackBlockingGate, recordingEgress, thrownBy, type TestPluginContext } from '../../support/plugin-context.ts';
import { ssha, startSlapd, type TestSlapd } from '../../support/slapd.ts';
import { closedPort, startSilentServer, TEST_TLS_CERT, TEST_TLS_KEY } from '../../support/smtp-server.ts';

// Checked against everything the plugin said at the end of the file.
const SERVICE_CANARY = 'canary-LDAP-service-8d1f';
const USER_CANARY = 'canary-LDAP-alice-4b2e';

const SUFFIX = 'dc=example,dc=org';
const PEOPLE = `ou=people,${SUFFIX}`;
const SERVICE_DN = `cn=plugform,ou=services,${SUFFIX}`;

const seed = `dn: ${SUFFIX}
objectClass: dcObject
objectClass: organization
dc: example
o: Example

dn: ou=people,${SUFFIX}
objectClass: organizationalUnit
ou: people

dn: ou=services,${SUFFIX}
objectClass: organizationalUnit
ou: services

dn: ${SERVICE_DN}
objectClass: organizationalRole
objectClass: simpleSecurityObject
cn: plugform
userPassword: ${ssha(SERVICE_CANARY)}

dn: uid=alice,${PEOPLE}
objectClass: inetOrgPerson
uid: alice
cn: Alice Liddell
sn: Liddell
displayName: Alice
mail: alice@example.org
mail: a.liddell@example.org
userPassword: ${ssha(USER_CANARY)}

dn: uid=bob,${PEOPLE}
objectClass: inetOrgPerson
uid: bob
cn: Bob Builder
sn: Builder
userPassword: ${ssha('bob-password')}

dn: uid=star*user,${PEOPLE}
objectClass: inetOrgPerson
uid: star*user
cn: Star User
sn: User
userPassword: ${ssha('star-password')}

dn: uid=twin1,${PEOPLE}
objectClass: inetOrgPerson
uid: twin1
cn: Sam Twin
sn: Twin
userPassword: ${ssha('twin-password')}

dn: uid=twin2,${PEOPLE}
objectClass: inetOrgPerson
uid: twin2
cn: Sam Twin
sn: Twin
userPassword: ${ssha('twin-password')}
`;

let slapd: TestSlapd;
const contexts: TestPluginContext[] = [];
const outputs: unknown[] = [];
const keep = <T>(value: T): T => (outputs.push(value), value);

beforeAll(async () => {
  slapd = await startSlapd({ suffix: SUFFIX, rootPassword: 'root-password', seed, tls: { cert: TEST_TLS_CERT, key: TEST_TLS_KEY } });
});

afterAll(async () => {
  await slapd?.stop();
});

function config(overrides: Partial<LdapConfig> = {}): LdapConfig {
  return {
    url: slapd.url,
    startTls: false,
    allowSelfSigned: false,
    bindDn: SERVICE_DN,
    bindPassword: SERVICE_CANARY,
    baseDn: PEOPLE,
    userFilter: '(uid={username})',
    searchScope: 'sub',
    attributes: ['uid', 'cn', 'mail', 'displayName', 'userPassword'],
    connectTimeoutMs: 2_000,
    operationTimeoutMs: 2_000,
    ...overrides,
  };
}

async function provider(overrides: Partial<LdapConfig> = {}, contextOverrides: Parameters<typeof createTestPluginContext>[0] = {}) {
  const context = createTestPluginContext(contextOverrides);
  contexts.push(context);
  const instance = await ldapPlugin.createProvider(config(overrides), context);
  return { instance, context };
}

describe('ldap plugin (against a real slapd)', () => {
  it('has a schema the registry accepts, whose defaults complete a minimal configuration', () => {
    expect(checkPluginSchema(ldapPlugin)).toEqual([]);
    const minimal = { url: 'ldaps://ldap.example.com', baseDn: PEOPLE };
    expect(validateConfig(ldapPlugin, minimal)).toEqual({
      ok: true,
      value: {
        ...minimal,
        startTls: false,
        allowSelfSigned: false,
        userFilter: '(uid={username})',
        searchScope: 'sub',
        attributes: ['uid', 'cn', 'mail', 'displayName'],
        connectTimeoutMs: 5_000,
        operationTimeoutMs: 10_000,
      },
    });
    const wrong = validateConfig(ldapPlugin, { ...minimal, url: 'http://ldap.example.com', userFilter: 'uid={user}' });
    expect(wrong.ok ? [] : wrong.errors.map((e) => e.field).sort()).toEqual(['url', 'userFilter']);
  });

  it('authenticates a user: service bind, search, user bind', async () => {
    const { instance } = await provider();
    const result = keep(await instance.authenticate({ username: 'alice', password: USER_CANARY }));
    expect(result).toEqual({
      authenticated: true,
      userId: `uid=alice,${PEOPLE}`,
      // userPassword was asked for in the configuration and is still never returned.
      attributes: { uid: 'alice', cn: 'Alice Liddell', displayName: 'Alice', mail: ['alice@example.org', 'a.liddell@example.org'] },
    });
  });

  it('answers a wrong password and an unknown user with the same refusal, without throwing', async () => {
    const { instance, context } = await provider();
    const wrong = keep(await instance.authenticate({ username: 'alice', password: 'not-her-password' }));
    expect(wrong).toEqual({ authenticated: false, message: 'Invalid username or password' });
    const unknown = keep(await instance.authenticate({ username: 'mallory', password: 'whatever' }));
    expect(unknown).toEqual({ authenticated: false, message: 'Invalid username or password' });
    // The log tells the admin which it was.
    expect(context.logs.map((l) => l.details?.['reason'])).toEqual(['wrong password', 'no such user']);
  });

  it('refuses an empty password before contacting the directory (no unauthenticated bind)', async () => {
    const { egress, connects: checked } = recordingEgress();
    const { instance } = await provider({}, { egress });
    expect(await instance.authenticate({ username: 'alice', password: '' })).toEqual({ authenticated: false, message: 'Username and password are required' });
    expect(await instance.authenticate({ username: '', password: 'x' })).toMatchObject({ authenticated: false });
    expect(checked).toEqual([]);
  });

  it('escapes the username in the filter, so filter syntax cannot widen the search', async () => {
    const { instance } = await provider();
    // Unescaped, each of these would match alice (or everyone) and bind with alice's DN.
    for (const username of ['*', 'a*', 'alice)(uid=*', '*)(|(uid=*', 'alice\\']) {
      const result = keep(await instance.authenticate({ username, password: USER_CANARY }));
      expect(result, username).toEqual({ authenticated: false, message: 'Invalid username or password' });
    }
    // And a username that really contains a filter character still works.
    const star = keep(await instance.authenticate({ username: 'star*user', password: 'star-password' }));
    expect(star).toMatchObject({ authenticated: true, userId: `uid=star*user,${PEOPLE}` });
  });

  it('fills {username} everywhere in a compound filter (log in with uid or mail)', async () => {
    const { instance } = await provider({ userFilter: '(&(objectClass=inetOrgPerson)(|(uid={username})(mail={username})))', searchScope: 'one' });
    const byMail = keep(await instance.authenticate({ username: 'a.liddell@example.org', password: USER_CANARY }));
    expect(byMail).toMatchObject({ authenticated: true, userId: `uid=alice,${PEOPLE}` });
    const byUid = keep(await instance.authenticate({ username: 'bob', password: 'bob-password' }));
    expect(byUid).toMatchObject({ authenticated: true, userId: `uid=bob,${PEOPLE}`, attributes: { uid: 'bob', cn: 'Bob Builder' } });
  });

  it('escapes as RFC 4515 says', () => {
    expect(escapeFilterValue('a*b(c)d\\e\0f')).toBe('a\\2ab\\28c\\29d\\5ce\\00f');
    expect(escapeFilterValue('Zoë')).toBe('Zoë');
  });

  it('refuses a login when the filter matches more than one entry', async () => {
    const { instance, context } = await provider({ userFilter: '(cn={username})' });
    const result = keep(await instance.authenticate({ username: 'Sam Twin', password: 'twin-password' }));
    expect(result).toEqual({ authenticated: false, message: 'Invalid username or password' });
    expect(context.logs.at(-1)?.details?.['reason']).toBe('more than one entry matches');
  });

  it('test and health: service bind and base DN read', async () => {
    const { instance } = await provider();
    const test = keep(await instance.testConnection!());
    expect(test).toMatchObject({ success: true, message: `Bound as ${SERVICE_DN} and read ${PEOPLE}` });
    expect(test.details).toMatchObject({ url: slapd.url, baseDn: PEOPLE, tls: 'none' });
    expect(keep(await instance.healthCheck!()).status).toBe('healthy');
  });

  it('reports a wrong service password', async () => {
    const { instance } = await provider({ bindPassword: 'wrong-service-password' });
    const test = keep(await instance.testConnection!());
    expect(test).toMatchObject({
      success: false,
      message: `Service bind as ${SERVICE_DN} failed: invalid bind DN or password (LDAP 49)`,
      details: { code: 'SERVICE_BIND_FAILED' },
    });
    // authenticate cannot answer yes or no then: it throws, and says why.
    const error = keep(await thrownBy(() => instance.authenticate({ username: 'alice', password: USER_CANARY })));
    expect(error).toBeInstanceOf(LdapProblem);
    expect((error as LdapProblem).code).toBe('SERVICE_BIND_FAILED');
  });

  it('reports a base DN that does not exist, and one anonymous users may not read', async () => {
    const missing = await provider({ baseDn: `ou=nobody,${SUFFIX}` });
    const test = keep(await missing.instance.testConnection!());
    expect(test).toMatchObject({ success: false, details: { code: 'BASE_DN_NOT_FOUND' } });
    expect(test.message).toBe(`Base DN ou=nobody,${SUFFIX} was not found or the service account may not read it`);

    const anonymous = await provider({ bindDn: undefined, bindPassword: undefined });
    const health = keep(await anonymous.instance.healthCheck!());
    expect(health).toMatchObject({ status: 'unhealthy', details: { code: 'BASE_DN_NOT_FOUND', bindDn: '(anonymous)' } });
  });

  it('reports connection refused on a closed port', async () => {
    const url = `ldap://127.0.0.1:${await closedPort()}`;
    const { instance } = await provider({ url });
    const test = keep(await instance.testConnection!());
    expect(test).toMatchObject({ success: false, details: { code: 'CONNECTION_REFUSED' } });
    expect(test.message).toBe(`Connection refused by ${new URL(url).host}: nothing listens on that port`);
    await expect(instance.authenticate({ username: 'alice', password: USER_CANARY })).rejects.toThrow(/^Connection refused by/);
  });

  it('times out on a server that never answers', async () => {
    const silent = await startSilentServer();
    try {
      const url = `ldap://127.0.0.1:${silent.port}`;
      const { instance } = await provider({ url, operationTimeoutMs: 300 });
      // The server never answers: only the timeout can end the check.
      const health = keep(await instance.healthCheck!());
      expect(health).toMatchObject({ status: 'unhealthy', message: `127.0.0.1:${silent.port} did not answer within 300 ms`, details: { code: 'TIMEOUT' } });
    } finally {
      await silent.close();
    }
  });

  it('upgrades with StartTLS and connects over ldaps://, verifying the certificate unless allowed', async () => {
    const startTls = await provider({ startTls: true, allowSelfSigned: true });
    expect(keep(await startTls.instance.testConnection!()).success).toBe(true);
    expect(keep(await startTls.instance.authenticate({ username: 'alice', password: USER_CANARY })).authenticated).toBe(true);

    const ldaps = await provider({ url: slapd.ldapsUrl!, allowSelfSigned: true });
    const overTls = keep(await ldaps.instance.testConnection!());
    expect(overTls).toMatchObject({ success: true, details: { tls: 'ldaps' } });

    const strict = await provider({ startTls: true, allowSelfSigned: false });
    const refused = keep(await strict.instance.testConnection!());
    expect(refused).toMatchObject({ success: false, details: { code: 'TLS_CERTIFICATE' } });
    expect(refused.message).toMatch(/is not trusted .*Allow self-signed certificates/);
  });

  it('explains a StartTLS refusal by a server without TLS', async () => {
    const plain = await startSlapd({ suffix: SUFFIX, rootPassword: 'root-password', seed });
    try {
      const { instance } = await provider({ url: plain.url, startTls: true, allowSelfSigned: true });
      const test = keep(await instance.testConnection!());
      expect(test).toMatchObject({ success: false, details: { code: 'STARTTLS_UNAVAILABLE' } });
      expect(test.message).toMatch(/refused StartTLS \(LDAP \d+\): it has no TLS configured; use ldaps:\/\/ or turn StartTLS off/);
    } finally {
      await plain.stop();
    }
  });

  it('opens its socket through the egress gate and reports its refusal', async () => {
    const { instance } = await provider({}, { egress: loopbackBlockingGate });
    const test = keep(await instance.testConnection!());
    const { host, hostname } = new URL(slapd.url);
    expect(test).toMatchObject({ details: { code: 'EGRESS_BLOCKED' } });
    expect(test).toMatchObject({ success: false, message: expect.stringMatching(`^Not allowed to connect to ${host}: Outbound connection to ${hostname} blocked: .*private or loopback`) });
  });

  it('refuses inconsistent configurations at configure time', () => {
    expect(() => ldapPlugin.createProvider(config({ url: 'ldaps://ldap.example.com', startTls: true }), createTestPluginContext())).toThrow('StartTLS is for ldap:// URLs');
    expect(() => ldapPlugin.createProvider(config({ url: 'http://ldap.example.com' }), createTestPluginContext())).toThrow('Server URL must start with ldap:// or ldaps://');
    expect(() => ldapPlugin.createProvider(config({ url: 'ldap://ldap.example.com/dc=example,dc=org' }), createTestPluginContext())).toThrow('Server URL must be only ldap(s)://host[:port]');
    expect(() => ldapPlugin.createProvider(config({ bindPassword: undefined }), createTestPluginContext())).toThrow('Bind password is required when a bind DN is set');
    expect(() => ldapPlugin.createProvider(config({ bindDn: undefined }), createTestPluginContext())).toThrow('Bind DN is required when a bind password is set');
    expect(() => ldapPlugin.createProvider(config({ userFilter: '(uid=alice)' }), createTestPluginContext())).toThrow('User search filter must contain {username}');
    expect(() => ldapPlugin.createProvider(config({ userFilter: '(&(uid={username})' }), createTestPluginContext())).toThrow('User search filter is not a valid LDAP filter');
  });

  it('never reveals the service or user password', () => {
    expect(outputs.length).toBeGreaterThan(10);
    for (const context of contexts) {
      const said = everythingSaid(context, ...outputs);
      expect(said).not.toContain(SERVICE_CANARY);
      expect(said).not.toContain(USER_CANARY);
    }
  });
});
