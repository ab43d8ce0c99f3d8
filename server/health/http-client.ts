/**
 * The only way plugins reach the network: `fetch` with a timeout on every call. A connection
 * test sends requests to addresses a user typed, so the egress policy decides which hosts
 * may be reached before any byte is sent.
 */
import type { HttpFetch } from '../../plugins/sdk/index.ts';

export const DEFAULT_HTTP_TIMEOUT_MS = 10_000;

export interface HttpClientOptions {
  /** Timeout of a call that does not set its own `timeoutMs`. */
  defaultTimeoutMs?: number;
  /** Throws an `EgressBlockedError` when the URL may not be reached. */
  checkEgress?: (url: URL) => Promise<void> | void;
  /** Aborts every call of this client (a connection test's overall deadline). */
  signal?: AbortSignal;
}

/** A call that did not answer in time. The message names the host and the limit. */
export class HttpTimeoutError extends Error {
  override readonly name = 'HttpTimeoutError';
  readonly url: string;
  readonly timeoutMs: number;
  constructor(url: URL, timeoutMs: number) {
    super(`request to ${url.host} timed out after ${timeoutMs} ms`);
    this.url = url.origin;
    this.timeoutMs = timeoutMs;
  }
}

export function createHttpClient(options: HttpClientOptions = {}): { fetch: HttpFetch } {
  const defaultTimeoutMs = options.defaultTimeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS;
  const fetchWithPolicy: HttpFetch = async (input, init = {}) => {
    const url = new URL(String(input));
    await options.checkEgress?.(url);
    const { timeoutMs = defaultTimeoutMs, signal, ...rest } = init;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signals = [timeout, signal, options.signal].filter((s): s is AbortSignal => s != null);
    try {
      // Redirects are followed by hand so every hop passes the egress policy.
      return await fetchFollowingRedirects(url, { ...rest, signal: AbortSignal.any(signals) }, options.checkEgress);
    } catch (error) {
      if (timeout.aborted) throw new HttpTimeoutError(url, timeoutMs);
      throw error;
    }
  };
  return { fetch: fetchWithPolicy };
}

const MAX_REDIRECTS = 5;

async function fetchFollowingRedirects(
  url: URL,
  init: RequestInit,
  checkEgress: HttpClientOptions['checkEgress'],
): Promise<Response> {
  let current = url;
  for (let hop = 0; ; hop++) {
    const response = await fetch(current, { ...init, redirect: 'manual' });
    const location = response.headers.get('location');
    if (response.status < 300 || response.status >= 400 || location === null) return response;
    if (hop >= MAX_REDIRECTS) throw new Error(`too many redirects from ${url.host}`);
    await response.body?.cancel();
    current = new URL(location, current);
    await checkEgress?.(current);
  }
}
