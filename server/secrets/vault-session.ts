import { SecretStoreError } from './secret-store.ts';
import { redactSecrets } from '../../plugins/sdk/index.ts';
import { httpFailure, toStoreError, type VaultCallContext } from './vault-errors.ts';
import type { VaultTransport } from './vault-transport.ts';

/**
 * The Vault token Plugform uses, and keeping it alive.
 *
 * - Token auth (VAULT_TOKEN): used as is. If lookup-self says it is renewable with a TTL,
 *   it is renewed at `renewFraction` of its TTL; a failed renewal is logged (there is no way
 *   to log in again).
 * - AppRole (VAULT_ROLE_ID/VAULT_SECRET_ID): POST auth/<mount>/login on first use; the
 *   token is renewed (auth/token/renew-self) at `renewFraction` of its lease. When renewal
 *   fails, or returns a shorter lease than login gave (the token is reaching its max TTL),
 *   the session logs in again. A request answered 403 triggers one re-login and retry
 *   (the token may have been revoked). A token past its lease is never sent: the next call
 *   logs in first.
 */

export type VaultAuth =
  | { method: 'token'; token: string }
  | { method: 'approle'; roleId: string; secretId: string; mount?: string | undefined };

export interface VaultSessionOptions {
  transport: VaultTransport;
  auth: VaultAuth;
  /** Fraction of the lease after which the token is renewed (default 2/3). */
  renewFraction?: number | undefined;
  /** Where renewals are scheduled (default: an unref'd `setTimeout`). */
  schedule?: ScheduleRenewal | undefined;
  log: (message: string) => void;
}

/**
 * Runs `renew` after `delayMs` and returns how to cancel it. Tests pass their own to see
 * when a renewal is due and to run it without waiting out a lease in real time.
 */
export type ScheduleRenewal = (renew: () => void, delayMs: number) => () => void;

export const scheduleWithTimeout: ScheduleRenewal = (renew, delayMs) => {
  const timer = setTimeout(renew, delayMs);
  // Renewal must never keep the process alive on its own.
  timer.unref();
  return () => clearTimeout(timer);
};

interface AuthBlock {
  client_token?: unknown;
  lease_duration?: unknown;
  renewable?: unknown;
}

export class VaultSession {
  readonly #auth: VaultAuth;
  readonly #transport: VaultTransport;
  readonly #fraction: number;
  readonly #log: (message: string) => void;
  #token: string | undefined;
  /** ms since epoch after which the token must not be used; undefined = no expiry known. */
  #expiresAt: number | undefined;
  /** The lease the last login granted, to notice renewals being capped by max TTL. */
  #loginLease = 0;
  #login: Promise<string> | undefined;
  readonly #scheduleRenewal: ScheduleRenewal;
  /** Cancels the pending renewal; undefined when none is scheduled. */
  #cancelRenewal: (() => void) | undefined;
  #closed = false;

  constructor(options: VaultSessionOptions) {
    this.#auth = options.auth;
    this.#transport = options.transport;
    this.#fraction = options.renewFraction ?? 2 / 3;
    this.#scheduleRenewal = options.schedule ?? scheduleWithTimeout;
    this.#log = options.log;
    if (options.auth.method === 'token') this.#token = options.auth.token;
  }

  get canRelogin(): boolean {
    return this.#auth.method === 'approle';
  }

  /** Which settings a 403 points at. */
  get credentialsHint(): string {
    return this.#auth.method === 'token'
      ? 'VAULT_TOKEN is invalid or expired, or its policy'
      : 'the AppRole token (VAULT_ROLE_ID/VAULT_SECRET_ID) was revoked, or the role\'s policy';
  }

  /** A token fit to send now, logging in first when needed. */
  async token(): Promise<string> {
    if (this.#token !== undefined && (this.#expiresAt === undefined || Date.now() < this.#expiresAt)) return this.#token;
    if (this.#auth.method === 'token') return this.#auth.token;
    return this.login();
  }

  /** AppRole login, one at a time: concurrent callers share the same attempt. */
  login(): Promise<string> {
    if (this.#auth.method !== 'approle') return Promise.resolve(this.#auth.token);
    if (!this.#login) {
      const attempt = this.#doLogin(this.#auth);
      this.#login = attempt;
      const clear = () => {
        if (this.#login === attempt) this.#login = undefined;
      };
      attempt.then(clear, clear);
    }
    return this.#login;
  }

  /**
   * After a 403 with `stale`: logs in again, unless a concurrent call already replaced that
   * token (then the new one is simply used), so a burst of 403s costs one login.
   */
  relogin(stale: string): Promise<string> {
    if (this.#token !== undefined && this.#token !== stale) return this.token();
    return this.login();
  }

  /**
   * For token auth: looks the token up (proving it valid) and schedules renewal when it has
   * a TTL. For AppRole: logs in (scheduling renewal) if not yet logged in.
   */
  async verify(): Promise<void> {
    const token = await this.token();
    const ctx = this.#ctx('token lookup', 'auth/token/lookup-self');
    let body: unknown;
    try {
      body = await this.#transport.get('auth/token/lookup-self', token);
    } catch (error) {
      throw toStoreError(error, ctx);
    }
    if (this.#auth.method === 'token' && this.#cancelRenewal === undefined) {
      const data = (body as { data?: { ttl?: unknown; renewable?: unknown } } | undefined)?.data;
      const ttl = typeof data?.ttl === 'number' ? data.ttl : 0;
      // No local expiry for VAULT_TOKEN: there is no way to log in again, so Vault decides.
      if (ttl > 0 && data?.renewable === true) this.#schedule(ttl);
    }
  }

  close(): void {
    this.#closed = true;
    this.#cancelRenewal?.();
    this.#cancelRenewal = undefined;
  }

  async #doLogin(auth: { roleId: string; secretId: string; mount?: string | undefined }): Promise<string> {
    const mount = auth.mount ?? 'approle';
    const path = `auth/${mount}/login`;
    const ctx: VaultCallContext = {
      ...this.#ctx('AppRole login', path),
      forbiddenHint: 'check VAULT_ROLE_ID and VAULT_SECRET_ID (a secret ID can expire, run out of uses or be bound to other CIDRs).',
      noRouteHint: `no AppRole auth method is enabled at auth/${mount}; enable it (\`vault auth enable approle\`) or set VAULT_APPROLE_MOUNT.`,
      redact: [auth.secretId],
    };
    let body: unknown;
    try {
      // No token header: a stale token must not be what decides whether login works.
      body = await this.#transport.post(path, { role_id: auth.roleId, secret_id: auth.secretId }, undefined);
    } catch (error) {
      const failure = httpFailure(error);
      // Vault answers bad credentials with 400 "invalid role or secret ID".
      if (failure?.status === 400) {
        const said = redactSecrets(failure.errors.join('; ') || '400', [auth.secretId]);
        throw new SecretStoreError(
          'forbidden',
          `Vault at ${this.#transport.addr} refused the AppRole login (${said}): check VAULT_ROLE_ID and VAULT_SECRET_ID (a secret ID can expire or run out of uses).`,
        );
      }
      throw toStoreError(error, ctx);
    }
    const block = (body as { auth?: AuthBlock } | undefined)?.auth;
    const token = block?.client_token;
    if (typeof token !== 'string' || token === '') {
      throw new SecretStoreError('io', `Vault at ${this.#transport.addr} answered the AppRole login without a client token.`);
    }
    const lease = typeof block?.lease_duration === 'number' ? block.lease_duration : 0;
    this.#token = token;
    this.#loginLease = lease;
    this.#setLease(lease);
    if (lease > 0 && block?.renewable !== false) this.#schedule(lease);
    return token;
  }

  #setLease(lease: number): void {
    // Stop using a token slightly before Vault would refuse it (clock skew, request latency).
    this.#expiresAt = lease > 0 ? Date.now() + lease * 1000 - Math.min(1000, lease * 100) : undefined;
  }

  #schedule(leaseSeconds: number): void {
    if (this.#closed) return;
    this.#cancelRenewal?.();
    const delay = Math.max(100, Math.floor(leaseSeconds * 1000 * this.#fraction));
    this.#cancelRenewal = this.#scheduleRenewal(() => {
      this.#cancelRenewal = undefined;
      void this.#renew();
    }, delay);
  }

  async #renew(): Promise<void> {
    if (this.#closed) return;
    const token = this.#token;
    if (token === undefined) return;
    try {
      const body = await this.#transport.post('auth/token/renew-self', {}, token);
      if (this.#closed || this.#token !== token) return; // a re-login replaced it meanwhile
      const block = (body as { auth?: AuthBlock } | undefined)?.auth;
      const lease = typeof block?.lease_duration === 'number' ? block.lease_duration : 0;
      const renewable = block?.renewable !== false;
      if (this.#auth.method === 'approle' && (!renewable || lease <= 0 || lease < this.#loginLease)) {
        // Capped by the token's max TTL: renewing again would only shrink; log in afresh.
        await this.login();
        return;
      }
      if (this.#auth.method === 'approle') this.#setLease(lease);
      if (lease > 0 && renewable) this.#schedule(lease);
    } catch (error) {
      if (this.#closed) return;
      const reason = toStoreError(error, this.#ctx('token renewal', 'auth/token/renew-self')).message;
      if (this.#auth.method === 'approle') {
        this.#log(`Vault token renewal failed; logging in again with AppRole. ${reason}`);
        try {
          await this.login();
        } catch (loginError) {
          // The next request will try to log in again; nothing else to do from a timer.
          const message = loginError instanceof Error ? loginError.message : 'unknown error';
          this.#log(`Vault AppRole re-login failed; the next request will retry. ${message}`);
        }
      } else {
        this.#log(`Vault token renewal failed; VAULT_TOKEN will expire unless it is renewed or replaced. ${reason}`);
      }
    }
  }

  #ctx(op: string, path: string): VaultCallContext {
    return {
      op,
      path,
      addr: this.#transport.addr,
      namespace: this.#transport.namespace,
      timeoutMs: this.#transport.timeoutMs,
      forbiddenHint: `${this.credentialsHint} does not allow it; check the credentials.`,
      noRouteHint: 'check VAULT_ADDR and VAULT_NAMESPACE.',
    };
  }
}
