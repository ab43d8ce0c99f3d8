/**
 * Slack, as its docs describe it.
 *
 * Web API (`/api/<method>`): answers HTTP 200 even for failures, with `{ ok: false, error }`
 * (`not_authed`, `invalid_auth`, `token_revoked`, `channel_not_found`, `not_in_channel`,
 * `is_archived`, `no_text`, `msg_too_long` …); rate limiting is HTTP 429 with `Retry-After`
 * and `{ ok: false, error: "ratelimited" }`. A JSON body without `charset` gets a
 * `missing_charset` warning. https://api.slack.com/web#responses
 *
 * Incoming webhooks (`/services/T…/B…/…`): plain-text answers: 200 `ok`; 400 `invalid_payload`
 * or `no_text`; 403 `invalid_token` / `action_prohibited`; 404 `no_service` /
 * `channel_not_found`; 410 `channel_is_archived`; 429 `rate_limited`; 500 `rollup_error`.
 * https://api.slack.com/messaging/webhooks#handling_errors
 */
import { bearerToken, jsonBody, routes, startHttpDouble, type HttpDouble, type RecordedRequest, type Reply } from './http-double.ts';

export interface SlackChannel {
  id: string;
  name: string;
  /** Whether the bot was invited. */
  member: boolean;
  archived?: boolean;
}

export interface SlackDoubleOptions {
  botToken: string;
  /** `/services/T…/B…/<secret>` */
  webhookPath: string;
  channels: SlackChannel[];
  /** The webhook's channel was archived. */
  webhookChannelArchived?: boolean;
  tokenRevoked?: boolean;
}

export interface SlackPost {
  via: 'api' | 'webhook';
  channel?: string;
  body: Record<string, unknown>;
}

export interface SlackDouble extends HttpDouble {
  readonly posts: SlackPost[];
  /** The live state: change a property and the next answer reflects it. */
  readonly options: SlackDoubleOptions;
  /** `http://127.0.0.1:<port>/api`, the Web API base. */
  readonly apiBaseUrl: string;
  /** The full incoming webhook URL. */
  readonly webhookUrl: string;
}

const TEAM = { team: 'Plugform Test', team_id: 'T0PLUGFORM', user: 'plugform-bot', user_id: 'U0PLUGBOT', bot_id: 'B0PLUGBOT' };

export const slackFaults = {
  rateLimited: (seconds = 1): Reply => ({ status: 429, headers: { 'retry-after': String(seconds) }, body: { ok: false, error: 'ratelimited' } }),
  webhookRateLimited: (seconds = 1): Reply => ({ status: 429, headers: { 'retry-after': String(seconds) }, body: 'rate_limited' }),
  /** Slack's edge answers its own failures with an HTML page. */
  serverError: (): Reply => ({ status: 500, headers: { 'content-type': 'text/html' }, body: '<html><body><h1>500 Internal Server Error</h1></body></html>' }),
  webhookRollupError: (): Reply => ({ status: 500, body: 'rollup_error' }),
  fatalError: (): Reply => ({ status: 200, body: { ok: false, error: 'fatal_error' } }),
};

export async function startSlackDouble(initial: SlackDoubleOptions): Promise<SlackDouble> {
  const options = { ...initial };
  const posts: SlackPost[] = [];

  const api = (request: RecordedRequest, answer: () => Record<string, unknown>): Reply => {
    const token = bearerToken(request) ?? formToken(request);
    const warnings = isJson(request) && !/charset=/i.test(String(request.headers['content-type'])) ? ['missing_charset'] : [];
    const failure = (error: string): Reply => ({ status: 200, body: { ok: false, error, ...warningFields(warnings) } });
    if (token === undefined) return failure('not_authed');
    if (token !== options.botToken) return failure('invalid_auth');
    if (options.tokenRevoked) return failure('token_revoked');
    const result = answer();
    if (result.ok === false) return { status: 200, body: { ...result, ...warningFields(warnings) } };
    return { status: 200, body: { ok: true, ...result, ...warningFields(warnings) } };
  };

  const authTest = (request: RecordedRequest): Reply =>
    api(request, () => ({ url: 'https://plugform-test.slack.com/', ...TEAM, is_enterprise_install: false }));

  const postMessage = (request: RecordedRequest): Reply =>
    api(request, () => {
      const body = isJson(request) ? jsonBody(request) : Object.fromEntries(new URLSearchParams(request.body));
      if (typeof body !== 'object' || body === null) return { ok: false, error: 'invalid_json' };
      const message = body as Record<string, unknown>;
      const channel = findChannel(options.channels, message.channel);
      if (channel === undefined) return { ok: false, error: 'channel_not_found' };
      if (channel.archived) return { ok: false, error: 'is_archived' };
      if (!channel.member) return { ok: false, error: 'not_in_channel' };
      const problem = textProblem(message);
      if (problem) return { ok: false, error: problem };
      const ts = `${Math.floor(Date.now() / 1000)}.${String(posts.length + 1).padStart(6, '0')}`;
      posts.push({ via: 'api', channel: channel.id, body: message });
      return { channel: channel.id, ts, message: { type: 'message', text: message.text, user: TEAM.user_id, bot_id: TEAM.bot_id, ts } };
    });

  const webhook = (request: RecordedRequest): Reply => {
    if (request.path !== options.webhookPath) {
      const [team, bot] = options.webhookPath.split('/').slice(2, 4);
      const sameApp = request.path.startsWith(`/services/${team}/${bot}/`);
      return sameApp ? { status: 403, body: 'invalid_token' } : { status: 404, body: 'no_service' };
    }
    const body = jsonBody(request);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return { status: 400, body: 'invalid_payload' };
    const problem = textProblem(body as Record<string, unknown>);
    if (problem) return { status: 400, body: problem };
    if (options.webhookChannelArchived) return { status: 410, body: 'channel_is_archived' };
    posts.push({ via: 'webhook', body: body as Record<string, unknown> });
    return { status: 200, body: 'ok' };
  };

  const handler = routes(
    {
      'POST /api/auth.test': authTest,
      'GET /api/auth.test': authTest,
      'POST /api/chat.postMessage': postMessage,
      'POST /services/:team/:bot/:secret': webhook,
    },
    (request) =>
      request.path.startsWith('/api/') ? { status: 404, body: { ok: false, error: 'unknown_method' } } : { status: 404, body: 'no_service' },
  );
  const double = await startHttpDouble(handler);
  const resetRequests = double.reset;
  double.reset = () => {
    resetRequests();
    posts.length = 0;
  };
  return Object.assign(double, {
    posts,
    options,
    apiBaseUrl: `${double.url}/api`,
    webhookUrl: `${double.url}${options.webhookPath}`,
  });
}

function isJson(request: RecordedRequest): boolean {
  return String(request.headers['content-type'] ?? '').startsWith('application/json');
}

function formToken(request: RecordedRequest): string | undefined {
  if (isJson(request)) return undefined;
  return new URLSearchParams(request.body).get('token') ?? undefined;
}

function warningFields(warnings: string[]): Record<string, unknown> {
  return warnings.length === 0 ? {} : { warning: warnings.join(','), response_metadata: { warnings } };
}

function findChannel(channels: SlackChannel[], wanted: unknown): SlackChannel | undefined {
  if (typeof wanted !== 'string') return undefined;
  const name = wanted.replace(/^#/, '');
  return channels.find((channel) => channel.id === wanted || channel.name === name);
}

function textProblem(message: Record<string, unknown>): string | undefined {
  const hasText = typeof message.text === 'string' && message.text.trim() !== '';
  const hasBlocks = Array.isArray(message.blocks) && message.blocks.length > 0;
  if (!hasText && !hasBlocks) return 'no_text';
  if (typeof message.text === 'string' && message.text.length > 40_000) return 'msg_too_long';
  return undefined;
}
