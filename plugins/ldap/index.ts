/**
 * LDAP authentication: checks a username and password against a directory (OpenLDAP, Active
 * Directory, 389 DS, FreeIPA …) with `ldapts`.
 *
 * The classic "search then bind" flow:
 *   1. bind as the service account (or anonymously when none is configured);
 *   2. search the user under the base DN with the user filter, the username escaped;
 *   3. bind as the DN found, with the password given — the directory checks it.
 * Each call uses its own short connection with connect and operation timeouts; nothing is
 * pooled, so a provider holds no socket and no bound session between calls.
 */
import { Client, FilterParser, InvalidCredentialsError, NoSuchObjectError, ResultCodeError } from 'ldapts';
import type { Entry } from 'ldapts';
import type { ConnectionOptions } from 'node:tls';
import { isIP } from 'node:net';
import { definePlugin } from '../sdk/index.ts';
import type { AuthenticationProvider, AuthenticationResult, ConfigOf, FieldSpec, HealthReport, PluginContext, TestReport } from '../sdk/index.ts';

const fields = [
  {
    key: 'url',
    label: 'Server URL',
    type: 'STRING',
    destination: true,
    required: true,
    maxLength: 512,
    validationRules: [{ type: 'pattern', value: '^ldaps?://[^/\\s]+/?$', message: 'Use ldap://host[:port] or ldaps://host[:port]' }],
    placeholder: 'ldaps://ldap.example.com',
    helpText: 'ldaps:// is TLS from the first byte (port 636); ldap:// is plain (port 389) unless StartTLS is on.',
    group: 'Connection',
    order: 1,
  },
  {
    key: 'startTls',
    label: 'Use StartTLS',
    type: 'BOOLEAN',
    destination: true,
    default: false,
    helpText: 'Upgrade an ldap:// connection to TLS before sending any password. Not needed with ldaps://.',
    group: 'Connection',
    order: 2,
  },
  {
    key: 'allowSelfSigned',
    label: 'Allow self-signed certificates',
    type: 'BOOLEAN',
    destination: true,
    default: false,
    helpText: "Skip verification of the server's certificate (ldaps:// and StartTLS). Only for internal servers; it allows interception.",
    group: 'Connection',
    order: 3,
  },
  {
    key: 'bindDn',
    label: 'Bind DN',
    type: 'STRING',
    maxLength: 1024,
    placeholder: 'cn=plugform,ou=services,dc=example,dc=org',
    helpText: 'The service account that searches for users. Leave empty to search anonymously.',
    group: 'Service account',
    order: 1,
  },
  {
    key: 'bindPassword',
    label: 'Bind password',
    type: 'SECRET',
    maxLength: 1024,
    group: 'Service account',
    order: 2,
  },
  {
    key: 'baseDn',
    label: 'Base DN',
    type: 'STRING',
    required: true,
    minLength: 1,
    maxLength: 1024,
    placeholder: 'ou=people,dc=example,dc=org',
    helpText: 'Where users are searched.',
    group: 'Users',
    order: 1,
  },
  {
    key: 'userFilter',
    label: 'User search filter',
    type: 'STRING',
    default: '(uid={username})',
    maxLength: 1024,
    validationRules: [
      { type: 'pattern', value: '^\\(.*\\{username\\}.*\\)$', message: 'The filter must be in parentheses and contain {username}' },
    ],
    helpText: '{username} is replaced by the escaped username. Active Directory: (sAMAccountName={username}).',
    group: 'Users',
    order: 2,
  },
  {
    key: 'searchScope',
    label: 'Search scope',
    type: 'SELECT',
    default: 'sub',
    options: [
      { value: 'sub', label: 'Whole subtree', description: 'The base DN and everything below it.' },
      { value: 'one', label: 'One level', description: 'Only the direct children of the base DN.' },
    ],
    group: 'Users',
    order: 3,
  },
  {
    key: 'attributes',
    label: 'Attributes to return',
    type: 'ARRAY',
    itemType: 'STRING',
    default: ['uid', 'cn', 'mail', 'displayName'],
    maxLength: 50,
    helpText: 'User attributes returned with a successful login. Password attributes are never returned.',
    group: 'Users',
    order: 4,
  },
  {
    key: 'connectTimeoutMs',
    label: 'Connect timeout (ms)',
    type: 'INTEGER',
    default: 5_000,
    minValue: 100,
    maxValue: 60_000,
    group: 'Timeouts',
    order: 1,
  },
  {
    key: 'operationTimeoutMs',
    label: 'Operation timeout (ms)',
    type: 'INTEGER',
    default: 10_000,
    minValue: 100,
    maxValue: 120_000,
    helpText: 'Limit for each bind and search.',
    group: 'Timeouts',
    order: 2,
  },
] as const satisfies readonly FieldSpec[];

export type LdapConfig = ConfigOf<typeof fields>;

export default definePlugin({
  name: 'ldap',
  displayName: 'LDAP',
  type: 'AUTHENTICATION',
  version: '1.0.0',
  description: 'Authenticate users against an LDAP directory (OpenLDAP, Active Directory, FreeIPA …).',
  author: 'Plugform',
  homepage: 'https://github.com/ldapts/ldapts',
  tags: ['ldap', 'authentication', 'directory', 'active-directory'],
  groups: ['Connection', 'Service account', 'Users', 'Timeouts'],
  fields,
  supportsHealthCheck: true,
  supportsTestConnection: true,
  createProvider: (config, context) => createLdapProvider(config, context),
});

/** One message for "no such user" and "wrong password", so callers cannot probe for usernames. */
const REJECTED = 'Invalid username or password';

/** Attributes that hold password material; never returned, whatever the configuration says. */
const PASSWORD_ATTRIBUTES = new Set(['userpassword', 'unicodepwd', 'sambantpassword', 'sambalmpassword', 'authpassword']);

function createLdapProvider(config: LdapConfig, context: PluginContext): AuthenticationProvider<LdapConfig> {
  checkConfig(config);

  /**
   * Opens a connection (through the platform's egress gate, StartTLS if asked), runs `work`,
   * always unbinds. ldapts opens its socket with the factories given here, so the gate checks
   * the address actually connected.
   */
  async function withConnection<T>(cfg: LdapConfig, work: (client: Client) => Promise<T>): Promise<T> {
    const target = new URL(cfg.url);
    const port = Number(target.port) || (target.protocol === 'ldaps:' ? 636 : 389);
    const client = new Client({
      url: cfg.url,
      createConnection: ((connectPort: number, host: string) => context.egress.connect({ port: connectPort, host })) as typeof import('node:net').connect,
      createSecureConnection: ((connectPortOrOptions: number | ConnectionOptions, host?: string, options?: ConnectionOptions) =>
        typeof connectPortOrOptions === 'number'
          ? context.egress.connectTls({ ...options, port: connectPortOrOptions, host: host ?? target.hostname })
          : context.egress.connectTls(connectPortOrOptions)) as typeof import('node:tls').connect,
      connectTimeout: cfg.connectTimeoutMs,
      timeout: cfg.operationTimeoutMs,
      // Only for ldaps://: ldapts opens TLS from the first byte whenever tlsOptions are given.
      ...(target.protocol === 'ldaps:' ? { tlsOptions: tlsOptionsFor(cfg, target.hostname) } : {}),
    });
    try {
      if (cfg.startTls) await client.startTLS(tlsOptionsFor(cfg, target.hostname));
      return await work(client);
    } finally {
      await client.unbind().catch(() => undefined);
    }
  }

  /** Service bind + read of the base DN entry: what test and health both check. */
  async function probe(cfg: LdapConfig): Promise<{ ok: true } | { ok: false; code: string; message: string }> {
    try {
      await withConnection(cfg, async (client) => {
        await serviceBind(client, cfg);
        const { searchEntries } = await client.search(cfg.baseDn, { scope: 'base', filter: '(objectClass=*)', attributes: ['objectClass'] }).catch((error: unknown) => {
          throw baseDnProblem(error, cfg);
        });
        if (searchEntries.length === 0) throw new LdapProblem('BASE_DN_NOT_FOUND', `Base DN ${cfg.baseDn} was not found or the service account may not read it`);
      });
      return { ok: true };
    } catch (error) {
      const problem = describeLdapError(error, cfg);
      return { ok: false, code: problem.code, message: problem.message };
    }
  }

  return {
    async authenticate(credentials): Promise<AuthenticationResult> {
      const cfg = config;
      const username = credentials['username'] ?? '';
      const password = credentials['password'] ?? '';
      // An empty password makes an LDAP simple bind "unauthenticated" (RFC 4513 5.1.2):
      // many servers accept it as anonymous, which would log anyone in. Refuse it here.
      if (username.trim() === '' || password === '') return { authenticated: false, message: 'Username and password are required' };

      try {
        return await withConnection(cfg, async (client) => {
          await serviceBind(client, cfg);
          const user = await findUser(client, cfg, username);
          if (!user.ok) {
            context.logger.info('ldap login refused', { username, reason: user.reason });
            return { authenticated: false, message: REJECTED };
          }
          try {
            await client.bind(user.entry.dn, password);
          } catch (error) {
            if (!(error instanceof InvalidCredentialsError)) throw error;
            context.logger.info('ldap login refused', { username, reason: 'wrong password' });
            return { authenticated: false, message: REJECTED };
          }
          context.logger.info('ldap login accepted', { username, dn: user.entry.dn });
          return { authenticated: true, userId: user.entry.dn, attributes: attributesOf(user.entry, cfg) };
        });
      } catch (error) {
        // The directory could not give an answer (down, misconfigured): that is not a "no".
        const problem = describeLdapError(error, cfg);
        context.logger.warn('ldap authentication failed', { code: problem.code, reason: problem.message });
        throw new LdapProblem(problem.code, problem.message);
      }
    },

    async testConnection() {
      const cfg = config;
      const result = await probe(cfg);
      const details = endpointDetails(cfg);
      const report: TestReport = result.ok
        ? { success: true, message: `${bindPhrase(cfg)} and read ${cfg.baseDn}`, details }
        : { success: false, message: result.message, details: { ...details, code: result.code } };
      return report;
    },

    async healthCheck() {
      const cfg = config;
      const result = await probe(cfg);
      const details = endpointDetails(cfg);
      const report: HealthReport = result.ok
        ? { status: 'healthy', message: 'Directory reachable; service bind and base DN read succeed', details }
        : { status: 'unhealthy', message: result.message, details: { ...details, code: result.code } };
      return report;
    },
  };
}

/** An error with a stable code, thrown by `authenticate` when the directory gives no answer. */
export class LdapProblem extends Error {
  override readonly name = 'LdapProblem';
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

// ---------------------------------------------------------------------------------------
// Configuration

function checkConfig(cfg: LdapConfig): void {
  let url: URL;
  try {
    url = new URL(cfg.url);
  } catch {
    throw new Error(`Server URL is not a URL: ${cfg.url}`);
  }
  if (url.protocol !== 'ldap:' && url.protocol !== 'ldaps:') throw new Error(`Server URL must start with ldap:// or ldaps:// (got ${url.protocol}//)`);
  if (url.pathname.length > 1 || url.search) throw new Error('Server URL must be only ldap(s)://host[:port]; put the base DN in its own field');
  if (cfg.startTls && url.protocol === 'ldaps:') throw new Error('StartTLS is for ldap:// URLs; an ldaps:// connection is encrypted already');
  if (cfg.bindDn && !cfg.bindPassword) throw new Error('Bind password is required when a bind DN is set');
  if (!cfg.bindDn && cfg.bindPassword) throw new Error('Bind DN is required when a bind password is set');
  if (!cfg.userFilter.includes('{username}')) throw new Error('User search filter must contain {username}');
  if (!isOneParenthesizedFilter(cfg.userFilter)) throw new Error('User search filter is not a valid LDAP filter: its parentheses do not balance');
  try {
    FilterParser.parseString(userFilterFor(cfg, 'probe'));
  } catch (error) {
    throw new Error(`User search filter is not a valid LDAP filter: ${messageOf(error)}`);
  }
}

/**
 * True when the whole text is one filter in balanced parentheses. A literal parenthesis in a
 * filter value is always escaped (`\28`, `\29`), so counting is exact. (ldapts's parser is
 * lenient and would accept `(&(uid=x)`.)
 */
function isOneParenthesizedFilter(filter: string): boolean {
  let depth = 0;
  for (let i = 0; i < filter.length; i++) {
    const c = filter[i];
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (depth < 0 || (depth === 0 && i < filter.length - 1)) return false;
  }
  return depth === 0 && filter.startsWith('(');
}

function tlsOptionsFor(cfg: LdapConfig, hostname: string): ConnectionOptions {
  return {
    rejectUnauthorized: !cfg.allowSelfSigned,
    minVersion: 'TLSv1.2',
    // SNI takes host names only; Node warns when given an IP address.
    ...(isIP(hostname) ? {} : { servername: hostname }),
  };
}

function endpointDetails(cfg: LdapConfig): Record<string, unknown> {
  const secure = cfg.url.startsWith('ldaps:') ? 'ldaps' : cfg.startTls ? 'starttls' : 'none';
  return { url: cfg.url, baseDn: cfg.baseDn, tls: secure, bindDn: cfg.bindDn || '(anonymous)' };
}

function bindPhrase(cfg: LdapConfig): string {
  return cfg.bindDn ? `Bound as ${cfg.bindDn}` : 'Connected anonymously';
}

// ---------------------------------------------------------------------------------------
// Search and bind

/**
 * Escapes a value for an LDAP search filter (RFC 4515 section 3): `*`, `(`, `)`, `\` and NUL
 * become `\2a`, `\28`, `\29`, `\5c`, `\00`. Without it, a username `*` would match every
 * user, and `x)(uid=*` would rewrite the filter.
 */
export function escapeFilterValue(value: string): string {
  return value.replace(/[*()\\\0]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

export function userFilterFor(cfg: Pick<LdapConfig, 'userFilter'>, username: string): string {
  return cfg.userFilter.split('{username}').join(escapeFilterValue(username));
}

async function serviceBind(client: Client, cfg: LdapConfig): Promise<void> {
  if (!cfg.bindDn || !cfg.bindPassword) return; // anonymous
  try {
    await client.bind(cfg.bindDn, cfg.bindPassword);
  } catch (error) {
    if (error instanceof InvalidCredentialsError) {
      throw new LdapProblem('SERVICE_BIND_FAILED', `Service bind as ${cfg.bindDn} failed: invalid bind DN or password (LDAP 49)`);
    }
    throw error;
  }
}

type UserLookup = { ok: true; entry: Entry } | { ok: false; reason: string };

async function findUser(client: Client, cfg: LdapConfig, username: string): Promise<UserLookup> {
  const requested = cfg.attributes.filter((a) => !PASSWORD_ATTRIBUTES.has(a.toLowerCase()));
  let entries: Entry[];
  try {
    // Two are enough to tell "one user" from "ambiguous".
    ({ searchEntries: entries } = await client.search(cfg.baseDn, {
      scope: cfg.searchScope,
      filter: userFilterFor(cfg, username),
      attributes: requested.length > 0 ? requested : ['1.1'],
      sizeLimit: 2,
    }));
  } catch (error) {
    if (error instanceof ResultCodeError && error.code === 4) return { ok: false, reason: 'more than one entry matches' };
    throw baseDnProblem(error, cfg);
  }
  if (entries.length === 0) return { ok: false, reason: 'no such user' };
  if (entries.length > 1) return { ok: false, reason: 'more than one entry matches' };
  return { ok: true, entry: entries[0]! };
}

/** Single values as strings, several as string arrays; binary values as base64; never passwords. */
function attributesOf(entry: Entry, cfg: LdapConfig): Record<string, unknown> {
  const wanted = new Map(cfg.attributes.map((a) => [a.toLowerCase(), a]));
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(entry)) {
    const lower = name.toLowerCase();
    if (name === 'dn' || PASSWORD_ATTRIBUTES.has(lower) || !wanted.has(lower)) continue;
    const values = (Array.isArray(value) ? value : [value]).map((v) => (Buffer.isBuffer(v) ? v.toString('base64') : String(v)));
    out[wanted.get(lower) ?? name] = values.length === 1 ? values[0] : values;
  }
  return out;
}

function baseDnProblem(error: unknown, cfg: LdapConfig): unknown {
  if (error instanceof NoSuchObjectError) return new LdapProblem('BASE_DN_NOT_FOUND', `Base DN ${cfg.baseDn} was not found or the service account may not read it`);
  return error;
}

// ---------------------------------------------------------------------------------------
// Errors

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function systemCodeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

/** Words an admin can act on. Never includes a password: only codes, DNs and host names. */
export function describeLdapError(error: unknown, cfg: LdapConfig): { code: string; message: string } {
  const where = new URL(cfg.url).host;
  // Library messages do not carry passwords, but mask the service password in case one ever does.
  const text = cfg.bindPassword ? messageOf(error).split(cfg.bindPassword).join('***') : messageOf(error);
  const result = (code: string, message: string) => ({ code, message });
  if (error instanceof LdapProblem) return result(error.code, error.message);
  if (error instanceof Error && error.name === 'EgressBlockedError') return result('EGRESS_BLOCKED', `Not allowed to connect to ${where}: ${text}`);
  if (error instanceof ResultCodeError) {
    switch (error.code) {
      case 13:
        return result('TLS_REQUIRED', `${where} requires an encrypted connection (LDAP 13): enable StartTLS or use ldaps://`);
      case 8:
        return result('TLS_REQUIRED', `${where} requires a stronger authentication or TLS (LDAP 8): enable StartTLS or use ldaps://`);
      case 50:
        return result('INSUFFICIENT_ACCESS', `The service account may not perform this search at ${where} (LDAP 50)`);
      case 2:
      case 52:
        if (cfg.startTls) return result('STARTTLS_UNAVAILABLE', `${where} refused StartTLS (LDAP ${error.code}): it has no TLS configured; use ldaps:// or turn StartTLS off`);
        break;
    }
    return result('LDAP_ERROR', `${where} answered LDAP ${error.code}: ${text}`);
  }
  const system = systemCodeOf(error);
  if (system === 'ECONNREFUSED') return result('CONNECTION_REFUSED', `Connection refused by ${where}: nothing listens on that port`);
  if (system === 'ENOTFOUND' || system === 'EAI_AGAIN') return result('HOST_NOT_FOUND', `Host ${new URL(cfg.url).hostname} could not be resolved`);
  if (text === 'Connection timeout') return result('TIMEOUT', `Could not connect to ${where} within ${cfg.connectTimeoutMs} ms`);
  if (/Operation timed out/.test(text)) return result('TIMEOUT', `${where} did not answer within ${cfg.operationTimeoutMs} ms`);
  if (/self[- ]signed|unable to verify|certificate|CERT_/i.test(`${text} ${system ?? ''}`)) {
    return result('TLS_CERTIFICATE', `The certificate of ${where} is not trusted (${text.split(';')[0]}); fix the certificate or enable "Allow self-signed certificates"`);
  }
  if (/wrong version number|packet length too long|unknown protocol|ERR_SSL/i.test(`${text} ${system ?? ''}`)) {
    return result('TLS_MISMATCH', `TLS handshake with ${where} failed: the port does not speak TLS; use ldap:// (with StartTLS) for it`);
  }
  if (/Connection closed|Socket error|ECONNRESET/.test(`${text} ${system ?? ''}`)) {
    return result('CONNECTION_CLOSED', `${where} closed the connection: ${text.split('\n')[0]}`);
  }
  return result('ERROR', `LDAP request to ${where} failed: ${text.split('\n')[0]}`);
}
