/**
 * The console and the API are served with headers a browser enforces: a strict Content
 * Security Policy (no inline script or style, nothing from other origins, no framing),
 * `nosniff` and a referrer policy. (test/e2e/console.test.ts drives the built console in
 * Chromium under this policy and fails on any violation.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ pluginPaths: [] });
});
afterAll(async () => {
  await server?.close();
});

/** The policy as directive → sources. */
function directives(header: string | null): Record<string, string[]> {
  expect(header).toBeTruthy();
  return Object.fromEntries(
    header!
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .filter((words) => words[0])
      .map(([name, ...sources]) => [name!, sources]),
  );
}

describe('the console', () => {
  it.each(['/', '/instances', '/sign-in?next=%2F'])('%s is served with a strict CSP and anti-framing headers', async (path) => {
    const response = await server.fetch(path);
    const policy = directives(response.headers.get('content-security-policy'));
    expect(policy['default-src']).toEqual(["'self'"]);
    expect(policy['script-src']).toEqual(["'self'"]);
    expect(policy['style-src']).toEqual(["'self'"]);
    expect(policy['connect-src']).toEqual(["'self'"]);
    expect(policy['object-src']).toEqual(["'none'"]);
    expect(policy['base-uri']).toEqual(["'none'"]);
    expect(policy['form-action']).toEqual(["'self'"]);
    expect(policy['frame-ancestors']).toEqual(["'none'"]);
    // Nothing that would let injected markup run.
    expect(JSON.stringify(policy)).not.toMatch(/unsafe-inline|unsafe-eval|\*|https?:/);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
  });
});

describe('the API', () => {
  it('answers with nosniff, a referrer policy and a policy that allows nothing to load or frame it', async () => {
    const response = await server.gql('{ viewer { role } }');
    expect(response.status).toBe(200);
    const policy = directives(response.headers.get('content-security-policy'));
    expect(policy['default-src']).toEqual(["'none'"]);
    expect(policy['frame-ancestors']).toEqual(["'none'"]);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('errors carry the same headers', async () => {
    const response = await server.gql('{ viewer { role } }', undefined, { token: null });
    expect(response.status).toBe(401);
    expect(directives(response.headers.get('content-security-policy'))['frame-ancestors']).toEqual(["'none'"]);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
