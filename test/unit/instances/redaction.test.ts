/**
 * The last line of defence for plugins that are careless with their secrets: the logger a
 * provider receives redacts the instance's secret values, and the results of health checks
 * and connection tests are scrubbed before anyone sees them. Secrets are passwords: they
 * contain quotes, backslashes and non-ASCII characters, which must be scrubbed as well.
 */
import { describe, expect, it } from 'vitest';
import { normalizeHealthReport, normalizeTestReport } from '../../../server/health/results.ts';
import { REDACTED, redact } from '../../../plugins/sdk/index.ts';
import { createPluginContext } from '../../../server/instances/plugin-context.ts';
import { captureLogger, canary } from '../../support/instances.ts';

/** Secrets with characters that JSON escapes (quote, backslash, control) or that are not ASCII. */
const AWKWARD = [`pa"ss-${canary()}`, `back\\slash-${canary()}`, `tab\there-${canary()}`, `grüße-€-${canary()}`, `</script>-${canary()}`];

/** The secret in clear, JSON-escaped (once or twice, as in a JSON text inside a log line) or percent-encoded. */
function leaks(text: string, secret: string): boolean {
  const escaped = JSON.stringify(secret).slice(1, -1);
  return [secret, escaped, JSON.stringify(escaped).slice(1, -1), encodeURIComponent(secret)].some((form) => text.includes(form));
}

describe('redact', () => {
  it('replaces every occurrence of every secret in strings and nested values', () => {
    const [a, b] = [canary(), canary()];
    expect(redact(`x ${a} y ${a} z ${b}`, [a, b])).toBe(`x ${REDACTED} y ${REDACTED} z ${REDACTED}`);
    expect(redact({ list: [a, { deep: `pre-${b}` }], n: 1, ok: true, none: null }, [a, b])).toEqual({
      list: [REDACTED, { deep: `pre-${REDACTED}` }],
      n: 1,
      ok: true,
      none: null,
    });
  });

  it.each(AWKWARD)('scrubs a secret that JSON would escape or encode: %s', (secret) => {
    const value = { config: { apiKey: secret }, message: `connecting with ${secret}`, list: [secret] };
    const redacted = redact(value, [secret]);
    expect(leaks(JSON.stringify(redacted), secret)).toBe(false);
    expect(redacted).toEqual({ config: { apiKey: REDACTED }, message: `connecting with ${REDACTED}`, list: [REDACTED] });
  });

  it('scrubs secrets used as object keys too', () => {
    const secret = canary();
    expect(JSON.stringify(redact({ [secret]: 1 }, [secret]))).not.toContain(secret);
  });

  it('redacts by what a list of secrets holds now: its forms are kept for the list, not for what it once held', () => {
    const [a, b] = [canary(), canary()];
    const secrets = [a];
    expect(redact(`${a} ${b}`, secrets)).toBe(`${REDACTED} ${b}`);
    secrets[0] = b;
    expect(redact(`${a} ${b}`, secrets)).toBe(`${a} ${REDACTED}`);
    secrets.push(a);
    expect(redact(`${a} ${b}`, secrets)).toBe(`${REDACTED} ${REDACTED}`);
    expect(redact(`${a} ${b}`, secrets, { minLength: 1000 })).toBe(`${a} ${b}`);
  });

  it('ignores empty secrets and leaves values without secrets as they were', () => {
    expect(redact('plain text', [''])).toBe('plain text');
    expect(redact({ a: 1 }, [])).toEqual({ a: 1 });
  });
});

describe("the provider's logger", () => {
  it.each([canary(), ...AWKWARD])('redacts the secret %s from messages and details', (secret) => {
    const { logger, lines } = captureLogger();
    const context = createPluginContext({ pluginName: 'probe', instanceId: 'i-1', logger, secretValues: [secret] });
    context.logger.info(`configured with ${secret}`, { config: { host: 'h', apiKey: secret }, nested: [{ secret }] });
    context.logger.error(`failed: token=${secret}`);
    // A plugin that serialises its config itself, or puts the secret in a URL.
    context.logger.warn(`config ${JSON.stringify({ apiKey: secret })}`, { body: JSON.stringify({ apiKey: secret }) });
    context.logger.debug(`GET https://api.example.com/v1?key=${encodeURIComponent(secret)}`);
    expect(lines).toHaveLength(4);
    for (const line of lines) expect(leaks(line, secret)).toBe(false);
    expect(lines[0]).toContain(REDACTED);
    expect(lines[0]).toContain('"host":"h"');
  });

  it('does not throw into the plugin when details cannot be serialised', () => {
    const { logger, lines } = captureLogger();
    const context = createPluginContext({ pluginName: 'probe', logger, secretValues: ['s3cr3t'] });
    const cyclic: Record<string, unknown> = { secret: 's3cr3t' };
    cyclic['self'] = cyclic;
    expect(() => context.logger.warn('cyclic', cyclic)).not.toThrow();
    expect(lines.join('\n')).not.toContain('s3cr3t');
  });
});

describe('normalized results', () => {
  it.each([canary(), ...AWKWARD])('scrub %s from test and health messages and details', (secret) => {
    const test = normalizeTestReport({ success: false, message: `bad key ${secret}`, details: { sent: { apiKey: secret } } }, 'probe', [secret]);
    const health = normalizeHealthReport({ status: 'degraded', message: secret, details: { echoed: [secret] } }, 'probe', [secret]);
    for (const result of [test, health]) expect(leaks(JSON.stringify(result), secret)).toBe(false);
    expect(test.details).toEqual({ sent: { apiKey: REDACTED } });
    expect(health.message).toBe(REDACTED);
  });
});
