import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { VaultSecretStore, type VaultSecretStoreOptions } from '../../../server/secrets/index.ts';
import type { ScheduleRenewal } from '../../../server/secrets/vault-session.ts';
import { ioUntil } from '../../support/fake-clock.ts';
import { startVaultDouble, type VaultDouble } from '../../support/vault-double.ts';
import { CANARY, expectNoSecrets, expectStoreError, tempDir, vaultFixture, type VaultFixture } from './harness.ts';

const fixtures: VaultFixture[] = [];
async function fixture(options: Partial<VaultSecretStoreOptions> = {}, vault?: VaultDouble): Promise<VaultFixture> {
  const f = await vaultFixture(options, vault);
  fixtures.push(f);
  return f;
}
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(fixtures.splice(0).map((f) => f.cleanup()));
});

/**
 * Token lifetimes without waiting them out. The double (token expiry) and the session (when
 * to stop using a token) read `Date`, which is faked and only moves on `advance`; the session
 * schedules its renewals here, so a test sees when one is due and runs it. Requests to the
 * double are real loopback I/O and complete while the clock stands still.
 */
function leaseClock() {
  vi.useFakeTimers({ toFake: ['Date'] });
  const due: { at: number; renew: () => void }[] = [];
  const schedule: ScheduleRenewal = (renew, delayMs) => {
    const renewal = { at: Date.now() + delayMs, renew };
    due.push(renewal);
    return () => {
      if (due.includes(renewal)) due.splice(due.indexOf(renewal), 1);
    };
  };
  return {
    schedule,
    /** How long until each scheduled renewal, in ms. */
    pending: () => due.map((renewal) => renewal.at - Date.now()),
    /** Moves the clock on and starts the renewals that came due. */
    advance(ms: number) {
      vi.setSystemTime(Date.now() + ms);
      for (const renewal of due.filter((r) => r.at <= Date.now())) {
        due.splice(due.indexOf(renewal), 1);
        renewal.renew();
      }
    },
  };
}

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A port nothing listens on: bind, note the port, close. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('vault store: requests', () => {
  it('speaks KV v2 at <mount>/data/<prefix>/<id> with the token header and cas', async () => {
    const { store, vault } = await fixture();
    await store.check();
    const checkCalls = vault.requests.map((r) => `${r.method} ${r.path}`);
    expect(checkCalls).toEqual(['GET sys/health', 'GET auth/token/lookup-self', 'GET secret/data/plugform/instances/.plugform-check']);
    expect(vault.requests[0]!.token).toBeUndefined(); // health needs no token
    vault.clearRequests();

    await store.write('inst-1', { apiKey: CANARY }, { cas: 0 });
    await store.read('inst-1');
    await store.delete('inst-1');
    expect(vault.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST secret/data/plugform/instances/inst-1',
      'GET secret/data/plugform/instances/inst-1',
      'DELETE secret/metadata/plugform/instances/inst-1',
    ]);
    expect(vault.requests[0]!.body).toEqual({ options: { cas: 0 }, data: { apiKey: CANARY } });
    for (const r of vault.requests) expect(r.token).toBe(vault.rootToken);
  });

  it('uses VAULT_KV_MOUNT and VAULT_PATH_PREFIX', async () => {
    const vault = await startVaultDouble({ mounts: ['kv/team'] });
    const { store } = await fixture({ mount: '/kv/team/', prefix: 'apps/plugform' }, vault);
    await store.check();
    await store.write('inst-1', { a: '1' }, { cas: 0 });
    expect(vault.requests.at(-1)!.path).toBe('kv/team/data/apps/plugform/inst-1');
    expect(vault.kvKey('kv/team', 'apps/plugform/inst-1')?.current_version).toBe(1);
  });

  it('deletes every version (metadata delete), not just the latest', async () => {
    const { store, vault } = await fixture();
    for (let v = 0; v < 3; v++) await store.write('inst-1', { a: String(v) }, { cas: v });
    expect(vault.kvKey('secret', 'plugform/instances/inst-1')?.versions.size).toBe(3);
    await store.delete('inst-1');
    expect(vault.kvKey('secret', 'plugform/instances/inst-1')).toBeUndefined();
    const meta = await fetch(`${vault.url}/v1/secret/metadata/plugform/instances/inst-1`, { headers: { 'X-Vault-Token': vault.rootToken } });
    expect(meta.status).toBe(404);
  });

  it('reads a soft-deleted latest version as empty with its version, so the next cas write fits', async () => {
    const { store, vault } = await fixture();
    await store.write('inst-1', { a: '1' }, { cas: 0 });
    await store.write('inst-1', { a: '2' }, { cas: 1 });
    // Someone ran `vault kv delete` (soft delete of the latest version).
    await fetch(`${vault.url}/v1/secret/data/plugform/instances/inst-1`, { method: 'DELETE', headers: { 'X-Vault-Token': vault.rootToken } });
    expect(await store.read('inst-1')).toEqual({ values: {}, version: 2 });
    expect(await store.write('inst-1', { a: '3' }, { cas: 2 })).toBe(3);
  });

  it('sends X-Vault-Namespace (not to the root-only sys/health) and stores in that namespace', async () => {
    const vault = await startVaultDouble({ mounts: [] });
    vault.addMount('secret', { namespace: 'team-a' });
    const token = vault.createToken({ namespace: 'team-a' });
    const { store } = await fixture({ namespace: 'team-a', auth: { method: 'token', token } }, vault);
    await store.check();
    await store.write('inst-1', { a: '1' }, { cas: 0 });
    for (const r of vault.requests) expect(r.namespace).toBe(r.path === 'sys/health' ? undefined : 'team-a');
    expect(vault.kvKey('secret', 'plugform/instances/inst-1', 'team-a')?.current_version).toBe(1);
    expect(vault.kvKey('secret', 'plugform/instances/inst-1')).toBeUndefined();
  });

  it('ignores VAULT_* in process.env that node-vault would otherwise pick up', async () => {
    const saved = { ...process.env };
    process.env.VAULT_TOKEN = 'from-process-env';
    process.env.VAULT_NAMESPACE = 'from-process-env';
    process.env.VAULT_PREFIX = '/bogus';
    try {
      const { store, vault } = await fixture();
      await store.write('inst-1', { a: '1' }, { cas: 0 });
      expect(vault.requests.at(-1)).toMatchObject({ path: 'secret/data/plugform/instances/inst-1', token: vault.rootToken, namespace: undefined });
    } finally {
      for (const k of ['VAULT_TOKEN', 'VAULT_NAMESPACE', 'VAULT_PREFIX']) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
    }
  });
});

describe('vault store: AppRole', () => {
  it('logs in (no token header), then uses the issued token', async () => {
    const vault = await startVaultDouble();
    const creds = vault.addAppRole({ tokenTtl: 60 });
    const { store } = await fixture({ auth: { method: 'approle', ...creds } }, vault);
    await store.check();
    const login = vault.requests.find((r) => r.path === 'auth/approle/login')!;
    expect(login).toMatchObject({ method: 'POST', token: undefined, body: { role_id: creds.roleId, secret_id: creds.secretId } });
    const issued = vault.liveTokens().filter((t) => t !== vault.rootToken);
    expect(issued).toHaveLength(1);
    await store.write('inst-1', { a: '1' }, { cas: 0 });
    expect(vault.requests.at(-1)!.token).toBe(issued[0]);
    expect(vault.requests.filter((r) => r.path === 'auth/approle/login')).toHaveLength(1);
  });

  it('renews the token before its lease runs out (at 2/3 of it) and keeps using it past the first lease', async () => {
    const clock = leaseClock();
    const vault = await startVaultDouble();
    const creds = vault.addAppRole({ tokenTtl: 3 });
    const { store } = await fixture({ auth: { method: 'approle', ...creds }, schedule: clock.schedule }, vault);
    await store.write('inst-1', { a: '1' }, { cas: 0 });
    const token = vault.requests.at(-1)!.token;
    const loginAt = vault.requests.find((r) => r.path === 'auth/approle/login')!.at;
    expect(clock.pending()).toEqual([2000]);
    for (let renewal = 1; renewal <= 2; renewal++) {
      clock.advance(2000);
      // Due again once the renewal's answer is in: a 3 s lease, renewed after 2 s.
      await ioUntil(() => clock.pending().length === 1);
      expect(clock.pending()).toEqual([2000]);
    }
    // 4 s after login: without the renewals the token would have expired at 3 s.
    expect(await store.read('inst-1')).toEqual({ values: { a: '1' }, version: 1 });
    const renewals = vault.requests.filter((r) => r.path === 'auth/token/renew-self');
    expect(renewals.map((r) => ({ token: r.token, after: r.at - loginAt }))).toEqual([
      { token, after: 2000 },
      { token, after: 4000 },
    ]);
    expect(vault.requests.at(-1)!.token).toBe(token); // same token, kept alive
    expect(vault.requests.filter((r) => r.path === 'auth/approle/login')).toHaveLength(1);
  });

  it('logs in again when renewal is capped by the max TTL', async () => {
    const clock = leaseClock();
    const vault = await startVaultDouble();
    const creds = vault.addAppRole({ tokenTtl: 3, tokenMaxTtl: 4 });
    const { store } = await fixture({ auth: { method: 'approle', ...creds }, schedule: clock.schedule }, vault);
    await store.write('inst-1', { a: '1' }, { cas: 0 });
    const first = vault.requests.at(-1)!.token;
    const logins = () => vault.requests.filter((r) => r.path === 'auth/approle/login');
    clock.advance(2000); // the renewal is granted 2 s (the max TTL's rest), less than the 3 s lease
    await ioUntil(() => logins().length === 2);
    await ioUntil(() => clock.pending().length === 1); // the new token's renewal
    clock.advance(2500); // 4.5 s: past the first token's max TTL
    expect(await store.read('inst-1')).toMatchObject({ version: 1 });
    expect(vault.requests.at(-1)!.token).not.toBe(first);
    expect(vault.liveTokens()).not.toContain(first);
  });

  it('logs in again when renewal fails, and logs why without the token', async () => {
    const clock = leaseClock();
    const vault = await startVaultDouble();
    const creds = vault.addAppRole({ tokenTtl: 3 });
    const { store, logs } = await fixture({ auth: { method: 'approle', ...creds }, schedule: clock.schedule }, vault);
    await store.write('inst-1', { a: '1' }, { cas: 0 });
    const first = vault.requests.at(-1)!.token!;
    vault.revokeToken(first);
    clock.advance(2000); // the renewal is answered 403 → re-login
    await ioUntil(() => vault.requests.filter((r) => r.path === 'auth/approle/login').length === 2);
    expect(logs.join('\n')).toMatch(/renewal failed; logging in again/);
    expect(logs.join('\n')).not.toContain(first);
    await store.read('inst-1');
    expect(vault.requests.at(-1)!.token).not.toBe(first);
  });

  it('answers a 403 for a revoked token by logging in once more and retrying', async () => {
    const vault = await startVaultDouble();
    const creds = vault.addAppRole({ tokenTtl: 600 });
    const { store } = await fixture({ auth: { method: 'approle', ...creds } }, vault);
    await store.write('inst-1', { a: '1' }, { cas: 0 });
    vault.revokeToken(vault.requests.at(-1)!.token!);
    expect(await store.read('inst-1')).toMatchObject({ version: 1 });
    expect(vault.requests.filter((r) => r.path === 'auth/approle/login')).toHaveLength(2);
  });

  it('re-logs in once for a burst of 403s after revocation', async () => {
    const vault = await startVaultDouble();
    const creds = vault.addAppRole({ tokenTtl: 600 });
    const { store } = await fixture({ auth: { method: 'approle', ...creds } }, vault);
    await store.read('inst-0');
    vault.revokeToken(vault.requests.at(-1)!.token!);
    await Promise.all(Array.from({ length: 5 }, (_, i) => store.read(`inst-${i}`)));
    expect(vault.requests.filter((r) => r.path === 'auth/approle/login')).toHaveLength(2);
  });

  it('shares one login among concurrent first calls', async () => {
    const vault = await startVaultDouble();
    const creds = vault.addAppRole({ tokenTtl: 600 });
    const { store } = await fixture({ auth: { method: 'approle', ...creds } }, vault);
    await Promise.all(Array.from({ length: 5 }, (_, i) => store.read(`inst-${i}`)));
    expect(vault.requests.filter((r) => r.path === 'auth/approle/login')).toHaveLength(1);
  });

  it('keeps credentials out of anything printable about the store', async () => {
    const vault = await startVaultDouble();
    const creds = vault.addAppRole({ tokenTtl: 600 });
    const { store } = await fixture({ auth: { method: 'approle', ...creds } }, vault);
    await store.check();
    const printed = `${inspect(store, { depth: 10, showHidden: true })}\n${JSON.stringify(store)}`;
    expect(printed).not.toContain(creds.secretId);
    for (const token of vault.liveTokens()) expect(printed).not.toContain(token);
  });

  it('maps refused AppRole credentials to forbidden, naming the settings, not the secret ID', async () => {
    const vault = await startVaultDouble();
    const { roleId } = vault.addAppRole({ tokenTtl: 60 });
    const badSecret = `wrong-${CANARY}`;
    const { store } = await fixture({ auth: { method: 'approle', roleId, secretId: badSecret } }, vault);
    const error = await expectStoreError(store.check(), 'forbidden');
    expect(error.message).toMatch(/invalid role or secret ID.*VAULT_ROLE_ID and VAULT_SECRET_ID/);
    expectNoSecrets(error, badSecret);
  });

  it('names VAULT_APPROLE_MOUNT when AppRole is not enabled there', async () => {
    const vault = await startVaultDouble();
    const creds = vault.addAppRole({ tokenTtl: 60 });
    const { store } = await fixture({ auth: { method: 'approle', ...creds, mount: 'approle-ci' } }, vault);
    const error = await expectStoreError(store.check(), 'not_found');
    expect(error.message).toMatch(/auth\/approle-ci.*VAULT_APPROLE_MOUNT/);
  });

  it('logs in inside the namespace', async () => {
    const vault = await startVaultDouble({ mounts: [] });
    vault.addMount('secret', { namespace: 'team-a' });
    const creds = vault.addAppRole({ tokenTtl: 60, namespace: 'team-a' });
    const { store } = await fixture({ namespace: 'team-a', auth: { method: 'approle', ...creds } }, vault);
    await store.check();
    await store.write('inst-1', { a: '1' }, { cas: 0 });
    expect(vault.requests.find((r) => r.path === 'auth/approle/login')!.namespace).toBe('team-a');
  });
});

describe('vault store: token auth renewal and TLS', () => {
  it('renews a renewable VAULT_TOKEN with a TTL (found by lookup-self in check())', async () => {
    const clock = leaseClock();
    const vault = await startVaultDouble();
    const token = vault.createToken({ ttl: 3, renewable: true });
    const { store } = await fixture({ auth: { method: 'token', token }, schedule: clock.schedule }, vault);
    await store.check();
    expect(clock.pending()).toEqual([2000]);
    clock.advance(2000);
    await ioUntil(() => clock.pending().length === 1); // renewed, and due again
    clock.advance(1500); // 3.5 s: past the token's original 3 s TTL
    expect(vault.requests.filter((r) => r.path === 'auth/token/renew-self').map((r) => r.token)).toEqual([token]);
    expect(vault.liveTokens()).toContain(token);
    await store.write('inst-1', { a: '1' }, { cas: 0 });
    expect(vault.requests.at(-1)).toMatchObject({ path: 'secret/data/plugform/instances/inst-1', token });
  });

  it('does not try to renew a root token (no TTL)', async () => {
    const clock = leaseClock();
    const { store, vault } = await fixture({ schedule: clock.schedule });
    await store.check();
    expect(vault.requests.some((r) => r.path === 'auth/token/lookup-self')).toBe(true);
    expect(clock.pending()).toEqual([]);
  });

  it.runIf(hasOpenssl())('trusts Vault\'s certificate through VAULT_CACERT, and says to set it when missing', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      execFileSync('openssl', [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
        '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1',
        '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
      ], { stdio: 'ignore' });
      const tls = { key: await readFile(join(dir, 'key.pem')), cert: await readFile(join(dir, 'cert.pem')) };
      const vault = await startVaultDouble({ tls });
      expect(vault.url).toMatch(/^https:/);
      const trusted = await fixture({ caCert: tls.cert }, vault);
      await trusted.store.check();
      expect(await trusted.store.write('inst-1', { a: '1' }, { cas: 0 })).toBe(1);

      const untrusted = new VaultSecretStore({ addr: vault.url, auth: { method: 'token', token: vault.rootToken }, timeoutMs: 2000 });
      const error = await expectStoreError(untrusted.read('inst-1'), 'unreachable');
      expect(error.message).toMatch(/not trusted .*set VAULT_CACERT/);
      await untrusted.close();
    } finally {
      await cleanup();
    }
  });
});

describe('vault store: failures are clear and never leak', () => {
  const secret = { apiKey: CANARY };

  it('403 (policy lacks the path) → forbidden, naming the token, the policy paths and the mount', async () => {
    const { store, vault } = await fixture();
    vault.denyPath('secret/data/plugform/instances/inst-1');
    const error = await expectStoreError(store.write('inst-1', secret, { cas: 0 }), 'forbidden');
    expect(error.message).toContain('secret/data/plugform/instances/inst-1');
    expect(error.message).toMatch(/VAULT_TOKEN/);
    expect(error.message).toContain('"secret/data/plugform/instances/*" (create, read, update)');
    expect(error.message).toContain('VAULT_KV_MOUNT="secret"');
    expectNoSecrets(error, vault.rootToken);
  });

  it('403 on delete (metadata path not in the policy) → forbidden naming the metadata path', async () => {
    const { store, vault } = await fixture();
    await store.write('inst-1', secret, { cas: 0 });
    vault.denyPath('secret/metadata/', ['DELETE']);
    const error = await expectStoreError(store.delete('inst-1'), 'forbidden');
    expect(error.message).toContain('secret/metadata/plugform/instances/inst-1');
    expect(error.message).toContain('"secret/metadata/plugform/instances/*" (delete)');
  });

  it('an invalid VAULT_TOKEN fails check() as forbidden', async () => {
    const { store, vault } = await fixture({ auth: { method: 'token', token: `hvs.${CANARY}` } });
    const error = await expectStoreError(store.check(), 'forbidden');
    expect(error.message).toMatch(/VAULT_TOKEN is invalid or expired/);
    expectNoSecrets(error, `hvs.${CANARY}`, vault.rootToken);
  });

  it('404 for the mount → not_found, naming VAULT_KV_MOUNT and how to create it', async () => {
    const { store } = await fixture({ mount: 'secreet' });
    const error = await expectStoreError(store.check(), 'not_found');
    expect(error.message).toMatch(/no KV v2 mount "secreet" exists.*VAULT_KV_MOUNT.*vault secrets enable -path=secreet kv-v2/);
    await expectStoreError(store.read('inst-1'), 'not_found');
    const write = await expectStoreError(store.write('inst-1', secret, { cas: 0 }), 'not_found');
    expectNoSecrets(write);
    await expectStoreError(store.delete('inst-1'), 'not_found');
  });

  it('a KV version 1 mount → misconfigured, asking for KV v2', async () => {
    const vault = await startVaultDouble({ mounts: [] });
    vault.addMount('secret', { version: 1 });
    const { store } = await fixture({}, vault);
    const error = await expectStoreError(store.write('inst-1', secret, { cas: 0 }), 'misconfigured');
    expect(error.message).toMatch(/KV version 1 .*KV version 2/);
    expectNoSecrets(error);
  });

  it('503 sealed → sealed, saying to unseal, from check() and from every call', async () => {
    const { store, vault } = await fixture();
    vault.seal();
    const checkError = await expectStoreError(store.check(), 'sealed');
    expect(checkError.message).toMatch(/Vault at http:\/\/127\.0\.0\.1:\d+ is sealed; unseal it/);
    const error = await expectStoreError(store.write('inst-1', secret, { cas: 0 }), 'sealed');
    expect(error.message).toMatch(/is sealed .*unseal it \(`vault operator unseal`\)/);
    expectNoSecrets(error, vault.rootToken);
    await expectStoreError(store.read('inst-1'), 'sealed');
    await expectStoreError(store.delete('inst-1'), 'sealed');
    vault.unseal();
    await store.check();
  });

  it('connection refused → unreachable, naming VAULT_ADDR', async () => {
    const port = await closedPort();
    const store = new VaultSecretStore({ addr: `http://127.0.0.1:${port}`, auth: { method: 'token', token: 't' }, timeoutMs: 2000 });
    const error = await expectStoreError(store.write('inst-1', secret, { cas: 0 }), 'unreachable');
    expect(error.message).toContain(`Cannot connect to Vault at http://127.0.0.1:${port} (connection refused)`);
    expect(error.message).toContain('check VAULT_ADDR');
    expectNoSecrets(error);
    await expectStoreError(store.check(), 'unreachable');
    await store.close();
  });

  it('something that is not Vault at VAULT_ADDR → misconfigured, never "no secrets stored"', async () => {
    const server = createHttpServer((_req, res) => {
      res.writeHead(404, { 'Content-Type': 'text/html' });
      res.end('<h1>Not Found</h1>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const addr = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const store = new VaultSecretStore({ addr, auth: { method: 'token', token: 't' }, timeoutMs: 2000 });
    try {
      const error = await expectStoreError(store.check(), 'misconfigured');
      expect(error.message).toMatch(/VAULT_ADDR points at the Vault server itself/);
      await expectStoreError(store.read('inst-1'), 'misconfigured');
      await expectStoreError(store.delete('inst-1'), 'misconfigured');
    } finally {
      await store.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('a Vault that never answers → timeout after the configured limit', async () => {
    const { store, vault } = await fixture({ timeoutMs: 5000 });
    await store.write('inst-1', secret, { cas: 0 });
    vault.hang();
    // axios' timeout and the store's backstop deadline both run on this fake clock.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const received = vault.requests.length;
    let settled = false;
    const writing = store.write('inst-1', secret, { cas: 1 });
    writing.then(
      () => (settled = true),
      () => (settled = true),
    );
    await ioUntil(() => vault.requests.length === received + 1); // Vault has the write and holds it
    await vi.advanceTimersByTimeAsync(4999);
    expect(settled).toBe(false); // not given up before the limit
    await vi.advanceTimersByTimeAsync(1);
    const error = await expectStoreError(writing, 'timeout');
    expect(error.message).toMatch(/did not answer the write .* within 5000 ms.*VAULT_TIMEOUT_MS/);
    expectNoSecrets(error, vault.rootToken);
    for (const call of [() => store.read('inst-1'), () => store.check()]) {
      const failing = expectStoreError(call(), 'timeout');
      await vi.advanceTimersByTimeAsync(5100);
      await failing;
    }
  });

  it('a conflict names the instance and says to retry, without values', async () => {
    const { store, vault } = await fixture();
    await store.write('inst-1', { a: 'first' }, { cas: 0 });
    const error = await expectStoreError(store.write('inst-1', secret, { cas: 0 }), 'conflict');
    expect(error.message).toMatch(/instance inst-1 changed since they were read.*retry/);
    expectNoSecrets(error, vault.rootToken);
  });
});
