/**
 * Conditional fields on the real server (Slack's mode decides which credential it needs):
 * a field the configuration hides is neither required nor stored, one it shows is required,
 * and a switch of mode clears what the old mode stored, secrets included.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREATE, UPDATE, mutate, succeed } from '../support/graphql.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const BOT_TOKEN = 'xoxb-CANARY-conditional-0123456789';
const WEBHOOK_URL = 'https://hooks.slack.com/services/T0COND/B0COND/CANARYconditionalHook';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

const createSlack = (name: string, configuration: Record<string, unknown>) =>
  mutate(server, CREATE, 'createPluginInstance', { input: { pluginName: 'slack', name, configuration } });

describe('conditional fields over the API (slack)', () => {
  it('states each field\'s condition in the catalog, for clients to show and hide fields', async () => {
    const { body } = await server.gql('{ plugin(name: "slack") { fields { key visibleWhen { field values } } } }');
    expect(body.errors).toBeUndefined();
    const conditions = Object.fromEntries(body.data.plugin.fields.map((f: { key: string; visibleWhen: unknown }) => [f.key, f.visibleWhen]));
    expect(conditions).toMatchObject({
      mode: null,
      webhookUrl: { field: 'mode', values: ['webhook'] },
      botToken: { field: 'mode', values: ['bot'] },
      defaultChannel: { field: 'mode', values: ['bot'] },
      username: null,
    });
  });

  it('creates a bot-mode instance without a webhook URL, storing only what bot mode shows', async () => {
    const created = await succeed(server, CREATE, 'createPluginInstance', {
      input: { pluginName: 'slack', name: 'cond-bot', configuration: { mode: 'bot', botToken: BOT_TOKEN, defaultChannel: '#alerts' } },
    });
    expect(created.configuration).toMatchObject({ mode: 'bot', defaultChannel: '#alerts' });
    expect((await server.running.services.secrets.read(created.id)).values).toEqual({ botToken: BOT_TOKEN });
  });

  it('refuses bot mode without a bot token, naming the field and the condition, and stores nothing', async () => {
    const before = await server.running.services.prisma.pluginInstance.count();
    const result = await createSlack('cond-no-token', { mode: 'bot', defaultChannel: '#alerts' });
    expect(result).toMatchObject({
      __typename: 'ValidationError',
      fieldErrors: [{ field: 'botToken', rule: 'required', message: 'Bot Token is required when Connection Mode is "Bot token"' }],
    });
    expect(await server.running.services.prisma.pluginInstance.count()).toBe(before);
  });

  it('drops the values of hidden fields on create, a hidden secret included', async () => {
    const created = await succeed(server, CREATE, 'createPluginInstance', {
      input: { pluginName: 'slack', name: 'cond-webhook', configuration: { webhookUrl: WEBHOOK_URL, botToken: BOT_TOKEN, defaultChannel: '#alerts' } },
    });
    expect(created.configuration).not.toHaveProperty('defaultChannel');
    expect(created.secrets).toContainEqual(expect.objectContaining({ key: 'botToken', isSet: false }));
    expect((await server.running.services.secrets.read(created.id)).values).toEqual({ webhookUrl: WEBHOOK_URL });
  });

  it('switching from bot to webhook mode clears the stored bot token and the default channel', async () => {
    const created = await succeed(server, CREATE, 'createPluginInstance', {
      input: { pluginName: 'slack', name: 'cond-switch', configuration: { mode: 'bot', botToken: BOT_TOKEN, defaultChannel: '#alerts' } },
    });
    const updated = await succeed(server, UPDATE, 'updatePluginInstance', {
      input: { id: created.id, version: created.version, configuration: { mode: 'webhook', webhookUrl: WEBHOOK_URL } },
    });
    expect(updated.configuration).toMatchObject({ mode: 'webhook' });
    expect(updated.configuration).not.toHaveProperty('defaultChannel');
    expect(updated.secrets).toContainEqual(expect.objectContaining({ key: 'botToken', isSet: false }));
    expect((await server.running.services.secrets.read(created.id)).values).toEqual({ webhookUrl: WEBHOOK_URL });
  });
});
