import { describe, expect, it } from 'vitest';
import { checkPluginSchema, isPluginDefinition, validateConfig } from '../../../plugins/sdk/index.ts';
import echo, { type EchoProvider } from '../../../plugins/example-echo/index.ts';
import { createTestPluginContext } from '../../support/plugin-context.ts';

const config = { senderName: 'Ops', apiToken: 'echo-123', maxMessages: 2 };

function provider(): EchoProvider {
  return echo.createProvider(createTestPluginContext()) as EchoProvider;
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
    const echoer = provider();
    await echoer.configure(config);
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
    const [a, b] = [provider(), provider()];
    await a.configure(config);
    await b.configure(config);
    await a.sendNotification({ recipient: 'r', message: 'only a' });
    expect(b.messages()).toEqual([]);
  });

  it('refuses to send before configure, and tests the token without echoing it', async () => {
    const echoer = provider();
    await expect(echoer.sendNotification({ recipient: 'r', message: 'x' })).rejects.toThrow('Example Echo is not configured');
    expect(await echoer.healthCheck?.()).toEqual({ status: 'unhealthy', message: 'not configured' });
    expect(await echoer.testConnection?.({ ...config, apiToken: 'wrong-secret' })).toEqual({ success: false, message: 'token rejected' });
    expect(await echoer.testConnection?.(config)).toEqual({ success: true, message: 'token accepted' });
  });
});
