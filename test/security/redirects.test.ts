/**
 * Credentials never follow a redirect to another origin. A vendor URL that answers 301, 302,
 * 303, 307 or 308 pointing at an attacker's listener: for every built-in plugin that talks
 * HTTP, a connection test and an operation of a saved instance over the real API send the
 * plugin's credentials to the vendor and the listener receives nothing at all (the redirect
 * is refused, and the result says so).
 * Same-origin redirects follow the fetch standard: 301/302 turn a POST into a GET, 303 turns
 * anything but HEAD into a GET, both without a body or its headers; 307/308 keep both.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient } from '../../server/egress/http-client.ts';
import { startAttacker, type Attacker } from '../support/attacker.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { OUTBOUND_CALLS, fetchPluginCases, startRedirector, type Redirector } from './support.ts';

let server: TestServer;
let attacker: Attacker;
const redirectors = new Map<number, Redirector>();
const STATUSES = [301, 302, 303, 307, 308] as const;

beforeAll(async () => {
  [server, attacker] = await Promise.all([startTestServer(), startAttacker('http')]);
  for (const status of STATUSES) redirectors.set(status, await startRedirector(status, () => attacker.url));
});
afterAll(async () => {
  await Promise.all([server?.close(), attacker?.close(), ...[...redirectors.values()].map((r) => r.close())]);
});

describe.each(OUTBOUND_CALLS)('a vendor that redirects to another origin: $label', (call) => {
  for (const plugin of fetchPluginCases()) {
    it.each(STATUSES)(`${plugin.label}: a %i to the attacker is refused and the attacker receives nothing`, async (status) => {
      const redirector = redirectors.get(status)!;
      const before = redirector.requests.length;
      const failure = await call.failure(server, plugin, redirector.url);

      expect(failure).toContain(`redirected to ${attacker.url}: redirects to another origin are not followed`);
      // The vendor was asked (the plugin did send its request), the attacker never was.
      expect(redirector.requests.length).toBeGreaterThan(before);
      expect(attacker.connections).toBe(0);
      for (const secret of plugin.secrets) expect(attacker.saw(secret)).toBe(false);
      expect(failure).not.toMatch(new RegExp(plugin.secrets.join('|')));
    });
  }
});

describe('same-origin redirects, as the fetch standard says', () => {
  const seen: { method: string; path: string; body: string; contentType: string | undefined; authorization: string | undefined }[] = [];
  let base = '';
  const vendor = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = req.url ?? '/';
      seen.push({ method: req.method ?? '', path, body: Buffer.concat(chunks).toString('utf8'), contentType: req.headers['content-type'], authorization: req.headers.authorization });
      const hop = /^\/(\d{3})$/.exec(path);
      if (hop) return void res.writeHead(Number(hop[1]), { location: '/landed', 'content-length': '0' }).end();
      res.writeHead(200, { 'content-type': 'text/plain' }).end('landed');
    });
  });
  beforeAll(async () => {
    await new Promise<void>((resolve) => vendor.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(vendor.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    vendor.closeAllConnections();
    vendor.close();
  });
  afterEach(() => void (seen.length = 0));

  const client = createHttpClient();
  const post = (status: number, method = 'POST') =>
    client.fetch(`${base}/${status}`, { method, body: '{"key":"value"}', headers: { 'content-type': 'application/json', authorization: 'Bearer same-origin' } });

  it.each([301, 302, 303])('a %i turns a POST into a GET without its body or body headers', async (status) => {
    expect(await (await post(status)).text()).toBe('landed');
    expect(seen.map(({ method, path }) => `${method} ${path}`)).toEqual([`POST /${status}`, 'GET /landed']);
    expect(seen[1]).toMatchObject({ body: '', contentType: undefined, authorization: 'Bearer same-origin' });
  });

  it.each([307, 308])('a %i keeps the method and the body', async (status) => {
    expect(await (await post(status)).text()).toBe('landed');
    expect(seen.map(({ method, path }) => `${method} ${path}`)).toEqual([`POST /${status}`, 'POST /landed']);
    expect(seen[1]).toMatchObject({ body: '{"key":"value"}', contentType: 'application/json' });
  });

  it('a 303 turns a PUT into a GET, a 301 keeps a PUT', async () => {
    await (await post(303, 'PUT')).text();
    await (await post(301, 'PUT')).text();
    expect(seen.map(({ method, path }) => `${method} ${path}`)).toEqual(['PUT /303', 'GET /landed', 'PUT /301', 'PUT /landed']);
  });
});
