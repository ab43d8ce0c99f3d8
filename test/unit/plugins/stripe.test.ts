import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import plugin, { type StripeConfig } from '../../../plugins/stripe/index.ts';
import { fromMinorUnits, toMinorUnits } from '../../../plugins/stripe/currency.ts';
import { checkPluginSchema, validateConfig } from '../../../plugins/sdk/index.ts';
import { createTestPluginContext, everythingSaid, thrownBy, type TestPluginContext } from '../../support/plugin-context.ts';
import { closedPortUrl } from '../../support/vendors/http-double.ts';
import { startStripeDouble, stripeFaults, type StripeDouble } from '../../support/vendors/stripe.ts';

const KEY = 'sk_test_CANARY51Hx9f2b7c4d3e8a0b1c2d3e4f5';
const RESTRICTED = 'rk_test_CANARY51Hrestricted0a1b2c3d';

let stripe: StripeDouble;
const contexts: TestPluginContext[] = [];
const outputs: unknown[] = [];

beforeAll(async () => {
  stripe = await startStripeDouble({ secretKey: KEY, restrictedKey: RESTRICTED });
});
afterEach(() => stripe.reset());
afterAll(async () => {
  await stripe.close();
  for (const context of contexts) {
    const said = everythingSaid(context, ...outputs);
    expect(said).not.toContain(KEY);
    expect(said).not.toContain(RESTRICTED);
  }
});

function config(overrides: Partial<StripeConfig> = {}): StripeConfig {
  return { secretKey: KEY, captureMethod: 'automatic', retryCount: 2, timeoutSeconds: 5, apiBaseUrl: stripe.url, ...overrides };
}

async function provider(overrides: Partial<StripeConfig> = {}) {
  const context = createTestPluginContext();
  contexts.push(context);
  const instance = await plugin.createProvider(config(overrides), context);
  return { instance, context };
}

function said<T>(output: T): T {
  outputs.push(output);
  return output;
}

const form = (body: string | undefined) => Object.fromEntries(new URLSearchParams(body ?? ''));

describe('stripe: amounts in minor units', () => {
  it('multiplies by the currency factor and refuses amounts that do not fit', () => {
    expect(toMinorUnits(12.5, 'EUR')).toBe(1250);
    expect(toMinorUnits(19.99, 'usd')).toBe(1999);
    expect(toMinorUnits(1500, 'JPY')).toBe(1500);
    expect(toMinorUnits(1.25, 'KWD')).toBe(1250);
    expect(toMinorUnits(500, 'ISK')).toBe(50_000);
    expect(() => toMinorUnits(12.5, 'JPY')).toThrow('Stripe: JPY has no minor unit, so the amount must be a whole number (got 12.5)');
    expect(() => toMinorUnits(10.005, 'USD')).toThrow('Stripe: USD amounts have at most 2 decimals (got 10.005)');
    expect(() => toMinorUnits(1.255, 'KWD')).toThrow('must be a multiple of 0.010');
    expect(() => toMinorUnits(-1, 'USD')).toThrow('the amount must be a positive number');
    expect(() => toMinorUnits(1, 'EURO')).toThrow('"EURO" is not a three-letter ISO currency code');
    expect(fromMinorUnits(1250, 'eur')).toBe(12.5);
    expect(fromMinorUnits(1500, 'jpy')).toBe(1500);
  });
});

describe('stripe: payments', () => {
  it('creates and confirms a payment intent, form-encoded, with an idempotency key', async () => {
    const { instance } = await provider({ apiVersion: '2024-06-20' });
    const result = said(await instance.processPayment({ amount: 12.5, currency: 'EUR', paymentMethod: 'pm_card_visa', metadata: { order: 42, note: 'gift' } }));

    expect(result).toMatchObject({ status: 'succeeded', details: { amount: 12.5, amountMinor: 1250, currency: 'eur', captureMethod: 'automatic' } });
    expect(result.id).toMatch(/^pi_/);
    const request = stripe.requests[0]!;
    expect(request.path).toBe('/v1/payment_intents');
    expect(request.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request.headers['stripe-version']).toBe('2024-06-20');
    expect(request.headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
    expect(form(request.body)).toEqual({
      amount: '1250',
      currency: 'eur',
      payment_method: 'pm_card_visa',
      confirm: 'true',
      capture_method: 'automatic',
      'automatic_payment_methods[enabled]': 'true',
      'automatic_payment_methods[allow_redirects]': 'never',
      'metadata[order]': '42',
      'metadata[note]': 'gift',
    });
  });

  it('charges zero-decimal currencies in whole units', async () => {
    const { instance } = await provider();
    const result = said(await instance.processPayment({ amount: 1500, currency: 'JPY', paymentMethod: 'pm_card_visa' }));
    expect(form(stripe.requests[0]?.body).amount).toBe('1500');
    expect(result.details).toMatchObject({ amount: 1500, currency: 'jpy' });
  });

  it('sends the return URL when configured, and authorizes only with manual capture', async () => {
    const { instance } = await provider({ returnUrl: 'https://shop.example.com/done', captureMethod: 'manual' });
    const result = said(await instance.processPayment({ amount: 10, currency: 'usd', paymentMethod: 'pm_card_visa' }));
    expect(result.status).toBe('requires_capture');
    const params = form(stripe.requests[0]?.body);
    expect(params.return_url).toBe('https://shop.example.com/done');
    expect(params['automatic_payment_methods[allow_redirects]']).toBeUndefined();
  });

  it('reports 3-D Secure as requires_action, not as an error', async () => {
    const { instance } = await provider();
    const result = said(await instance.processPayment({ amount: 10, currency: 'usd', paymentMethod: 'pm_card_authenticationRequired' }));
    expect(result).toMatchObject({ status: 'requires_action', details: { nextAction: 'use_stripe_sdk' } });
  });

  it('explains a declined card with its decline code and payment intent', async () => {
    const { instance } = await provider();
    const error = said(await thrownBy(() => instance.processPayment({ amount: 10, currency: 'usd', paymentMethod: 'pm_card_chargeDeclinedInsufficientFunds' })));
    expect(error.message).toMatch(/^Stripe: Your card has insufficient funds\. \(card_error: card_declined, decline code insufficient_funds; payment intent pi_\w+\) \[request req_\w+\]$/);
    expect(stripe.requests).toHaveLength(1);
  });

  it("the caller's idempotency key makes a repeated call return the first payment", async () => {
    const { instance } = await provider();
    const first = said(await instance.processPayment({ amount: 10, currency: 'usd', paymentMethod: 'pm_card_visa', metadata: { idempotencyKey: 'order-42' } }));
    const second = said(await instance.processPayment({ amount: 10, currency: 'usd', paymentMethod: 'pm_card_visa', metadata: { idempotencyKey: 'order-42' } }));
    expect(second.id).toBe(first.id);
    expect(stripe.requests.map((r) => r.headers['idempotency-key'])).toEqual(['order-42', 'order-42']);
    expect(form(stripe.requests[0]?.body)['metadata[idempotencyKey]']).toBeUndefined();
  });

  it('retries a 500 with the same idempotency key (Stripe-Should-Retry) and charges once', async () => {
    stripe.inject({ kind: 'reply', reply: stripeFaults.apiError() });
    const { instance } = await provider();
    said(await instance.processPayment({ amount: 10, currency: 'usd', paymentMethod: 'pm_card_visa' }));
    expect(stripe.requests).toHaveLength(2);
    expect(stripe.requests[1]?.headers['idempotency-key']).toBe(stripe.requests[0]?.headers['idempotency-key']);
    expect(stripe.paymentIntents.size).toBe(1);
  });

  it('refuses bad requests before calling Stripe', async () => {
    const { instance } = await provider();
    expect(said(await thrownBy(() => instance.processPayment({ amount: 12.5, currency: 'JPY', paymentMethod: 'pm_card_visa' }))).message).toContain('must be a whole number');
    expect(said(await thrownBy(() => instance.processPayment({ amount: 10, currency: 'usd', paymentMethod: ' ' }))).message).toBe('Stripe: a payment method (pm_…) is required');
    expect(stripe.requests).toHaveLength(0);
  });
});

describe('stripe: refunds', () => {
  it('refunds a payment fully, or partially in major units', async () => {
    const { instance } = await provider();
    const payment = said(await instance.processPayment({ amount: 20, currency: 'eur', paymentMethod: 'pm_card_visa' }));
    const partial = said(await instance.refund(payment.id, 5.5));
    expect(partial).toMatchObject({ status: 'succeeded', details: { amount: 5.5, currency: 'eur', paymentIntent: payment.id } });
    expect(partial.id).toMatch(/^re_/);
    expect(form(stripe.requests.at(-1)?.body)).toEqual({ payment_intent: payment.id, amount: '550' });
    const rest = said(await instance.refund(payment.id));
    expect(rest.details).toMatchObject({ amount: 14.5 });
  });

  it('refunds a zero-decimal payment in whole units, by charge id too', async () => {
    const { instance } = await provider();
    const payment = said(await instance.processPayment({ amount: 1000, currency: 'jpy', paymentMethod: 'pm_card_visa' }));
    const charge = String(payment.details?.latestCharge);
    const refund = said(await instance.refund(charge, 300));
    expect(form(stripe.requests.at(-1)?.body)).toEqual({ charge, amount: '300' });
    expect(refund.details).toMatchObject({ amount: 300, currency: 'jpy' });
  });

  it("explains Stripe's refusals", async () => {
    const { instance } = await provider();
    const payment = said(await instance.processPayment({ amount: 10, currency: 'usd', paymentMethod: 'pm_card_visa' }));
    const tooMuch = said(await thrownBy(() => instance.refund(payment.id, 50)));
    expect(tooMuch.message).toMatch(/^Stripe: Refund amount \(5000 usd\) is greater than unrefunded amount on charge \(1000 usd\) \(invalid_request_error, parameter amount\)/);
    const unknown = said(await thrownBy(() => instance.refund('pi_nope')));
    expect(unknown.message).toMatch(/^Stripe: No such payment_intent: 'pi_nope' \(invalid_request_error: resource_missing, parameter payment_intent\)/);
    const notAnId = said(await thrownBy(() => instance.refund('order-42')));
    expect(notAnId.message).toBe('Stripe: "order-42" is not a payment intent (pi_…) or charge (ch_…) id');
  });
});

describe('stripe: health, test and failures', () => {
  it('test and health read the balance', async () => {
    const { instance } = await provider();
    const test = said(await instance.testConnection!());
    expect(test).toEqual({
      success: true,
      message: 'Connected to Stripe in test mode',
      details: { livemode: false, keyMode: 'test', keyType: 'secret', currencies: ['usd'] },
    });
    expect(stripe.requests[0]?.method).toBe('GET');
    expect(stripe.requests[0]?.path).toBe('/v1/balance');
    expect(said(await instance.healthCheck!())).toMatchObject({ status: 'healthy' });
  });

  it('a wrong key is refused with a clear message that never holds the key', async () => {
    const wrong = 'sk_test_CANARYwrongKey000000000009876';
    const { instance, context } = await provider({ secretKey: wrong });
    const test = said(await instance.testConnection!());
    expect(test.success).toBe(false);
    expect(test.message).toMatch(/^Stripe: the secret key was refused: Invalid API Key provided: sk_test_\*+9876 \(invalid_request_error\) \[request req_\w+\]$/);
    const error = said(await thrownBy(() => instance.processPayment({ amount: 10, currency: 'usd', paymentMethod: 'pm_card_visa' })));
    expect(error.message).toContain('the secret key was refused');
    expect(stripe.requests).toHaveLength(2);
    expect(everythingSaid(context, test, error)).not.toContain(wrong);
  });

  it('a restricted key without balance access fails the test, naming the permission', async () => {
    const { instance } = await provider({ secretKey: RESTRICTED });
    const test = said(await instance.testConnection!());
    expect(test.success).toBe(false);
    expect(test.message).toContain("the key lacks a permission: The provided key 'rk_test_");
    expect(test.message).toContain("Having the 'rak_balance_read' permission would allow this request to continue.");
  });

  it('a 429 is retried; a persistent one makes health degraded', async () => {
    stripe.inject({ kind: 'reply', reply: stripeFaults.rateLimited() });
    const { instance } = await provider({ retryCount: 1 });
    expect(said(await instance.healthCheck!())).toMatchObject({ status: 'healthy' });
    expect(stripe.requests).toHaveLength(2);
    stripe.inject({ kind: 'reply', reply: stripeFaults.rateLimited() }, 2);
    const degraded = said(await instance.healthCheck!());
    expect(degraded.status).toBe('degraded');
    expect(degraded.message).toMatch(/^Stripe: Request rate limit exceeded\..*\(invalid_request_error: rate_limit\) \[request req_\w+\] \(after 2 attempts\)$/);
  });

  it('repeated 500s give up with a clear message', async () => {
    stripe.inject({ kind: 'reply', reply: stripeFaults.apiError() }, 3);
    const { instance } = await provider();
    const error = said(await thrownBy(() => instance.refund('pi_whatever')));
    expect(error.message).toMatch(/^Stripe: An unknown error occurred \(api_error\) \[request req_\w+\] \(after 3 attempts\)$/);
  });

  it('timeouts, unreachable hosts and garbage bodies are explained', async () => {
    stripe.inject({ kind: 'hang' });
    const { instance } = await provider({ timeoutSeconds: 1, retryCount: 0 });
    const timeout = said(await instance.testConnection!());
    expect(timeout).toEqual({ success: false, message: `Stripe: request to ${new URL(stripe.url).host} timed out after 1000 ms` });

    stripe.inject({ kind: 'garbage' });
    const garbage = said(await instance.healthCheck!());
    expect(garbage).toMatchObject({ status: 'unhealthy', details: { failure: 'response' } });
    expect(garbage.message).toMatch(/^Stripe: expected JSON but got HTTP 200, text\/html/);

    const offline = await provider({ apiBaseUrl: await closedPortUrl(), retryCount: 0 });
    const refused = said(await thrownBy(() => offline.instance.processPayment({ amount: 10, currency: 'usd', paymentMethod: 'pm_card_visa' })));
    expect(refused.message).toMatch(/^Stripe: could not connect to 127\.0\.0\.1:\d+: connection refused$/);
  });

  it('configure refuses a publishable key', async () => {
    const error = await thrownBy(async () => plugin.createProvider(config({ secretKey: 'pk_test_CANARYpublishable' }), createTestPluginContext()));
    expect(error.message).toBe('Secret Key must be a secret (sk_…) or restricted (rk_…) key');
  });
});

describe('stripe: schema', () => {
  it('passes the registry checks; defaults complete a minimal configuration; a publishable key is refused', () => {
    expect(checkPluginSchema(plugin)).toEqual([]);
    expect(validateConfig(plugin, { secretKey: KEY })).toEqual({
      ok: true,
      value: { secretKey: KEY, captureMethod: 'automatic', retryCount: 2, timeoutSeconds: 30, apiBaseUrl: 'https://api.stripe.com' },
    });
    expect(validateConfig(plugin, config())).toMatchObject({ ok: true });
    const publishable = validateConfig(plugin, { secretKey: 'pk_test_abc' });
    expect(publishable.ok ? [] : publishable.errors.map((e) => e.message)).toEqual([
      'Use a secret key (sk_test_…, sk_live_…) or a restricted key (rk_…), not a publishable key',
    ]);
  });
});
