import { describe, expect, it } from 'vitest';
import { checkPluginSchema, isPluginDefinition, validateConfig } from '../../../plugins/sdk/index.ts';
import echo, { type EchoProvider } from '../../../plugins/example-echo/index.ts';
import { createTestPluginContext } from '../../support/plugin-context.ts';

const config = { senderName: 'Ops', apiToken: 'echo-123', maxMessages: 2 };

async function provider(settings: typeof config = config): Promise<EchoProvider> {
  return (await echo.createProvider(settings, createTestPluginContext())) as EchoProvider;
}

describe('example-echo plugin', () => {
  it('is a valid definePlugin plugin', () => {
    expect(isPluginDefinition(echo)).toBe(true);
    expect(checkPluginSchema(echo)).toEqual([]);
  });

  it('validates its configuration, with the default and the token rule', () => {
    expect(validateConfig(echo, { senderName: 'Ops', apiToken: 'echo-1' })).toEqual({
      ok: true,
      value: { senderName: 'Ops', apiToken: 'echo-1', maxMessages: 100 },
    });
    expect(validateConfig(echo, { senderName: 'Ops', apiToken: 'abc' })).toEqual({
      ok: false,
      errors: [{ field: 'apiToken', rule: 'pattern', message: 'API Token must start with "echo-"' }],
    });
  });

  it('records messages in memory, keeping the newest maxMessages', async () => {
    const echoer = await provider();
    for (const text of ['one', 'two', 'three']) {
      expect(await echoer.sendNotification({ recipient: 'r', message: text })).toMatchObject({ success: true });
    }
    expect(echoer.messages().map((m) => [m.sender, m.message])).toEqual([
      ['Ops', 'two'],
      ['Ops', 'three'],
    ]);
    expect(await echoer.healthCheck?.()).toEqual({ status: 'healthy', message: '2 message(s) recorded' });
  });

  it('keeps each provider separate', async () => {
    const [a, b] = [await provider(), await provider()];
    await a.sendNotification({ recipient: 'r', message: 'only a' });
    expect(b.messages()).toEqual([]);
  });

  it('tests the token it was created with, without echoing it', async () => {
    // A provider never exists unconfigured (createProvider takes the configuration), so there
    // is no "not configured" state left to refuse.
    expect(await (await provider({ ...config, apiToken: 'wrong-secret' })).testConnection?.()).toEqual({ success: false, message: 'token rejected' });
    expect(await (await provider()).testConnection?.()).toEqual({ success: true, message: 'token accepted' });
  });
});
