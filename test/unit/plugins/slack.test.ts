import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import plugin, { type SlackConfig } from '../../../plugins/slack/index.ts';
import { checkPluginSchema, validateConfig } from '../../../plugins/sdk/index.ts';
import { createTestPluginContext, everythingSaid, thrownBy, type TestPluginContext } from '../../support/plugin-context.ts';
import { runThroughWaits } from '../../support/fake-clock.ts';
import { closedPortUrl } from '../../support/vendors/http-double.ts';
import { slackFaults, startSlackDouble, type SlackDouble } from '../../support/vendors/slack.ts';

const BOT_TOKEN = 'xoxb-CANARY-1234567890-abcdefghijklmnop';
const HOOK_SECRET = 'CANARYhookSecret0123456789';
const WEBHOOK_PATH = `/services/T0PLUGFORM/B0HOOK01/${HOOK_SECRET}`;

let slack: SlackDouble;
const contexts: TestPluginContext[] = [];
const outputs: unknown[] = [];

beforeAll(async () => {
  slack = await startSlackDouble({
    botToken: BOT_TOKEN,
    webhookPath: WEBHOOK_PATH,
    channels: [
      { id: 'C0ALERTS01', name: 'alerts', member: true },
      { id: 'C0RANDOM01', name: 'random', member: false },
      { id: 'C0OLDSTUFF', name: 'old-stuff', member: true, archived: true },
    ],
  });
});
afterEach(() => {
  slack.reset();
  slack.options.webhookChannelArchived = false;
  slack.options.tokenRevoked = false;
});
afterAll(async () => {
  await slack.close();
  for (const context of contexts) {
    const said = everythingSaid(context, ...outputs);
    expect(said).not.toContain(BOT_TOKEN);
    expect(said).not.toContain(HOOK_SECRET);
  }
});

function botConfig(overrides: Partial<SlackConfig> = {}): SlackConfig {
  return { mode: 'bot', botToken: BOT_TOKEN, defaultChannel: '#alerts', testPostsMessage: false, retryCount: 2, timeoutSeconds: 5, apiBaseUrl: slack.apiBaseUrl, ...overrides };
}

function webhookConfig(overrides: Partial<SlackConfig> = {}): SlackConfig {
  return { mode: 'webhook', webhookUrl: slack.webhookUrl, testPostsMessage: false, retryCount: 2, timeoutSeconds: 5, apiBaseUrl: slack.apiBaseUrl, ...overrides };
}

async function provider(config: SlackConfig) {
  const context = createTestPluginContext();
  contexts.push(context);
  const instance = await plugin.createProvider(config, context);
  return { instance, context };
}

function said<T>(output: T): T {
  outputs.push(output);
  return output;
}

describe('slack bot mode', () => {
  it('posts with chat.postMessage, the bearer token and a JSON body with charset', async () => {
    const { instance } = await provider(botConfig({ username: 'Plugform', iconEmoji: ':rocket:' }));
    const result = said(await instance.sendNotification({ recipient: '', subject: 'Deploy', message: 'v2 is live' }));
    expect(result).toMatchObject({ success: true, details: { mode: 'bot', channel: 'C0ALERTS01' } });
    expect(result.messageId).toMatch(/^\d+\.\d{6}$/);
    const request = slack.requests[0];
    expect(request?.path).toBe('/api/chat.postMessage');
    expect(request?.headers.authorization).toBe(`Bearer ${BOT_TOKEN}`);
    expect(request?.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(request?.body ?? '')).toEqual({ channel: '#alerts', text: '*Deploy*\nv2 is live', username: 'Plugform', icon_emoji: ':rocket:' });
  });

  it('sends to the recipient channel when one is given, with blocks and thread', async () => {
    const { instance } = await provider(botConfig());
    said(await instance.sendNotification({ recipient: 'C0ALERTS01', message: 'fallback', metadata: { blocks: [{ type: 'divider' }], threadTs: '1.000001' } }));
    expect(slack.posts[0]).toMatchObject({ channel: 'C0ALERTS01', body: { blocks: [{ type: 'divider' }], thread_ts: '1.000001' } });
  });

  it('explains channel errors: not a member, not found, archived', async () => {
    const { instance } = await provider(botConfig());
    const notMember = said(await thrownBy(() => instance.sendNotification({ recipient: '#random', message: 'hi' })));
    expect(notMember.message).toBe('Slack: chat.postMessage: the bot is not a member of the channel: invite it with /invite (not_in_channel)');
    const notFound = said(await thrownBy(() => instance.sendNotification({ recipient: '#nope', message: 'hi' })));
    expect(notFound.message).toContain('(channel_not_found)');
    const archived = said(await thrownBy(() => instance.sendNotification({ recipient: '#old-stuff', message: 'hi' })));
    expect(archived.message).toBe('Slack: chat.postMessage: the channel is archived (is_archived)');
  });

  it('refuses a message with no channel or no text before calling Slack', async () => {
    const { instance } = await provider(botConfig({ defaultChannel: undefined }));
    const noChannel = said(await thrownBy(() => instance.sendNotification({ recipient: '', message: 'hi' })));
    expect(noChannel.message).toBe('Slack: no channel: give a recipient or configure a Default Channel');
    const empty = said(await thrownBy(() => instance.sendNotification({ recipient: '#alerts', message: ' ' })));
    expect(empty.message).toBe('Slack: the message is empty');
    expect(slack.requests).toHaveLength(0);
  });

  it('a wrong token is reported from ok:false (HTTP 200) and not retried', async () => {
    const { instance } = await provider(botConfig({ botToken: 'xoxb-CANARY-wrong-000' }));
    const error = said(await thrownBy(() => instance.sendNotification({ recipient: '', message: 'hi' })));
    expect(error.message).toBe('Slack: chat.postMessage: the bot token is invalid (invalid_auth)');
    expect(slack.requests).toHaveLength(1);
    const health = said(await instance.healthCheck!());
    expect(health).toMatchObject({ status: 'unhealthy', message: 'Slack: auth.test: the bot token is invalid (invalid_auth)' });
  });

  it('health calls auth.test and reports the workspace, never the token', async () => {
    const { instance } = await provider(botConfig());
    const report = said(await instance.healthCheck!());
    expect(report).toEqual({
      status: 'healthy',
      message: 'Bot token works: plugform-bot in Plugform Test',
      details: { mode: 'bot', team: 'Plugform Test', teamId: 'T0PLUGFORM', user: 'plugform-bot', botId: 'B0PLUGBOT', defaultChannel: '#alerts' },
    });
    expect(slack.requests[0]?.path).toBe('/api/auth.test');
  });

  it('a revoked token makes health unhealthy', async () => {
    slack.options.tokenRevoked = true;
    const { instance } = await provider(botConfig());
    const report = said(await instance.healthCheck!());
    expect(report).toMatchObject({ status: 'unhealthy', message: 'Slack: auth.test: the bot token has been revoked (token_revoked)' });
  });

  it('test calls auth.test without posting, and posts to the default channel when asked', async () => {
    const quiet = await provider(botConfig());
    const result = said(await quiet.instance.testConnection!());
    expect(result.success).toBe(true);
    expect(slack.posts).toHaveLength(0);

    const loud = await provider(botConfig({ testPostsMessage: true }));
    const posted = said(await loud.instance.testConnection!());
    expect(posted).toMatchObject({ success: true, message: 'Bot token works: plugform-bot in Plugform Test; test message posted to #alerts' });
    expect(slack.posts[0]?.body.text).toBe('Plugform connection test :white_check_mark:');
  });

  it('a test that posts fails clearly when the bot is not in the default channel', async () => {
    const config = botConfig({ testPostsMessage: true, defaultChannel: '#random' });
    const { instance } = await provider(config);
    const result = said(await instance.testConnection!());
    expect(result).toMatchObject({ success: false, message: 'Slack: chat.postMessage: the bot is not a member of the channel: invite it with /invite (not_in_channel)' });
  });

  it('waits as long as Retry-After says on a 429, then succeeds', async () => {
    slack.inject({ kind: 'reply', reply: slackFaults.rateLimited(1) });
    const { instance, context } = await provider(botConfig());
    const { result, waits } = await runThroughWaits({ context, requests: slack.requests }, () => instance.sendNotification({ recipient: '', message: 'hi' }));
    said(result);
    expect(waits).toEqual([1000]);
    expect(slack.requests).toHaveLength(2);
    expect(context.logs.find((line) => line.level === 'warn')?.details).toMatchObject({ attempt: 1, delayMs: 1000, reason: 'HTTP 429' });
  });

  it('does not wait minutes: a long Retry-After fails at once and health is degraded', async () => {
    slack.inject({ kind: 'reply', reply: slackFaults.rateLimited(120) }, 2);
    const { instance } = await provider(botConfig());
    const error = said(await thrownBy(() => instance.sendNotification({ recipient: '', message: 'hi' })));
    expect(error.message).toBe('Slack: rate limited on chat.postMessage; the service asks to retry after 120 s');
    const health = said(await instance.healthCheck!());
    expect(health.status).toBe('degraded');
  });

  it('retries 500s and gives up with a clear message', async () => {
    slack.inject({ kind: 'reply', reply: slackFaults.serverError() }, 3);
    const { instance } = await provider(botConfig());
    const error = said(await thrownBy(() => instance.sendNotification({ recipient: '', message: 'hi' })));
    expect(error.message).toBe('Slack: chat.postMessage failed with HTTP 500, text/html: "<html><body><h1>500 Internal Server Error</h1></body></html>" (after 3 attempts)');
    expect(slack.requests).toHaveLength(3);
  });

  it('retries ok:false fatal_error, which Slack documents as transient', async () => {
    slack.inject({ kind: 'reply', reply: slackFaults.fatalError() });
    const { instance } = await provider(botConfig());
    said(await instance.sendNotification({ recipient: '', message: 'hi' }));
    expect(slack.requests).toHaveLength(2);
  });

  it('reports garbage, timeouts and unreachable hosts clearly', async () => {
    slack.inject({ kind: 'garbage' });
    const { instance } = await provider(botConfig({ retryCount: 0, timeoutSeconds: 1 }));
    const garbage = said(await thrownBy(() => instance.sendNotification({ recipient: '', message: 'hi' })));
    expect(garbage.message).toMatch(/^Slack: expected JSON but got HTTP 200, text\/html: "<html>/);

    slack.inject({ kind: 'hang' });
    const timeout = said(await thrownBy(() => instance.sendNotification({ recipient: '', message: 'hi' })));
    expect(timeout.message).toBe(`Slack: request to ${new URL(slack.url).host} timed out after 1000 ms`);

    const offline = await provider(botConfig({ apiBaseUrl: `${await closedPortUrl()}/api`, retryCount: 0 }));
    const refused = said(await offline.instance.healthCheck!());
    expect(refused).toMatchObject({ status: 'unhealthy' });
    expect(refused.message).toMatch(/^Slack: could not connect to 127\.0\.0\.1:\d+: connection refused$/);
  });
});

describe('slack incoming webhook mode', () => {
  it('posts the message as JSON to the webhook URL', async () => {
    const { instance } = await provider(webhookConfig({ username: 'Plugform' }));
    const result = said(await instance.sendNotification({ recipient: 'ignored', message: 'build green' }));
    expect(result).toEqual({ success: true, details: { mode: 'webhook' } });
    expect(slack.posts[0]).toEqual({ via: 'webhook', body: { text: 'build green', username: 'Plugform' } });
  });

  it('health probes the webhook with an empty payload: no message is posted', async () => {
    const { instance } = await provider(webhookConfig());
    const report = said(await instance.healthCheck!());
    expect(report).toEqual({
      status: 'healthy',
      message: 'Slack accepts this webhook URL (checked without posting)',
      details: { mode: 'webhook', verifiedBy: 'empty-payload probe' },
    });
    expect(slack.requests[0]?.body).toBe('{}');
    expect(slack.posts).toHaveLength(0);
  });

  it('a wrong or removed webhook URL is unhealthy, and the URL is never said', async () => {
    const wrong = await provider(webhookConfig({ webhookUrl: `${slack.url}/services/T0PLUGFORM/B0HOOK01/CANARYwrongSecret99` }));
    const report = said(await wrong.instance.healthCheck!());
    expect(report).toMatchObject({ status: 'unhealthy', message: 'Slack incoming webhook: the webhook URL is wrong (its token part is not valid) (HTTP 403 invalid_token)' });
    const removed = await provider(webhookConfig({ webhookUrl: `${slack.url}/services/T0OTHER/B0OTHER/CANARYgoneSecret99` }));
    const test = said(await removed.instance.testConnection!());
    expect(test).toMatchObject({ success: false, message: 'Slack incoming webhook: the webhook URL is not valid or the webhook was removed (HTTP 404 no_service)' });
    expect(everythingSaid(wrong.context, report, test)).not.toContain('CANARY');
  });

  it('an archived channel is explained', async () => {
    slack.options.webhookChannelArchived = true;
    const { instance } = await provider(webhookConfig());
    const error = said(await thrownBy(() => instance.sendNotification({ recipient: '', message: 'hi' })));
    expect(error.message).toBe('Slack incoming webhook: the channel of this webhook is archived (HTTP 410 channel_is_archived)');
  });

  it('the test checks without posting unless asked to post', async () => {
    const quiet = await provider(webhookConfig());
    expect(said(await quiet.instance.testConnection!())).toMatchObject({ success: true });
    expect(slack.posts).toHaveLength(0);

    const loud = await provider(webhookConfig({ testPostsMessage: true }));
    const result = said(await loud.instance.testConnection!());
    expect(result).toEqual({ success: true, message: 'Test message posted through the webhook', details: { mode: 'webhook', posted: true } });
    expect(slack.posts).toHaveLength(1);
  });

  it('honours Retry-After on a rate-limited webhook', async () => {
    slack.inject({ kind: 'reply', reply: slackFaults.webhookRateLimited(1) });
    const { instance, context } = await provider(webhookConfig());
    const { result, waits } = await runThroughWaits({ context, requests: slack.requests }, () => instance.sendNotification({ recipient: '', message: 'hi' }));
    said(result);
    expect(waits).toEqual([1000]);
    expect(slack.posts).toHaveLength(1);
  });

  it('gives up on repeated rollup_error with a clear message', async () => {
    slack.inject({ kind: 'reply', reply: slackFaults.webhookRollupError() }, 2);
    const { instance } = await provider(webhookConfig({ retryCount: 1 }));
    const error = said(await thrownBy(() => instance.sendNotification({ recipient: '', message: 'hi' })));
    expect(error.message).toBe('Slack incoming webhook: Slack had an internal error (HTTP 500 rollup_error) (after 2 attempts)');
  });

  it('an unreachable webhook host is named by host only', async () => {
    const base = await closedPortUrl();
    const { instance } = await provider(webhookConfig({ webhookUrl: `${base}${WEBHOOK_PATH}`, retryCount: 0 }));
    const error = said(await thrownBy(() => instance.sendNotification({ recipient: '', message: 'hi' })));
    expect(error.message).toBe(`Slack incoming webhook: could not connect to ${new URL(base).host}: connection refused`);
  });
});

describe('slack configuration', () => {
  const errorsOf = (config: Partial<SlackConfig>) => {
    const result = validateConfig(plugin, config);
    return result.ok ? [] : result.errors.map((e) => `${e.field}: ${e.message}`);
  };

  it('requires the credential of the chosen mode only, and refuses a malformed webhook URL', () => {
    expect(errorsOf(webhookConfig({ webhookUrl: undefined }))).toEqual(['webhookUrl: Webhook URL is required when Connection Mode is "Incoming webhook"']);
    expect(errorsOf(botConfig({ botToken: undefined }))).toEqual(['botToken: Bot Token is required when Connection Mode is "Bot token"']);
    expect(errorsOf(botConfig({ botToken: 'xoxp-user-token' }))).toEqual(['botToken: Bot tokens start with xoxb-']);
    expect(errorsOf(webhookConfig({ webhookUrl: 'https://hooks.slack.com/CANARY-not-a-webhook' }))).toEqual([
      'webhookUrl: A Slack webhook URL looks like https://hooks.slack.com/services/T…/B…/…',
    ]);
  });

  it("drops the other mode's fields", () => {
    const result = validateConfig(plugin, botConfig({ webhookUrl: slack.webhookUrl }));
    expect(result.ok && Object.keys(result.value)).toEqual(['mode', 'botToken', 'defaultChannel', 'testPostsMessage', 'retryCount', 'timeoutSeconds', 'apiBaseUrl']);
    const webhook = validateConfig(plugin, webhookConfig({ botToken: BOT_TOKEN, defaultChannel: '#alerts' }));
    expect(webhook.ok && Object.keys(webhook.value)).toEqual(['mode', 'webhookUrl', 'testPostsMessage', 'retryCount', 'timeoutSeconds', 'apiBaseUrl']);
  });
});

describe('slack: schema', () => {
  it('passes the registry checks; defaults complete a minimal configuration; the test configurations are valid', () => {
    expect(checkPluginSchema(plugin)).toEqual([]);
    expect(validateConfig(plugin, { webhookUrl: 'https://hooks.slack.com/services/T0A/B0B/abc123' })).toEqual({
      ok: true,
      value: { mode: 'webhook', webhookUrl: 'https://hooks.slack.com/services/T0A/B0B/abc123', testPostsMessage: false, retryCount: 2, timeoutSeconds: 10, apiBaseUrl: 'https://slack.com/api' },
    });
    expect(validateConfig(plugin, botConfig())).toMatchObject({ ok: true });
    expect(validateConfig(plugin, webhookConfig())).toMatchObject({ ok: true });
  });

  it('explains a user token in place of a bot token and a URL that is not a webhook', () => {
    const bot = validateConfig(plugin, { mode: 'bot', botToken: 'xoxp-123', iconEmoji: 'rocket' });
    expect(bot.ok ? [] : bot.errors.map((e) => `${e.field}: ${e.message}`)).toEqual(['botToken: Bot tokens start with xoxb-', 'iconEmoji: An emoji code like :rocket:']);
    const webhook = validateConfig(plugin, { webhookUrl: 'https://example.com/hook' });
    expect(webhook.ok ? [] : webhook.errors.map((e) => `${e.field}: ${e.message}`)).toEqual([
      'webhookUrl: A Slack webhook URL looks like https://hooks.slack.com/services/T…/B…/…',
    ]);
  });
});
