/**
 * The only way plugins reach the network over HTTP: `fetch` with a timeout on every call,
 * connections opened by the egress gate (its undici dispatcher checks the address actually
 * connected, for the first request and every redirect hop), redirects that never carry a
 * credential to another origin, and response bodies streamed with a size cap. A request made
 * within a plugin call (callPlugin) is aborted when that call times out.
 *
 * It is undici's own `fetch`: a dispatcher of the `undici` package cannot drive the `fetch`
 * built into Node (their handler interfaces differ between versions).
 */
import { fetch as undiciFetch, type Dispatcher } from 'undici';
import type { HttpFetch } from '../../plugins/sdk/index.ts';
import { currentCallSignal } from './call-signal.ts';
import { openEgressGate } from './egress.ts';

export const DEFAULT_HTTP_TIMEOUT_MS = 10_000;
/** Vendor answers are JSON of a few kilobytes; 5 MiB leaves room and bounds memory. */
export const DEFAULT_MAX_RESPONSE_BYTES = 5 * 1024 * 1024;
const MAX_REDIRECTS = 5;

export interface HttpClientOptions {
  /** Timeout of a call that does not set its own `timeoutMs`. */
  defaultTimeoutMs?: number;
  /** Opens every connection; default: the open gate (link-local and metadata blocked only). */
  dispatcher?: Dispatcher;
  /** Aborts every call of this client (a connection test's overall deadline). */
  signal?: AbortSignal;
  /** Largest response body read, in bytes; past it the connection is dropped. */
  maxResponseBytes?: number;
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

/**
 * A redirect the client would not follow. Only origins are named: a path or query may hold
 * a secret (a Slack webhook URL is one).
 */
export class RedirectRefusedError extends Error {
  override readonly name = 'RedirectRefusedError';
  readonly from: string;
  readonly to: string;
  constructor(from: URL, to: URL | undefined, reason: string) {
    super(`request to ${from.host} was redirected${to ? ` to ${to.origin}` : ''}: ${reason}`);
    this.from = from.origin;
    this.to = to?.origin ?? '';
  }
}

/** A vendor answered with more than the client reads. */
export class ResponseTooLargeError extends Error {
  override readonly name = 'ResponseTooLargeError';
  readonly limitBytes: number;
  constructor(url: URL, limitBytes: number) {
    super(`the answer of ${url.host} is larger than ${limitBytes} bytes (PLUGFORM_VENDOR_RESPONSE_MAX_BYTES); the connection was dropped`);
    this.limitBytes = limitBytes;
  }
}

/** Errors of the client's own policies: asking again gets the same answer. */
export const POLICY_ERROR_NAMES: ReadonlySet<string> = new Set(['EgressBlockedError', 'RedirectRefusedError', 'ResponseTooLargeError']);

export function createHttpClient(options: HttpClientOptions = {}): { fetch: HttpFetch } {
  const defaultTimeoutMs = options.defaultTimeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS;
  const dispatcher = options.dispatcher ?? openEgressGate.dispatcher;
  const maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const fetchWithPolicy: HttpFetch = async (input, init = {}) => {
    const url = new URL(String(input));
    const { timeoutMs = defaultTimeoutMs, signal, ...rest } = init;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signals = [timeout, signal, options.signal, currentCallSignal()].filter((s): s is AbortSignal => s != null);
    const combined = AbortSignal.any(signals);
    try {
      const response = await fetchFollowingRedirects(url, { ...rest, signal: combined }, dispatcher);
      return capped(response, url, maxResponseBytes, () => (timeout.aborted ? new HttpTimeoutError(url, timeoutMs) : undefined));
    } catch (error) {
      if (timeout.aborted) throw new HttpTimeoutError(url, timeoutMs);
      throw policyErrorIn(error) ?? error;
    }
  };
  return { fetch: fetchWithPolicy };
}

/** undici reports a refused connection as `TypeError: fetch failed` with the reason as `cause`. */
function policyErrorIn(error: unknown): Error | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 4; depth++) {
    if (POLICY_ERROR_NAMES.has(current.name)) return current;
    current = current.cause;
  }
  return undefined;
}

/** Headers that describe a request body; dropped when a redirect turns the request into a GET. */
const BODY_HEADERS = ['content-type', 'content-length', 'content-encoding', 'content-language', 'content-location'];

/**
 * Follows redirects by hand, as the fetch standard does (§4.4 HTTP-redirect fetch), with one
 * difference: a redirect to another origin is refused instead of followed. Fetch would drop
 * only `Authorization`; our plugins also carry credentials in other headers (API keys,
 * signatures), in the body (PostHog's key, which a 307 re-sends) and in the URL, so nothing
 * short of not going there keeps them where they were entered. Same-origin hops follow the
 * standard: 301/302 turn a POST into a GET, 303 turns anything but HEAD into a GET, both
 * without a body; 307/308 keep method and body. Every hop's connection goes through the
 * dispatcher, so the egress gate checks it.
 */
async function fetchFollowingRedirects(url: URL, init: RequestInit, dispatcher: Dispatcher): Promise<Response> {
  let current = url;
  let method = (init.method ?? 'GET').toUpperCase();
  let body = init.body ?? null;
  const headers = new Headers(init.headers);
  for (let hop = 0; ; hop++) {
    const response = (await undiciFetch(current, {
      ...(init as Parameters<typeof undiciFetch>[1]),
      method,
      body: body as never,
      headers: headers as never,
      redirect: 'manual',
      dispatcher,
    })) as unknown as Response;
    if (![301, 302, 303, 307, 308].includes(response.status)) return response;
    const location = response.headers.get('location');
    await response.body?.cancel().catch(() => undefined);
    if (location === null) return response;
    let next: URL;
    try {
      next = new URL(location, current);
    } catch {
      throw new RedirectRefusedError(url, undefined, 'the Location header is not a URL');
    }
    if (next.origin !== current.origin) {
      throw new RedirectRefusedError(url, next, 'redirects to another origin are not followed, so credentials stay where they were entered; configure the URL it redirects to');
    }
    if (hop >= MAX_REDIRECTS) throw new RedirectRefusedError(url, undefined, `more than ${MAX_REDIRECTS} redirects`);
    const becomesGet = ((response.status === 301 || response.status === 302) && method === 'POST') || (response.status === 303 && method !== 'HEAD' && method !== 'GET');
    if (becomesGet) {
      method = 'GET';
      body = null;
      for (const name of BODY_HEADERS) headers.delete(name);
    } else if (body !== null && typeof (body as { getReader?: unknown }).getReader === 'function') {
      // A stream is read once: the standard makes a 307/308 of a streamed body a network error.
      throw new RedirectRefusedError(url, next, 'the request body was a stream and cannot be sent again');
    }
    current = next;
  }
}

/**
 * The response with its body streamed through a byte counter: past `limit` the stream errors
 * with a `ResponseTooLargeError` and the connection is cancelled, so a vendor that streams
 * forever costs at most `limit` bytes. A `Content-Length` above the limit fails at once.
 */
function capped(response: Response, url: URL, limit: number, timedOut: () => Error | undefined): Response {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) {
    void response.body?.cancel().catch(() => undefined);
    throw new ResponseTooLargeError(url, limit);
  }
  const source = response.body;
  // These statuses have no body, and a Response built with one would throw.
  if (source === null || [101, 204, 205, 304].includes(response.status)) return response;
  const reader = source.getReader();
  let received = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (error) {
        controller.error(timedOut() ?? error);
        return;
      }
      if (chunk.done) return controller.close();
      received += chunk.value.byteLength;
      if (received > limit) {
        await reader.cancel().catch(() => undefined);
        controller.error(new ResponseTooLargeError(url, limit));
        return;
      }
      controller.enqueue(chunk.value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}
