/**
 * A webhook receiver that checks deliveries the way `plugins/webhook/README.md` tells
 * receivers to: recompute HMAC-SHA256 over the raw body with the shared secret, compare it in
 * constant time with `X-Plugform-Signature: sha256=<hex>`, and refuse a delivery whose
 * timestamp is more than five minutes old. 401 `{ error }` for a missing or wrong signature,
 * 400 for a stale or unreadable delivery, 200 `{ received: true, id }` otherwise.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { jsonBody, startHttpDouble, type HttpDouble, type RecordedRequest, type Reply } from './http-double.ts';

export interface WebhookReceiverOptions {
  /** The shared signing secret; `undefined` accepts unsigned deliveries. */
  secret: string | undefined;
  /** The bearer token the receiver requires, if any. */
  bearerToken?: string;
  /** Answer this instead of `{ received: true }` for accepted deliveries. */
  acceptWith?: Reply;
}

export interface Delivery {
  id: string;
  event: string;
  method: string;
  body: { action: string; payload: Record<string, unknown>; sentAt: string };
  headers: RecordedRequest['headers'];
}

export interface WebhookReceiver extends HttpDouble {
  readonly deliveries: Delivery[];
  readonly options: WebhookReceiverOptions;
  /** `http://127.0.0.1:<port>/hooks/plugform` */
  readonly hookUrl: string;
}

export function signatureOf(secret: string, rawBody: string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody, 'utf8').digest('hex')}`;
}

const MAX_AGE_SECONDS = 300;

export async function startWebhookReceiver(initial: WebhookReceiverOptions): Promise<WebhookReceiver> {
  const options = { ...initial };
  const deliveries: Delivery[] = [];

  const receive = (request: RecordedRequest): Reply => {
    if (request.path !== '/hooks/plugform') return { status: 404, body: { error: 'no such hook' } };
    if (options.bearerToken !== undefined && request.headers.authorization !== `Bearer ${options.bearerToken}`) {
      return { status: 401, body: { error: 'missing or wrong bearer token' } };
    }
    if (options.secret !== undefined) {
      const given = request.headers['x-plugform-signature'];
      if (typeof given !== 'string') return { status: 401, body: { error: 'missing signature' } };
      const expected = signatureOf(options.secret, request.body);
      const same = given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected));
      if (!same) return { status: 401, body: { error: 'invalid signature' } };
    }
    const timestamp = Number(request.headers['x-plugform-timestamp']);
    if (!Number.isFinite(timestamp) || Math.abs(Date.now() / 1000 - timestamp) > MAX_AGE_SECONDS) {
      return { status: 400, body: { error: 'stale or missing timestamp' } };
    }
    const body = jsonBody(request) as Delivery['body'] | undefined;
    if (body === undefined || typeof body.action !== 'string') return { status: 400, body: { error: 'unreadable delivery' } };
    const id = String(request.headers['x-plugform-delivery']);
    deliveries.push({ id, event: String(request.headers['x-plugform-event']), method: request.method, body, headers: request.headers });
    return options.acceptWith ?? { status: 200, body: { received: true, id } };
  };

  const double = await startHttpDouble(receive);
  const resetRequests = double.reset;
  double.reset = () => {
    resetRequests();
    deliveries.length = 0;
  };
  return Object.assign(double, { deliveries, options, hookUrl: `${double.url}/hooks/plugform` });
}
