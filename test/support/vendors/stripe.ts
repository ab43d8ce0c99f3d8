/**
 * Stripe's REST API, as its reference documents it (https://docs.stripe.com/api):
 * form-encoded request bodies (`metadata[key]=value`), `Authorization: Bearer sk_…`, amounts
 * as integers in the currency's minor unit, and errors as `{ error: { type, code?,
 * decline_code?, message, param?, doc_url?, payment_intent? } }` with 401 for a bad key (the
 * message masks all but its last four characters), 402 for a declined card, 403 for a
 * restricted key without the permission, 400/404 for bad parameters, 429 `rate_limit`, and
 * 500 `api_error` with `Stripe-Should-Retry: true`. Every answer carries a `Request-Id`.
 * `Idempotency-Key` replays the first answer for the same parameters (`Idempotent-Replayed:
 * true`) and refuses different parameters with `idempotency_error`.
 *
 * Payment methods behave like Stripe's test ones: `pm_card_visa` succeeds,
 * `pm_card_chargeDeclined` / `pm_card_chargeDeclinedInsufficientFunds` are declined,
 * `pm_card_authenticationRequired` needs 3-D Secure (`requires_action`).
 */
import { randomBytes } from 'node:crypto';
import { bearerToken, routes, startHttpDouble, type HttpDouble, type RecordedRequest, type Reply } from './http-double.ts';

export interface StripeDoubleOptions {
  secretKey: string;
  /** A restricted key that may create payments and refunds but not read the balance. */
  restrictedKey?: string;
}

interface PaymentIntent {
  id: string;
  object: 'payment_intent';
  amount: number;
  amount_received: number;
  currency: string;
  status: string;
  capture_method: string;
  client_secret: string;
  latest_charge: string | null;
  livemode: false;
  metadata: Record<string, string>;
  next_action: { type: string } | null;
  last_payment_error: null;
  /** Not part of Stripe's object: what is left to refund. */
  refundable: number;
}

export interface StripeDouble extends HttpDouble {
  readonly paymentIntents: Map<string, PaymentIntent>;
  readonly refunds: Record<string, unknown>[];
}

const ZERO_DECIMAL = new Set(['bif', 'clp', 'djf', 'gnf', 'jpy', 'kmf', 'krw', 'mga', 'pyg', 'rwf', 'ugx', 'vnd', 'vuv', 'xaf', 'xof', 'xpf']);
const THREE_DECIMAL = new Set(['bhd', 'jod', 'kwd', 'omr', 'tnd']);

const id = (prefix: string) => `${prefix}_${randomBytes(12).toString('base64url').replace(/[-_]/g, 'x')}`;

const requestId = () => `req_${randomBytes(7).toString('hex')}`;

function stripeError(status: number, error: Record<string, unknown>, headers: Record<string, string> = {}): Reply {
  const request = requestId();
  return {
    status,
    headers: { 'request-id': request, ...headers },
    body: { error: { ...error, request_log_url: `https://dashboard.stripe.com/test/logs/${request}` } },
  };
}

export const stripeFaults = {
  rateLimited: (): Reply =>
    stripeError(429, {
      code: 'rate_limit',
      doc_url: 'https://stripe.com/docs/error-codes/rate-limit',
      message: 'Request rate limit exceeded. You can learn more about rate limits here https://stripe.com/docs/rate-limits.',
      type: 'invalid_request_error',
    }),
  apiError: (): Reply => stripeError(500, { message: 'An unknown error occurred', type: 'api_error' }, { 'stripe-should-retry': 'true' }),
};

function mask(key: string): string {
  const prefix = /^(sk|rk)_(test|live)_/.exec(key)?.[0] ?? '';
  return `${prefix}${'*'.repeat(Math.max(0, key.length - prefix.length - 4))}${key.slice(-4)}`;
}

/** `a[b]=c&d=e` → `{ "a[b]": "c", d: "e" }` (Stripe's bracket notation, kept flat). */
function form(request: RecordedRequest): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(request.body));
}

function metadataOf(params: Record<string, string>): Record<string, string> {
  const entries = Object.entries(params).filter(([key]) => key.startsWith('metadata['));
  return Object.fromEntries(entries.map(([key, value]) => [key.slice('metadata['.length, -1), value]));
}

export async function startStripeDouble(options: StripeDoubleOptions): Promise<StripeDouble> {
  const paymentIntents = new Map<string, PaymentIntent>();
  const charges = new Map<string, string>(); // charge id → payment intent id
  const refunds: Record<string, unknown>[] = [];
  const idempotency = new Map<string, { body: string; reply: Reply }>();

  const authenticate = (request: RecordedRequest): Reply | undefined => {
    const key = bearerToken(request);
    if (key === undefined) {
      return stripeError(401, {
        message:
          "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.",
        type: 'invalid_request_error',
      }, { 'www-authenticate': 'Bearer realm="Stripe"' });
    }
    if (key !== options.secretKey && key !== options.restrictedKey) {
      return stripeError(401, { message: `Invalid API Key provided: ${mask(key)}`, type: 'invalid_request_error' }, { 'www-authenticate': 'Bearer realm="Stripe"' });
    }
    const version = request.headers['stripe-version'];
    if (typeof version === 'string' && !/^\d{4}-\d{2}-\d{2}(\.[a-z]+)?$/.test(version)) {
      return stripeError(400, { message: `Invalid Stripe API version: ${version}`, type: 'invalid_request_error' });
    }
    return undefined;
  };

  /** Runs a POST once per idempotency key: same parameters replay, different ones are refused. */
  const idempotent = (request: RecordedRequest, create: () => Reply): Reply => {
    const key = request.headers['idempotency-key'];
    if (typeof key !== 'string') return create();
    const seen = idempotency.get(key);
    if (seen === undefined) {
      const reply = create();
      if (reply.status < 500) idempotency.set(key, { body: request.body, reply });
      return reply;
    }
    if (seen.body !== request.body) {
      return stripeError(400, {
        message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
        type: 'idempotency_error',
      });
    }
    return { ...seen.reply, headers: { ...seen.reply.headers, 'idempotent-replayed': 'true' } };
  };

  const createPaymentIntent = (request: RecordedRequest): Reply => {
    const params = form(request);
    const invalid = checkPaymentParams(params);
    if (invalid) return invalid;
    const amount = Number(params.amount);
    const currency = params.currency!;
    const intent: PaymentIntent = {
      id: id('pi'),
      object: 'payment_intent',
      amount,
      amount_received: 0,
      currency,
      status: 'requires_confirmation',
      capture_method: params.capture_method ?? 'automatic_async',
      client_secret: '',
      latest_charge: null,
      livemode: false,
      metadata: metadataOf(params),
      next_action: null,
      last_payment_error: null,
      refundable: 0,
    };
    intent.client_secret = `${intent.id}_secret_${randomBytes(8).toString('hex')}`;
    paymentIntents.set(intent.id, intent);
    if (params.confirm !== 'true') return { status: 200, body: publicIntent(intent) };
    return confirm(intent, params.payment_method ?? '');
  };

  const confirm = (intent: PaymentIntent, paymentMethod: string): Reply => {
    switch (paymentMethod) {
      case 'pm_card_visa':
      case 'pm_card_mastercard': {
        const charge = id('ch');
        charges.set(charge, intent.id);
        intent.latest_charge = charge;
        if (intent.capture_method === 'manual') {
          intent.status = 'requires_capture';
        } else {
          intent.status = 'succeeded';
          intent.amount_received = intent.amount;
          intent.refundable = intent.amount;
        }
        return { status: 200, body: publicIntent(intent) };
      }
      case 'pm_card_authenticationRequired':
        intent.status = 'requires_action';
        intent.next_action = { type: 'use_stripe_sdk' };
        return { status: 200, body: publicIntent(intent) };
      case 'pm_card_chargeDeclined':
      case 'pm_card_chargeDeclinedInsufficientFunds': {
        intent.status = 'requires_payment_method';
        const declineCode = paymentMethod === 'pm_card_chargeDeclined' ? 'generic_decline' : 'insufficient_funds';
        return stripeError(402, {
          charge: id('ch'),
          code: 'card_declined',
          decline_code: declineCode,
          doc_url: 'https://stripe.com/docs/error-codes/card-declined',
          message: declineCode === 'insufficient_funds' ? 'Your card has insufficient funds.' : 'Your card was declined.',
          payment_intent: publicIntent(intent),
          type: 'card_error',
        });
      }
      default:
        return stripeError(400, {
          code: 'resource_missing',
          doc_url: 'https://stripe.com/docs/error-codes/resource-missing',
          message: `No such PaymentMethod: '${paymentMethod}'`,
          param: 'payment_method',
          type: 'invalid_request_error',
        });
    }
  };

  const retrieveIntent = (_request: RecordedRequest, params: Record<string, string>): Reply => {
    const intent = paymentIntents.get(params.id ?? '');
    if (intent === undefined) return missing('payment_intent', params.id ?? '', 'id', 404);
    return { status: 200, body: publicIntent(intent) };
  };

  const retrieveCharge = (_request: RecordedRequest, params: Record<string, string>): Reply => {
    const intentId = charges.get(params.id ?? '');
    const intent = intentId === undefined ? undefined : paymentIntents.get(intentId);
    if (intent === undefined) return missing('charge', params.id ?? '', 'id', 404);
    return { status: 200, body: { id: params.id, object: 'charge', amount: intent.amount, currency: intent.currency, payment_intent: intent.id } };
  };

  const createRefund = (request: RecordedRequest): Reply => {
    const params = form(request);
    const intentId = params.payment_intent ?? charges.get(params.charge ?? '');
    const intent = intentId === undefined ? undefined : paymentIntents.get(intentId);
    if (intent === undefined) {
      return params.payment_intent !== undefined
        ? missing('payment_intent', params.payment_intent, 'payment_intent', 400)
        : missing('charge', params.charge ?? '', 'charge', 400);
    }
    if (intent.status !== 'succeeded') {
      return stripeError(400, { message: `This PaymentIntent (${intent.id}) does not have a successful charge to refund.`, type: 'invalid_request_error' });
    }
    if (intent.refundable === 0) {
      return stripeError(400, { code: 'charge_already_refunded', message: `Charge ${intent.latest_charge} has already been refunded.`, type: 'invalid_request_error' });
    }
    const amount = params.amount === undefined ? intent.refundable : Number(params.amount);
    if (!Number.isInteger(amount) || amount <= 0) return invalidInteger('amount', params.amount ?? '');
    if (amount > intent.refundable) {
      return stripeError(400, {
        message: `Refund amount (${amount} ${intent.currency}) is greater than unrefunded amount on charge (${intent.refundable} ${intent.currency})`,
        param: 'amount',
        type: 'invalid_request_error',
      });
    }
    intent.refundable -= amount;
    const refund = { id: id('re'), object: 'refund', amount, currency: intent.currency, payment_intent: intent.id, charge: intent.latest_charge, status: 'succeeded', metadata: metadataOf(params) };
    refunds.push(refund);
    return { status: 200, body: refund };
  };

  const balance = (request: RecordedRequest): Reply => {
    if (bearerToken(request) === options.restrictedKey) {
      return stripeError(403, {
        message: `The provided key '${mask(options.restrictedKey ?? '')}' does not have the required permissions for this endpoint on account 'acct_1Double'. Having the 'rak_balance_read' permission would allow this request to continue.`,
        type: 'invalid_request_error',
      });
    }
    return {
      status: 200,
      body: {
        object: 'balance',
        available: [{ amount: 123_456, currency: 'usd', source_types: { card: 123_456 } }],
        livemode: false,
        pending: [{ amount: 0, currency: 'usd', source_types: { card: 0 } }],
      },
    };
  };

  /**
   * https://docs.stripe.com/api/payment_intents/capture: only a `requires_capture` intent,
   * `amount_to_capture` at most the amount (default all of it).
   */
  const captureIntent = (request: RecordedRequest, route: Record<string, string>): Reply => {
    const intent = paymentIntents.get(route.id ?? '');
    if (!intent) return missing('payment_intent', route.id ?? '', 'intent', 404);
    if (intent.status !== 'requires_capture') {
      return stripeError(400, {
        code: 'payment_intent_unexpected_state',
        doc_url: 'https://stripe.com/docs/error-codes/payment-intent-unexpected-state',
        message: `This PaymentIntent could not be captured because it has a status of ${intent.status}. Only a PaymentIntent with one of the following statuses may be captured: requires_capture.`,
        type: 'invalid_request_error',
      });
    }
    const params = form(request);
    const raw = params.amount_to_capture;
    if (raw !== undefined && !/^\d+$/.test(raw)) return invalidInteger('amount_to_capture', raw);
    const amount = raw === undefined ? intent.amount : Number(raw);
    if (amount > intent.amount) {
      return stripeError(400, { code: 'amount_too_large', message: 'The amount to capture is greater than the amount of the PaymentIntent.', param: 'amount_to_capture', type: 'invalid_request_error' });
    }
    intent.status = 'succeeded';
    intent.amount_received = amount;
    intent.refundable = amount;
    return { status: 200, body: publicIntent(intent) };
  };

  const authenticated =
    (handle: (request: RecordedRequest, params: Record<string, string>) => Reply) =>
    (request: RecordedRequest, params: Record<string, string>): Reply =>
      authenticate(request) ?? handle(request, params);

  const handler = routes(
    {
      'POST /v1/payment_intents': authenticated((request) => idempotent(request, () => createPaymentIntent(request))),
      'GET /v1/payment_intents/:id': authenticated(retrieveIntent),
      'POST /v1/payment_intents/:id/capture': authenticated((request, params) => idempotent(request, () => captureIntent(request, params))),
      'GET /v1/charges/:id': authenticated(retrieveCharge),
      'POST /v1/refunds': authenticated((request) => idempotent(request, () => createRefund(request))),
      'GET /v1/balance': authenticated(balance),
    },
    (request) =>
      stripeError(404, {
        message: `Unrecognized request URL (${request.method}: ${request.path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
        type: 'invalid_request_error',
      }),
  );
  // Stripe names every answer with a request id.
  const withRequestId = async (request: RecordedRequest): Promise<Reply> => {
    const reply = await handler(request);
    return { ...reply, headers: { 'request-id': requestId(), ...reply.headers } };
  };
  const double = await startHttpDouble(withRequestId);
  const resetRequests = double.reset;
  double.reset = () => {
    resetRequests();
    paymentIntents.clear();
    charges.clear();
    refunds.length = 0;
    idempotency.clear();
  };
  return Object.assign(double, { paymentIntents, refunds });
}

function publicIntent(intent: PaymentIntent): Omit<PaymentIntent, 'refundable'> {
  const { refundable: _refundable, ...rest } = intent;
  return rest;
}

function missing(object: string, value: string, param: string, status: number): Reply {
  return stripeError(status, {
    code: 'resource_missing',
    doc_url: 'https://stripe.com/docs/error-codes/resource-missing',
    message: `No such ${object}: '${value}'`,
    param,
    type: 'invalid_request_error',
  });
}

function invalidInteger(param: string, value: string): Reply {
  return stripeError(400, {
    code: 'parameter_invalid_integer',
    doc_url: 'https://stripe.com/docs/error-codes/parameter-invalid-integer',
    message: `Invalid integer: ${value}`,
    param,
    type: 'invalid_request_error',
  });
}

function checkPaymentParams(params: Record<string, string>): Reply | undefined {
  if (params.amount === undefined) {
    return stripeError(400, { code: 'parameter_missing', message: 'Missing required param: amount.', param: 'amount', type: 'invalid_request_error' });
  }
  if (!/^\d+$/.test(params.amount)) return invalidInteger('amount', params.amount);
  const currency = params.currency;
  if (currency === undefined || !/^[a-z]{3}$/.test(currency)) {
    return stripeError(400, { message: `Invalid currency: ${currency ?? ''}. Stripe currently supports these currencies: usd, eur, jpy, …`, param: 'currency', type: 'invalid_request_error' });
  }
  const amount = Number(params.amount);
  const minimum = ZERO_DECIMAL.has(currency) ? 50 : THREE_DECIMAL.has(currency) ? 500 : 50;
  if (amount < minimum) {
    return stripeError(400, { code: 'amount_too_small', message: `Amount must be at least ${minimum} in the smallest ${currency} unit`, param: 'amount', type: 'invalid_request_error' });
  }
  if (THREE_DECIMAL.has(currency) && amount % 10 !== 0) {
    return stripeError(400, { code: 'invalid_amount', message: `Amounts in ${currency} must be rounded to the nearest 10 (the last digit must be 0)`, param: 'amount', type: 'invalid_request_error' });
  }
  if (params.confirm === 'true' && params.return_url === undefined && params['automatic_payment_methods[allow_redirects]'] !== 'never') {
    return stripeError(400, {
      message:
        "This PaymentIntent is configured to accept payment methods enabled in your Dashboard. Because some of these payment methods might redirect your customer off of your page, you must provide a `return_url`. If you don't want to accept redirect-based payment methods, set `automatic_payment_methods[enabled]` to `true` and `automatic_payment_methods[allow_redirects]` to `never` when creating Setup Intents and Payment Intents.",
      type: 'invalid_request_error',
    });
  }
  return undefined;
}
