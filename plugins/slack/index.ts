/**
 * Slack: posts notifications to a channel, through an incoming webhook or as a bot.
 *
 * Two modes, because teams set Slack up two ways (each mode's fields are shown, and required,
 * only in that mode: `visibleWhen`):
 * - **Incoming webhook**: one URL bound to one channel. The URL itself is the credential, so it
 *   is a secret field.
 * - **Bot token** (`xoxb-…`): `chat.postMessage` to any channel the bot was invited to.
 *
 * Slack's Web API answers HTTP 200 even when it refuses (`{ ok: false, error: "invalid_auth" }`),
 * so success is read from `ok`, not from the status. Rate limits are HTTP 429 + `Retry-After`.
 * https://api.slack.com/messaging/webhooks · https://api.slack.com/methods/chat.postMessage
 */
import { definePlugin, retryCountField, timeoutSecondsField, type ConfigOf, type HealthReport, type HttpFetch, type NotificationMessage, type NotificationResult, type PluginLogger, type TestReport } from '../sdk/index.ts';
import {
  attemptsNote,
  describeBody,
  errorMessage,
  isRecord,
  joinUrl,
  parseJson,
  PluginHttpError,
  retryAfterNote,
  snippet,
  type HttpAnswer,
  vendorClient,
} from '../sdk/http-helpers.ts';

const WEBHOOK_URL_PATTERN = '^https?://[^\\s/]+(/[^\\s]*)?/services/T[A-Z0-9]+/B[A-Z0-9]+/[A-Za-z0-9]+$';

const fields = [
  {
    key: 'mode',
    label: 'Connection Mode',
    type: 'SELECT',
    required: true,
    default: 'webhook',
    options: [
      { value: 'webhook', label: 'Incoming webhook', description: 'Posts to the one channel the webhook was created for.' },
      { value: 'bot', label: 'Bot token', description: 'Posts with chat.postMessage to any channel the bot is in.' },
    ],
    group: 'Basic Configuration',
    order: 1,
  },
  {
    key: 'webhookUrl',
    label: 'Webhook URL',
    type: 'SECRET',
    required: true,
    visibleWhen: { field: 'mode', equals: 'webhook' },
    validationRules: [{ type: 'pattern', value: WEBHOOK_URL_PATTERN, message: 'A Slack webhook URL looks like https://hooks.slack.com/services/T…/B…/…' }],
    placeholder: 'https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX',
    description: 'The URL Slack generated for your app.',
    helpText: 'Anyone holding this URL can post to the channel, so it is kept as a secret. Find it under your app > Incoming Webhooks.',
    group: 'Basic Configuration',
    order: 2,
  },
  {
    key: 'botToken',
    label: 'Bot Token',
    type: 'SECRET',
    required: true,
    visibleWhen: { field: 'mode', equals: 'bot' },
    validationRules: [{ type: 'pattern', value: '^xoxb-[0-9A-Za-z-]+$', message: 'Bot tokens start with xoxb-' }],
    placeholder: 'xoxb-…',
    description: 'The Bot User OAuth Token, with the chat:write scope.',
    helpText: 'Find it under your app > OAuth & Permissions. Invite the bot to each channel it posts to.',
    group: 'Basic Configuration',
    order: 3,
  },
  {
    key: 'defaultChannel',
    label: 'Default Channel',
    type: 'STRING',
    visibleWhen: { field: 'mode', equals: 'bot' },
    validationRules: [{ type: 'pattern', value: '^(#?[a-z0-9._-]{1,80}|[CGD][A-Z0-9]{8,})$', message: 'Use a channel ID (C0123456789) or a name (#alerts)' }],
    placeholder: '#alerts',
    description: 'Where notifications go when they name no channel.',
    helpText: 'A channel ID is safer than a name: names change.',
    group: 'Basic Configuration',
    order: 4,
  },
  {
    key: 'username',
    label: 'Bot Display Name',
    type: 'STRING',
    maxLength: 80,
    placeholder: 'Plugform',
    helpText: 'Overrides the name shown on messages (bot mode needs the chat:write.customize scope).',
    group: 'Appearance',
    order: 1,
  },
  {
    key: 'iconEmoji',
    label: 'Icon Emoji',
    type: 'STRING',
    validationRules: [{ type: 'pattern', value: '^:[a-z0-9_+-]+:$', message: 'An emoji code like :rocket:' }],
    placeholder: ':rocket:',
    group: 'Appearance',
    order: 2,
  },
  {
    key: 'testPostsMessage',
    label: 'Connection Test Posts a Message',
    type: 'BOOLEAN',
    default: false,
    description: 'Post a short message when testing the connection.',
    helpText:
      'Off: the test checks the webhook or token without posting. On: it also posts "Plugform connection test" (to the default channel in bot mode), the only way to prove a message really arrives.',
    group: 'Testing',
    order: 1,
  },
  retryCountField({ helpText: 'Extra attempts after a rate limit (waiting as long as Slack asks), a 5xx or no answer.' }),
  timeoutSecondsField({}),
  {
    key: 'apiBaseUrl',
    label: 'Web API Base URL',
    type: 'URL',
    destination: ['botToken'],
    default: 'https://slack.com/api',
    helpText: 'Change only for a proxy (or a local server in tests).',
    group: 'Advanced',
    order: 3,
  },
] as const;

export type SlackConfig = ConfigOf<typeof fields>;

const API_LABEL = 'Slack';
const WEBHOOK_LABEL = 'Slack incoming webhook';
const TEST_TEXT = 'Plugform connection test :white_check_mark:';

export default definePlugin({
  name: 'slack',
  displayName: 'Slack',
  type: 'NOTIFICATION',
  version: '1.0.0',
  description: 'Post notifications to Slack channels with an incoming webhook or a bot token.',
  author: 'Plugform',
  homepage: 'https://api.slack.com/messaging/sending',
  tags: ['messaging', 'chat', 'slack', 'notifications'],
  groups: ['Basic Configuration', 'Appearance', 'Testing', 'Advanced'],
  fields,
  supportsHealthCheck: true,
  supportsTestConnection: true,

  createProvider(config, context) {
    // The mode's own credential is required by its field's visibleWhen: validation has checked it.
    const slack = createSlackClient(config, context.http.fetch, context.logger);
    return {
      async sendNotification(message) {
        return slack.guard(async () => {
          const result = slack.config.mode === 'bot' ? await slack.postAsBot(message) : await slack.postToWebhook(message);
          context.logger.info('Slack message posted', { mode: slack.config.mode, ...(result.messageId ? { ts: result.messageId } : {}) });
          return result;
        });
      },

      async healthCheck() {
        try {
          return slack.config.mode === 'bot' ? await slack.checkBotToken() : await slack.probeWebhook();
        } catch (error) {
          const kind = error instanceof PluginHttpError ? error.kind : undefined;
          return { status: kind === 'rate-limit' ? 'degraded' : 'unhealthy', message: slack.redact(errorMessage(error)), details: { mode: slack.config.mode } };
        }
      },

      async testConnection() {
        try {
          const report = config.mode === 'bot' ? await slack.checkBotToken() : await slack.probeWebhook();
          if (report.status === 'unhealthy') return { success: false, message: report.message, details: report.details };
          if (!config.testPostsMessage) return { success: true, message: report.message, details: report.details };
          return await slack.postTestMessage(report);
        } catch (error) {
          return { success: false, message: slack.redact(errorMessage(error)), details: { mode: config.mode } };
        }
      },
    };
  },
});

// ---------------------------------------------------------------------------------------
// Talking to Slack

/**
 * The last segment of an incoming webhook URL (`…/services/T…/B…/<key>`): the part that is the
 * credential, which a vendor or proxy may echo without the rest of the URL.
 */
function webhookKey(webhookUrl: string | undefined): string | undefined {
  // A key too short to be a real one would only blank out ordinary words.
  return webhookUrl?.match(/\/services\/T[A-Z0-9]+\/B[A-Z0-9]+\/([A-Za-z0-9]{8,})$/)?.[1];
}

function createSlackClient(config: SlackConfig, fetch: HttpFetch, logger: PluginLogger) {
  const client = vendorClient({
    fetch,
    logger,
    label: API_LABEL,
    secrets: [config.webhookUrl, webhookKey(config.webhookUrl), config.botToken],
    timeoutSeconds: config.timeoutSeconds,
    retryCount: config.retryCount,
    isRetryable: isTransientSlackAnswer,
  });
  const { secrets, redact, guard } = client;

  function send(url: URL, label: string, body: unknown, headers: Record<string, string> = {}): Promise<HttpAnswer> {
    const init = { method: 'POST', headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers }, body: JSON.stringify(body) };
    // Nothing of the URL is logged: a webhook URL is the secret.
    return client.send(url, init, { label, retryMessage: `${label} call failed, retrying` });
  }

  /** Calls a Web API method and returns its body when `ok` is true. */
  async function callApi(method: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const answer = await send(joinUrl(config.apiBaseUrl, method), API_LABEL, body, { Authorization: `Bearer ${config.botToken ?? ''}` });
    if (answer.status === 429) {
      throw new PluginHttpError(`${API_LABEL}: rate limited on ${method}${retryAfterNote(answer)}${attemptsNote(answer)}`, { kind: 'rate-limit', status: 429 });
    }
    if (answer.status !== 200) {
      throw new PluginHttpError(`${API_LABEL}: ${method} failed with ${describeBody(answer, secrets)}${attemptsNote(answer)}`, {
        kind: answer.status >= 500 ? 'server' : 'response',
        status: answer.status,
      });
    }
    const parsed = parseJson(answer, API_LABEL, secrets);
    if (!isRecord(parsed) || typeof parsed.ok !== 'boolean') {
      throw new PluginHttpError(`${API_LABEL}: ${method} answered without an "ok" field: "${snippet(answer.body, secrets)}"`, { kind: 'response', status: 200 });
    }
    if (!parsed.ok) throw apiError(method, parsed, answer);
    return parsed;
  }

  function messageBody(message: NotificationMessage): Record<string, unknown> {
    const text = message.subject ? `*${message.subject}*\n${message.message}` : message.message;
    const metadata = message.metadata ?? {};
    return {
      text,
      ...(Array.isArray(metadata.blocks) ? { blocks: metadata.blocks } : {}),
      ...(typeof metadata.threadTs === 'string' ? { thread_ts: metadata.threadTs } : {}),
      ...(config.username ? { username: config.username } : {}),
      ...(config.iconEmoji ? { icon_emoji: config.iconEmoji } : {}),
    };
  }

  return {
    config,
    guard,
    redact,

    /** Bot mode: the recipient is a channel (ID or name); empty means the default channel. */
    async postAsBot(message: NotificationMessage): Promise<NotificationResult> {
      const channel = message.recipient.trim() || config.defaultChannel;
      if (!channel) throw new Error('Slack: no channel: give a recipient or configure a Default Channel');
      if (message.message.trim() === '' && !Array.isArray(message.metadata?.blocks)) throw new Error('Slack: the message is empty');
      const answer = await callApi('chat.postMessage', { channel, ...messageBody(message) });
      const ts = typeof answer.ts === 'string' ? answer.ts : undefined;
      return { success: true, messageId: ts, details: { mode: 'bot', channel: answer.channel } };
    },

    /** Webhook mode: the channel is fixed by the webhook, so the recipient is ignored. */
    async postToWebhook(message: NotificationMessage): Promise<NotificationResult> {
      if (message.message.trim() === '' && !Array.isArray(message.metadata?.blocks)) throw new Error('Slack: the message is empty');
      const answer = await send(new URL(config.webhookUrl ?? ''), WEBHOOK_LABEL, messageBody(message));
      if (answer.status !== 200) throw webhookError(answer, secrets);
      return { success: true, details: { mode: 'webhook' } };
    },

    /** Bot mode health: `auth.test` says whether the token works and whose it is. */
    async checkBotToken(): Promise<HealthReport> {
      const answer = await callApi('auth.test', {});
      const details = {
        mode: 'bot',
        team: answer.team,
        teamId: answer.team_id,
        user: answer.user,
        botId: answer.bot_id,
        ...(config.defaultChannel ? { defaultChannel: config.defaultChannel } : {}),
      };
      return { status: 'healthy', message: `Bot token works: ${String(answer.user)} in ${String(answer.team)}`, details };
    },

    /**
     * Webhook mode health without posting: an empty payload is refused by a live webhook with
     * 400 `no_text` (older answers: `missing_text_or_fallback_or_attachments`,
     * `invalid_payload`), while a removed or wrong one answers 403/404. This tells a working URL
     * from a dead one, though not whether the channel still accepts posts: only a real message
     * proves that (see "Connection Test Posts a Message").
     */
    async probeWebhook(): Promise<HealthReport> {
      const answer = await send(new URL(config.webhookUrl ?? ''), WEBHOOK_LABEL, {});
      const code = answer.body.trim();
      if (answer.status === 400 && ['no_text', 'missing_text_or_fallback_or_attachments', 'invalid_payload'].includes(code)) {
        return { status: 'healthy', message: 'Slack accepts this webhook URL (checked without posting)', details: { mode: 'webhook', verifiedBy: 'empty-payload probe' } };
      }
      if (answer.status === 200) {
        return { status: 'degraded', message: 'The webhook URL answered an empty payload with 200: it may not be a Slack webhook', details: { mode: 'webhook' } };
      }
      throw webhookError(answer, secrets);
    },

    async postTestMessage(checked: HealthReport): Promise<TestReport> {
      if (config.mode === 'bot') {
        if (!config.defaultChannel) return { success: false, message: 'Slack: set a Default Channel to post the test message to', details: checked.details };
        const answer = await callApi('chat.postMessage', { channel: config.defaultChannel, text: TEST_TEXT });
        return { success: true, message: `${checked.message}; test message posted to ${config.defaultChannel}`, details: { ...checked.details, ts: answer.ts } };
      }
      const answer = await send(new URL(config.webhookUrl ?? ''), WEBHOOK_LABEL, { text: TEST_TEXT });
      if (answer.status !== 200) throw webhookError(answer, secrets);
      return { success: true, message: 'Test message posted through the webhook', details: { mode: 'webhook', posted: true } };
    },
  };
}

/** Slack's transient failures: 429, 5xx, and the `ok: false` codes its docs call temporary. */
function isTransientSlackAnswer(answer: Pick<HttpAnswer, 'status' | 'body'>): boolean {
  if (answer.status === 429 || answer.status >= 500) return true;
  if (answer.status !== 200 || !answer.body.includes('"ok":false')) return false;
  return /"error":"(fatal_error|internal_error|service_unavailable)"/.test(answer.body);
}

const API_ERRORS: Record<string, string> = {
  not_authed: 'no bot token was sent',
  invalid_auth: 'the bot token is invalid',
  account_inactive: 'the bot token belongs to a deactivated app or workspace',
  token_revoked: 'the bot token has been revoked',
  token_expired: 'the bot token has expired (token rotation is on)',
  no_permission: 'the token does not have permission for this',
  missing_scope: 'the token lacks a required scope',
  channel_not_found: 'the channel does not exist or the bot cannot see it (use a channel ID like C0123456789)',
  not_in_channel: 'the bot is not a member of the channel: invite it with /invite',
  is_archived: 'the channel is archived',
  msg_too_long: 'the message is too long',
  no_text: 'the message has no text',
  restricted_action: 'a workspace preference prevents posting to this channel',
  ratelimited: 'rate limited',
  fatal_error: 'Slack failed to handle the request',
  internal_error: 'Slack had an internal error',
  service_unavailable: 'Slack is temporarily unavailable',
};

function apiError(method: string, body: Record<string, unknown>, answer: HttpAnswer): PluginHttpError {
  const code = typeof body.error === 'string' ? body.error : 'unknown_error';
  // Own keys only: a vendor code like "toString" must not find a prototype method.
  const explanation = (Object.hasOwn(API_ERRORS, code) ? API_ERRORS[code] : undefined) ?? 'request refused';
  const needed = code === 'missing_scope' && typeof body.needed === 'string' ? ` (needs ${body.needed})` : '';
  const kind = ['not_authed', 'invalid_auth', 'account_inactive', 'token_revoked', 'token_expired', 'no_permission', 'missing_scope'].includes(code)
    ? 'auth'
    : ['fatal_error', 'internal_error', 'service_unavailable'].includes(code)
      ? 'server'
      : 'request';
  return new PluginHttpError(`${API_LABEL}: ${method}: ${explanation}${needed} (${code})${attemptsNote(answer)}`, { kind, status: 200, code });
}

const WEBHOOK_ERRORS: Record<string, string> = {
  invalid_payload: 'Slack could not read the message',
  no_text: 'the message has no text',
  invalid_token: 'the webhook URL is wrong (its token part is not valid)',
  no_service: 'the webhook URL is not valid or the webhook was removed',
  no_team: 'the workspace of this webhook no longer exists',
  team_disabled: 'the workspace of this webhook is disabled',
  action_prohibited: 'the workspace restricts posting with this webhook',
  posting_to_general_channel_denied: 'only admins may post to this channel',
  channel_not_found: 'the channel of this webhook no longer exists',
  channel_is_archived: 'the channel of this webhook is archived',
  rate_limited: 'rate limited',
  rollup_error: 'Slack had an internal error',
};

function webhookError(answer: HttpAnswer, secrets: readonly (string | undefined)[]): PluginHttpError {
  const code = answer.body.trim();
  const known = Object.hasOwn(WEBHOOK_ERRORS, code) ? WEBHOOK_ERRORS[code] : undefined;
  const kind = answer.status === 429 ? 'rate-limit' : answer.status >= 500 ? 'server' : answer.status === 403 || answer.status === 404 ? 'auth' : 'request';
  const text = known ? `${known} (HTTP ${answer.status} ${code})` : `unexpected answer, ${describeBody(answer, secrets)}`;
  const wait = answer.status === 429 ? retryAfterNote(answer) : '';
  return new PluginHttpError(`${WEBHOOK_LABEL}: ${text}${wait}${attemptsNote(answer)}`, { kind, status: answer.status, code: known ? code : undefined });
}
