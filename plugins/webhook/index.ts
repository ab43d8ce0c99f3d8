/**
 * Webhook: delivers actions as signed JSON requests to a URL you own.
 *
 * Each delivery is `{ action, payload, sentAt }`, signed with HMAC-SHA256 over the exact bytes
 * sent (`X-Plugform-Signature: sha256=<hex>`), so the receiver can prove it came from Plugform
 * and was not altered. Retries reuse the same delivery id and body, so a receiver can drop
 * duplicates. Plugins run only on the server, so `node:crypto` is fine here.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { definePlugin, retryCountField, timeoutSecondsField, type ConfigOf } from '../sdk/index.ts';
import {
  attemptsNote,
  checkCustomHeaders,
  errorMessage,
  healthReportOf,
  kindOfStatus,
  PluginHttpError,
  redactDeep,
  redactSecrets,
  requestWithRetry,
  runCheck,
  snippet,
  testReportOf,
  type CheckResult,
  type HttpAnswer,
} from '../sdk/http-helpers.ts';

const fields = [
  {
    key: 'url',
    label: 'Endpoint URL',
    type: 'URL',
    destination: true,
    required: true,
    placeholder: 'https://example.com/hooks/plugform',
    description: 'Where deliveries are sent.',
    group: 'Endpoint',
    order: 1,
  },
  {
    key: 'method',
    label: 'HTTP Method',
    type: 'SELECT',
    default: 'POST',
    options: [
      { value: 'POST', label: 'POST' },
      { value: 'PUT', label: 'PUT' },
      { value: 'PATCH', label: 'PATCH' },
    ],
    group: 'Endpoint',
    order: 2,
  },
  {
    key: 'headers',
    label: 'Extra Headers',
    type: 'JSON',
    jsonShape: 'object',
    placeholder: '{ "X-Team": "payments" }',
    helpText: 'A JSON object of header names to string values, sent with every delivery. Put credentials in Bearer Token, not here: this field is not secret.',
    group: 'Endpoint',
    order: 3,
  },
  {
    key: 'signingSecret',
    label: 'Signing Secret',
    type: 'SECRET',
    minLength: 16,
    description: 'Shared secret for the HMAC-SHA256 signature in X-Plugform-Signature.',
    helpText: 'Your receiver recomputes the signature over the raw body with this secret. At least 16 characters; leave empty to send unsigned deliveries.',
    group: 'Security',
    order: 1,
  },
  {
    key: 'bearerToken',
    label: 'Bearer Token',
    type: 'SECRET',
    description: 'Sent as Authorization: Bearer <token>, for receivers that require one.',
    group: 'Security',
    order: 2,
  },
  retryCountField({
    default: 3,
    maxValue: 10,
    helpText: 'Extra attempts after a 408, 429, 5xx or no answer, with exponential backoff (Retry-After is honoured).',
    group: 'Delivery',
  }),
  timeoutSecondsField({ group: 'Delivery' }),
] as const;

export type WebhookConfig = ConfigOf<typeof fields>;

const LABEL = 'Webhook';
const PLUGIN_HEADERS = ['X-Plugform-Signature', 'X-Plugform-Timestamp', 'X-Plugform-Event', 'X-Plugform-Delivery'];
const MAX_RESPONSE_CHARS = 2000;

export default definePlugin({
  name: 'webhook',
  displayName: 'Webhook',
  type: 'INTEGRATION',
  version: '1.0.0',
  description: 'Deliver actions as HMAC-signed JSON requests to your own endpoint, with retries.',
  author: 'Plugform',
  homepage: 'https://www.rfc-editor.org/rfc/rfc2104',
  tags: ['webhook', 'http', 'integration', 'hmac'],
  groups: ['Endpoint', 'Security', 'Delivery'],
  fields,
  supportsHealthCheck: true,
  supportsTestConnection: true,
  // Health sends a real (ping) delivery, so it runs less often than the platform default.
  healthIntervalMs: 5 * 60_000,

  createProvider(config, context) {
    const headers = checkCustomHeaders(config.headers, 'Extra Headers', PLUGIN_HEADERS);
    const secrets = [config.signingSecret, config.bearerToken].filter((s): s is string => s !== undefined);

    /** Sends one delivery (with retries) and returns the receiver's answer. */
    async function deliver(action: string, payload: Record<string, unknown>) {
      checkAction(action);
      const deliveryId = randomUUID();
      const sentAt = new Date();
      // The exact bytes that are signed are the bytes that are sent, on every attempt.
      const body = JSON.stringify({ action, payload, sentAt: sentAt.toISOString() });
      const url = new URL(config.url);
      const answer = await requestWithRetry({
        fetch: context.http.fetch,
        url,
        label: LABEL,
        timeoutMs: config.timeoutSeconds * 1000,
        retry: { retries: config.retryCount },
        isRetryable: ({ status }) => status === 408 || status === 429 || status >= 500,
        onRetry: ({ attempt, delayMs, reason }) => context.logger.warn('Webhook delivery failed, retrying', { action, deliveryId, attempt, delayMs, reason }),
        init: {
          method: config.method,
          headers: {
            ...headers,
            'Content-Type': 'application/json; charset=utf-8',
            'User-Agent': 'Plugform-Webhook/1.0',
            'X-Plugform-Event': action,
            'X-Plugform-Delivery': deliveryId,
            'X-Plugform-Timestamp': String(Math.floor(sentAt.getTime() / 1000)),
            ...(config.signingSecret ? { 'X-Plugform-Signature': sign(config.signingSecret, body) } : {}),
            ...(config.bearerToken ? { Authorization: `Bearer ${config.bearerToken}` } : {}),
          },
          body,
        },
      });
      if (answer.status < 200 || answer.status >= 300) throw receiverRefused(answer, secrets);
      context.logger.info('Webhook delivered', { action, deliveryId, status: answer.status, attempts: answer.attempts });
      return {
        delivered: true,
        status: answer.status,
        deliveryId,
        attempts: answer.attempts,
        signed: Boolean(config.signingSecret),
        response: redactDeep(readResponse(answer), secrets),
      };
    }

    /** The ping of a test or health check: a normal, signed delivery of the `ping` action. */
    async function ping(): Promise<CheckResult> {
      const result = await deliver('ping', { message: 'Plugform connection test' });
      const signed = result.signed ? 'signed ' : '';
      return {
        message: `The endpoint accepted a ${signed}ping (HTTP ${result.status})`,
        details: { status: result.status, deliveryId: result.deliveryId, signed: result.signed, attempts: result.attempts },
      };
    }

    const redact = (text: string) => redactSecrets(text, secrets);

    return {
      async executeAction(action, payload) {
        try {
          return await deliver(action, payload);
        } catch (error) {
          const kind = error instanceof PluginHttpError ? error.kind : 'request';
          throw new PluginHttpError(redact(errorMessage(error)), { kind, status: error instanceof PluginHttpError ? error.status : undefined });
        }
      },

      async healthCheck() {
        return healthReportOf(await runCheck(ping, redact));
      },

      async testConnection() {
        return testReportOf(await runCheck(ping, redact));
      },
    };
  },
});

/** `sha256=<hex>`: HMAC-SHA256 of the raw body, keyed with the signing secret. */
export function sign(secret: string, rawBody: string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody, 'utf8').digest('hex')}`;
}

/** The action travels in a header too, so it must be a short, header-safe word. */
function checkAction(action: string): void {
  if (!/^[A-Za-z0-9_.:-]{1,100}$/.test(action)) {
    throw new Error(`${LABEL}: action "${action.slice(0, 100)}" must be 1–100 letters, digits, dots, dashes, colons or underscores`);
  }
}

/** A receiver's answer for the caller: JSON when it is JSON, otherwise (a shortened) text. */
function readResponse(answer: HttpAnswer): unknown {
  if (answer.body === '') return null;
  if ((answer.headers.get('content-type') ?? '').includes('json')) {
    try {
      return JSON.parse(answer.body) as unknown;
    } catch {
      // A 2xx means the delivery was accepted; an unreadable body does not change that.
    }
  }
  return answer.body.length > MAX_RESPONSE_CHARS ? `${answer.body.slice(0, MAX_RESPONSE_CHARS)}…` : answer.body;
}

function receiverRefused(answer: HttpAnswer, secrets: readonly string[]): PluginHttpError {
  const status = `HTTP ${answer.status}${answer.statusText ? ` ${answer.statusText}` : ''}`;
  const said = answer.body.trim() === '' ? '' : `: "${snippet(answer.body, secrets, 200)}"`;
  const hint = answer.status === 401 || answer.status === 403 ? ' (check the signing secret and bearer token)' : '';
  const kind = kindOfStatus(answer.status);
  return new PluginHttpError(`${LABEL}: the endpoint answered ${status}${said}${hint}${attemptsNote(answer)}`, { kind, status: answer.status });
}
