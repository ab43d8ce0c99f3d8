/**
 * The few Graph API calls the WhatsApp plugin makes, and how Meta's errors read to an admin.
 *
 * Meta reports errors as `{ error: { message, type, code, error_subcode, error_data, fbtrace_id } }`
 * and throttles with HTTP 400 (not 429), so retry decisions look at `code`, not only at the
 * status. https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes
 */
import {
  attemptsNote,
  describeBody,
  isRecord,
  joinUrl,
  parseJson,
  PluginHttpError,
  redactSecrets,
  requestWithRetry,
  type FailureKind,
  type HttpAnswer,
  type TokenBucket,
} from '../sdk/http-helpers.ts';
import type { HttpFetch, PluginLogger } from '../sdk/plugin.ts';

export const LABEL = 'WhatsApp Cloud API';

export interface GraphClientOptions {
  fetch: HttpFetch;
  logger: PluginLogger;
  baseUrl: string;
  apiVersion: string;
  accessToken: string;
  /**
   * Every other secret of the instance (the webhook verify token): removed from vendor text
   * before it is cut to a snippet, since a cut encoded form no longer matches as a whole.
   */
  otherSecrets?: readonly string[];
  customHeaders: Record<string, string>;
  timeoutMs: number;
  retries: number;
  rateLimiter: TokenBucket;
  /** Aborted when the provider stops, so calls in flight end with it. */
  signal: AbortSignal;
}

/** Meta's error codes that mean "slow down, then try again": app, account and number throughput. */
const THROTTLING_CODES = new Set([4, 80007, 130429]);
/** Meta's own transient failures (unknown error, service unavailable). */
const TRANSIENT_CODES = new Set([1, 2, 131000, 131016]);

/** What each common Graph API code means for whoever configures the plugin. */
const EXPLANATIONS: Record<number, string> = {
  0: 'the access token could not be authenticated',
  3: 'the app lacks the capability for this call',
  4: 'the app made too many API calls',
  10: 'permission denied: the token lacks the whatsapp_business_messaging permission',
  100: 'a parameter is invalid or the object does not exist',
  190: 'access token is invalid or expired',
  368: 'the account is temporarily blocked for policy violations',
  80007: 'the WhatsApp Business account reached its rate limit',
  130429: 'the message throughput of this phone number has been reached',
  131000: 'something went wrong at Meta',
  131016: 'a WhatsApp service is temporarily unavailable',
  131026: 'the message could not be delivered (the recipient may not use WhatsApp)',
  131030: 'the recipient is not in the allowed list of this test number (add it under WhatsApp > API Setup)',
  131031: 'the business account is locked',
  131047: 'more than 24 hours have passed since the recipient last replied: send a template message instead',
  131048: 'messages are being blocked for quality reasons (spam rate limit)',
  131056: 'too many messages to this recipient in a short time (pair rate limit)',
  132000: 'the number of template parameters does not match the template',
  132001: 'the template does not exist in this language',
  133010: 'the phone number is not registered with the Cloud API',
};

interface GraphError {
  message?: string;
  type?: string;
  code?: number;
  error_subcode?: number;
  error_data?: { details?: string };
  fbtrace_id?: string;
}

export function createGraphClient(options: GraphClientOptions) {
  const secrets = [options.accessToken, ...(options.otherSecrets ?? [])];
  // Every request waits for the provider's rate limiter: Meta counts retries against the
  // number's throughput too.
  const throttledFetch: HttpFetch = async (input, init) => {
    await options.rateLimiter.take();
    return options.fetch(input, init);
  };

  async function call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    const url = joinUrl(options.baseUrl, `${options.apiVersion}/${path}`);
    const answer = await requestWithRetry({
      fetch: throttledFetch,
      url,
      label: LABEL,
      timeoutMs: options.timeoutMs,
      retry: { retries: options.retries },
      init: {
        method,
        signal: options.signal,
        headers: {
          ...options.customHeaders,
          Authorization: `Bearer ${options.accessToken}`,
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      },
      isRetryable: isTransient,
      onRetry: ({ attempt, delayMs, reason }) =>
        options.logger.warn('WhatsApp Cloud API call failed, retrying', { path: url.pathname, attempt, delayMs, reason }),
    });
    if (answer.status >= 200 && answer.status < 300) return parseJson(answer, LABEL, secrets);
    throw graphFailure(answer, secrets);
  }

  return {
    get: (path: string) => call('GET', path),
    post: (path: string, body: unknown) => call('POST', path, body),
  };
}

export type GraphClient = ReturnType<typeof createGraphClient>;

function graphErrorOf(body: string): GraphError | undefined {
  try {
    const parsed = JSON.parse(body) as unknown;
    return isRecord(parsed) && isRecord(parsed.error) ? (parsed.error as GraphError) : undefined;
  } catch {
    return undefined;
  }
}

function isTransient(answer: Pick<HttpAnswer, 'status' | 'body'>): boolean {
  if (answer.status === 429 || answer.status >= 500) return true;
  const code = graphErrorOf(answer.body)?.code;
  return code !== undefined && (THROTTLING_CODES.has(code) || TRANSIENT_CODES.has(code));
}

function kindOf(status: number, code: number | undefined): FailureKind {
  if (code === 0 || code === 190 || code === 10 || code === 102 || (code !== undefined && code >= 200 && code <= 299)) return 'auth';
  if (code !== undefined && (THROTTLING_CODES.has(code) || code === 131056)) return 'rate-limit';
  if (code !== undefined && TRANSIENT_CODES.has(code)) return 'server';
  if (status === 401 || status === 403) return 'auth';
  if (status === 429) return 'rate-limit';
  return status >= 500 ? 'server' : 'request';
}

/**
 * "WhatsApp Cloud API: access token is invalid or expired (Graph API error 190/463,
 * OAuthException): Error validating access token: Session has expired … [trace Az8or2…]".
 * Meta's own words follow our explanation; the trace id is what Meta support asks for.
 */
export function graphFailure(answer: HttpAnswer, secrets: readonly string[]): PluginHttpError {
  const error = graphErrorOf(answer.body);
  if (error === undefined) {
    return new PluginHttpError(`${LABEL}: unexpected answer, ${describeBody(answer, secrets)}${attemptsNote(answer)}`, {
      kind: answer.status >= 500 ? 'server' : 'response',
      status: answer.status,
    });
  }
  const code = typeof error.code === 'number' ? error.code : undefined;
  const explanation = (code !== undefined && EXPLANATIONS[code]) || `request refused with HTTP ${answer.status}`;
  const id = [code, error.error_subcode].filter((part) => part !== undefined).join('/');
  const reference = id === '' ? '' : ` (Graph API error ${id}${error.type ? `, ${error.type}` : ''})`;
  const said = [error.message, error.error_data?.details].filter((part): part is string => typeof part === 'string' && part !== '');
  const saidText = said.length === 0 ? '' : `: ${redactSecrets(said.join(' — '), secrets)}`;
  const trace = error.fbtrace_id ? ` [trace ${error.fbtrace_id}]` : '';
  return new PluginHttpError(`${LABEL}: ${explanation}${reference}${saidText}${trace}${attemptsNote(answer)}`, {
    kind: kindOf(answer.status, code),
    status: answer.status,
    code,
  });
}
