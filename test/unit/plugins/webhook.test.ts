import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import plugin, { sign, type WebhookConfig } from '../../../plugins/webhook/index.ts';
import { checkPluginSchema, validateConfig } from '../../../plugins/sdk/index.ts';
import { createTestPluginContext, everythingSaid, loopbackBlockingGate, thrownBy, type TestPluginContext } from '../../support/plugin-context.ts';
import { runThroughWaits } from '../../support/fake-clock.ts';
import { closedPortUrl } from '../../support/vendors/http-double.ts';
import { signatureOf, startWebhookReceiver, type WebhookReceiver } from '../../support/vendors/webhook-receiver.ts';

const SECRET = 'CANARY-whsec-5f0c2a9e71d34b8c';
const BEARER = 'CANARY-bearer-77aa01';

let receiver: WebhookReceiver;
const contexts: TestPluginContext[] = [];
const outputs: unknown[] = [];

beforeAll(async () => {
  receiver = await startWebhookReceiver({ secret: SECRET });
});
afterEach(() => {
  receiver.reset();
  receiver.options.secret = SECRET;
  receiver.options.bearerToken = undefined;
  receiver.options.acceptWith = undefined;
});
afterAll(async () => {
  await receiver.close();
  for (const context of contexts) {
    const said = everythingSaid(context, ...outputs);
    expect(said).not.toContain(SECRET);
    expect(said).not.toContain(BEARER);
  }
});

function config(overrides: Partial<WebhookConfig> = {}): WebhookConfig {
  return { url: receiver.hookUrl, method: 'POST', signingSecret: SECRET, retryCount: 2, timeoutSeconds: 5, ...overrides };
}

async function provider(overrides: Partial<WebhookConfig> = {}) {
  const context = createTestPluginContext();
  contexts.push(context);
  const instance = await plugin.createProvider(config(overrides), context);
  return { instance, context };
}

function said<T>(output: T): T {
  outputs.push(output);
  return output;
}

describe('webhook: deliveries', () => {
  it('sends {action, payload, sentAt} signed with HMAC-SHA256 over the raw body', async () => {
    const { instance } = await provider({ headers: { 'X-Team': 'payments' } });
    const result = said(await instance.executeAction('order.created', { orderId: 42 }));

    expect(result).toMatchObject({ delivered: true, status: 200, attempts: 1, signed: true, response: { received: true } });
    const request = receiver.requests[0]!;
    expect(request.headers['x-plugform-signature']).toBe(signatureOf(SECRET, request.body));
    expect(request.headers['x-plugform-signature']).toBe(sign(SECRET, request.body));
    expect(request.headers['x-plugform-event']).toBe('order.created');
    expect(request.headers['x-plugform-delivery']).toBe(result.deliveryId);
    expect(request.headers['x-team']).toBe('payments');
    expect(request.headers['content-type']).toBe('application/json; charset=utf-8');
    const body = JSON.parse(request.body) as { action: string; payload: unknown; sentAt: string };
    expect(body).toMatchObject({ action: 'order.created', payload: { orderId: 42 } });
    expect(Math.floor(Date.parse(body.sentAt) / 1000)).toBe(Number(request.headers['x-plugform-timestamp']));
  });

  it('uses the configured method and sends the bearer token', async () => {
    receiver.options.bearerToken = BEARER;
    const { instance } = await provider({ method: 'PUT', bearerToken: BEARER });
    said(await instance.executeAction('sync', {}));
    expect(receiver.deliveries[0]?.method).toBe('PUT');
  });

  it('sends unsigned deliveries when no secret is configured', async () => {
    receiver.options.secret = undefined;
    const { instance } = await provider({ signingSecret: undefined });
    const result = said(await instance.executeAction('sync', {}));
    expect(result.signed).toBe(false);
    expect(receiver.requests[0]?.headers['x-plugform-signature']).toBeUndefined();
  });

  it('returns a non-JSON answer as text', async () => {
    receiver.options.acceptWith = { status: 202, body: 'queued' };
    const { instance } = await provider();
    expect(said(await instance.executeAction('sync', {}))).toMatchObject({ status: 202, response: 'queued' });
  });

  it('a wrong secret is refused by the receiver, with a hint and without the secret', async () => {
    const { instance } = await provider({ signingSecret: 'CANARY-other-secret-123456' });
    const error = said(await thrownBy(() => instance.executeAction('sync', {})));
    expect(error.message).toBe('Webhook: the endpoint answered HTTP 401 Unauthorized: "{"error":"invalid signature"}" (check the signing secret and bearer token)');
    expect(receiver.requests).toHaveLength(1);
  });

  it('refuses an action name that cannot travel in a header', async () => {
    const { instance } = await provider();
    const error = said(await thrownBy(() => instance.executeAction('bad action\r\n', {})));
    expect(error.message).toContain('must be 1–100 letters');
    expect(receiver.requests).toHaveLength(0);
  });

  it('refuses extra headers that would replace the signature', async () => {
    const error = await thrownBy(async () => plugin.createProvider(config({ headers: { 'X-Plugform-Signature': 'forged' } }), createTestPluginContext()));
    expect(error.message).toBe('Extra Headers: the header "X-Plugform-Signature" is set by the plugin and cannot be overridden');
  });
});

describe('webhook: retries and failures', () => {
  it('retries 5xx with the same delivery id and signature, then succeeds', async () => {
    receiver.inject({ kind: 'reply', reply: { status: 503, body: 'maintenance' } });
    const { instance } = await provider();
    const result = said(await instance.executeAction('sync', { n: 1 }));
    expect(result).toMatchObject({ delivered: true, attempts: 2 });
    const [first, second] = receiver.requests;
    expect(second?.headers['x-plugform-delivery']).toBe(first?.headers['x-plugform-delivery']);
    expect(second?.body).toBe(first?.body);
    expect(second?.headers['x-plugform-signature']).toBe(first?.headers['x-plugform-signature']);
  });

  it('honours Retry-After on a 429', async () => {
    receiver.inject({ kind: 'reply', reply: { status: 429, headers: { 'retry-after': '1' }, body: 'slow down' } });
    const { instance, context } = await provider();
    const { result, waits } = await runThroughWaits({ context, requests: receiver.requests }, () => instance.executeAction('sync', {}));
    said(result);
    expect(waits).toEqual([1000]);
    expect(receiver.requests).toHaveLength(2);
  });

  it('gives up after the retries with the status and body in the message', async () => {
    receiver.inject({ kind: 'reply', reply: { status: 500, body: 'boom' } }, 3);
    const { instance } = await provider({ retryCount: 2 });
    const error = said(await thrownBy(() => instance.executeAction('sync', {})));
    expect(error.message).toBe('Webhook: the endpoint answered HTTP 500 Internal Server Error: "boom" (after 3 attempts)');
  });

  it('does not retry a 4xx other than 408 and 429', async () => {
    receiver.inject({ kind: 'reply', reply: { status: 422, body: { error: 'unknown action' } } });
    const { instance } = await provider();
    said(await thrownBy(() => instance.executeAction('sync', {})));
    expect(receiver.requests).toHaveLength(1);
  });

  it('times out, and reports an unreachable endpoint', async () => {
    receiver.inject({ kind: 'hang' });
    const { instance } = await provider({ timeoutSeconds: 1, retryCount: 0 });
    const timeout = said(await thrownBy(() => instance.executeAction('sync', {})));
    expect(timeout.message).toBe(`Webhook: request to ${new URL(receiver.url).host} timed out after 1000 ms`);

    const offline = await provider({ url: `${await closedPortUrl()}/hook`, retryCount: 1 });
    const refused = said(await thrownBy(() => offline.instance.executeAction('sync', {})));
    expect(refused.message).toMatch(/^Webhook: could not connect to 127\.0\.0\.1:\d+: connection refused \(after 2 attempts\)$/);
  });

  it('an endpoint the egress policy blocks fails at once with the policy\'s reason', async () => {
    const context = createTestPluginContext({ httpOptions: { dispatcher: loopbackBlockingGate.dispatcher } });
    contexts.push(context);
    const instance = await plugin.createProvider(config(), context);
    const result = said(await instance.testConnection!());
    expect(result).toMatchObject({ success: false, message: expect.stringMatching(/^Webhook: Outbound connection to 127\.0\.0\.1 blocked: 127\.0\.0\.1 is a private or loopback address/) });
    expect(receiver.requests).toHaveLength(0);
  });

  it('a dropped connection is retried', async () => {
    receiver.inject({ kind: 'drop' });
    const { instance } = await provider();
    expect(said(await instance.executeAction('sync', {}))).toMatchObject({ attempts: 2 });
  });
});

describe('webhook: test and health send a signed ping', () => {
  it('test delivers a ping event the receiver verifies', async () => {
    const { instance } = await provider();
    const result = said(await instance.testConnection!());
    expect(result).toMatchObject({ success: true, message: 'The endpoint accepted a signed ping (HTTP 200)', details: { signed: true } });
    expect(receiver.deliveries[0]).toMatchObject({ event: 'ping', body: { action: 'ping', payload: { message: 'Plugform connection test' } } });
  });

  it('test fails clearly when the receiver refuses the signature', async () => {
    const { instance } = await provider({ signingSecret: 'CANARY-wrong-secret-0000000' });
    const result = said(await instance.testConnection!());
    expect(result.success).toBe(false);
    expect(result.message).toContain('HTTP 401 Unauthorized');
    expect(result.message).not.toContain('CANARY-wrong-secret');
  });

  it('health is healthy on a ping, unhealthy when unreachable, degraded when throttled', async () => {
    const { instance } = await provider({ retryCount: 0 });
    expect(said(await instance.healthCheck!())).toMatchObject({ status: 'healthy' });
    receiver.inject({ kind: 'reply', reply: { status: 429, body: 'slow down' } });
    expect(said(await instance.healthCheck!())).toMatchObject({ status: 'degraded' });
    const offline = await provider({ url: `${await closedPortUrl()}/hook`, retryCount: 0 });
    expect(said(await offline.instance.healthCheck!())).toMatchObject({ status: 'unhealthy', details: { failure: 'network' } });
  });
});

describe('webhook: schema', () => {
  it('passes the registry checks; defaults complete a minimal configuration', () => {
    expect(checkPluginSchema(plugin)).toEqual([]);
    expect(validateConfig(plugin, { url: 'https://example.com/hook' })).toEqual({
      ok: true,
      value: { url: 'https://example.com/hook', method: 'POST', retryCount: 3, timeoutSeconds: 10 },
    });
    expect(validateConfig(plugin, config())).toMatchObject({ ok: true });
    const short = validateConfig(plugin, { url: 'https://example.com/hook', signingSecret: 'short' });
    expect(short.ok ? [] : short.errors.map((e) => e.field)).toEqual(['signingSecret']);
  });
});
