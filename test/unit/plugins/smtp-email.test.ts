import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import smtpPlugin from '../../../plugins/smtp-email/index.ts';
import type { SmtpEmailConfig } from '../../../plugins/smtp-email/index.ts';
import { checkPluginSchema, validateConfig } from '../../../plugins/sdk/index.ts';
import { createTestPluginContext, everythingSaid, loopbackBlockingGate, recordingEgress, type TestPluginContext } from '../../support/plugin-context.ts';
import { closedPort, startSilentServer, startSmtpServer, type TestSmtpServer } from '../../support/smtp-server.ts';

// Every result, error and log line of this file is checked for this value at the end.
const CANARY = 'canary-SMTP-pw-5f0c1e9d';
const CANARY_B64 = Buffer.from(CANARY).toString('base64').replace(/=+$/, '');
const contexts: TestPluginContext[] = [];
const seen: unknown[] = [];
const remember = <T>(value: T): T => (seen.push(value), value);

/** The shared test context: the egress gate records every socket asked for; `blockLoopback` uses production's policy. */
function testContext(options: { blockLoopback?: boolean } = {}) {
  const { egress, connects: egressChecks } = recordingEgress(options.blockLoopback ? loopbackBlockingGate : undefined);
  const context = createTestPluginContext({ egress });
  contexts.push(context);
  return { context, egressChecks };
}

let starttlsServer: TestSmtpServer;
let implicitTlsServer: TestSmtpServer;
let plainServer: TestSmtpServer;

beforeAll(async () => {
  const users = { mailer: CANARY };
  [starttlsServer, implicitTlsServer, plainServer] = await Promise.all([
    startSmtpServer({ users, tls: 'starttls' }),
    startSmtpServer({ users, tls: 'tls' }),
    startSmtpServer({ users, tls: 'plain' }),
  ]);
});

afterAll(async () => {
  await Promise.all([starttlsServer?.close(), implicitTlsServer?.close(), plainServer?.close()]);
});

function config(overrides: Partial<SmtpEmailConfig> = {}): SmtpEmailConfig {
  return {
    host: '127.0.0.1',
    port: starttlsServer.port,
    tlsMode: 'starttls',
    username: 'mailer',
    password: CANARY,
    fromAddress: 'alerts@example.com',
    fromName: 'Plugform Alerts',
    replyTo: 'support@example.com',
    timeoutMs: 3_000,
    allowSelfSigned: true,
    ...overrides,
  };
}

async function provider(overrides: Partial<SmtpEmailConfig> = {}, options: { blockLoopback?: boolean } = {}) {
  const { context, egressChecks } = testContext(options);
  const cfg = config(overrides);
  const instance = await smtpPlugin.createProvider(cfg, context);
  return { instance, cfg, context, egressChecks };
}

describe('smtp-email plugin', () => {
  it('declares a NOTIFICATION plugin with a secret password', () => {
    expect(smtpPlugin.type).toBe('NOTIFICATION');
    const password = smtpPlugin.fields.find((f) => f.key === 'password');
    expect(password?.type).toBe('SECRET');
    expect(smtpPlugin.fields.find((f) => f.key === 'port')).toMatchObject({ default: 587, minValue: 1, maxValue: 65535 });
  });

  it('has a schema the registry accepts, whose defaults complete a minimal configuration', () => {
    expect(checkPluginSchema(smtpPlugin)).toEqual([]);
    const minimal = { host: 'smtp.example.com', fromAddress: 'alerts@example.com', username: 'u', password: 'p' };
    expect(validateConfig(smtpPlugin, minimal)).toEqual({
      ok: true,
      value: { ...minimal, port: 587, tlsMode: 'starttls', timeoutMs: 10_000, allowSelfSigned: false },
    });
    const wrong = validateConfig(smtpPlugin, { host: 'smtp.example.com', fromAddress: 'x', port: 0, tlsMode: 'ssl' });
    expect(wrong.ok ? [] : wrong.errors.map((e) => e.field).sort()).toEqual(['fromAddress', 'port', 'tlsMode']);
  });

  it('sends a message over STARTTLS and the server receives headers and body', async () => {
    const { instance, egressChecks } = await provider();
    const result = remember(await instance.sendNotification({
      recipient: 'ops@example.org',
      subject: 'Disk almost full',
      message: 'Volume /data is at 93%.',
    }));
    expect(result.success).toBe(true);
    expect(result.messageId).toMatch(/^<.+>$/);
    expect(egressChecks).toEqual([{ host: '127.0.0.1', port: starttlsServer.port }]);

    const received = starttlsServer.messages.at(-1);
    expect(received?.envelope).toEqual({ from: 'alerts@example.com', to: ['ops@example.org'] });
    expect(received?.user).toBe('mailer');
    expect(received?.headers['from']).toBe('Plugform Alerts <alerts@example.com>');
    expect(received?.headers['to']).toBe('ops@example.org');
    expect(received?.headers['reply-to']).toBe('support@example.com');
    expect(received?.headers['subject']).toBe('Disk almost full');
    expect(received?.headers['message-id']).toBe(result.messageId);
    expect(received?.body.trim()).toBe('Volume /data is at 93%.');
  });

  it('sends over implicit TLS and over a plain connection when configured so', async () => {
    const tls = await provider({ port: implicitTlsServer.port, tlsMode: 'tls' });
    expect(remember(await tls.instance.sendNotification({ recipient: 'a@example.org', message: 'over TLS' })).success).toBe(true);
    expect(implicitTlsServer.messages.at(-1)?.body.trim()).toBe('over TLS');

    const plain = await provider({ port: plainServer.port, tlsMode: 'none' });
    expect(remember(await plain.instance.sendNotification({ recipient: 'b@example.org', message: 'in clear' })).success).toBe(true);
    expect(plainServer.messages.at(-1)?.body.trim()).toBe('in clear');
  });

  it('keeps line breaks in the subject from adding headers', async () => {
    const { instance } = await provider();
    const result = remember(await instance.sendNotification({
      recipient: 'ops@example.org',
      subject: 'Hello\r\nBcc: attacker@evil.example',
      message: 'body',
    }));
    expect(result.success).toBe(true);
    const received = starttlsServer.messages.at(-1);
    expect(received?.headers['bcc']).toBeUndefined();
    expect(received?.envelope.to).toEqual(['ops@example.org']);
  });

  it('refuses a recipient that is not one plain address', async () => {
    const { instance } = await provider();
    for (const recipient of ['not-an-address', 'a@example.org, b@example.org', 'x@example.org\r\nBcc: y@example.org', '']) {
      await expect(instance.sendNotification({ recipient, message: 'x' })).rejects.toThrow(/recipient must be one email address/);
    }
  });

  it('test and health pass with good credentials', async () => {
    const { instance } = await provider();
    const test = remember(await instance.testConnection!());
    expect(test).toMatchObject({ success: true, message: expect.stringContaining('logged in as mailer') });
    const health = remember(await instance.healthCheck!());
    expect(health.status).toBe('healthy');
  });

  it('reports a wrong password as an authentication failure (535)', async () => {
    const { instance } = await provider({ password: 'wrong-password' });
    const test = remember(await instance.testConnection!());
    expect(test.success).toBe(false);
    expect(test.message).toMatch(/Authentication failed .*rejected the username or password \(535\)/);
    expect(test.details).toMatchObject({ code: 'AUTH_FAILED' });
    const health = remember(await instance.healthCheck!());
    expect(health).toMatchObject({ status: 'unhealthy', details: { code: 'AUTH_FAILED' } });
    const sent = remember(await instance.sendNotification({ recipient: 'ops@example.org', message: 'x' }));
    expect(sent).toMatchObject({ success: false, details: { code: 'AUTH_FAILED' } });
    expect(starttlsServer.logins.at(-1)).toEqual({ username: 'mailer', accepted: false });
  });

  it('reports connection refused on a closed port', async () => {
    const port = await closedPort();
    const { instance } = await provider({ port });
    const test = remember(await instance.testConnection!());
    expect(test).toMatchObject({ success: false, details: { code: 'CONNECTION_REFUSED' } });
    expect(test.message).toBe(`Connection refused by 127.0.0.1:${port}: nothing listens on that port`);
  });

  it('times out on a server that never greets, within the configured timeout', async () => {
    const silent = await startSilentServer();
    try {
      const { instance } = await provider({ port: silent.port, timeoutMs: 300 });
      // The server never greets: only the timeout can end the check.
      const health = remember(await instance.healthCheck!());
      expect(health).toMatchObject({ status: 'unhealthy', details: { code: 'TIMEOUT' } });
      expect(health.message).toMatch(/Timed out after 300 ms waiting for 127\.0\.0\.1:\d+ \(no greeting\)/);
    } finally {
      await silent.close();
    }
  });

  it('explains a TLS mode that does not match the port', async () => {
    // Implicit TLS against a STARTTLS port: the plain greeting is not a TLS record.
    const wrongTls = await provider({ tlsMode: 'tls' });
    const first = remember(await wrongTls.instance.testConnection!());
    expect(first).toMatchObject({ success: false, details: { code: 'TLS_MISMATCH' } });
    expect(first.message).toMatch(/does not speak TLS on this port/);

    // STARTTLS against an implicit-TLS port: both sides wait for the other to speak.
    const wrongPlain = await provider({ port: implicitTlsServer.port, tlsMode: 'starttls', timeoutMs: 400 });
    const second = remember(await wrongPlain.instance.testConnection!());
    expect(second).toMatchObject({ success: false, details: { code: 'TIMEOUT' } });
    expect(second.message).toMatch(/use TLS mode 'tls'/);

    // STARTTLS required, but the server does not offer it.
    const noStarttls = await provider({ port: plainServer.port, tlsMode: 'starttls' });
    const third = remember(await noStarttls.instance.testConnection!());
    expect(third).toMatchObject({ success: false, details: { code: 'TLS_UNAVAILABLE' } });
    expect(third.message).toMatch(/does not offer STARTTLS/);
  });

  it('refuses a self-signed certificate unless allowed', async () => {
    const { instance } = await provider({ allowSelfSigned: false });
    const test = remember(await instance.testConnection!());
    expect(test).toMatchObject({ success: false, details: { code: 'TLS_CERTIFICATE' } });
    expect(test.message).toMatch(/not trusted .*Allow self-signed certificates/);
  });

  it('opens its socket through the egress gate and reports its refusal without connecting', async () => {
    const before = starttlsServer.logins.length;
    const { instance } = await provider({ host: 'localhost' }, { blockLoopback: true });
    const test = remember(await instance.testConnection!());
    expect(test).toMatchObject({ success: false, details: { code: 'EGRESS_BLOCKED' } });
    expect(test.message).toMatch(/Not allowed to connect to localhost:\d+: Outbound connection to localhost blocked: .* is a private or loopback address/);
    const sent = remember(await instance.sendNotification({ recipient: 'ops@example.org', message: 'x' }));
    expect(sent).toMatchObject({ success: false, details: { code: 'EGRESS_BLOCKED' } });
    expect(starttlsServer.logins.length).toBe(before);
  });

  it('refuses half a login at configure time', async () => {
    const { context } = testContext();
    expect(() => smtpPlugin.createProvider(config({ password: undefined }), context)).toThrow('Password is required when a username is set');
    expect(() => smtpPlugin.createProvider(config({ username: undefined }), context)).toThrow('Username is required when a password is set');
  });

  it('never reveals the password in results, errors or logs', async () => {
    expect(seen.length).toBeGreaterThan(10);
    for (const context of contexts) {
      const everything = everythingSaid(context, ...seen);
      expect(everything).not.toContain(CANARY);
      expect(everything).not.toContain(CANARY_B64);
    }
  });
});
