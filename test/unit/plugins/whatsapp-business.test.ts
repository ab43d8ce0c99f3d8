import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import plugin, { type WhatsAppConfig } from '../../../plugins/whatsapp-business/index.ts';
import { checkPluginSchema, validateConfig } from '../../../plugins/sdk/index.ts';
import { createTestPluginContext, everythingSaid, thrownBy, type TestPluginContext } from '../../support/plugin-context.ts';
import { ioUntil, runThroughWaits } from '../../support/fake-clock.ts';
import { closedPortUrl } from '../../support/vendors/http-double.ts';
import { graphError, startWhatsAppDouble, whatsappFaults, type WhatsAppDouble } from '../../support/vendors/whatsapp.ts';

const TOKEN = 'CANARY-wa-token-EAAG4f2d9c1e8b7a6f5e4d3c2b1a';
const VERIFY_TOKEN = 'CANARY-wa-verify-91c3';
const PHONE_NUMBER_ID = '106540352242922';
const WABA_ID = '102290129340398';

let meta: WhatsAppDouble;
const contexts: TestPluginContext[] = [];
const outputs: unknown[] = [];

beforeAll(async () => {
  meta = await startWhatsAppDouble({
    token: TOKEN,
    businessAccountId: WABA_ID,
    phoneNumberId: PHONE_NUMBER_ID,
    displayPhoneNumber: '+1 555-010-0200',
    verifiedName: 'Plugform Test',
    templates: ['hello_world', 'order_update'],
  });
});
afterEach(() => {
  meta.reset();
  meta.options.qualityRating = 'GREEN';
});
afterAll(async () => {
  await meta.close();
  // Whatever happened above, neither secret was ever said.
  for (const context of contexts) {
    const said = everythingSaid(context, ...outputs);
    expect(said).not.toContain(TOKEN);
    expect(said).not.toContain(VERIFY_TOKEN);
  }
});

function config(overrides: Partial<WhatsAppConfig> = {}): WhatsAppConfig {
  return {
    phoneNumber: '+15550100200',
    apiToken: TOKEN,
    businessAccountId: WABA_ID,
    phoneNumberId: PHONE_NUMBER_ID,
    sandboxMode: false,
    apiVersion: 'v21.0',
    templateLanguage: 'en_US',
    retryCount: 2,
    messageTimeoutSeconds: 5,
    rateLimitPerSecond: 80,
    webhookUrl: 'https://example.com/webhooks/whatsapp',
    webhookVerifyToken: VERIFY_TOKEN,
    deliveryReceipts: false,
    apiBaseUrl: meta.url,
    ...overrides,
  };
}

async function provider(overrides: Partial<WhatsAppConfig> = {}) {
  const context = createTestPluginContext();
  contexts.push(context);
  const instance = await plugin.createProvider(config(overrides), context);
  return { instance, context };
}

/** Records an output for the end-of-file leak check and returns it. */
function said<T>(output: T): T {
  outputs.push(output);
  return output;
}

describe('whatsapp-business: sending', () => {
  it('sends a text message to the phone number ID with the bearer token', async () => {
    const { instance } = await provider();
    const result = said(await instance.sendNotification({ recipient: '+1 (555) 010-0999', message: 'Your order shipped' }));

    expect(result.success).toBe(true);
    expect(result.messageId).toMatch(/^wamid\./);
    expect(result.details).toMatchObject({ type: 'text', waId: '15550100999' });
    const [request] = meta.requests;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe(`/v21.0/${PHONE_NUMBER_ID}/messages`);
    expect(request?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(JSON.parse(request?.body ?? '')).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '+15550100999',
      type: 'text',
      text: { body: 'Your order shipped', preview_url: false },
    });
  });

  it('puts the subject in bold above the text and uses the configured API version', async () => {
    const { instance } = await provider({ apiVersion: 'v20.0' });
    said(await instance.sendNotification({ recipient: '+15550100999', subject: 'Order 42', message: 'Shipped today' }));
    expect(meta.requests[0]?.path).toBe(`/v20.0/${PHONE_NUMBER_ID}/messages`);
    expect(meta.sent[0]?.body.text).toEqual({ body: '*Order 42*\n\nShipped today', preview_url: false });
  });

  it('sends a template message with body parameters and a language', async () => {
    const { instance } = await provider();
    said(
      await instance.sendNotification({
        recipient: '+15550100999',
        message: '',
        metadata: { template: 'order_update', templateParams: ['Ada', 42], templateLanguage: 'en' },
      }),
    );
    expect(meta.sent[0]?.body).toMatchObject({
      type: 'template',
      template: {
        name: 'order_update',
        language: { code: 'en' },
        components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ada' }, { type: 'text', text: '42' }] }],
      },
    });
  });

  it('sends the default template when the notification has no text', async () => {
    const { instance } = await provider({ defaultTemplate: 'hello_world' });
    said(await instance.sendNotification({ recipient: '+15550100999', message: '  ' }));
    expect(meta.sent[0]?.body).toMatchObject({ type: 'template', template: { name: 'hello_world', language: { code: 'en_US' } } });
  });

  it("explains Meta's unknown-template error", async () => {
    const { instance } = await provider();
    const error = said(await thrownBy(() => instance.sendNotification({ recipient: '+15550100999', message: '', metadata: { template: 'nope' } })));
    expect(error.message).toContain('the template does not exist in this language');
    expect(error.message).toContain('132001');
  });

  it('refuses a recipient that is not a phone number, and an empty message, without calling Meta', async () => {
    const { instance } = await provider();
    const badRecipient = said(await thrownBy(() => instance.sendNotification({ recipient: 'ada@example.com', message: 'hi' })));
    expect(badRecipient.message).toBe('recipient "ada@example.com" is not a phone number in E.164 format (for example +15550100200)');
    const empty = said(await thrownBy(() => instance.sendNotification({ recipient: '+15550100999', message: '' })));
    expect(empty.message).toContain('WhatsApp message is empty');
    const tooLong = said(await thrownBy(() => instance.sendNotification({ recipient: '+15550100999', message: 'x'.repeat(5000) })));
    expect(tooLong.message).toContain('limited to 4096 characters');
    expect(meta.requests).toHaveLength(0);
  });

  it('in sandbox mode validates and logs the message but sends nothing', async () => {
    const { instance, context } = await provider({ sandboxMode: true });
    const result = said(await instance.sendNotification({ recipient: '+15550100999', message: 'hello' }));
    expect(result).toMatchObject({ success: true, details: { sandbox: true, sent: false, type: 'text' } });
    expect(meta.requests).toHaveLength(0);
    expect(context.logs.some((line) => line.message.includes('sandbox'))).toBe(true);
  });

  it('sends the custom headers but never lets them replace Authorization', async () => {
    const { instance } = await provider({ customHeaders: { 'X-Proxy-Route': 'whatsapp' } });
    said(await instance.sendNotification({ recipient: '+15550100999', message: 'hi' }));
    expect(meta.requests[0]?.headers['x-proxy-route']).toBe('whatsapp');
    const error = await thrownBy(async () => plugin.createProvider(config({ customHeaders: { Authorization: 'Bearer other' } }), createTestPluginContext()));
    expect(error.message).toBe('Custom Headers: the header "Authorization" is set by the plugin and cannot be overridden');
  });

  it('refuses delivery receipts without a webhook URL', async () => {
    const error = await thrownBy(async () => plugin.createProvider(config({ deliveryReceipts: true, webhookUrl: undefined }), createTestPluginContext()));
    expect(error.message).toContain('Delivery Receipts need a Webhook URL');
  });
});

describe('whatsapp-business: health and connection test', () => {
  it('health reads the phone number with the token and reports it', async () => {
    const { instance } = await provider();
    const report = said(await instance.healthCheck!());
    expect(report).toEqual({
      status: 'healthy',
      message: '+1 555-010-0200 (Plugform Test) is reachable, quality GREEN',
      details: { displayPhoneNumber: '+1 555-010-0200', verifiedName: 'Plugform Test', qualityRating: 'GREEN', apiVersion: 'v21.0', sandboxMode: false },
    });
    expect(meta.requests[0]?.method).toBe('GET');
    expect(meta.requests[0]?.path).toBe(`/v21.0/${PHONE_NUMBER_ID}`);
    expect(meta.requests[0]?.url.searchParams.get('fields')).toBe('display_phone_number,verified_name,quality_rating');
    expect(meta.requests[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('health is degraded when the quality rating is RED', async () => {
    meta.options.qualityRating = 'RED';
    const { instance } = await provider();
    const report = said(await instance.healthCheck!());
    expect(report.status).toBe('degraded');
    expect(report.message).toContain('low quality rating (RED)');
  });

  it('test connection checks the number and that it belongs to the business account', async () => {
    const { instance } = await provider();
    const result = said(await instance.testConnection!());
    expect(result).toMatchObject({ success: true, message: 'Connected to WhatsApp Cloud API as Plugform Test (+1 555-010-0200)' });
    expect(meta.requests.map((r) => r.path)).toEqual([`/v21.0/${PHONE_NUMBER_ID}`, `/v21.0/${WABA_ID}/phone_numbers`]);
  });

  it('test connection fails when the phone number ID is another number', async () => {
    const { instance } = await provider({ phoneNumber: '+15550109999' });
    const result = said(await instance.testConnection!());
    expect(result.success).toBe(false);
    expect(result.message).toBe(`WhatsApp Cloud API: phone number ID ${PHONE_NUMBER_ID} is +1 555-010-0200, not the configured +15550109999`);
  });

  it('test connection fails when the phone number is not in the business account', async () => {
    const { instance } = await provider({ businessAccountId: '999' });
    const result = said(await instance.testConnection!());
    expect(result.success).toBe(false);
    expect(result.message).toContain("Object with ID '999' does not exist");
  });

  it('an unknown phone number ID is explained', async () => {
    const { instance } = await provider({ phoneNumberId: '123' });
    const result = said(await instance.testConnection!());
    expect(result.success).toBe(false);
    expect(result.message).toContain('a parameter is invalid or the object does not exist (Graph API error 100/33, GraphMethodException)');
  });
});

describe('whatsapp-business: failures', () => {
  it('a wrong token gives "access token is invalid or expired", unretried, without the token', async () => {
    const { instance, context } = await provider({ apiToken: 'CANARY-wrong-token-0000000000' });
    const error = said(await thrownBy(() => instance.sendNotification({ recipient: '+15550100999', message: 'hi' })));
    expect(error.message).toMatch(/^WhatsApp Cloud API: access token is invalid or expired \(Graph API error 190, OAuthException\): Invalid OAuth access token/);
    expect(meta.requests).toHaveLength(1);
    const health = said(await instance.healthCheck!());
    expect(health.status).toBe('unhealthy');
    expect(health.message).toContain('access token is invalid or expired');
    const test = said(await instance.testConnection!());
    expect(test.success).toBe(false);
    expect(everythingSaid(context, error, health, test)).not.toContain('CANARY-wrong-token-0000000000');
  });

  it('an expired token is explained with its subcode', async () => {
    meta.inject({ kind: 'reply', reply: whatsappFaults.tokenExpired() });
    const { instance } = await provider();
    const error = said(await thrownBy(() => instance.sendNotification({ recipient: '+15550100999', message: 'hi' })));
    expect(error.message).toContain('access token is invalid or expired (Graph API error 190/463, OAuthException): Error validating access token: Session has expired');
  });

  it("retries Meta's throughput error 130429 (sent as HTTP 400) and then succeeds", async () => {
    meta.inject({ kind: 'reply', reply: whatsappFaults.throughputExceeded() });
    const { instance, context } = await provider();
    const result = said(await instance.sendNotification({ recipient: '+15550100999', message: 'hi' }));
    expect(result.success).toBe(true);
    expect(meta.requests).toHaveLength(2);
    expect(context.logs.find((line) => line.level === 'warn')?.details).toMatchObject({ attempt: 1, reason: 'HTTP 400' });
  });

  it('honours Retry-After on an HTTP 429 (from a proxy in front of Meta)', async () => {
    meta.inject({ kind: 'reply', reply: { status: 429, headers: { 'retry-after': '1' }, body: 'slow down' } });
    const { instance, context } = await provider();
    const { result, waits } = await runThroughWaits({ context, requests: meta.requests }, () => instance.sendNotification({ recipient: '+15550100999', message: 'hi' }));
    said(result);
    expect(waits).toEqual([1000]);
    expect(meta.requests).toHaveLength(2);
  });

  it('gives up after the configured retries on repeated 500s with a clear message', async () => {
    meta.inject({ kind: 'reply', reply: whatsappFaults.somethingWentWrong() }, 3);
    const { instance } = await provider({ retryCount: 2 });
    const error = said(await thrownBy(() => instance.sendNotification({ recipient: '+15550100999', message: 'hi' })));
    expect(error.message).toMatch(/^WhatsApp Cloud API: something went wrong at Meta \(Graph API error 131000, OAuthException\): \(#131000\) Something went wrong/);
    expect(error.message).toMatch(/\(after 3 attempts\)$/);
    expect(meta.requests).toHaveLength(3);
  });

  it('does not retry a bad request', async () => {
    meta.inject({ kind: 'reply', reply: graphError(400, { message: '(#131030) Recipient phone number not in allowed list', type: 'OAuthException', code: 131030 }) });
    const { instance } = await provider();
    const error = said(await thrownBy(() => instance.sendNotification({ recipient: '+15550100999', message: 'hi' })));
    expect(error.message).toContain('the recipient is not in the allowed list of this test number');
    expect(meta.requests).toHaveLength(1);
  });

  it('times out a hanging request after the message timeout', async () => {
    meta.inject({ kind: 'hang' });
    const { instance } = await provider({ messageTimeoutSeconds: 1, retryCount: 0 });
    const error = said(await thrownBy(() => instance.sendNotification({ recipient: '+15550100999', message: 'hi' })));
    expect(error.message).toBe(`WhatsApp Cloud API: request to ${new URL(meta.url).host} timed out after 1000 ms`);
  });

  it('retries after a timeout and succeeds when the next answer comes', async () => {
    meta.inject({ kind: 'hang' });
    const { instance } = await provider({ messageTimeoutSeconds: 1, retryCount: 1 });
    const result = said(await instance.sendNotification({ recipient: '+15550100999', message: 'hi' }));
    expect(result.success).toBe(true);
    expect(meta.requests).toHaveLength(2);
  });

  it('an unreachable host gives "connection refused" everywhere', async () => {
    const { instance } = await provider({ apiBaseUrl: await closedPortUrl(), retryCount: 1 });
    const error = said(await thrownBy(() => instance.sendNotification({ recipient: '+15550100999', message: 'hi' })));
    expect(error.message).toMatch(/^WhatsApp Cloud API: could not connect to 127\.0\.0\.1:\d+: connection refused \(after 2 attempts\)$/);
    const health = said(await instance.healthCheck!());
    expect(health).toMatchObject({ status: 'unhealthy', details: { failure: 'network' } });
  });

  it('a garbage body is reported as such', async () => {
    meta.inject({ kind: 'garbage' });
    const { instance } = await provider();
    const error = said(await thrownBy(() => instance.sendNotification({ recipient: '+15550100999', message: 'hi' })));
    expect(error.message).toBe('WhatsApp Cloud API: expected JSON but got HTTP 200, text/html: "<html><head><title>502 Bad Gateway</title></head><body>upstream sent garbage</bo…"');
  });

  it('health is degraded (not unhealthy) while Meta throttles', async () => {
    meta.inject({ kind: 'reply', reply: whatsappFaults.throughputExceeded() }, 3);
    const { instance } = await provider({ retryCount: 0 });
    const report = said(await instance.healthCheck!());
    expect(report.status).toBe('degraded');
    expect(report.message).toContain('message throughput of this phone number has been reached');
  });

  it('removes the token when Meta echoes it in an error', async () => {
    meta.inject({ kind: 'reply', reply: graphError(400, { message: `(#100) Invalid parameter near ${TOKEN}`, type: 'OAuthException', code: 100 }) });
    const { instance } = await provider();
    const error = said(await thrownBy(() => instance.sendNotification({ recipient: '+15550100999', message: 'hi' })));
    expect(error.message).toContain('Invalid parameter near [redacted]');
    expect(error.message).not.toContain(TOKEN);
  });

  it('stop() ends a call in flight', async () => {
    meta.inject({ kind: 'hang' });
    const { instance } = await provider({ retryCount: 3 });
    const pending = thrownBy(() => instance.sendNotification({ recipient: '+15550100999', message: 'hi' }));
    await ioUntil(() => meta.requests.length === 1); // in flight: Meta has it and holds it
    await instance.stop!();
    const error = said(await pending);
    expect(error.message).toBe('WhatsApp Cloud API: request cancelled');
    expect(meta.requests).toHaveLength(1);
  });
});

describe('whatsapp-business: rate limit', () => {
  // The bucket reads Date and waits with setTimeout: both on a fake clock that moves only when told.
  afterEach(() => {
    vi.useRealTimers();
  });

  it('spreads requests to the configured messages per second', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const { instance } = await provider({ rateLimitPerSecond: 2 });
    const sending = Promise.all([1, 2, 3, 4].map((n) => instance.sendNotification({ recipient: '+15550100999', message: `message ${n}` })));
    // A bucket of 2 tokens refilled at 2 per second: two at once, then one every 500 ms.
    await ioUntil(() => meta.sent.length === 2);
    for (const expected of [3, 4]) {
      await vi.advanceTimersByTimeAsync(499);
      expect(meta.sent).toHaveLength(expected - 1);
      await vi.advanceTimersByTimeAsync(1);
      await ioUntil(() => meta.sent.length === expected);
    }
    await sending;
    expect(meta.sent.map((m) => (m.body.text as { body: string }).body)).toEqual(['message 1', 'message 2', 'message 3', 'message 4']);
  });

  it('two providers never share a rate limit', { timeout: 5_000 }, async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const a = await provider({ rateLimitPerSecond: 1 });
    const b = await provider({ rateLimitPerSecond: 1 });
    // The clock never moves: a shared bucket of one token would hold the second send forever.
    await Promise.all([a, b].map(({ instance }) => instance.sendNotification({ recipient: '+15550100999', message: 'hi' })));
    expect(meta.sent).toHaveLength(2);
  });
});

describe('whatsapp-business: schema', () => {
  it('passes the registry checks; defaults complete a minimal configuration; the test configuration is valid', () => {
    expect(checkPluginSchema(plugin)).toEqual([]);
    const minimal = { phoneNumber: '+15550100200', apiToken: TOKEN, businessAccountId: WABA_ID, phoneNumberId: PHONE_NUMBER_ID };
    expect(validateConfig(plugin, minimal)).toEqual({
      ok: true,
      value: {
        ...minimal,
        sandboxMode: false,
        apiVersion: 'v21.0',
        templateLanguage: 'en_US',
        retryCount: 3,
        messageTimeoutSeconds: 30,
        rateLimitPerSecond: 80,
        deliveryReceipts: false,
        apiBaseUrl: 'https://graph.facebook.com',
      },
    });
    expect(validateConfig(plugin, config())).toMatchObject({ ok: true });
  });

  it('names the field and the rule for bad values', () => {
    const result = validateConfig(plugin, { ...config(), phoneNumberId: '+1 555', webhookUrl: 'http://example.com/hook', retryCount: 11 });
    expect(result.ok).toBe(false);
    const errors = result.ok ? [] : result.errors.map((e) => `${e.field}: ${e.message}`);
    expect(errors).toEqual(
      expect.arrayContaining([
        'phoneNumberId: The phone number ID is a number (not the phone number itself)',
        'webhookUrl: Meta only calls HTTPS webhooks',
      ]),
    );
    expect(errors.some((e) => e.startsWith('retryCount:'))).toBe(true);
  });
});
