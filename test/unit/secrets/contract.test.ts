import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SecretStore } from '../../../server/secrets/index.ts';
import { CANARY, expectNoSecrets, expectStoreError, localFixture, vaultFixture, type StoreFactory } from './harness.ts';

/**
 * The one contract every SecretStore meets, run against the local store (temp dir) and the
 * Vault store (against the KV v2 double).
 */
const stores: Array<[string, StoreFactory]> = [
  ['local', async () => localFixture()],
  ['vault', async () => vaultFixture()],
];

describe.each(stores)('SecretStore contract: %s', (_name, make) => {
  let store: SecretStore;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ store, cleanup } = await make());
    await store.check();
  });
  afterEach(async () => {
    await cleanup();
  });

  it('reads an unknown instance as empty, version 0', async () => {
    expect(await store.read('inst-empty')).toEqual({ values: {}, version: 0 });
  });

  it('round-trips a document and returns the new version', async () => {
    const version = await store.write('inst-1', { apiKey: CANARY, user: 'bob' }, { cas: 0 });
    expect(version).toBe(1);
    expect(await store.read('inst-1')).toEqual({ values: { apiKey: CANARY, user: 'bob' }, version: 1 });
  });

  it('round-trips unicode, empty strings and an empty document', async () => {
    await store.write('inst-u', { pw: 'päss wörd ✓ "quoted" \n newline', empty: '' }, { cas: 0 });
    expect((await store.read('inst-u')).values).toEqual({ pw: 'päss wörd ✓ "quoted" \n newline', empty: '' });
    expect(await store.write('inst-u', {}, { cas: 1 })).toBe(2);
    expect(await store.read('inst-u')).toEqual({ values: {}, version: 2 });
  });

  it('replaces the whole document on write', async () => {
    await store.write('inst-1', { a: '1', b: '2' }, { cas: 0 });
    const version = await store.write('inst-1', { c: '3' }, { cas: 1 });
    expect(version).toBe(2);
    expect(await store.read('inst-1')).toEqual({ values: { c: '3' }, version: 2 });
  });

  it('rejects a stale cas with a conflict and changes nothing', async () => {
    await store.write('inst-1', { a: '1' }, { cas: 0 });
    await store.write('inst-1', { a: '2' }, { cas: 1 });
    const stale = await expectStoreError(store.write('inst-1', { a: CANARY }, { cas: 1 }), 'conflict');
    expect(stale.message).toMatch(/inst-1/);
    expect(stale.message).toMatch(/retry/);
    expectNoSecrets(stale);
    await expectStoreError(store.write('inst-1', { a: CANARY }, { cas: 7 }), 'conflict');
    expect(await store.read('inst-1')).toEqual({ values: { a: '2' }, version: 2 });
  });

  it('treats cas 0 as "must not exist yet"', async () => {
    await store.write('inst-1', { a: '1' }, { cas: 0 });
    await expectStoreError(store.write('inst-1', { a: '2' }, { cas: 0 }), 'conflict');
    await expectStoreError(store.write('inst-2', { a: '2' }, { cas: 1 }), 'conflict');
  });

  it('delete removes every version; the next write starts again at cas 0', async () => {
    await store.write('inst-1', { a: '1' }, { cas: 0 });
    await store.write('inst-1', { a: '2' }, { cas: 1 });
    await store.write('inst-1', { a: CANARY }, { cas: 2 });
    await store.delete('inst-1');
    expect(await store.read('inst-1')).toEqual({ values: {}, version: 0 });
    await expectStoreError(store.write('inst-1', { a: 'x' }, { cas: 3 }), 'conflict');
    expect(await store.write('inst-1', { a: 'fresh' }, { cas: 0 })).toBe(1);
    expect(await store.read('inst-1')).toEqual({ values: { a: 'fresh' }, version: 1 });
  });

  it('deleting what does not exist is not an error', async () => {
    await expect(store.delete('never-written')).resolves.toBeUndefined();
    await store.write('inst-1', { a: '1' }, { cas: 0 });
    await store.delete('inst-1');
    await expect(store.delete('inst-1')).resolves.toBeUndefined();
  });

  it('keeps instances apart', async () => {
    await store.write('inst-a', { key: 'A' }, { cas: 0 });
    await store.write('inst-b', { key: 'B' }, { cas: 0 });
    await store.write('inst-a', { key: 'A2' }, { cas: 1 });
    expect(await store.read('inst-b')).toEqual({ values: { key: 'B' }, version: 1 });
    await store.delete('inst-a');
    expect(await store.read('inst-b')).toEqual({ values: { key: 'B' }, version: 1 });
    expect(await store.read('inst-a')).toEqual({ values: {}, version: 0 });
  });

  it('lets exactly one of several concurrent writes with the same cas win', async () => {
    await store.write('inst-race', { n: 'start' }, { cas: 0 });
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => store.write('inst-race', { n: `writer-${i}` }, { cas: 1 })),
    );
    const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [{ i, version: r.value }] : []));
    const lost = results.filter((r) => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(won[0]!.version).toBe(2);
    for (const r of lost) expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'conflict' });
    expect(await store.read('inst-race')).toEqual({ values: { n: `writer-${won[0]!.i}` }, version: 2 });
  });

  it('lets exactly one of several concurrent creates (cas 0) win', async () => {
    const results = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => store.write('inst-new', { n: String(i) }, { cas: 0 })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  it('refuses instance ids that could escape the store', async () => {
    for (const id of ['../etc/passwd', 'a/b', '', '.hidden', 'x'.repeat(129), 'a b', 'ä']) {
      await expectStoreError(store.read(id), 'misconfigured');
      await expectStoreError(store.write(id, { a: '1' }, { cas: 0 }), 'misconfigured');
      await expectStoreError(store.delete(id), 'misconfigured');
    }
  });

  it('refuses non-string values without echoing them', async () => {
    const error = await expectStoreError(store.write('inst-1', { a: 42 as unknown as string }, { cas: 0 }), 'misconfigured');
    expect(error.message).toContain('"a"');
  });
});
