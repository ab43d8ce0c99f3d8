import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ioUntil } from '../../support/fake-clock.ts';
import { startVaultDouble, type VaultDouble } from '../../support/vault-double.ts';

/**
 * The double must answer as Vault documents, or the Vault store's tests prove nothing.
 * These pin the shapes the store relies on (KV v2 API, sys/health, token and AppRole auth).
 */
let vault: VaultDouble;
beforeEach(async () => {
  vault = await startVaultDouble();
});
afterEach(async () => {
  await vault.close();
});

async function call(method: string, path: string, options: { token?: string | null; namespace?: string; body?: unknown } = {}) {
  const headers: Record<string, string> = {};
  const token = options.token === undefined ? vault.rootToken : options.token;
  if (token) headers['X-Vault-Token'] = token;
  if (options.namespace) headers['X-Vault-Namespace'] = options.namespace;
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(`${vault.url}/v1/${path}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

describe('Vault double: KV v2', () => {
  it('write → {data: {version, created_time, deletion_time, destroyed, custom_metadata}}', async () => {
    const res = await call('POST', 'secret/data/app', { body: { data: { k: 'v' } } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ lease_id: '', renewable: false, lease_duration: 0, wrap_info: null, auth: null });
    expect(res.body.data).toEqual({ version: 1, created_time: expect.stringMatching(/Z$/), deletion_time: '', destroyed: false, custom_metadata: null });
  });

  it('read → {data: {data, metadata}}; missing → 404 {"errors":[]}', async () => {
    expect(await call('GET', 'secret/data/app')).toEqual({ status: 404, body: { errors: [] } });
    await call('POST', 'secret/data/app', { body: { data: { k: 'v1' } } });
    await call('PUT', 'secret/data/app', { body: { data: { k: 'v2' } } });
    const latest = await call('GET', 'secret/data/app');
    expect(latest.status).toBe(200);
    expect(latest.body.data).toEqual({ data: { k: 'v2' }, metadata: { version: 2, created_time: expect.any(String), deletion_time: '', destroyed: false, custom_metadata: null } });
    expect((await call('GET', 'secret/data/app?version=1')).body.data.data).toEqual({ k: 'v1' });
    expect((await call('GET', 'secret/data/app?version=9')).status).toBe(404);
  });

  it('check-and-set: cas 0 only creates, a mismatch is 400 with Vault\'s text', async () => {
    expect((await call('POST', 'secret/data/app', { body: { options: { cas: 0 }, data: { k: '1' } } })).status).toBe(200);
    expect(await call('POST', 'secret/data/app', { body: { options: { cas: 0 }, data: { k: '2' } } })).toEqual({
      status: 400,
      body: { errors: ['check-and-set parameter did not match the current version'] },
    });
    expect((await call('POST', 'secret/data/app', { body: { options: { cas: 1 }, data: { k: '2' } } })).body.data.version).toBe(2);
    expect((await call('POST', 'secret/data/other', { body: { options: { cas: 3 }, data: {} } })).status).toBe(400);
  });

  it('cas_required mounts refuse writes without cas; a missing data field is 400', async () => {
    vault.addMount('strict', { casRequired: true });
    expect(await call('POST', 'strict/data/app', { body: { data: { k: '1' } } })).toEqual({ status: 400, body: { errors: ['check-and-set parameter required for this call'] } });
    expect(await call('POST', 'secret/data/app', { body: { options: { cas: 0 } } })).toEqual({ status: 400, body: { errors: ['no data provided'] } });
  });

  it('DELETE data soft-deletes the latest version: 404 that still carries its metadata', async () => {
    await call('POST', 'secret/data/app', { body: { data: { k: '1' } } });
    await call('POST', 'secret/data/app', { body: { data: { k: '2' } } });
    expect((await call('DELETE', 'secret/data/app')).status).toBe(204);
    const res = await call('GET', 'secret/data/app');
    expect(res.status).toBe(404);
    expect(res.body.data.data).toBeNull();
    expect(res.body.data.metadata).toMatchObject({ version: 2, destroyed: false, deletion_time: expect.stringMatching(/Z$/) });
    expect((await call('GET', 'secret/data/app?version=1')).body.data.data).toEqual({ k: '1' });
    // The current version stays 2: cas must name it.
    expect((await call('POST', 'secret/data/app', { body: { options: { cas: 2 }, data: { k: '3' } } })).body.data.version).toBe(3);
  });

  it('metadata: GET lists versions; DELETE removes every version; deleting nothing is 204', async () => {
    await call('POST', 'secret/data/app', { body: { data: { k: '1' } } });
    await call('POST', 'secret/data/app', { body: { data: { k: '2' } } });
    const meta = await call('GET', 'secret/metadata/app');
    expect(meta.body.data).toMatchObject({ current_version: 2, oldest_version: 0, max_versions: 0, cas_required: false, delete_version_after: '0s' });
    expect(Object.keys(meta.body.data.versions)).toEqual(['1', '2']);
    expect((await call('DELETE', 'secret/metadata/app')).status).toBe(204);
    expect(await call('GET', 'secret/data/app?version=1')).toEqual({ status: 404, body: { errors: [] } });
    expect(await call('GET', 'secret/metadata/app')).toEqual({ status: 404, body: { errors: [] } });
    expect((await call('DELETE', 'secret/metadata/app')).status).toBe(204);
    expect((await call('POST', 'secret/data/app', { body: { options: { cas: 0 }, data: {} } })).body.data.version).toBe(1);
  });

  it('keeps at most 10 versions', async () => {
    for (let i = 0; i < 12; i++) await call('POST', 'secret/data/app', { body: { data: { i: String(i) } } });
    const meta = await call('GET', 'secret/metadata/app');
    expect(meta.body.data.current_version).toBe(12);
    expect(meta.body.data.oldest_version).toBe(3);
    expect(Object.keys(meta.body.data.versions)).toHaveLength(10);
  });

  it('unknown mount → 404 "no handler for route"', async () => {
    expect(await call('GET', 'nope/data/app')).toEqual({ status: 404, body: { errors: ['no handler for route "nope/data/app". route entry not found.'] } });
  });
});

describe('Vault double: auth, namespaces, health, sealing', () => {
  it('missing, unknown and expired tokens → 403 {"errors":["permission denied"]}', async () => {
    expect(await call('GET', 'secret/data/app', { token: null })).toEqual({ status: 403, body: { errors: ['permission denied'] } });
    expect(await call('GET', 'secret/data/app', { token: 'hvs.nope' })).toEqual({ status: 403, body: { errors: ['permission denied'] } });
    vi.useFakeTimers({ toFake: ['Date'] }); // token expiry reads Date
    try {
      const short = vault.createToken({ ttl: 1 });
      vi.setSystemTime(Date.now() + 999);
      expect((await call('GET', 'auth/token/lookup-self', { token: short })).status).toBe(200);
      vi.setSystemTime(Date.now() + 1);
      expect((await call('GET', 'auth/token/lookup-self', { token: short })).status).toBe(403);
    } finally {
      vi.useRealTimers();
    }
  });

  it('policy denial → 403 with Vault\'s multierror text', async () => {
    vault.denyPath('secret/data/locked');
    expect(await call('GET', 'secret/data/locked/x')).toEqual({ status: 403, body: { errors: ['1 error occurred:\n\t* permission denied\n\n'] } });
    expect((await call('GET', 'secret/data/open')).status).toBe(404);
  });

  it('AppRole login → auth block with lease; bad credentials → 400', async () => {
    const creds = vault.addAppRole({ tokenTtl: 60, policies: ['plugform'] });
    const res = await call('POST', 'auth/approle/login', { token: null, body: { role_id: creds.roleId, secret_id: creds.secretId } });
    expect(res.status).toBe(200);
    expect(res.body.auth).toMatchObject({
      client_token: expect.stringMatching(/^hvs\./),
      lease_duration: 60,
      renewable: true,
      policies: ['default', 'plugform'],
      token_policies: ['default', 'plugform'],
      metadata: { role_name: 'plugform' },
      token_type: 'service',
    });
    expect(await call('POST', 'auth/approle/login', { token: null, body: { role_id: creds.roleId, secret_id: 'wrong' } })).toEqual({
      status: 400,
      body: { errors: ['invalid role or secret ID'] },
    });
  });

  it('lookup-self and renew-self (capped by max TTL, with Vault\'s warning)', async () => {
    const token = vault.createToken({ ttl: 30, maxTtl: 40 });
    const look = await call('GET', 'auth/token/lookup-self', { token });
    expect(look.body.data).toMatchObject({ id: token, ttl: 30, creation_ttl: 30, renewable: true, type: 'service' });
    const renew = await call('POST', 'auth/token/renew-self', { token, body: { increment: 60 } });
    expect(renew.body.auth).toMatchObject({ client_token: token, renewable: true });
    expect(renew.body.auth.lease_duration).toBeLessThanOrEqual(40);
    expect(renew.body.warnings[0]).toMatch(/exceeded the effective max_ttl .* capped accordingly/);
    expect(await call('POST', 'auth/token/renew-self', { body: {} })).toEqual({ status: 400, body: { errors: ['lease is not renewable'] } });
  });

  it('namespaces isolate mounts and data; tokens work in their namespace and below', async () => {
    vault.addMount('secret', { namespace: 'team-a' });
    const teamToken = vault.createToken({ namespace: 'team-a' });
    await call('POST', 'secret/data/app', { token: teamToken, namespace: 'team-a', body: { data: { k: 'a' } } });
    expect((await call('GET', 'secret/data/app', { token: teamToken, namespace: 'team-a' })).body.data.data).toEqual({ k: 'a' });
    expect((await call('GET', 'secret/data/app')).status).toBe(404); // root namespace has its own `secret`
    expect((await call('GET', 'secret/data/app', { token: teamToken })).status).toBe(403); // not valid in root
    expect((await call('GET', 'secret/data/app', { namespace: 'team-b' })).body.errors[0]).toMatch(/no handler for route/);
  });

  it('sys/health: 200 active; sealed → 503 with sealed: true; everything else 503 "Vault is sealed"', async () => {
    const ok = await call('GET', 'sys/health', { token: null });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ initialized: true, sealed: false, standby: false, version: expect.any(String), cluster_name: expect.any(String) });
    vault.seal();
    const sealed = await call('GET', 'sys/health', { token: null });
    expect(sealed.status).toBe(503);
    expect(sealed.body).toMatchObject({ initialized: true, sealed: true });
    expect((await call('GET', 'sys/health?sealedcode=200', { token: null })).status).toBe(200);
    expect(await call('GET', 'secret/data/app')).toEqual({ status: 503, body: { errors: ['Vault is sealed'] } });
    expect(await call('POST', 'auth/approle/login', { token: null, body: { role_id: 'x' } })).toEqual({ status: 503, body: { errors: ['Vault is sealed'] } });
  });

  it('logs requests with token and namespace; hang() answers nothing', async () => {
    await call('GET', 'secret/data/app', { namespace: 'ns1' });
    expect(vault.requests.at(-1)).toMatchObject({ method: 'GET', path: 'secret/data/app', token: vault.rootToken, namespace: 'ns1' });
    vault.hang();
    const controller = new AbortController();
    let answered = false;
    const pending = fetch(`${vault.url}/v1/sys/health`, { signal: controller.signal });
    pending.then(() => (answered = true), () => undefined);
    await ioUntil(() => vault.requests.at(-1)!.path === 'sys/health');
    expect(answered).toBe(false);
    controller.abort();
    await expect(pending).rejects.toThrow();
  });
});
