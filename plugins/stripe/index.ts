/**
 * Stripe: takes payments with PaymentIntents and refunds them, over Stripe's REST API.
 *
 * Stripe's API is form-encoded (`metadata[order]=42`), authenticated with the secret key as a
 * bearer token, and made safe to retry with an `Idempotency-Key`: the same key with the same
 * parameters returns the first answer instead of charging twice, so every retry of one payment
 * reuses one key. https://docs.stripe.com/api
 */
import { randomUUID } from 'node:crypto';
import { definePlugin, retryCountField, timeoutSecondsField, type ConfigOf, type HttpFetch, type PaymentRequest, type PluginLogger } from '../sdk/index.ts';
import {
  attemptsNote,
  describeBody,
  healthReportOf,
  isRecord,
  joinUrl,
  kindOfStatus,
  PluginHttpError,
  redactSecrets,
  runCheck,
  testReportOf,
  type HttpAnswer,
  vendorClient,
} from '../sdk/http-helpers.ts';
import { fromMinorUnits, normalizeCurrency, toMinorUnits } from './currency.ts';

const KEY_PATTERN = '^(sk|rk)_(test|live)_[0-9A-Za-z]+$';

const fields = [
  {
    key: 'secretKey',
    label: 'Secret Key',
    type: 'SECRET',
    required: true,
    validationRules: [{ type: 'pattern', value: KEY_PATTERN, message: 'Use a secret key (sk_test_…, sk_live_…) or a restricted key (rk_…), not a publishable key' }],
    placeholder: 'sk_test_…',
    description: 'The secret or restricted API key of your Stripe account.',
    helpText: 'Dashboard > Developers > API keys. A restricted key needs write access to PaymentIntents and Refunds, and read access to Balance for the connection test.',
    group: 'Credentials',
    order: 1,
  },
  {
    key: 'captureMethod',
    label: 'Capture',
    type: 'SELECT',
    default: 'automatic',
    options: [
      { value: 'automatic', label: 'Charge immediately' },
      { value: 'manual', label: 'Authorize only (capture later in Stripe)' },
    ],
    group: 'Payments',
    order: 1,
  },
  {
    key: 'returnUrl',
    label: 'Return URL',
    type: 'URL',
    destination: false,
    placeholder: 'https://shop.example.com/payment/complete',
    description: 'Where customers land after a redirect-based payment method (3-D Secure, bank redirects).',
    helpText: 'Leave empty to accept only payment methods that never redirect.',
    group: 'Payments',
    order: 2,
  },
  {
    key: 'apiVersion',
    label: 'API Version',
    type: 'STRING',
    validationRules: [{ type: 'pattern', value: '^\\d{4}-\\d{2}-\\d{2}(\\.[a-z]+)?$', message: 'A Stripe API version looks like 2024-06-20' }],
    placeholder: '2024-06-20',
    helpText: "Sent as Stripe-Version. Empty uses your account's default version.",
    group: 'Advanced',
    order: 1,
  },
  retryCountField({
    helpText: 'Extra attempts when Stripe says a request may be retried (429, 409, 5xx, no answer). Retries reuse the idempotency key, so nothing is charged twice.',
    order: 2,
  }),
  timeoutSecondsField({ default: 30, maxValue: 80, order: 3 }),
  {
    key: 'apiBaseUrl',
    label: 'API Base URL',
    type: 'URL',
    destination: true,
    default: 'https://api.stripe.com',
    helpText: 'Change only for a proxy (or a local server in tests).',
    group: 'Advanced',
    order: 4,
  },
] as const;

export type StripeConfig = ConfigOf<typeof fields>;

const LABEL = 'Stripe';

export default definePlugin({
  name: 'stripe',
  displayName: 'Stripe',
  type: 'PAYMENT',
  version: '1.0.0',
  description: 'Take card payments with Stripe PaymentIntents and refund them.',
  author: 'Plugform',
  homepage: 'https://docs.stripe.com/api/payment_intents',
  tags: ['payments', 'cards', 'stripe', 'refunds'],
  groups: ['Credentials', 'Payments', 'Advanced'],
  fields,
  supportsHealthCheck: true,
  supportsTestConnection: true,

  createProvider(config, context) {
    if (!new RegExp(KEY_PATTERN).test(config.secretKey)) {
      throw new Error('Secret Key must be a secret (sk_…) or restricted (rk_…) key');
    }
    const stripe = createStripeApi(config, context.http.fetch, context.logger);
    return {
      processPayment(request) {
        return stripe.guard(() => stripe.createPayment(request));
      },

      refund(paymentId, amount) {
        return stripe.guard(() => stripe.refund(paymentId, amount));
      },

      capturePayment(paymentId, amount) {
        return stripe.guard(() => stripe.capture(paymentId, amount));
      },

      async healthCheck() {
        return healthReportOf(await runCheck(() => stripe.balance(), stripe.redact));
      },

      async testConnection() {
        return testReportOf(await runCheck(() => stripe.balance(), stripe.redact));
      },
    };
  },
});

// ---------------------------------------------------------------------------------------

type Params = [string, string][];

function createStripeApi(config: StripeConfig, fetch: HttpFetch, logger: PluginLogger) {
  const client = vendorClient({
    fetch,
    logger,
    label: LABEL,
    secrets: [config.secretKey],
    timeoutSeconds: config.timeoutSeconds,
    retryCount: config.retryCount,
    isRetryable: shouldRetry,
  });
  const { secrets, redact, guard } = client;
  const mode = config.secretKey.includes('_live_') ? 'live' : 'test';

  async function call(method: 'GET' | 'POST', path: string, params: Params = [], idempotencyKey?: string): Promise<Record<string, unknown>> {
    const init = {
      method,
      headers: {
        Authorization: `Bearer ${config.secretKey}`,
        ...(config.apiVersion ? { 'Stripe-Version': config.apiVersion } : {}),
        ...(idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {}),
        ...(method === 'POST' ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}),
      },
      body: method === 'POST' ? new URLSearchParams(params).toString() : undefined,
    };
    const answer = await client.send(joinUrl(config.apiBaseUrl, path), init, { logged: { path } });
    return client.objectOf(answer, (failed) => stripeFailure(failed, secrets));
  }

  /** Finds the currency of a payment, to turn a refund amount into minor units. */
  async function currencyOf(paymentId: string): Promise<string> {
    const path = paymentId.startsWith('pi_') ? `v1/payment_intents/${encodeURIComponent(paymentId)}` : `v1/charges/${encodeURIComponent(paymentId)}`;
    const found = await call('GET', path);
    if (typeof found.currency !== 'string') throw new PluginHttpError(`${LABEL}: ${paymentId} has no currency`, { kind: 'response' });
    return found.currency;
  }

  return {
    redact,

    guard,

    /**
     * Creates and confirms a PaymentIntent. `metadata.idempotencyKey`, when given, makes a
     * retried call from the caller safe too; it is not stored as metadata.
     */
    async createPayment(request: PaymentRequest) {
      const currency = normalizeCurrency(request.currency);
      const amount = toMinorUnits(request.amount, currency);
      if (request.paymentMethod.trim() === '') throw new Error('Stripe: a payment method (pm_…) is required');
      const { idempotencyKey, ...metadata } = request.metadata ?? {};
      const params: Params = [
        ['amount', String(amount)],
        ['currency', currency],
        ['payment_method', request.paymentMethod],
        ['confirm', 'true'],
        ['capture_method', config.captureMethod],
        ...redirectParams(config),
        ...metadataParams(metadata),
      ];
      const key = typeof idempotencyKey === 'string' && idempotencyKey !== '' ? idempotencyKey : randomUUID();
      const intent = await call('POST', 'v1/payment_intents', params, key);
      logger.info('Stripe payment intent created', { id: intent.id, status: intent.status, amount, currency });
      return {
        id: String(intent.id),
        status: String(intent.status),
        details: {
          amount: fromMinorUnits(Number(intent.amount), currency),
          amountMinor: intent.amount,
          currency,
          captureMethod: intent.capture_method,
          latestCharge: intent.latest_charge,
          livemode: intent.livemode,
          ...(isRecord(intent.next_action) ? { nextAction: intent.next_action.type } : {}),
        },
      };
    },

    /** Refunds a payment intent (`pi_…`) or charge (`ch_…`/`py_…`), fully or by `amount` (major units). */
    async refund(paymentId: string, amount?: number) {
      const target = paymentId.startsWith('pi_') ? 'payment_intent' : /^(ch|py)_/.test(paymentId) ? 'charge' : undefined;
      if (target === undefined) throw new Error(`Stripe: "${paymentId}" is not a payment intent (pi_…) or charge (ch_…) id`);
      const params: Params = [[target, paymentId]];
      if (amount !== undefined) params.push(['amount', String(toMinorUnits(amount, await currencyOf(paymentId)))]);
      const refund = await call('POST', 'v1/refunds', params, randomUUID());
      logger.info('Stripe refund created', { id: refund.id, status: refund.status, paymentId });
      const currency = String(refund.currency);
      return {
        id: String(refund.id),
        status: String(refund.status),
        details: { amount: fromMinorUnits(Number(refund.amount), currency), amountMinor: refund.amount, currency, paymentIntent: refund.payment_intent, charge: refund.charge },
      };
    },

    /** Captures an intent authorised with capture method "manual", fully or by `amount` (major units). */
    async capture(paymentId: string, amount?: number) {
      if (!paymentId.startsWith('pi_')) throw new Error(`Stripe: "${paymentId}" is not a payment intent id (pi_…)`);
      const params: Params = [];
      if (amount !== undefined) params.push(['amount_to_capture', String(toMinorUnits(amount, await currencyOf(paymentId)))]);
      const intent = await call('POST', `v1/payment_intents/${encodeURIComponent(paymentId)}/capture`, params, randomUUID());
      logger.info('Stripe payment intent captured', { id: intent.id, status: intent.status });
      const currency = String(intent.currency);
      return {
        id: String(intent.id),
        status: String(intent.status),
        details: { amount: fromMinorUnits(Number(intent.amount_received), currency), amountMinor: intent.amount_received, currency, latestCharge: intent.latest_charge },
      };
    },

    /** Health and test: `GET /v1/balance`, the cheapest authenticated read. */
    async balance() {
      const balance = await call('GET', 'v1/balance');
      const available = Array.isArray(balance.available) ? balance.available : [];
      const currencies = available.map((entry) => (isRecord(entry) ? entry.currency : undefined)).filter((c): c is string => typeof c === 'string');
      const livemode = balance.livemode === true;
      return {
        message: `Connected to Stripe in ${livemode ? 'live' : 'test'} mode`,
        details: { livemode, keyMode: mode, keyType: config.secretKey.startsWith('rk_') ? 'restricted' : 'secret', currencies },
      };
    },
  };
}

/** Without a return URL, only payment methods that never redirect can be confirmed server-side. */
function redirectParams(config: StripeConfig): Params {
  if (config.returnUrl) return [['return_url', config.returnUrl]];
  return [
    ['automatic_payment_methods[enabled]', 'true'],
    ['automatic_payment_methods[allow_redirects]', 'never'],
  ];
}

/** Stripe metadata holds strings only: `metadata[order]=42`. */
function metadataParams(metadata: Record<string, unknown>): Params {
  return Object.entries(metadata).map(([key, value]) => [`metadata[${key}]`, typeof value === 'string' ? value : JSON.stringify(value)]);
}

/**
 * Stripe says when a retry is safe with `Stripe-Should-Retry`; without it, 409 (a concurrent
 * request on the same object), 429 and 5xx are retried. https://docs.stripe.com/error-low-level
 */
function shouldRetry(answer: Pick<HttpAnswer, 'status' | 'headers'>): boolean {
  const advice = answer.headers.get('stripe-should-retry');
  if (advice === 'true') return true;
  if (advice === 'false') return false;
  return answer.status === 409 || answer.status === 429 || answer.status >= 500;
}

interface StripeErrorBody {
  type?: string;
  code?: string;
  decline_code?: string;
  message?: string;
  param?: string;
  payment_intent?: { id?: string };
}

/**
 * "Stripe: Your card was declined. (card_error: card_declined, decline code generic_decline;
 * payment intent pi_…) [request req_…]" — Stripe's own message first (it is written for
 * people), then what code it was, then the request id Stripe support asks for.
 */
function stripeFailure(answer: HttpAnswer, secrets: readonly (string | undefined)[]): PluginHttpError {
  let error: StripeErrorBody | undefined;
  try {
    const parsed = JSON.parse(answer.body) as unknown;
    if (isRecord(parsed) && isRecord(parsed.error)) error = parsed.error as StripeErrorBody;
  } catch {
    // Not Stripe's error body (a proxy's page?): described below from the raw answer.
  }
  const requestId = answer.headers.get('request-id');
  const reference = requestId ? ` [request ${requestId}]` : '';
  if (error === undefined) {
    return new PluginHttpError(`${LABEL}: unexpected answer, ${describeBody(answer, secrets)}${reference}${attemptsNote(answer)}`, {
      kind: answer.status >= 500 ? 'server' : 'response',
      status: answer.status,
    });
  }
  const about = [
    [error.type, error.code].filter(Boolean).join(': '),
    error.decline_code ? `decline code ${error.decline_code}` : '',
    error.param ? `parameter ${error.param}` : '',
  ].filter(Boolean).join(', ');
  const intent = error.payment_intent?.id ? `payment intent ${error.payment_intent.id}` : '';
  const parts = [about, intent].filter(Boolean).join('; ');
  const prefix = answer.status === 401 ? 'the secret key was refused: ' : answer.status === 403 ? 'the key lacks a permission: ' : '';
  const text = redactSecrets(`${prefix}${error.message ?? `HTTP ${answer.status}`}`, secrets);
  return new PluginHttpError(`${LABEL}: ${text}${parts ? ` (${parts})` : ''}${reference}${attemptsNote(answer)}`, {
    kind: kindOfStatus(answer.status),
    status: answer.status,
    code: error.code ?? error.type,
  });
}
