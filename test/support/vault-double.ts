import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

/**
 * A HashiCorp Vault double for tests: a real HTTP server on 127.0.0.1 that answers the parts
 * of Vault's HTTP API Plugform uses the way Vault documents them (no Vault server can be
 * installed on these machines; see DESIGN.md).
 *
 * Covered, with Vault's status codes and bodies:
 * - Token auth via `X-Vault-Token` (or `Authorization: Bearer`): a missing, unknown or
 *   expired token → 403 `{"errors":["permission denied"]}`; a path the "policy" denies →
 *   403 `{"errors":["1 error occurred:\n\t* permission denied\n\n"]}`.
 * - `X-Vault-Namespace`: mounts, data, AppRoles and tokens live in a namespace; a token is
 *   valid in its namespace and below it. (Namespaces given as a path prefix are not modelled.)
 * - KV v2 (`vault secrets enable -version=2 kv`): `GET/POST/PUT/DELETE <mount>/data/<key>`
 *   (`?version=`, `options.cas`, soft delete of the latest version, 404 with metadata for a
 *   deleted version), `GET/DELETE <mount>/metadata/<key>`, `max_versions` 10, `cas_required`.
 * - KV v1 mounts, to show what a wrongly configured mount looks like (204 on write).
 * - Unknown mount → 404 `no handler for route "<path>". route entry not found.`
 * - `sys/health` (200 active, 503 sealed; `sealedcode`/`activecode`/`standbyok` honoured).
 * - Sealed mode: every other request → 503 `{"errors":["Vault is sealed"]}`.
 * - `auth/<approle>/login` (400 `invalid role or secret ID`), `auth/token/lookup-self`,
 *   `auth/token/renew-self` (increment, max TTL capping with Vault's warning), token expiry.
 * - Test controls: `denyPath()` (403 for a path prefix), `hang()` (accept, never answer),
 *   `seal()`, `revokeToken()`, the request log `requests`, and `kvKey()` to inspect storage.
 */

export interface RecordedRequest {
  method: string;
  /** Path after `/v1/`, e.g. `secret/data/plugform/instances/abc`. */
  path: string;
  query: Record<string, string>;
  token: string | undefined;
  namespace: string | undefined;
  body: unknown;
  at: number;
}

export interface KvVersion {
  data: Record<string, unknown> | null;
  created_time: string;
  deletion_time: string;
  destroyed: boolean;
}

export interface KvKey {
  versions: Map<number, KvVersion>;
  current_version: number;
  oldest_version: number;
  created_time: string;
  updated_time: string;
}

interface Mount {
  type: 'kv';
  version: 1 | 2;
  casRequired: boolean;
  maxVersions: number;
  v2: Map<string, KvKey>;
  v1: Map<string, Record<string, unknown>>;
}

interface TokenEntry {
  id: string;
  accessor: string;
  namespace: string;
  policies: string[];
  /** seconds; 0 = never expires (root) */
  creationTtl: number;
  /** seconds since issue after which renewals stop; 0 = no max */
  maxTtl: number;
  renewable: boolean;
  issuedAt: number;
  expiresAt: number | undefined;
  path: string;
  displayName: string;
  meta: Record<string, string> | null;
}

interface AppRole {
  roleName: string;
  roleId: string;
  secretId: string;
  tokenTtl: number;
  tokenMaxTtl: number;
  policies: string[];
}

interface DenyRule {
  prefix: string;
  methods: string[] | undefined;
}

export interface VaultDoubleOptions {
  /** The root token (root namespace, no TTL). Random by default. */
  rootToken?: string;
  /** KV v2 mounts in the root namespace (default `["secret"]`, like `vault server -dev`). */
  mounts?: string[];
  /** Serve HTTPS with this key and certificate (PEM), for VAULT_CACERT tests. */
  tls?: { key: string | Buffer; cert: string | Buffer };
}

export interface VaultDouble {
  readonly url: string;
  readonly port: number;
  readonly rootToken: string;
  /** Every request received, in order (bodies included: secrets stay in this process). */
  readonly requests: RecordedRequest[];
  clearRequests(): void;
  seal(): void;
  unseal(): void;
  /** While on, requests are received and logged but never answered. */
  hang(on?: boolean): void;
  /** 403 for requests whose path starts with `prefix` (optionally only these methods). */
  denyPath(prefix: string, methods?: string[]): void;
  allowAll(): void;
  addMount(path: string, options?: { namespace?: string; version?: 1 | 2; casRequired?: boolean }): void;
  /** Enables AppRole at auth/<mount> and creates a role; returns its credentials. */
  addAppRole(options: {
    tokenTtl: number;
    tokenMaxTtl?: number;
    namespace?: string;
    mount?: string;
    roleName?: string;
    roleId?: string;
    secretId?: string;
    policies?: string[];
  }): { roleId: string; secretId: string };
  createToken(options?: { ttl?: number; maxTtl?: number; renewable?: boolean; namespace?: string; policies?: string[] }): string;
  revokeToken(token: string): void;
  /** Tokens currently valid (for assertions about re-login). */
  liveTokens(): string[];
  kvKey(mount: string, key: string, namespace?: string): KvKey | undefined;
  close(): Promise<void>;
}

const PERMISSION_DENIED = 'permission denied';
const POLICY_DENIED = '1 error occurred:\n\t* permission denied\n\n';
const MAX_VERSIONS_DEFAULT = 10;

function normalizeNamespace(raw: string | undefined): string {
  return (raw ?? '').replace(/^\/+|\/+$/g, '');
}

function now(): string {
  return new Date().toISOString();
}

function envelope(extra: Record<string, unknown>): Record<string, unknown> {
  return {
    request_id: randomUUID(),
    lease_id: '',
    renewable: false,
    lease_duration: 0,
    data: null,
    wrap_info: null,
    warnings: null,
    auth: null,
    ...extra,
  };
}

function vaultToken(): string {
  // Vault 1.10+ service tokens look like hvs.<base62>; the exact alphabet does not matter here.
  return `hvs.${randomBytes(18).toString('base64url')}`;
}

export async function startVaultDouble(options: VaultDoubleOptions = {}): Promise<VaultDouble> {
  const rootToken = options.rootToken ?? vaultToken();
  const requests: RecordedRequest[] = [];
  const namespaces = new Map<string, { mounts: Map<string, Mount>; approle: Map<string, AppRole[]> }>();
  const tokens = new Map<string, TokenEntry>();
  const deny: DenyRule[] = [];
  const hanging = new Set<ServerResponse>();
  let sealed = false;
  let hangAll = false;

  const space = (ns: string) => {
    let entry = namespaces.get(ns);
    if (!entry) {
      entry = { mounts: new Map(), approle: new Map() };
      namespaces.set(ns, entry);
    }
    return entry;
  };

  const addMount: VaultDouble['addMount'] = (path, opts = {}) => {
    space(normalizeNamespace(opts.namespace)).mounts.set(path.replace(/^\/+|\/+$/g, ''), {
      type: 'kv',
      version: opts.version ?? 2,
      casRequired: opts.casRequired ?? false,
      maxVersions: MAX_VERSIONS_DEFAULT,
      v2: new Map(),
      v1: new Map(),
    });
  };
  for (const mount of options.mounts ?? ['secret']) addMount(mount);

  const issueToken = (opts: {
    ttl: number;
    maxTtl: number;
    renewable: boolean;
    namespace: string;
    policies: string[];
    path: string;
    displayName: string;
    meta: Record<string, string> | null;
  }): TokenEntry => {
    const issuedAt = Date.now();
    const entry: TokenEntry = {
      id: vaultToken(),
      accessor: randomBytes(12).toString('base64url'),
      namespace: opts.namespace,
      policies: opts.policies,
      creationTtl: opts.ttl,
      maxTtl: opts.maxTtl,
      renewable: opts.renewable,
      issuedAt,
      expiresAt: opts.ttl > 0 ? issuedAt + opts.ttl * 1000 : undefined,
      path: opts.path,
      displayName: opts.displayName,
      meta: opts.meta,
    };
    tokens.set(entry.id, entry);
    return entry;
  };

  tokens.set(rootToken, {
    id: rootToken,
    accessor: randomBytes(12).toString('base64url'),
    namespace: '',
    policies: ['root'],
    creationTtl: 0,
    maxTtl: 0,
    renewable: false,
    issuedAt: Date.now(),
    expiresAt: undefined,
    path: 'auth/token/root',
    displayName: 'root',
    meta: null,
  });

  const liveToken = (id: string | undefined): TokenEntry | undefined => {
    if (!id) return undefined;
    const entry = tokens.get(id);
    if (!entry) return undefined;
    if (entry.expiresAt !== undefined && Date.now() >= entry.expiresAt) {
      tokens.delete(id); // Vault revokes a token when its TTL runs out.
      return undefined;
    }
    return entry;
  };

  const send = (res: ServerResponse, status: number, body?: unknown) => {
    if (body === undefined) {
      res.writeHead(status, { 'Cache-Control': 'no-store' });
      res.end();
      return;
    }
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  };
  const fail = (res: ServerResponse, status: number, ...errors: string[]) => send(res, status, { errors });

  function health(res: ServerResponse, query: Record<string, string>, method: string) {
    const code = (name: string, fallback: number) => (query[name] !== undefined ? Number(query[name]) : fallback);
    const status = sealed ? code('sealedcode', 503) : code('activecode', 200);
    const body: Record<string, unknown> = {
      initialized: true,
      sealed,
      standby: sealed,
      performance_standby: false,
      replication_performance_mode: 'disabled',
      replication_dr_mode: 'disabled',
      server_time_utc: Math.floor(Date.now() / 1000),
      version: '1.17.3',
      enterprise: false,
      echo_duration_ms: 0,
      clock_skew_ms: 0,
      replication_primary_canary_age_ms: 0,
    };
    if (!sealed) {
      body.cluster_name = 'vault-cluster-double';
      body.cluster_id = '5f3c4b5e-0000-4000-8000-000000000000';
    }
    if (method === 'HEAD') return send(res, status);
    send(res, status, body);
  }

  function authBlock(entry: TokenEntry, leaseDuration: number) {
    return {
      client_token: entry.id,
      accessor: entry.accessor,
      policies: entry.policies,
      token_policies: entry.policies,
      metadata: entry.meta,
      lease_duration: leaseDuration,
      renewable: entry.renewable,
      entity_id: '',
      token_type: 'service',
      orphan: true,
      mfa_requirement: null,
      num_uses: 0,
    };
  }

  function approleLogin(res: ServerResponse, ns: string, mount: string, body: unknown) {
    const roles = space(ns).approle.get(mount);
    if (!roles) return fail(res, 404, `no handler for route "auth/${mount}/login". route entry not found.`);
    const b = (body ?? {}) as { role_id?: unknown; secret_id?: unknown };
    if (typeof b.role_id !== 'string' || b.role_id === '') return fail(res, 400, 'missing role_id');
    const role = roles.find((r) => r.roleId === b.role_id && r.secretId === b.secret_id);
    if (!role) return fail(res, 400, 'invalid role or secret ID');
    const entry = issueToken({
      ttl: role.tokenTtl,
      maxTtl: role.tokenMaxTtl,
      renewable: true,
      namespace: ns,
      policies: ['default', ...role.policies],
      path: `auth/${mount}/login`,
      displayName: mount,
      meta: { role_name: role.roleName },
    });
    send(res, 200, envelope({ auth: authBlock(entry, role.tokenTtl) }));
  }

  function lookupSelf(res: ServerResponse, entry: TokenEntry) {
    const ttl = entry.expiresAt === undefined ? 0 : Math.max(0, Math.round((entry.expiresAt - Date.now()) / 1000));
    send(
      res,
      200,
      envelope({
        data: {
          accessor: entry.accessor,
          creation_time: Math.floor(entry.issuedAt / 1000),
          creation_ttl: entry.creationTtl,
          display_name: entry.displayName,
          entity_id: '',
          expire_time: entry.expiresAt === undefined ? null : new Date(entry.expiresAt).toISOString(),
          explicit_max_ttl: 0,
          id: entry.id,
          issue_time: new Date(entry.issuedAt).toISOString(),
          meta: entry.meta,
          num_uses: 0,
          orphan: true,
          path: entry.path,
          policies: entry.policies,
          renewable: entry.renewable,
          ttl,
          type: 'service',
        },
      }),
    );
  }

  function renewSelf(res: ServerResponse, entry: TokenEntry, body: unknown) {
    if (!entry.renewable || entry.creationTtl === 0) return fail(res, 400, 'lease is not renewable');
    const raw = (body as { increment?: unknown } | undefined)?.increment;
    let increment = entry.creationTtl;
    if (typeof raw === 'number') increment = raw;
    else if (typeof raw === 'string' && /^\d+s?$/.test(raw)) increment = Number.parseInt(raw, 10);
    let ttl = increment;
    const warnings: string[] = [];
    if (entry.maxTtl > 0) {
      const remaining = Math.floor((entry.issuedAt + entry.maxTtl * 1000 - Date.now()) / 1000);
      if (ttl > remaining) {
        warnings.push(`TTL of "${increment}s" exceeded the effective max_ttl of "${Math.max(0, remaining)}s"; TTL value is capped accordingly`);
        ttl = Math.max(0, remaining);
      }
    }
    entry.expiresAt = Date.now() + ttl * 1000;
    send(res, 200, envelope({ auth: authBlock(entry, ttl), warnings: warnings.length ? warnings : null }));
  }

  function versionMetadata(key: KvKey, version: number) {
    const v = key.versions.get(version)!;
    return { created_time: v.created_time, custom_metadata: null, deletion_time: v.deletion_time, destroyed: v.destroyed, version };
  }

  function kvV2(res: ServerResponse, method: string, mount: Mount, rest: string, query: Record<string, string>, body: unknown) {
    const slash = rest.indexOf('/');
    const kind = slash < 0 ? rest : rest.slice(0, slash);
    const keyPath = slash < 0 ? '' : rest.slice(slash + 1).replace(/\/+$/, '');
    if (kind === 'config' && keyPath === '' && method === 'GET') {
      return send(res, 200, envelope({ data: { cas_required: mount.casRequired, delete_version_after: '0s', max_versions: 0 } }));
    }
    if ((kind !== 'data' && kind !== 'metadata') || keyPath === '') return fail(res, 404, '1 error occurred:\n\t* unsupported path\n\n');
    const key = mount.v2.get(keyPath);

    if (kind === 'data') {
      if (method === 'GET') {
        if (!key) return fail(res, 404);
        const wanted = query.version !== undefined && Number(query.version) > 0 ? Number(query.version) : key.current_version;
        const version = key.versions.get(wanted);
        if (!version) return fail(res, 404);
        const metadata = versionMetadata(key, wanted);
        // A deleted or destroyed version: 404, but with its metadata (what the CLI shows).
        if (version.destroyed || (version.deletion_time !== '' && Date.parse(version.deletion_time) <= Date.now())) {
          return send(res, 404, envelope({ data: { data: null, metadata } }));
        }
        return send(res, 200, envelope({ data: { data: version.data, metadata }, mount_type: 'kv' }));
      }
      if (method === 'POST' || method === 'PUT') {
        const b = (body ?? {}) as { data?: unknown; options?: { cas?: unknown } };
        if (typeof b.data !== 'object' || b.data === null || Array.isArray(b.data)) return fail(res, 400, 'no data provided');
        const casRaw = b.options?.cas;
        const cas = typeof casRaw === 'number' ? casRaw : typeof casRaw === 'string' && /^\d+$/.test(casRaw) ? Number(casRaw) : undefined;
        if (casRaw !== undefined && cas === undefined) return fail(res, 400, `error converting input ${JSON.stringify(casRaw)} for field "cas"`);
        if (mount.casRequired && cas === undefined) return fail(res, 400, 'check-and-set parameter required for this call');
        const current = key?.current_version ?? 0;
        if (cas !== undefined && cas !== current) return fail(res, 400, 'check-and-set parameter did not match the current version');
        const stamp = now();
        const entry: KvKey = key ?? { versions: new Map(), current_version: 0, oldest_version: 0, created_time: stamp, updated_time: stamp };
        const version = current + 1;
        entry.versions.set(version, { data: structuredClone(b.data as Record<string, unknown>), created_time: stamp, deletion_time: '', destroyed: false });
        entry.current_version = version;
        entry.updated_time = stamp;
        // KV v2 keeps max_versions (default 10); older versions are removed for good.
        while (entry.versions.size > mount.maxVersions) {
          entry.versions.delete(Math.min(...entry.versions.keys()));
          entry.oldest_version = Math.min(...entry.versions.keys());
        }
        mount.v2.set(keyPath, entry);
        return send(res, 200, envelope({ data: versionMetadata(entry, version), mount_type: 'kv' }));
      }
      if (method === 'DELETE') {
        // Soft delete of the latest version; the data stays until destroyed or metadata-deleted.
        const latest = key?.versions.get(key.current_version);
        if (latest && latest.deletion_time === '') latest.deletion_time = now();
        return send(res, 204);
      }
      return fail(res, 405, '1 error occurred:\n\t* unsupported operation\n\n');
    }

    // metadata
    if (method === 'GET') {
      if (!key) return fail(res, 404);
      const versions: Record<string, unknown> = {};
      for (const [n, v] of key.versions) versions[String(n)] = { created_time: v.created_time, deletion_time: v.deletion_time, destroyed: v.destroyed };
      return send(
        res,
        200,
        envelope({
          data: {
            cas_required: mount.casRequired,
            created_time: key.created_time,
            current_version: key.current_version,
            custom_metadata: null,
            delete_version_after: '0s',
            max_versions: 0,
            oldest_version: key.oldest_version,
            updated_time: key.updated_time,
            versions,
          },
        }),
      );
    }
    if (method === 'DELETE') {
      // Deletes the key's metadata and every version, permanently.
      mount.v2.delete(keyPath);
      return send(res, 204);
    }
    return fail(res, 405, '1 error occurred:\n\t* unsupported operation\n\n');
  }

  function kvV1(res: ServerResponse, method: string, mount: Mount, key: string, body: unknown) {
    if (key === '') return fail(res, 404, '1 error occurred:\n\t* unsupported path\n\n');
    if (method === 'GET') {
      const data = mount.v1.get(key);
      return data ? send(res, 200, envelope({ data })) : fail(res, 404);
    }
    if (method === 'POST' || method === 'PUT') {
      mount.v1.set(key, structuredClone((body ?? {}) as Record<string, unknown>));
      return send(res, 204);
    }
    if (method === 'DELETE') {
      mount.v1.delete(key);
      return send(res, 204);
    }
    return fail(res, 405, '1 error occurred:\n\t* unsupported operation\n\n');
  }

  function handle(req: IncomingMessage, res: ServerResponse, rawBody: string) {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    const query = Object.fromEntries(url.searchParams);
    const headerToken = req.headers['x-vault-token'];
    const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const token = (Array.isArray(headerToken) ? headerToken[0] : headerToken) ?? bearer;
    const nsHeader = req.headers['x-vault-namespace'];
    const namespaceRaw = Array.isArray(nsHeader) ? nsHeader[0] : nsHeader;
    const ns = normalizeNamespace(namespaceRaw);

    let body: unknown;
    if (rawBody !== '') {
      try {
        body = JSON.parse(rawBody);
      } catch (error) {
        requests.push({ method, path: url.pathname.replace(/^\/v1\//, ''), query, token, namespace: namespaceRaw, body: rawBody, at: Date.now() });
        return fail(res, 400, `failed to parse JSON input: ${(error as Error).message}`);
      }
    }
    if (!url.pathname.startsWith('/v1/')) return fail(res, 404);
    const path = decodeURIComponent(url.pathname.slice('/v1/'.length)).replace(/\/+$/, '');
    requests.push({ method, path, query, token, namespace: namespaceRaw, body, at: Date.now() });

    if (hangAll) {
      hanging.add(res);
      res.on('close', () => hanging.delete(res));
      return;
    }
    if (path === 'sys/health' && (method === 'GET' || method === 'HEAD')) return health(res, query, method);
    if (sealed) return fail(res, 503, 'Vault is sealed');

    // Unauthenticated: AppRole login.
    const login = /^auth\/(.+)\/login$/.exec(path);
    if (login && login[1] !== 'token' && (method === 'POST' || method === 'PUT')) return approleLogin(res, ns, login[1]!, body);

    const entry = liveToken(token);
    if (!entry) return fail(res, 403, PERMISSION_DENIED);
    // A token works in the namespace it was created in and in the namespaces below it.
    if (!(ns === entry.namespace || entry.namespace === '' || ns.startsWith(`${entry.namespace}/`))) return fail(res, 403, PERMISSION_DENIED);
    if (deny.some((rule) => path.startsWith(rule.prefix) && (!rule.methods || rule.methods.includes(method)))) {
      return fail(res, 403, POLICY_DENIED);
    }

    if (path === 'auth/token/lookup-self' && (method === 'GET' || method === 'POST')) return lookupSelf(res, entry);
    if (path === 'auth/token/renew-self' && (method === 'POST' || method === 'PUT')) return renewSelf(res, entry, body);

    const mounts = space(ns).mounts;
    const mountPath = [...mounts.keys()].filter((m) => path === m || path.startsWith(`${m}/`)).sort((a, b) => b.length - a.length)[0];
    if (mountPath === undefined) return fail(res, 404, `no handler for route "${path}". route entry not found.`);
    const mount = mounts.get(mountPath)!;
    const rest = path.slice(mountPath.length + 1);
    if (mount.version === 1) return kvV1(res, method, mount, rest, body);
    return kvV2(res, method, mount, rest, query, body);
  }

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      try {
        handle(req, res, Buffer.concat(chunks).toString('utf8'));
      } catch (error) {
        fail(res, 500, `1 error occurred:\n\t* ${(error as Error).message}\n\n`);
      }
    });
  };
  const server: Server = options.tls ? createTlsServer({ key: options.tls.key, cert: options.tls.cert }, onRequest) : createServer(onRequest);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    rootToken,
    requests,
    clearRequests: () => {
      requests.length = 0;
    },
    seal: () => {
      sealed = true;
    },
    unseal: () => {
      sealed = false;
    },
    hang: (on = true) => {
      hangAll = on;
    },
    denyPath: (prefix, methods) => {
      deny.push({ prefix: prefix.replace(/^\/+/, ''), methods: methods?.map((m) => m.toUpperCase()) });
    },
    allowAll: () => {
      deny.length = 0;
    },
    addMount,
    addAppRole: (opts) => {
      const ns = normalizeNamespace(opts.namespace);
      const mount = opts.mount ?? 'approle';
      const role: AppRole = {
        roleName: opts.roleName ?? 'plugform',
        roleId: opts.roleId ?? randomUUID(),
        secretId: opts.secretId ?? randomUUID(),
        tokenTtl: opts.tokenTtl,
        tokenMaxTtl: opts.tokenMaxTtl ?? 0,
        policies: opts.policies ?? ['plugform'],
      };
      const roles = space(ns).approle.get(mount) ?? [];
      roles.push(role);
      space(ns).approle.set(mount, roles);
      return { roleId: role.roleId, secretId: role.secretId };
    },
    createToken: (opts = {}) =>
      issueToken({
        ttl: opts.ttl ?? 0,
        maxTtl: opts.maxTtl ?? 0,
        renewable: opts.renewable ?? (opts.ttl ?? 0) > 0,
        namespace: normalizeNamespace(opts.namespace),
        policies: opts.policies ?? ['default'],
        path: 'auth/token/create',
        displayName: 'token',
        meta: null,
      }).id,
    revokeToken: (id) => {
      tokens.delete(id);
    },
    liveTokens: () => [...tokens.keys()].filter((id) => liveToken(id) !== undefined),
    kvKey: (mount, key, namespace) => space(normalizeNamespace(namespace)).mounts.get(mount)?.v2.get(key),
    close: async () => {
      for (const res of hanging) res.destroy();
      hanging.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
