import { describe, expect, it } from 'vitest';
import {
  checkCustomHeaders,
  describeNetworkError,
  failedCheck,
  healthReportOf,
  joinUrl,
  parseJson,
  parseRetryAfter,
  PluginHttpError,
  redactDeep,
  redactedError,
  redactSecrets,
  requestWithRetry,
  runCheck,
  testReportOf,
  TokenBucket,
} from '../../../plugins/sdk/http-helpers.ts';
import type { HttpFetch } from '../../../plugins/sdk/index.ts';
import { thrownBy } from '../../support/plugin-context.ts';

describe('http-helpers', () => {
  it('redacts secrets in text and in nested details, skipping values too short to matter', () => {
    expect(redactSecrets('key sk_test_abc123 rejected', ['sk_test_abc123', undefined, 'a'])).toBe('key [redacted] rejected');
    expect(redactDeep({ list: ['x sk_test_abc123'], n: 1 }, ['sk_test_abc123'])).toEqual({ list: ['x [redacted]'], n: 1 });
  });

  it('redacts a secret also where a vendor echoed it JSON-escaped or percent-encoded', () => {
    const secret = 'pa"ss\\word/+';
    const echoed = `body ${JSON.stringify({ token: secret })} url https://x.example/?t=${encodeURIComponent(secret)}`;
    const redacted = redactSecrets(echoed, [secret]);
    expect(redacted).toBe('body {"token":"[redacted]"} url https://x.example/?t=[redacted]');
  });

  it('parses Retry-After as seconds or as an HTTP date', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(10_000);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });

  it('joins a base URL that has a path prefix', () => {
    expect(joinUrl('https://proxy.example/meta/', '/v21.0/123?fields=a,b').href).toBe('https://proxy.example/meta/v21.0/123?fields=a,b');
    expect(joinUrl('https://api.stripe.com', 'v1/balance').href).toBe('https://api.stripe.com/v1/balance');
  });

  it('explains network errors by their cause and names only the host', () => {
    const refused = new TypeError('fetch failed', { cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }) });
    expect(describeNetworkError(refused, new URL('https://hooks.slack.com/services/T0/B0/secret'))).toBe(
      'could not connect to hooks.slack.com: connection refused',
    );
    const unknown = new TypeError('fetch failed', { cause: Object.assign(new Error('dns'), { code: 'ENOTFOUND' }) });
    expect(describeNetworkError(unknown, new URL('https://nope.invalid/x'))).toBe('could not resolve host nope.invalid');
  });

  it('reports a non-JSON body with its status, type and start', () => {
    const error = (() => {
      try {
        parseJson({ status: 502, headers: new Headers({ 'content-type': 'text/html' }), body: '<h1>Bad gateway</h1>' }, 'Vendor');
      } catch (e) {
        return e as Error;
      }
      throw new Error('did not throw');
    })();
    expect(error.message).toBe('Vendor: expected JSON but got HTTP 502, text/html: "<h1>Bad gateway</h1>"');
  });

  it('checks custom headers', () => {
    expect(checkCustomHeaders({ 'X-A': 'b' }, 'Headers')).toEqual({ 'X-A': 'b' });
    expect(() => checkCustomHeaders({ 'bad name': 'x' }, 'Headers')).toThrow('Headers: "bad name" is not a valid header name');
    expect(() => checkCustomHeaders({ 'X-A': 1 }, 'Headers')).toThrow('Headers: the value of "X-A" must be a string');
    expect(() => checkCustomHeaders({ 'X-A': 'a\r\nb' }, 'Headers')).toThrow('must not contain line breaks');
    expect(() => checkCustomHeaders({ 'X-Sig': 'a' }, 'Headers', ['x-sig'])).toThrow('cannot be overridden');
  });

  it('retries retryable answers, then returns the last one', async () => {
    let calls = 0;
    const fetch: HttpFetch = async () => {
      calls++;
      return new Response('busy', { status: 503 });
    };
    const answer = await requestWithRetry({ fetch, url: new URL('http://x.test/'), init: {}, timeoutMs: 100, retry: { retries: 2 }, label: 'X', sleep: async () => {} });
    expect(answer).toMatchObject({ status: 503, body: 'busy', attempts: 3 });
    expect(calls).toBe(3);
  });

  it('does not wait for a Retry-After longer than the policy allows', async () => {
    let calls = 0;
    const fetch: HttpFetch = async () => {
      calls++;
      return new Response('', { status: 429, headers: { 'retry-after': '3600' } });
    };
    const answer = await requestWithRetry({ fetch, url: new URL('http://x.test/'), init: {}, timeoutMs: 100, retry: { retries: 3 }, label: 'X' });
    expect(answer).toMatchObject({ status: 429, attempts: 1, retryAfterMs: 3_600_000 });
    expect(calls).toBe(1);
  });

  it('gives up on network errors with a clear message', async () => {
    const fetch: HttpFetch = async () => {
      throw new TypeError('fetch failed', { cause: Object.assign(new Error('x'), { code: 'ECONNRESET' }) });
    };
    const error = await thrownBy(() =>
      requestWithRetry({ fetch, url: new URL('http://x.test/secret-path'), init: {}, timeoutMs: 100, retry: { retries: 1 }, label: 'X', sleep: async () => {} }),
    );
    expect(error.message).toBe('X: connection to x.test was closed before an answer arrived (after 2 attempts)');
  });

  it('does not retry a host the egress policy blocks, and keeps the policy\'s reason', async () => {
    let calls = 0;
    const fetch: HttpFetch = async () => {
      calls++;
      throw Object.assign(new Error('Outbound connection to 10.0.0.5 blocked: private addresses are blocked'), { name: 'EgressBlockedError' });
    };
    const error = await thrownBy(() => requestWithRetry({ fetch, url: new URL('http://10.0.0.5/'), init: {}, timeoutMs: 100, retry: { retries: 3 }, label: 'X' }));
    expect(error.message).toBe('X: Outbound connection to 10.0.0.5 blocked: private addresses are blocked');
    expect(calls).toBe(1);
  });

  it('a token bucket lets a burst through, then spaces callers at the rate', async () => {
    let now = 0;
    const waits: number[] = [];
    const bucket = new TokenBucket({
      ratePerSecond: 4,
      capacity: 2,
      now: () => now,
      sleep: async (ms) => {
        waits.push(ms);
        now += ms;
      },
    });
    await Promise.all([bucket.take(), bucket.take(), bucket.take(), bucket.take()]);
    expect(waits).toEqual([250, 250]);
    expect(() => new TokenBucket({ ratePerSecond: 0 })).toThrow('a rate limit must be greater than zero');
  });
});

describe('check reports', () => {
  const KEY = 'sk_test_abc123';
  const redact = (text: string) => redactSecrets(text, [KEY]);
  const failing = (error: unknown) => () => Promise.reject(error);

  it('a check that works is healthy, and a successful test, with its details', async () => {
    const outcome = await runCheck(async () => ({ message: 'Connected', details: { mode: 'test' } }), redact);
    expect(outcome).toEqual({ ok: true, message: 'Connected', details: { mode: 'test' } });
    expect(healthReportOf(outcome)).toEqual({ status: 'healthy', message: 'Connected', details: { mode: 'test' } });
    expect(testReportOf(outcome)).toEqual({ success: true, message: 'Connected', details: { mode: 'test' } });
  });

  it('throttling is degraded, not unhealthy; the test fails either way, without details', async () => {
    const outcome = await runCheck(failing(new PluginHttpError(`Vendor: rate limited for ${KEY}`, { kind: 'rate-limit', status: 429 })), redact);
    expect(outcome).toEqual({ ok: false, message: 'Vendor: rate limited for [redacted]', kind: 'rate-limit' });
    expect(healthReportOf(outcome)).toStrictEqual({ status: 'degraded', message: 'Vendor: rate limited for [redacted]', details: { failure: 'rate-limit' } });
    expect(testReportOf(outcome)).toStrictEqual({ success: false, message: 'Vendor: rate limited for [redacted]' });
  });

  it('any other failure is unhealthy and names its kind, or "error" when it has none', async () => {
    const refused = await runCheck(failing(new PluginHttpError(`Vendor: ${KEY} was refused`, { kind: 'auth', status: 401 })), redact);
    expect(healthReportOf(refused)).toStrictEqual({ status: 'unhealthy', message: 'Vendor: [redacted] was refused', details: { failure: 'auth' } });
    const plain = await runCheck(failing(new Error(`bad key ${KEY}`)), redact);
    expect(healthReportOf(plain)).toStrictEqual({ status: 'unhealthy', message: 'bad key [redacted]', details: { failure: 'error' } });
    expect(testReportOf(plain)).toStrictEqual({ success: false, message: 'bad key [redacted]' });
    // A check that throws synchronously, or throws a non-Error, is still caught.
    const thrown = await runCheck(() => {
      throw 'not configured';
    }, redact);
    expect(healthReportOf(thrown)).toStrictEqual({ status: 'unhealthy', message: 'not configured', details: { failure: 'error' } });
    expect(failedCheck(new PluginHttpError('down', { kind: 'server', status: 503 }), redact)).toEqual({ ok: false, message: 'down', kind: 'server' });
  });

  it('a redacted error keeps kind, status and code, and leaves secrets and cause behind', () => {
    const original = new PluginHttpError(`Vendor: ${KEY} lacks a permission`, { kind: 'auth', status: 403, code: 'forbidden' });
    Object.assign(original, { cause: { headers: { Authorization: `Bearer ${KEY}` } } });
    const copy = redactedError(original, redact);
    expect(copy).toBeInstanceOf(PluginHttpError);
    expect(copy).toMatchObject({ message: 'Vendor: [redacted] lacks a permission', kind: 'auth', status: 403, code: 'forbidden' });
    expect(copy.cause).toBeUndefined();
    const plain = redactedError(new Error(`bad ${KEY}`, { cause: KEY }), redact);
    expect(plain).not.toBeInstanceOf(PluginHttpError);
    expect(plain.message).toBe('bad [redacted]');
    expect(plain.cause).toBeUndefined();
  });
});
