import { randomBytes } from 'node:crypto';
import { chmod, copyFile, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalSecretStore } from '../../../server/secrets/index.ts';
import { CANARY, expectNoSecrets, expectStoreError, localFixture, tempDir, type LocalFixture } from './harness.ts';

const isPosix = process.platform !== 'win32';

async function allFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await allFiles(path)));
    else out.push(path);
  }
  return out;
}

const fixtures: LocalFixture[] = [];
async function fixture(secretKey?: string): Promise<LocalFixture> {
  const f = await localFixture(secretKey);
  fixtures.push(f);
  return f;
}
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((f) => f.cleanup()));
});

describe('local secret store: at rest', () => {
  it('keeps no plaintext on disk (neither the value nor its base64/hex)', async () => {
    const { store, dataDir } = await fixture();
    await store.write('inst-1', { token: CANARY }, { cas: 0 });
    await store.write('inst-1', { token: CANARY, other: CANARY }, { cas: 1 });
    const needles = [CANARY, Buffer.from(CANARY).toString('base64'), Buffer.from(CANARY).toString('hex')];
    const files = await allFiles(dataDir);
    expect(files.map((f) => f.slice(dataDir.length))).toEqual(
      expect.arrayContaining(['/secret.key', '/secrets/.key-check.json', '/secrets/inst-1.json']),
    );
    for (const file of files) {
      const bytes = await readFile(file);
      for (const needle of needles) expect(bytes.includes(needle), `${file} contains ${needle}`).toBe(false);
    }
    const doc = JSON.parse(await readFile(join(dataDir, 'secrets', 'inst-1.json'), 'utf8'));
    expect(doc).toMatchObject({ format: 'plugform-secret/1', alg: 'AES-256-GCM', instanceId: 'inst-1', version: 2 });
    expect(Buffer.from(doc.iv, 'base64')).toHaveLength(12);
    expect(Buffer.from(doc.tag, 'base64')).toHaveLength(16);
  });

  it('uses a fresh IV for every write', async () => {
    const { store, dataDir } = await fixture();
    const ivs = new Set<string>();
    for (let v = 0; v < 5; v++) {
      await store.write('inst-1', { a: 'same' }, { cas: v });
      ivs.add(JSON.parse(await readFile(join(dataDir, 'secrets', 'inst-1.json'), 'utf8')).iv);
    }
    expect(ivs.size).toBe(5);
  });

  it.runIf(isPosix)('creates the key file with mode 0600, the secrets dir 0700, secret files 0600', async () => {
    const { store, dataDir } = await fixture();
    await store.check();
    await store.write('inst-1', { a: '1' }, { cas: 0 });
    expect((await stat(join(dataDir, 'secret.key'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(dataDir, 'secrets'))).mode & 0o777).toBe(0o700);
    expect((await stat(join(dataDir, 'secrets', 'inst-1.json'))).mode & 0o777).toBe(0o600);
    const keyText = await readFile(join(dataDir, 'secret.key'), 'utf8');
    expect(Buffer.from(keyText.trim(), 'base64')).toHaveLength(32);
  });

  it('logs that it generated a key without printing the key', async () => {
    const { dir, cleanup } = await tempDir();
    const logs: string[] = [];
    const store = new LocalSecretStore({ dataDir: dir, log: (m) => logs.push(m) });
    await store.check();
    const keyText = (await readFile(join(dir, 'secret.key'), 'utf8')).trim();
    expect(logs.join('\n')).toMatch(/Generated a new secret key .*Back it up/);
    expect(logs.join('\n')).not.toContain(keyText);
    await cleanup();
  });

  it.runIf(isPosix)('refuses a key file that group or others can read', async () => {
    const { store, dataDir, cleanup } = await localFixture();
    await store.check();
    await chmod(join(dataDir, 'secret.key'), 0o644);
    const again = new LocalSecretStore({ dataDir });
    const error = await expectStoreError(again.check(), 'misconfigured');
    expect(error.message).toContain(`chmod 600 ${join(dataDir, 'secret.key')}`);
    expect(error.message).toContain('0644');
    await cleanup();
  });

  it('leaves no temp files behind and sweeps those a crash left', async () => {
    const { store, dataDir } = await fixture();
    for (let v = 0; v < 20; v++) await store.write('inst-1', { n: String(v) }, { cas: v });
    const kept = Array.from({ length: 10 }, (_, i) => `inst-1.v${10 + i}.json`);
    const names = await readdir(join(dataDir, 'secrets'));
    expect(names.sort()).toEqual(['.key-check.json', 'inst-1.json', ...kept].sort());
    // A crash between writing the temp file and the rename leaves one; the next start removes it.
    await writeFile(join(dataDir, 'secrets', '.inst-1.json.deadbeef0000.tmp'), 'partial');
    const restarted = new LocalSecretStore({ dataDir });
    await restarted.check();
    expect((await readdir(join(dataDir, 'secrets'))).sort()).toEqual(['.key-check.json', 'inst-1.json', ...kept].sort());
    expect(await restarted.read('inst-1')).toEqual({ values: { n: '19' }, version: 20 });
  });

  it('keeps the last keepVersions earlier versions for rollbacks, bound to their number; a delete removes them all', async () => {
    const { dataDir } = await fixture();
    const store = new LocalSecretStore({ dataDir, keepVersions: 2 });
    for (let v = 0; v < 4; v++) await store.write('inst-1', { n: String(v) }, { cas: v });
    expect(await store.readVersion('inst-1', 4)).toEqual({ values: { n: '3' }, version: 4 });
    expect(await store.readVersion('inst-1', 3)).toEqual({ values: { n: '2' }, version: 3 });
    expect(await store.readVersion('inst-1', 2)).toEqual({ values: { n: '1' }, version: 2 });
    expect(await store.readVersion('inst-1', 1)).toBeUndefined();
    // A kept file renamed to another version number does not open as that version.
    await rename(join(dataDir, 'secrets', 'inst-1.v2.json'), join(dataDir, 'secrets', 'inst-1.v1.json'));
    await expect(store.readVersion('inst-1', 1)).resolves.toBeUndefined();
    await store.delete('inst-1');
    expect((await readdir(join(dataDir, 'secrets'))).sort()).toEqual(['.key-check.json']);
    expect(await store.readVersion('inst-1', 3)).toBeUndefined();
  });

  it('never shows a reader a torn document while writes go on', async () => {
    const { store } = await fixture();
    await store.write('inst-1', { n: '0', pad: 'x'.repeat(50_000) }, { cas: 0 });
    let version = 1;
    const writer = (async () => {
      for (let i = 1; i <= 30; i++) version = await store.write('inst-1', { n: String(i), pad: 'x'.repeat(50_000) }, { cas: version });
    })();
    const reads: Promise<unknown>[] = [];
    for (let i = 0; i < 60; i++) reads.push(store.read('inst-1'));
    await writer;
    for (const r of await Promise.all(reads)) expect((r as { values: { pad: string } }).values.pad).toHaveLength(50_000);
  });

  it('survives a restart with the same key file', async () => {
    const { store, dataDir } = await fixture();
    await store.write('inst-1', { a: CANARY }, { cas: 0 });
    const restarted = new LocalSecretStore({ dataDir });
    await restarted.check();
    expect(await restarted.read('inst-1')).toEqual({ values: { a: CANARY }, version: 1 });
  });
});

describe('local secret store: keys', () => {
  it('accepts PLUGFORM_SECRET_KEY as 64 hex or base64 (the same key either way) and makes no key file', async () => {
    const key = randomBytes(32);
    const { store, dataDir } = await fixture(key.toString('hex'));
    await store.write('inst-1', { a: CANARY }, { cas: 0 });
    await expect(stat(join(dataDir, 'secret.key'))).rejects.toMatchObject({ code: 'ENOENT' });
    for (const text of [key.toString('base64'), key.toString('base64url'), ` ${key.toString('hex').toUpperCase()}\n`]) {
      const again = new LocalSecretStore({ dataDir, secretKey: text });
      expect(await again.read('inst-1')).toEqual({ values: { a: CANARY }, version: 1 });
    }
  });

  it('rejects a malformed PLUGFORM_SECRET_KEY with a clear message that does not echo it', async () => {
    const { dir, cleanup } = await tempDir();
    for (const bad of ['too-short', randomBytes(16).toString('base64'), randomBytes(31).toString('hex') + 'zz', `${CANARY}${CANARY}`]) {
      let error: unknown;
      try {
        new LocalSecretStore({ dataDir: dir, secretKey: bad });
      } catch (e) {
        error = e;
      }
      expect(error).toMatchObject({ code: 'misconfigured' });
      expect((error as Error).message).toMatch(/PLUGFORM_SECRET_KEY must hold a 32-byte key as base64 .* or as 64 hex characters/);
      expect(everythingPrintableSafe(error, bad)).toBe(true);
    }
    await cleanup();
  });

  it('refuses to start with a different PLUGFORM_SECRET_KEY, naming the fix', async () => {
    const { store, dataDir } = await fixture(randomBytes(32).toString('base64'));
    await store.write('inst-1', { a: CANARY }, { cas: 0 });
    const wrongKey = randomBytes(32).toString('base64');
    const wrong = new LocalSecretStore({ dataDir, secretKey: wrongKey });
    const error = await expectStoreError(wrong.check(), 'key_mismatch');
    expect(error.message).toContain(`PLUGFORM_SECRET_KEY does not match the key the secrets in ${join(dataDir, 'secrets')} were encrypted with`);
    expect(error.message).toContain('restore the original key');
    expect(error.message).toMatch(/key id [0-9a-f]{12}/);
    expectNoSecrets(error, wrongKey);
    // Not a generic decryption failure later either: every operation gives the same answer.
    await expectStoreError(wrong.read('inst-1'), 'key_mismatch');
    await expectStoreError(wrong.write('inst-2', { a: '1' }, { cas: 0 }), 'key_mismatch');
    await expect(stat(join(dataDir, 'secrets', 'inst-2.json'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses to start when the key file was replaced', async () => {
    const { store, dataDir } = await fixture();
    await store.write('inst-1', { a: '1' }, { cas: 0 });
    await writeFile(join(dataDir, 'secret.key'), `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
    const error = await expectStoreError(new LocalSecretStore({ dataDir }).check(), 'key_mismatch');
    expect(error.message).toContain(`The key in ${join(dataDir, 'secret.key')} does not match the key the secrets`);
  });

  it('refuses to generate a new key when the key file is gone but secrets exist', async () => {
    const { store, dataDir } = await fixture();
    await store.write('inst-1', { a: '1' }, { cas: 0 });
    await rm(join(dataDir, 'secret.key'));
    const error = await expectStoreError(new LocalSecretStore({ dataDir }).check(), 'key_mismatch');
    expect(error.message).toMatch(/secret\.key is missing.*restore secret\.key from a backup/);
    await expect(stat(join(dataDir, 'secret.key'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('still catches a wrong key when the key check file is lost', async () => {
    const { store, dataDir } = await fixture(randomBytes(32).toString('hex'));
    await store.write('inst-1', { a: '1' }, { cas: 0 });
    await rm(join(dataDir, 'secrets', '.key-check.json'));
    await expectStoreError(new LocalSecretStore({ dataDir, secretKey: randomBytes(32).toString('hex') }).check(), 'key_mismatch');
  });

  it('re-creates a lost key check file when the key opens the stored secrets', async () => {
    const key = randomBytes(32).toString('hex');
    const { store, dataDir } = await fixture(key);
    await store.write('inst-1', { a: '1' }, { cas: 0 });
    await rm(join(dataDir, 'secrets', '.key-check.json'));
    const again = new LocalSecretStore({ dataDir, secretKey: key });
    await again.check();
    await expect(stat(join(dataDir, 'secrets', '.key-check.json'))).resolves.toBeTruthy();
  });
});

describe('local secret store: tampering', () => {
  it('reports a modified ciphertext as corrupt, with what to do', async () => {
    const { store, dataDir } = await fixture();
    await store.write('inst-1', { a: CANARY }, { cas: 0 });
    const path = join(dataDir, 'secrets', 'inst-1.json');
    const doc = JSON.parse(await readFile(path, 'utf8'));
    const bytes = Buffer.from(doc.ciphertext, 'base64');
    bytes[0] = bytes[0]! ^ 0x01;
    await writeFile(path, JSON.stringify({ ...doc, ciphertext: bytes.toString('base64') }));
    const error = await expectStoreError(store.read('inst-1'), 'corrupt');
    expect(error.message).toContain(path);
    expect(error.message).toMatch(/integrity check.*Restore it from a backup/);
    expectNoSecrets(error);
  });

  it('reports a modified tag, a shortened tag and garbage as corrupt', async () => {
    const { store, dataDir } = await fixture();
    await store.write('inst-1', { a: '1' }, { cas: 0 });
    const path = join(dataDir, 'secrets', 'inst-1.json');
    const doc = JSON.parse(await readFile(path, 'utf8'));
    await writeFile(path, JSON.stringify({ ...doc, tag: Buffer.alloc(16).toString('base64') }));
    await expectStoreError(store.read('inst-1'), 'corrupt');
    await writeFile(path, JSON.stringify({ ...doc, tag: Buffer.from(doc.tag, 'base64').subarray(0, 4).toString('base64') }));
    await expectStoreError(store.read('inst-1'), 'corrupt');
    await writeFile(path, '{ not json');
    await expectStoreError(store.read('inst-1'), 'corrupt');
  });

  it('detects a file copied over another instance (AAD binds the instance id)', async () => {
    const { store, dataDir } = await fixture();
    await store.write('inst-a', { who: 'A' }, { cas: 0 });
    await store.write('inst-b', { who: 'B' }, { cas: 0 });
    await copyFile(join(dataDir, 'secrets', 'inst-a.json'), join(dataDir, 'secrets', 'inst-b.json'));
    const error = await expectStoreError(store.read('inst-b'), 'corrupt');
    expect(error.message).toMatch(/copied from another instance/);
    // Rewriting the instanceId field does not help: the id is in the AAD, not trusted from the file.
    const doc = JSON.parse(await readFile(join(dataDir, 'secrets', 'inst-b.json'), 'utf8'));
    await writeFile(join(dataDir, 'secrets', 'inst-b.json'), JSON.stringify({ ...doc, instanceId: 'inst-b' }));
    await expectStoreError(store.read('inst-b'), 'corrupt');
    expect(await store.read('inst-a')).toEqual({ values: { who: 'A' }, version: 1 });
  });

  it('detects an edited version number (AAD binds the version, so cas cannot be bypassed)', async () => {
    const { store, dataDir } = await fixture();
    await store.write('inst-1', { a: '1' }, { cas: 0 });
    const path = join(dataDir, 'secrets', 'inst-1.json');
    const doc = JSON.parse(await readFile(path, 'utf8'));
    await writeFile(path, JSON.stringify({ ...doc, version: 5 }));
    await expectStoreError(store.read('inst-1'), 'corrupt');
  });
});

function everythingPrintableSafe(error: unknown, secret: string): boolean {
  const text = `${String(error)}\n${JSON.stringify(error, Object.getOwnPropertyNames(error ?? {}))}`;
  return !text.includes(secret);
}
