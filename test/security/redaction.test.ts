/**
 * Redaction covers the encodings a secret travels in (contract 1 against a hostile vendor).
 *
 * 1. `redact` (plugins/sdk/redact.ts, the one mechanism) removes a secret written as base64,
 *    base64url, hex, percent-encoding, JSON and HTML escapes, and inside an HTTP Basic value
 *    (`base64(user:secret)` at every byte offset, or the secret as the user) or a bearer header.
 * 2. Against the real server, for every built-in plugin that reaches its vendor with `fetch`
 *    (Slack in both modes, Stripe, Meilisearch, PostHog, WhatsApp, webhook, http-workflow): a
 *    vendor that echoes the instance's credentials, raw or encoded, in its error body. Neither
 *    the test result, the health result, the health history stored in the database nor any log
 *    line carries a secret in any of those forms.
 * 3. Vendor text copied into a result's message or details is capped.
 *
 * The leak check here is written independently of the redactor (Node's Buffer encodings).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDACTED, redact } from '../../plugins/sdk/index.ts';
import { MAX_DETAIL_STRING_LENGTH, MAX_RESULT_MESSAGE_LENGTH, normalizeHealthReport, normalizeTestReport } from '../../server/health/results.ts';
import { CHECK_HEALTH, CREATE, TEST_SAVED, succeed } from '../support/graphql.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { startHttpDouble, type HttpDouble } from '../support/vendors/http-double.ts';
import { fetchPluginCases } from './support.ts';

const html = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
const htmlNumeric = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const b64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

/** Every encoded form of the secret a vendor (or careless code) might write, by name. */
function encodings(secret: string): Record<string, string> {
  return {
    base64: b64(secret),
    base64url: b64url(secret),
    hex: Buffer.from(secret, 'utf8').toString('hex'),
    HEX: Buffer.from(secret, 'utf8').toString('hex').toUpperCase(),
    percent: encodeURIComponent(secret),
    json: JSON.stringify(secret).slice(1, -1),
    'json-ascii': JSON.stringify(secret).slice(1, -1).replace(/[\u007f-\uffff]/g, (u) => `\\u${u.charCodeAt(0).toString(16).padStart(4, '0')}`),
    html: html(secret),
    'html-numeric': htmlNumeric(secret),
    bearer: `Bearer ${secret}`,
    'basic (user:secret)': `Basic ${b64(`ops:${secret}`)}`,
    'basic (longer user)': `Basic ${b64(`operator:${secret}`)}`,
    'basic (user of two)': `Basic ${b64(`op:${secret}`)}`,
    'basic (secret as user)': `Basic ${b64(`${secret}:`)}`,
    'base64 in a URL': encodeURIComponent(b64(secret)),
  };
}

/**
 * Whether `text` still carries the secret: in clear, in any named encoding, or as any 12
 * characters of its base64 at any byte offset (a Basic header with any user name).
 */
function leaks(text: string, secret: string): string | undefined {
  for (const [name, form] of Object.entries({ clear: secret, ...encodings(secret) })) {
    if (text.includes(form.replace(/^(Bearer|Basic) /, ''))) return name;
  }
  const bytes = Buffer.from(secret, 'utf8');
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    const core = encoded.slice(offset === 0 ? 0 : 4, Math.floor((offset + bytes.length) / 3) * 4);
    for (let start = 0; start + 12 <= core.length; start++) {
      const window = core.slice(start, start + 12);
      if (text.includes(window) || text.includes(window.replace(/\+/g, '-').replace(/\//g, '_'))) return `base64 at offset ${offset}`;
    }
  }
  return undefined;
}

/** Secrets with HTML- and JSON-special characters, non-ASCII, and lengths of every remainder mod 3. */
const SECRETS = [
  `tok<&>"'-${'a1b2c3d4'}`,
  'sk_live_4eC39HqLyjWDarjtT1zdp7dc',
  'grüße-€-pässwörd-42',
  'abcdefghijklmnopq',
  'abcdefghijklmnopqr',
];

/** The encodings beyond those redaction always removed (clear, JSON-escaped, percent-encoded). */
function newEncodings(secret: string): [string, string][] {
  const old = new Set([secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)]);
  return Object.entries(encodings(secret)).filter(([, form]) => !old.has(form.replace(/^(Bearer|Basic) /, '')));
}

describe('redact removes every encoding of a secret', () => {
  describe.each(SECRETS)('secret %s', (secret) => {
    it.each(newEncodings(secret))('written as %s', (_name, form) => {
      const text = `vendor said: denied credential ${form} (request 42)`;
      const redacted = redact(text, [secret]);
      expect(leaks(redacted, secret)).toBeUndefined();
      expect(redacted).toContain(REDACTED);
      expect(redacted.startsWith('vendor said: denied credential ')).toBe(true);
      expect(redacted.endsWith(' (request 42)')).toBe(true);
    });
  });

  it('redacts the forms inside structured details too, and leaves the rest alone', () => {
    const secret = SECRETS[0]!;
    const untouched = 'HTTP 401: {"error":"invalid_token"} 0123456789abcdef';
    const details = { response: { echoed: b64(secret), page: `<p>${html(secret)}</p>` }, list: [Buffer.from(secret).toString('hex')], untouched };
    const redacted = redact(details, [secret]);
    expect(leaks(JSON.stringify(redacted), secret)).toBeUndefined();
    expect(redacted.untouched).toBe(untouched);
  });
});

describe('a hostile vendor that echoes the credential, encoded, in its answers', () => {
  let server: TestServer;
  let vendor: HttpDouble;
  /** The credentials the vendor echoes (the current case's), and in which form. */
  let secrets: string[] = [];
  let echo = 'base64';

  beforeAll(async () => {
    vendor = await startHttpDouble(() => {
      const forms = secrets.map((secret) => encodings(secret)[echo] ?? secret);
      return { status: 500, headers: { 'content-type': 'text/html' }, body: `<html>denied: ${forms.join(' and ')}</html>` };
    });
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
    await vendor?.close();
  });

  describe.each(fetchPluginCases({ awkward: true }))('$label', (plugin) => {
    it.each(['clear', 'base64', 'base64url', 'hex', 'html', 'html-numeric', 'basic (user:secret)'])(
      'echoing it as %s: no test result, health result, stored history or log line carries it',
      async (form) => {
        [secrets, echo] = [plugin.secrets, form];
        const instance = await succeed(server, CREATE, 'createPluginInstance', {
          input: { pluginName: plugin.pluginName, name: `echo-${form}-${Math.random().toString(36).slice(2)}`, configuration: plugin.configuration(vendor.url) },
        });
        const tested = await succeed(server, TEST_SAVED, 'testPluginInstanceConnection', { input: { id: instance.id } });
        const checked = await succeed(server, CHECK_HEALTH, 'checkPluginInstanceHealth', { id: instance.id });
        const history = await server.running.services.prisma.healthCheck.findMany({ where: { instanceId: instance.id } });

        // The echo did reach the messages (so the check below means something) …
        expect(`${tested.message} ${checked.message}`).toContain(REDACTED);
        // … and none of them, nor anything stored or logged, carries a secret.
        for (const text of [JSON.stringify(tested), JSON.stringify(checked), JSON.stringify(history), server.logs.join('\n')]) {
          for (const secret of plugin.secrets) expect(leaks(text, secret)).toBeUndefined();
        }
      },
    );
  });
});

describe('vendor text copied into a result is capped', () => {
  it('a message or a detail string of any length is cut, after the secrets are removed', () => {
    const secret = SECRETS[1]!;
    const vendorPage = `${'<p>upstream error</p>'.repeat(5000)} ${b64(secret)}`;
    const test = normalizeTestReport({ success: false, message: `${b64(secret)} ${vendorPage}`, details: { body: vendorPage } }, 'x', [secret]);
    const health = normalizeHealthReport({ status: 'unhealthy', message: vendorPage }, 'x', [secret]);
    for (const message of [test.message, health.message]) {
      expect(message.length).toBeLessThanOrEqual(MAX_RESULT_MESSAGE_LENGTH + 64);
      expect(message).toMatch(/more characters cut\)$/);
    }
    expect(test.message.startsWith(REDACTED)).toBe(true);
    expect(String(test.details?.['body']).length).toBeLessThanOrEqual(MAX_DETAIL_STRING_LENGTH + 64);
  });
});
