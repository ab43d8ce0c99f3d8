/**
 * HTTP plumbing shared by the built-in plugins that talk to a vendor's REST API: retries with
 * backoff that honour `Retry-After`, a token-bucket rate limiter, reading JSON answers with a
 * clear error when the body is garbage, error messages that never carry a secret, and the
 * health and test reports of a check.
 *
 * Browser-safe: no Node-only imports. Every request still goes through `context.http.fetch`
 * (the platform's client adds the timeout and the egress policy); these helpers only decide
 * when to try again and how to explain a failure.
 */
import { redact } from './redact.ts';
import type { HealthReport, HttpFetch, PluginLogger, TestReport } from './plugin.ts';

// ---------------------------------------------------------------------------------------
// Secrets never leave a plugin

/**
 * Vendor text is redacted with a floor: values shorter than this are left alone, since
 * replacing "a" everywhere would make messages unreadable and protects nothing.
 */
const MIN_REDACTED_LENGTH = 4;

/**
 * Replaces every occurrence of each secret in `text`. Vendors sometimes echo what they were
 * sent (a key in an error message, a URL in a body), so anything a vendor said passes through
 * here before it reaches a result, an error or a log line.
 */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  return redact(text, secrets, { minLength: MIN_REDACTED_LENGTH });
}

/** `redactSecrets` applied to every string inside a JSON-like value (details of a health report). */
export function redactDeep<T>(value: T, secrets: readonly (string | undefined)[]): T {
  return redact(value, secrets, { minLength: MIN_REDACTED_LENGTH });
}

/** The message of anything thrown (an Error without a message is named by its class). */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return typeof error === 'string' && error ? error : String(error);
}

/**
 * The `code` of anything thrown (`ECONNREFUSED`, `P2002`, `CERT_HAS_EXPIRED` …), looked up
 * through `cause` and inside an AggregateError, because Node reports a refused dual-stack
 * connect as one per address and fetch wraps the socket error in its own. Shallow on purpose:
 * a cyclic `cause` must not hang the caller.
 */
export function errorCode(error: unknown, depth = 0): string | undefined {
  if (typeof error !== 'object' || error === null || depth > 4) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  const inner = (error as { errors?: unknown }).errors;
  if (Array.isArray(inner)) {
    const found = inner.map((e) => errorCode(e, depth + 1)).find((c) => c !== undefined);
    if (found !== undefined) return found;
  }
  return errorCode((error as { cause?: unknown }).cause, depth + 1);
}

// ---------------------------------------------------------------------------------------
// Errors with a kind, so health checks can tell "throttled" from "broken"

/**
 * What went wrong, in terms a health check can act on: `auth` (credentials refused),
 * `rate-limit` (the vendor asks us to slow down; the service itself is fine), `server` (the
 * vendor failed), `network` (no answer at all: refused, unknown host, timeout), `response`
 * (an answer we cannot read) and `request` (the vendor refused what we sent).
 */
export type FailureKind = 'auth' | 'rate-limit' | 'server' | 'network' | 'response' | 'request';

/** A failed call with a message fit for an admin: it names the vendor, the problem and never a secret. */
export class PluginHttpError extends Error {
  override readonly name = 'PluginHttpError';
  readonly kind: FailureKind;
  /** HTTP status, when the vendor answered. */
  readonly status: number | undefined;
  /** The vendor's own error code (`invalid_auth`, `190`, `card_declined` …). */
  readonly code: string | undefined;
  constructor(message: string, options: { kind: FailureKind; status?: number; code?: string | number }) {
    super(message);
    this.kind = options.kind;
    this.status = options.status;
    this.code = options.code === undefined ? undefined : String(options.code);
  }
}

/** The usual reading of an HTTP status when the vendor's body says nothing more specific. */
export function kindOfStatus(status: number): FailureKind {
  if (status === 401 || status === 403) return 'auth';
  if (status === 429) return 'rate-limit';
  if (status >= 500) return 'server';
  return 'request';
}

/**
 * Explains a call that got no answer. Node's fetch reports "fetch failed" and hides the reason
 * in `cause`; the platform client throws its own timeout error. Only the host is named: a
 * URL's path or query may hold a secret (a Slack webhook URL is one).
 */
export function describeNetworkError(error: unknown, url: URL): string {
  const host = url.host;
  if (error instanceof Error && error.name === 'HttpTimeoutError') return error.message;
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `request to ${host} was aborted (${error.name === 'TimeoutError' ? 'timed out' : 'cancelled'})`;
  }
  const code = errorCode(error);
  switch (code) {
    case 'ECONNREFUSED':
      return `could not connect to ${host}: connection refused`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `could not resolve host ${url.hostname}`;
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return `connection to ${host} was closed before an answer arrived`;
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return `connecting to ${host} timed out`;
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return `request to ${host} timed out`;
    default:
      if (code !== undefined && /^(CERT_|ERR_TLS|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_)/.test(code)) {
        return `TLS handshake with ${host} failed (${code})`;
      }
      return `request to ${host} failed${code === undefined ? '' : ` (${code})`}`;
  }
}

/**
 * A copy of anything thrown, fit to leave the plugin: the message passes through `redact`, a
 * `PluginHttpError` keeps its kind, status and code, and the `cause` (which may hold a request
 * with its headers) stays behind. For an operation's `catch`: `throw redactedError(error, redact)`.
 */
export function redactedError(error: unknown, redact: (text: string) => string): Error {
  const message = redact(errorMessage(error));
  if (error instanceof PluginHttpError) return new PluginHttpError(message, { kind: error.kind, status: error.status, code: error.code });
  return new Error(message);
}

// ---------------------------------------------------------------------------------------
// Health checks and connection tests

/** What a check found when it worked: a sentence for the admin and, optionally, facts to show. */
export interface CheckResult {
  message: string;
  details?: Record<string, unknown>;
}

/** A check that failed: its message (secrets removed) and, for a `PluginHttpError`, its kind. */
export interface CheckFailure {
  ok: false;
  message: string;
  kind: FailureKind | undefined;
}

/** How a check went; `healthReportOf` and `testReportOf` turn it into what the platform expects. */
export type CheckOutcome = ({ ok: true } & CheckResult) | CheckFailure;

/**
 * Runs a check (a cheap authenticated call) and never throws: what the call throws becomes a
 * `CheckFailure` with its message passed through `redact`. Health and test share it:
 *
 *     async healthCheck() {
 *       return healthReportOf(await runCheck(() => api().check(), api().redact));
 *     },
 *     async testConnection() {
 *       return testReportOf(await runCheck(() => api().check(), api().redact));
 *     },
 */
export async function runCheck(call: () => Promise<CheckResult>, redact: (text: string) => string): Promise<CheckOutcome> {
  try {
    const result = await call();
    return { ok: true, message: result.message, details: result.details };
  } catch (error) {
    return failedCheck(error, redact);
  }
}

/** The `CheckFailure` of anything a check threw, for checks that need their own `try`. */
export function failedCheck(error: unknown, redact: (text: string) => string): CheckFailure {
  return { ok: false, message: redact(errorMessage(error)), kind: error instanceof PluginHttpError ? error.kind : undefined };
}

/**
 * The health report of a check: `healthy` with its details when it worked; when it failed,
 * `degraded` if the vendor throttled us (it answered, so the service works, slowly) and
 * `unhealthy` otherwise, with `details.failure` naming the kind (`error` when unknown).
 */
export function healthReportOf(outcome: CheckOutcome): HealthReport {
  if (outcome.ok) return { status: 'healthy', message: outcome.message, details: outcome.details };
  return { status: outcome.kind === 'rate-limit' ? 'degraded' : 'unhealthy', message: outcome.message, details: { failure: outcome.kind ?? 'error' } };
}

/** The connection test report of a check: success with its details, or failure with its message. */
export function testReportOf(outcome: CheckOutcome): TestReport {
  return outcome.ok ? { success: true, message: outcome.message, details: outcome.details } : { success: false, message: outcome.message };
}

// ---------------------------------------------------------------------------------------
// Retries

export interface RetryPolicy {
  /** Extra attempts after the first one (0 = no retry). */
  retries: number;
  /** First backoff delay; each retry doubles it (default 250 ms). */
  baseDelayMs?: number;
  /** Cap of one backoff delay (default 8 s). */
  maxDelayMs?: number;
  /**
   * The longest `Retry-After` worth waiting for (default 30 s). A vendor asking for a longer
   * pause gets no retry: the call fails at once and its message says how long to wait.
   */
  maxRetryAfterMs?: number;
}

/** An answer as read by `requestWithRetry`: the body is already text, so it can be inspected twice. */
export interface HttpAnswer {
  status: number;
  statusText: string;
  headers: Headers;
  body: string;
  /** How many requests were made, the last one included. */
  attempts: number;
  /** The wait the vendor asked for on its last answer (from `Retry-After`), when it asked. */
  retryAfterMs: number | undefined;
}

/** Decides whether an answer is a transient failure worth another attempt. */
export type RetryDecision = (answer: Pick<HttpAnswer, 'status' | 'headers' | 'body'>) => boolean;

/** The common rule: 429 (slow down) and 5xx (the vendor failed) are transient, the rest is final. */
export const retryOnRateLimitAndServerErrors: RetryDecision = ({ status }) => status === 429 || status >= 500;

export interface RequestOptions {
  fetch: HttpFetch;
  url: URL;
  init: RequestInit;
  /** Per-attempt timeout handed to the platform client. */
  timeoutMs: number;
  retry: RetryPolicy;
  /** Which answers to retry (default: 429 and 5xx). Network errors are always retried. */
  isRetryable?: RetryDecision;
  /** Called before each wait, so the plugin can log it (never pass it anything secret). */
  onRetry?: (info: { attempt: number; delayMs: number; reason: string }) => void;
  /** How to wait (tests may replace it). */
  sleep?: (ms: number) => Promise<void>;
  /** Words for messages: "WhatsApp Cloud API", "Slack" … */
  label: string;
}

/**
 * Sends a request, retrying network failures and retryable answers with exponential backoff
 * (with jitter, so many providers do not retry in lock-step) and honouring `Retry-After`.
 *
 * Resolves with the last answer, successful or not: the caller knows the vendor's error body
 * and turns it into a message. Rejects with a `PluginHttpError` of kind `network` when no
 * attempt got an answer.
 */
export async function requestWithRetry(options: RequestOptions): Promise<HttpAnswer> {
  const { retry, label } = options;
  const isRetryable = options.isRetryable ?? retryOnRateLimitAndServerErrors;
  const sleep = options.sleep ?? defaultSleep;
  const maxAttempts = 1 + Math.max(0, Math.floor(retry.retries));
  for (let attempt = 1; ; attempt++) {
    let answer: HttpAnswer;
    try {
      answer = await sendOnce(options, attempt);
    } catch (error) {
      // A provider being stopped aborts its calls: that is not a failure worth retrying.
      if (options.init.signal?.aborted) throw new PluginHttpError(`${label}: request cancelled`, { kind: 'network' });
      // The platform refused (egress gate, a cross-origin redirect, an oversized answer):
      // asking again gets the same answer, and its message already says why.
      if (error instanceof Error && PLATFORM_REFUSALS.has(error.name)) {
        throw new PluginHttpError(`${label}: ${error.message}`, { kind: error.name === 'EgressBlockedError' ? 'network' : 'response' });
      }
      const reason = describeNetworkError(error, options.url);
      if (attempt >= maxAttempts) {
        const tries = attempt > 1 ? ` (after ${attempt} attempts)` : '';
        throw new PluginHttpError(`${label}: ${reason}${tries}`, { kind: 'network' });
      }
      const delayMs = backoffDelay(retry, attempt);
      options.onRetry?.({ attempt, delayMs, reason });
      await sleep(delayMs);
      continue;
    }
    if (attempt >= maxAttempts || !isRetryable(answer)) return answer;
    const delayMs = answer.retryAfterMs ?? backoffDelay(retry, attempt);
    if (delayMs > (retry.maxRetryAfterMs ?? 30_000)) return answer;
    options.onRetry?.({ attempt, delayMs, reason: `HTTP ${answer.status}` });
    await sleep(delayMs);
  }
}

/** Errors the platform's HTTP client throws by policy (names, so this file stays browser-safe). */
const PLATFORM_REFUSALS: ReadonlySet<string> = new Set(['EgressBlockedError', 'RedirectRefusedError', 'ResponseTooLargeError']);

async function sendOnce(options: RequestOptions, attempt: number): Promise<HttpAnswer> {
  const response = await options.fetch(options.url, { ...options.init, timeoutMs: options.timeoutMs });
  // Reading the body can fail too (the connection drops mid-answer): that is a network error.
  const body = await response.text();
  return {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
    body,
    attempts: attempt,
    retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
  };
}

/** Exponential backoff with "equal jitter": half the delay is fixed, half random. */
export function backoffDelay(policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>, attempt: number): number {
  const base = policy.baseDelayMs ?? 250;
  const capped = Math.min(policy.maxDelayMs ?? 8_000, base * 2 ** (attempt - 1));
  return Math.round(capped / 2 + (Math.random() * capped) / 2);
}

/** `Retry-After` is either delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** "after 3 attempts", or nothing when there was one. */
export function attemptsNote(answer: Pick<HttpAnswer, 'attempts'>): string {
  return answer.attempts > 1 ? ` (after ${answer.attempts} attempts)` : '';
}

/** "; retry after 30 s" when the vendor said how long to wait. */
export function retryAfterNote(answer: Pick<HttpAnswer, 'retryAfterMs'>): string {
  if (answer.retryAfterMs === undefined) return '';
  return `; the service asks to retry after ${Math.ceil(answer.retryAfterMs / 1000)} s`;
}

// ---------------------------------------------------------------------------------------
// Reading answers

/**
 * Parses a JSON body. A proxy's HTML error page, a truncated answer or an empty body gives an
 * error naming the status, the content type and the first characters of what arrived (with
 * secrets removed), instead of a bare `SyntaxError`.
 */
export function parseJson(answer: Pick<HttpAnswer, 'status' | 'headers' | 'body'>, label: string, secrets: readonly (string | undefined)[] = []): unknown {
  try {
    return JSON.parse(answer.body) as unknown;
  } catch {
    throw new PluginHttpError(`${label}: expected JSON but got ${describeBody(answer, secrets)}`, {
      kind: 'response',
      status: answer.status,
    });
  }
}

// ---------------------------------------------------------------------------------------
// One vendor client's plumbing

export interface VendorClientOptions {
  fetch: HttpFetch;
  logger: PluginLogger;
  /** Words for messages and log lines: "Stripe", "Meilisearch" … */
  label: string;
  /** Every secret of the instance: removed from whatever leaves the client. */
  secrets: readonly (string | undefined)[];
  /** The instance's `timeoutSeconds` and `retryCount` fields. */
  timeoutSeconds: number;
  retryCount: number;
  isRetryable?: RetryDecision;
}

export interface SendOptions {
  /** What the retry log line may name (a path, never a URL: a webhook URL is a secret). */
  logged?: Record<string, unknown>;
  /** Another label for this call's messages (one plugin, two APIs). */
  label?: string;
  /** The log line of a retry (default "<label> request failed, retrying"). */
  retryMessage?: string;
}

/**
 * What every HTTP plugin's client is built on: `send` applies the instance's timeout and retry
 * count and logs each retry; `guard` makes whatever an operation throws fit to leave the plugin
 * (secrets removed, no cause); `objectOf` reads a successful answer as a JSON object.
 */
export function vendorClient(options: VendorClientOptions) {
  const { fetch, logger, secrets } = options;
  const redact = (text: string) => redactSecrets(text, secrets);
  return {
    secrets,
    redact,

    /** Runs an operation; whatever it throws leaves with the secrets removed and without its cause. */
    async guard<T>(operation: () => Promise<T>): Promise<T> {
      try {
        return await operation();
      } catch (error) {
        throw redactedError(error, redact);
      }
    },

    send(url: URL, init: RequestInit, how: SendOptions = {}): Promise<HttpAnswer> {
      const label = how.label ?? options.label;
      const retryMessage = how.retryMessage ?? `${label} request failed, retrying`;
      return requestWithRetry({
        fetch,
        url,
        init,
        label,
        timeoutMs: options.timeoutSeconds * 1000,
        retry: { retries: options.retryCount },
        ...(options.isRetryable ? { isRetryable: options.isRetryable } : {}),
        onRetry: ({ attempt, delayMs, reason }) => logger.warn(retryMessage, { ...how.logged, attempt, delayMs, reason }),
      });
    },

    /** A 2xx answer's body as a JSON object; anything else is thrown as `failure(answer)` or a `response` error. */
    objectOf(answer: HttpAnswer, failure: (answer: HttpAnswer) => PluginHttpError): Record<string, unknown> {
      if (answer.status < 200 || answer.status >= 300) throw failure(answer);
      const parsed = parseJson(answer, options.label, secrets);
      if (!isRecord(parsed)) {
        throw new PluginHttpError(`${options.label}: expected an object but got ${describeBody(answer, secrets)}`, { kind: 'response', status: answer.status });
      }
      return parsed;
    },
  };
}

/** "HTTP 200, text/html: "<html><body>Bad gateway…"" — for messages about bodies we could not use. */
export function describeBody(answer: Pick<HttpAnswer, 'status' | 'headers' | 'body'>, secrets: readonly (string | undefined)[] = []): string {
  const type = answer.headers.get('content-type')?.split(';')[0]?.trim() || 'no content type';
  if (answer.body.trim() === '') return `an empty body (HTTP ${answer.status}, ${type})`;
  return `HTTP ${answer.status}, ${type}: "${snippet(answer.body, secrets)}"`;
}

/** The start of a body on one line, at most `max` characters, secrets removed. */
export function snippet(body: string, secrets: readonly (string | undefined)[] = [], max = 80): string {
  const oneLine = redactSecrets(body, secrets).replace(/\s+/g, ' ').trim();
  // Control characters would garble a log line or the console.
  const printable = oneLine.replace(/[\u0000-\u001f\u007f]/g, '?');
  return printable.length > max ? `${printable.slice(0, max)}…` : printable;
}

/** Narrows parsed JSON to a plain object (not an array, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A string property of a parsed object, or `undefined`. */
export function stringAt(value: unknown, key: string): string | undefined {
  if (!isRecord(value)) return undefined;
  const found = value[key];
  return typeof found === 'string' ? found : undefined;
}

// ---------------------------------------------------------------------------------------
// Configuration helpers

/**
 * Joins a base URL (which may carry a path prefix, as a proxy's does) and a path. `new URL(path,
 * base)` would drop the base's path when `path` starts with `/`.
 */
export function joinUrl(base: string, path: string): URL {
  const url = new URL(base);
  const prefix = url.pathname.replace(/\/+$/, '');
  const [pathname, query] = path.split('?', 2) as [string, string | undefined];
  url.pathname = `${prefix}/${pathname.replace(/^\/+/, '')}`;
  url.search = query === undefined ? '' : `?${query}`;
  return url;
}

/** Header names a configuration may not override: the plugin sets them itself. */
const RESERVED_HEADERS = new Set(['authorization', 'content-type', 'content-length', 'host']);

/**
 * Checks a JSON object of extra headers from a configuration: names must be HTTP tokens,
 * values strings without line breaks, and the headers the plugin owns stay the plugin's.
 * Throws with a message naming the offending header.
 */
export function checkCustomHeaders(
  headers: Record<string, unknown> | undefined,
  fieldLabel: string,
  reserved: readonly string[] = [],
): Record<string, string> {
  const result: Record<string, string> = {};
  const blocked = new Set([...RESERVED_HEADERS, ...reserved.map((name) => name.toLowerCase())]);
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
      throw new Error(`${fieldLabel}: "${name}" is not a valid header name`);
    }
    if (blocked.has(name.toLowerCase())) {
      throw new Error(`${fieldLabel}: the header "${name}" is set by the plugin and cannot be overridden`);
    }
    if (typeof value !== 'string') {
      throw new Error(`${fieldLabel}: the value of "${name}" must be a string`);
    }
    if (/[\r\n]/.test(value)) {
      throw new Error(`${fieldLabel}: the value of "${name}" must not contain line breaks`);
    }
    result[name] = value;
  }
  return result;
}

// ---------------------------------------------------------------------------------------
// Rate limiting

export interface TokenBucketOptions {
  /** Tokens added per second (the sustained rate). */
  ratePerSecond: number;
  /** Most tokens held at once (the burst); default: one second's worth, at least 1. */
  capacity?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * A token bucket: `take()` resolves when a token is available, so callers are spread out to
 * the configured rate with bursts up to the capacity. Waiters are served in arrival order.
 * One bucket per provider: two instances of a plugin never share a limit.
 */
export class TokenBucket {
  readonly ratePerSecond: number;
  readonly capacity: number;
  #tokens: number;
  #updatedAt: number;
  #queue: Promise<void> = Promise.resolve();
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(options: TokenBucketOptions) {
    if (!(options.ratePerSecond > 0)) throw new Error('a rate limit must be greater than zero');
    this.ratePerSecond = options.ratePerSecond;
    this.capacity = options.capacity ?? Math.max(1, options.ratePerSecond);
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? defaultSleep;
    this.#tokens = this.capacity;
    this.#updatedAt = this.#now();
  }

  /** Waits for a token and consumes it. */
  take(): Promise<void> {
    const turn = this.#queue.then(() => this.#acquire());
    this.#queue = turn.catch(() => undefined);
    return turn;
  }

  async #acquire(): Promise<void> {
    this.#refill();
    if (this.#tokens < 1) {
      await this.#sleep(Math.ceil(((1 - this.#tokens) / this.ratePerSecond) * 1000));
      this.#refill();
    }
    this.#tokens = Math.max(0, this.#tokens - 1);
  }

  #refill(): void {
    const now = this.#now();
    const elapsedSeconds = Math.max(0, now - this.#updatedAt) / 1000;
    this.#tokens = Math.min(this.capacity, this.#tokens + elapsedSeconds * this.ratePerSecond);
    this.#updatedAt = now;
  }
}
