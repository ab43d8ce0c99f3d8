import { errorCode, redactSecrets } from '../../plugins/sdk/index.ts';
import { withTimeout } from '../timeout.ts';
import { SecretStoreError } from './secret-store.ts';

/**
 * Turns what node-vault/axios throw into SecretStoreErrors that say which failure it was and
 * what to do. The raw error is deliberately not kept as `cause`: axios errors carry the
 * request (body with the secret values, X-Vault-Token header), and a logger that prints
 * causes would leak them.
 */

/** What a failed call was doing, so messages can name it and the setting to check. */
export interface VaultCallContext {
  /** e.g. "read of the secrets of instance abc" */
  op: string;
  /** The API path, e.g. "secret/data/plugform/instances/abc" */
  path: string;
  addr: string;
  namespace?: string | undefined;
  timeoutMs: number;
  /** What a 403 means here and what to check. */
  forbiddenHint: string;
  /** What a "no handler for route" 404 means here (a missing mount). */
  noRouteHint: string;
  /** Strings that must never appear in a message (the values being written). */
  redact?: readonly string[] | undefined;
}

export interface VaultHttpFailure {
  status: number;
  errors: string[];
  body: unknown;
}

/** The HTTP status and Vault's `errors` of a node-vault ApiResponseError, if that is what this is. */
export function httpFailure(error: unknown): VaultHttpFailure | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const response = (error as { response?: { statusCode?: unknown; body?: unknown } }).response;
  if (!response || typeof response.statusCode !== 'number') return undefined;
  const body = response.body;
  const raw = typeof body === 'object' && body !== null ? (body as { errors?: unknown }).errors : undefined;
  const errors = Array.isArray(raw) ? raw.filter((e): e is string => typeof e === 'string') : [];
  return { status: response.statusCode, errors, body };
}

/**
 * Whether a body is Vault's JSON (`{"errors":[...]}` or a response envelope). A 404 without
 * it came from something else at VAULT_ADDR (a web server, a proxy, a wrong path prefix) and
 * must not be read as "no secrets stored".
 */
export function isVaultJson(body: unknown): boolean {
  if (typeof body !== 'object' || body === null) return false;
  const b = body as Record<string, unknown>;
  return Array.isArray(b.errors) || typeof b.request_id === 'string' || (typeof b.data === 'object' && b.data !== null);
}

/** Vault's answer for a path no mount handles: `no handler for route "x". route entry not found.` */
export function isNoRoute(failure: VaultHttpFailure): boolean {
  return failure.status === 404 && failure.errors.some((e) => e.includes('no handler for route'));
}

export function isCasMismatch(failure: VaultHttpFailure): boolean {
  return failure.status === 400 && failure.errors.some((e) => e.includes('check-and-set parameter did not match'));
}

export class DeadlineExceeded extends Error {
  override readonly name = 'DeadlineExceeded';
}

/**
 * Every call gets axios' own timeout (which also frees the socket) and this deadline as a
 * backstop, because axios' timer measures socket inactivity and a server that trickles
 * bytes would never trip it.
 */
export function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  return withTimeout(promise, ms, () => new DeadlineExceeded(`no answer within ${ms} ms`));
}

const TLS_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);


function inNamespace(ctx: VaultCallContext): string {
  return ctx.namespace ? ` (namespace "${ctx.namespace}")` : '';
}

function vaultSaid(failure: VaultHttpFailure): string {
  // Unwrap Vault's multierror formatting ("1 error occurred:\n\t* permission denied\n\n").
  const unwrapped = failure.errors.map((e) => e.replace(/^\d+ errors? occurred:\s*/, '').replace(/^\*\s*/, '').replace(/\n\t\*\s*/g, '; '));
  const text = unwrapped.join('; ').replace(/\s+/g, ' ').trim();
  return text ? `${failure.status} ${text}` : String(failure.status);
}

export function toStoreError(error: unknown, ctx: VaultCallContext): SecretStoreError {
  if (error instanceof SecretStoreError) return error;
  const make = (code: SecretStoreError['code'], message: string) => new SecretStoreError(code, redactSecrets(message, ctx.redact ?? []));
  const where = `Vault at ${ctx.addr}${inNamespace(ctx)}`;

  const failure = httpFailure(error);
  if (failure) {
    const said = vaultSaid(failure);
    if (failure.status === 403) return make('forbidden', `${where} refused the ${ctx.op} at ${ctx.path} (${said}): ${ctx.forbiddenHint}`);
    if (isNoRoute(failure)) return make('not_found', `${where} has nothing mounted for ${ctx.path} (${said}): ${ctx.noRouteHint}`);
    if (!isVaultJson(failure.body)) {
      return make(
        'misconfigured',
        `${ctx.addr} answered the ${ctx.op} with HTTP ${failure.status} but not with Vault's JSON: check that VAULT_ADDR points at the Vault server itself (scheme, host, port, no path), not at a proxy or web server.`,
      );
    }
    if (failure.status === 503) {
      if (failure.errors.some((e) => /sealed/i.test(e))) {
        return make('sealed', `${where} is sealed (${said}); unseal it (\`vault operator unseal\`) and retry.`);
      }
      return make('unreachable', `${where} is unavailable (${said}) during the ${ctx.op}; check Vault's status and logs.`);
    }
    if (failure.status >= 500 || failure.status === 429) {
      return make('unreachable', `${where} failed the ${ctx.op} at ${ctx.path} (${said}); check Vault's status and logs.`);
    }
    return make('io', `${where} rejected the ${ctx.op} at ${ctx.path} (${said}).`);
  }

  if (error instanceof DeadlineExceeded) {
    return make('timeout', `${where} did not answer the ${ctx.op} within ${ctx.timeoutMs} ms; check that Vault is up and reachable (VAULT_ADDR), or raise VAULT_TIMEOUT_MS.`);
  }
  const code = errorCode(error);
  switch (code) {
    case 'ECONNABORTED':
    case 'ETIMEDOUT':
      return make('timeout', `${where} did not answer the ${ctx.op} within ${ctx.timeoutMs} ms (${code}); check that Vault is up and reachable (VAULT_ADDR), or raise VAULT_TIMEOUT_MS.`);
    case 'ECONNREFUSED':
      return make('unreachable', `Cannot connect to Vault at ${ctx.addr} (connection refused) for the ${ctx.op}: check VAULT_ADDR and that Vault is running and listening there.`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return make('unreachable', `Cannot resolve the host of VAULT_ADDR (${ctx.addr}) (${code}): check VAULT_ADDR and DNS.`);
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ERR_SOCKET_CONNECTION_TIMEOUT':
      return make('unreachable', `The connection to Vault at ${ctx.addr} broke during the ${ctx.op} (${code}); check the network and Vault's logs, then retry.`);
    case 'EPROTO':
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
      return make('unreachable', `TLS handshake with Vault at ${ctx.addr} failed (${code}): check that VAULT_ADDR uses the right scheme (http:// or https://).`);
    default:
      if (code && TLS_CODES.has(code)) {
        return make('unreachable', `Vault's TLS certificate at ${ctx.addr} was not trusted (${code}): set VAULT_CACERT to the CA certificate file that signed it.`);
      }
      return make('io', `The ${ctx.op} at ${where} failed (${code ?? 'unexpected error'}).`);
  }
}
