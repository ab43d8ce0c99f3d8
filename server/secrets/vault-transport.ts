import nodeVault from 'node-vault';
import { withDeadline } from './vault-errors.ts';

/**
 * node-vault as the HTTP layer: its generic read/write/delete, response handling (status →
 * ApiResponseError with Vault's `errors`), namespace header and TLS agent.
 *
 * Where we do not follow node-vault's defaults, and why:
 * - The token goes into each request's X-Vault-Token header instead of node-vault's shared
 *   `client.token`: during an AppRole re-login, requests in flight keep a consistent token
 *   and node-vault's login helpers cannot swap it underneath them.
 * - node-vault falls back to process.env (VAULT_TOKEN, VAULT_NAMESPACE, VAULT_PREFIX,
 *   VAULT_SKIP_VERIFY); Plugform's settings come from the env object given to the factory,
 *   so those fallbacks are overridden explicitly.
 * - Its `debug` output prints request bodies (secret values); it is replaced with a no-op.
 * - Its startTokenRenewal() cannot re-login on failure; see vault-session.ts.
 */

export interface VaultTransportOptions {
  addr: string;
  namespace?: string | undefined;
  /** PEM text of the CA that signed Vault's certificate (VAULT_CACERT's content). */
  caCert?: string | Buffer | undefined;
  skipVerify?: boolean | undefined;
  timeoutMs: number;
}

type NodeVaultClient = ReturnType<typeof nodeVault>;

function makeClient(options: VaultTransportOptions, namespace: string | undefined): NodeVaultClient {
  const requestOptions: Record<string, unknown> = {
    // axios' timeout, forwarded by node-vault; withDeadline() backs it up.
    timeout: options.timeoutMs,
    strictSSL: !options.skipVerify,
  };
  if (options.caCert !== undefined) requestOptions.ca = options.caCert;
  const client = nodeVault({
    endpoint: options.addr,
    apiVersion: 'v1',
    requestOptions,
    debug: () => undefined,
  });
  client.token = undefined as unknown as string;
  (client as unknown as { pathPrefix: string }).pathPrefix = '';
  (client as unknown as { namespace: string | undefined }).namespace = namespace;
  return client;
}

export class VaultTransport {
  readonly addr: string;
  readonly namespace: string | undefined;
  readonly timeoutMs: number;
  readonly #client: NodeVaultClient;
  /** sys/health is a root-namespace endpoint and needs no token: it gets a bare client. */
  readonly #rootClient: NodeVaultClient;

  constructor(options: VaultTransportOptions) {
    this.addr = options.addr.replace(/\/+$/, '');
    this.namespace = options.namespace;
    this.timeoutMs = options.timeoutMs;
    this.#client = makeClient(options, options.namespace);
    this.#rootClient = makeClient(options, undefined);
  }

  get(path: string, token: string | undefined): Promise<unknown> {
    return withDeadline(this.#client.read(path, headers(token)), this.#deadline());
  }

  post(path: string, body: unknown, token: string | undefined): Promise<unknown> {
    return withDeadline(this.#client.write(path, body, headers(token)), this.#deadline());
  }

  delete(path: string, token: string | undefined): Promise<unknown> {
    return withDeadline(this.#client.delete(path, headers(token)), this.#deadline());
  }

  /** node-vault hands back sys/health's body whatever its status (503 sealed, 429 standby …). */
  health(): Promise<unknown> {
    return withDeadline(this.#rootClient.read('sys/health', headers(undefined)), this.#deadline());
  }

  // A little over axios' own timeout, so axios normally fires first and closes the socket.
  #deadline(): number {
    return this.timeoutMs + 100;
  }
}

function headers(token: string | undefined): { headers: Record<string, string> } {
  return { headers: token ? { 'X-Vault-Token': token } : {} };
}
