/**
 * Secret fingerprints: keyed (nothing to check a guess against offline), stable for one key,
 * shared by every server of one secret store, and told apart when made with another key.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalSecretStore } from '../../../server/secrets/index.ts';
import { FINGERPRINT_KEY_DOCUMENT, SecretFingerprints } from '../../../server/secrets/fingerprint.ts';
import { tempDir } from '../../support/instances.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function store(): Promise<LocalSecretStore> {
  const { dir, cleanup } = await tempDir('plugform-fingerprint-');
  cleanups.push(cleanup);
  return new LocalSecretStore({ dataDir: dir, secretKey: randomBytes(32).toString('base64') });
}

describe('SecretFingerprints', () => {
  it('keeps its key in the secret store: the same for every server on that store, another for another store', async () => {
    const shared = await store();
    const first = await new SecretFingerprints(shared).of('instance-1', 'apiToken', 'echo-value');
    const second = await new SecretFingerprints(shared).of('instance-1', 'apiToken', 'echo-value');
    expect(first).toMatch(/^hmac-sha256:[0-9a-f]{8}:[A-Za-z0-9_-]{22}$/);
    expect(second).toBe(first);
    expect(Object.keys((await shared.read(FINGERPRINT_KEY_DOCUMENT)).values)).toEqual(['key']);

    const other = new SecretFingerprints(await store());
    expect(await other.of('instance-1', 'apiToken', 'echo-value')).not.toBe(first);
    expect(await other.isComparable(first)).toBe(false);
    expect(await new SecretFingerprints(shared).isComparable(first)).toBe(true);
  });

  it('changes with the value, the key and the instance, and is no unkeyed hash of the value', async () => {
    const fingerprints = new SecretFingerprints(await store());
    const base = await fingerprints.of('instance-1', 'apiToken', 'echo-value');
    expect(await fingerprints.of('instance-1', 'apiToken', 'echo-other')).not.toBe(base);
    expect(await fingerprints.of('instance-1', 'otherKey', 'echo-value')).not.toBe(base);
    expect(await fingerprints.of('instance-2', 'apiToken', 'echo-value')).not.toBe(base);
    const mac = base.split(':')[2]!;
    for (const unkeyed of ['sha256', 'sha1', 'md5']) {
      expect(createHash(unkeyed).update('echo-value').digest('base64url')).not.toContain(mac);
    }
  });

  it('uses PLUGFORM_FINGERPRINT_KEY when configured, and then writes nothing to the store', async () => {
    const key = randomBytes(32);
    const a = await store();
    const b = await store();
    const fromA = await new SecretFingerprints(a, key).of('instance-1', 'apiToken', 'echo-value');
    expect(await new SecretFingerprints(b, key).of('instance-1', 'apiToken', 'echo-value')).toBe(fromA);
    expect((await a.read(FINGERPRINT_KEY_DOCUMENT)).version).toBe(0);
  });
});
