import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EgressBlockedError, createEgressGate } from '../../../server/egress/egress.ts';
import { loadConfig } from '../../../server/config.ts';
import { createHttpClient, HttpTimeoutError } from '../../../server/egress/http-client.ts';

const resolveTo = (map: Record<string, string[]>) => async (host: string) => {
  const addresses = map[host];
  if (!addresses) throw new Error(`ENOTFOUND ${host}`);
  return addresses;
};

describe('egress policy', () => {
  const open = createEgressGate({ blockPrivate: false, allow: [], deny: [] });
  const strict = createEgressGate({
    blockPrivate: true,
    allow: ['10.1.2.3', 'vault.internal', '192.168.50.0/24'],
    deny: ['evil.example', '203.0.113.0/24'],
    resolve: resolveTo({
      'vault.internal': ['10.9.9.9'],
      'db.internal': ['10.0.0.5'],
      'rebind.example': ['93.184.216.34', '169.254.169.254'],
      'public.example': ['93.184.216.34'],
      'mapped.example': ['::ffff:127.0.0.1'],
    }),
  });

  it.each(['169.254.169.254', '169.254.1.1', '0.0.0.0', 'fe80::1', '[fd00:ec2::254]', 'metadata.google.internal', '100.100.100.200'])(
    'always blocks link-local and metadata address %s, even with private ranges allowed',
    async (host) => {
      await expect(open.check(host)).rejects.toThrow(EgressBlockedError);
      await expect(open.check(host)).rejects.toThrow(/metadata|link-local/);
    },
  );

  it('allows loopback and private ranges unless PLUGFORM_EGRESS_BLOCK_PRIVATE is on', async () => {
    await expect(open.check('127.0.0.1')).resolves.toBeUndefined();
    await expect(open.check('10.0.0.5')).resolves.toBeUndefined();
    for (const host of ['127.0.0.1', '10.0.0.5', '172.16.3.4', '192.168.1.1', '100.64.0.1', '::1', 'fd12::1']) {
      await expect(strict.check(host), host).rejects.toThrow(/private or loopback address and PLUGFORM_EGRESS_BLOCK_PRIVATE is on/);
    }
  });

  it('checks every resolved address of a host name and says which name it came from', async () => {
    await expect(strict.check('db.internal')).rejects.toThrow('10.0.0.5 (resolved from db.internal) is a private or loopback address');
    await expect(strict.check('rebind.example')).rejects.toThrow(/169\.254\.169\.254 \(resolved from rebind\.example\)/);
    await expect(strict.check('mapped.example')).rejects.toThrow(/127\.0\.0\.1 \(resolved from mapped\.example\)/);
    await expect(strict.check('public.example')).resolves.toBeUndefined();
  });

  it('exempts allowed hosts and CIDRs from the private block, never from the metadata block', async () => {
    await expect(strict.check('10.1.2.3')).resolves.toBeUndefined();
    await expect(strict.check('vault.internal')).resolves.toBeUndefined();
    await expect(strict.check('192.168.50.7')).resolves.toBeUndefined();
    await expect(strict.check('192.168.51.7')).rejects.toThrow(EgressBlockedError);
    const allowMetadata = createEgressGate({ blockPrivate: true, allow: ['169.254.169.254'], deny: [] });
    await expect(allowMetadata.check('169.254.169.254')).rejects.toThrow(/metadata/);
  });

  it('blocks denied hosts and CIDRs', async () => {
    await expect(strict.check('evil.example')).rejects.toThrow('evil.example is listed in PLUGFORM_EGRESS_DENY');
    await expect(strict.check('203.0.113.9')).rejects.toThrow('listed in PLUGFORM_EGRESS_DENY');
  });

  it('refuses names that do not resolve (fails closed)', async () => {
    await expect(strict.check('nowhere.invalid')).rejects.toThrow('Outbound connection to nowhere.invalid blocked: the name could not be resolved');
  });

  it('reads its settings from the environment: private ranges blocked in production unless allowed', async () => {
    const gate = (env: Record<string, string>) => createEgressGate(loadConfig({ PLUGFORM_DATA_DIR: ':memory:', ...env }).egress);
    const policy = gate({ PLUGFORM_EGRESS_BLOCK_PRIVATE: 'true', PLUGFORM_EGRESS_ALLOW: '127.0.0.2' });
    await expect(policy.check('127.0.0.1')).rejects.toThrow(EgressBlockedError);
    await expect(policy.check('127.0.0.2')).resolves.toBeUndefined();
    await expect(gate({ NODE_ENV: 'test' }).check('127.0.0.1')).resolves.toBeUndefined();
    await expect(gate({ NODE_ENV: 'production' }).check('127.0.0.1')).rejects.toThrow(EgressBlockedError);
    await expect(gate({ NODE_ENV: 'production', PLUGFORM_EGRESS_ALLOW: '127.0.0.0/8' }).check('127.0.0.1')).resolves.toBeUndefined();
    await expect(gate({ NODE_ENV: 'production', PLUGFORM_EGRESS_BLOCK_PRIVATE: 'false' }).check('10.0.0.1')).resolves.toBeUndefined();
  });
});

describe('platform HTTP client', () => {
  let base = '';
  let server: ReturnType<typeof createServer>;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/slow') return void setTimeout(() => res.end('late'), 2_000);
      if (req.url === '/to-metadata') return void res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
      if (req.url === '/to-ok') return void res.writeHead(302, { location: '/ok' }).end();
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  const policy = createEgressGate({ blockPrivate: false, allow: [], deny: [] });
  const client = createHttpClient({ dispatcher: policy.dispatcher });

  it('times a call out with a message naming the host and the limit', async () => {
    // /slow answers only after 2 s: a rejection naming the limit is the client giving up first.
    await expect(client.fetch(`${base}/slow`, { timeoutMs: 150 })).rejects.toThrow(HttpTimeoutError);
    await expect(client.fetch(`${base}/slow`, { timeoutMs: 150 })).rejects.toThrow(/timed out after 150 ms/);
  });

  it('refuses a redirect to another origin and follows one to its own', async () => {
    await expect(client.fetch(`${base}/to-metadata`)).rejects.toThrow(/redirected to http:\/\/169\.254\.169\.254: redirects to another origin are not followed/);
    expect(await (await client.fetch(`${base}/to-ok`)).text()).toBe('ok');
  });

  it('refuses a blocked address before sending anything', async () => {
    await expect(client.fetch('http://169.254.169.254/latest/meta-data/')).rejects.toThrow(EgressBlockedError);
  });
});

describe('closing the gate', () => {
  it('ends a plugin request still in flight instead of waiting for it (a stopping server must exit)', async () => {
    let reached!: () => void;
    const requestReached = new Promise<void>((resolve) => (reached = resolve));
    // A vendor that never answers: only the gate's close can end the request.
    const vendor = createServer(() => reached());
    await new Promise<void>((resolve) => vendor.listen(0, '127.0.0.1', resolve));
    const gate = createEgressGate({ blockPrivate: false, allow: [], deny: [] });
    try {
      // undici's fetch, as the plugins' HTTP client uses with the gate's dispatcher.
      const inFlight = undiciFetch(`http://127.0.0.1:${(vendor.address() as AddressInfo).port}/hold`, { dispatcher: gate.dispatcher });
      const outcome = inFlight.then(
        () => 'answered',
        () => 'ended',
      );
      await requestReached;
      await gate.close();
      expect(await outcome).toBe('ended');
    } finally {
      vendor.closeAllConnections();
      vendor.close();
    }
  }, 10_000);
});
