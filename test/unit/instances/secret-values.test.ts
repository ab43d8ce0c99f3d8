/**
 * The pure rules of secret values: split from the plain configuration, merged per key on
 * update (omitted = keep, null or '' = clear, new value = replace, a round-tripped mask =
 * keep), and the patch semantics of the plain configuration.
 */
import { describe, expect, it } from 'vitest';
import {
  applyPatch,
  changedPlainKeys,
  changedSecretKeys,
  mergeConfiguration,
  mergeSecrets,
  SECRET_MASK,
  secretKeysOf,
  separateSecretChanges,
  splitSecrets,
} from '../../../server/instances/secret-values.ts';

const SECRET_KEYS = new Set(['apiKey', 'password']);

describe('mergeSecrets', () => {
  const stored = Object.freeze({ apiKey: 'key-1', password: 'pw-1' });

  it('keeps a secret whose key is omitted or undefined', () => {
    expect(mergeSecrets(stored, {})).toEqual({ apiKey: 'key-1', password: 'pw-1' });
    expect(mergeSecrets(stored, { apiKey: undefined })).toEqual({ apiKey: 'key-1', password: 'pw-1' });
  });

  it('clears a secret on null and on the empty string', () => {
    expect(mergeSecrets(stored, { apiKey: null })).toEqual({ password: 'pw-1' });
    expect(mergeSecrets(stored, { password: '' })).toEqual({ apiKey: 'key-1' });
    expect(mergeSecrets(stored, { apiKey: null, password: null })).toEqual({});
  });

  it('replaces a secret with a new value and adds one that was not set', () => {
    expect(mergeSecrets({ apiKey: 'key-1' }, { apiKey: 'key-2', password: 'pw-new' })).toEqual({ apiKey: 'key-2', password: 'pw-new' });
  });

  it('treats a round-tripped mask exactly like an omitted key: it never overwrites a real secret', () => {
    expect(mergeSecrets(stored, { apiKey: SECRET_MASK, password: SECRET_MASK })).toEqual({ apiKey: 'key-1', password: 'pw-1' });
  });

  it('never stores the mask as a value, not even for a secret that was not set', () => {
    const merged = mergeSecrets({}, { apiKey: SECRET_MASK });
    expect(merged).toEqual({});
    expect(Object.values(mergeSecrets(stored, { apiKey: SECRET_MASK, password: 'pw-2' }))).not.toContain(SECRET_MASK);
  });

  it('leaves the stored document untouched (returns a new object)', () => {
    const before = { apiKey: 'key-1' };
    const merged = mergeSecrets(before, { apiKey: null, password: 'x' });
    expect(before).toEqual({ apiKey: 'key-1' });
    expect(merged).not.toBe(before);
  });
});

describe('splitSecrets', () => {
  it('sends secret keys to the secret document and everything else to the plain configuration', () => {
    const { plain, secrets } = splitSecrets({ host: 'h', port: 443, apiKey: 'k', password: 'p' }, SECRET_KEYS);
    expect(plain).toEqual({ host: 'h', port: 443 });
    expect(secrets).toEqual({ apiKey: 'k', password: 'p' });
  });

  it('never puts a secret key into the plain configuration, even an empty one', () => {
    const { plain, secrets } = splitSecrets({ host: 'h', apiKey: '', password: undefined }, SECRET_KEYS);
    expect(plain).toEqual({ host: 'h' });
    expect(Object.keys(plain)).not.toContain('apiKey');
    expect(Object.keys(plain)).not.toContain('password');
    expect(secrets).toEqual({});
  });

  it('finds the secret keys of a schema: type SECRET and isSecret fields', () => {
    const keys = secretKeysOf([
      { key: 'host', label: 'Host', type: 'STRING' },
      { key: 'apiKey', label: 'Key', type: 'SECRET' },
      { key: 'password', label: 'Password', type: 'STRING', isSecret: true },
    ]);
    expect([...keys].sort()).toEqual(['apiKey', 'password']);
  });
});

describe('mergeConfiguration (update and test-with-override semantics)', () => {
  const storedPlain = Object.freeze({ host: 'a.example', port: 8443, region: 'eu' });
  const storedSecrets = Object.freeze({ apiKey: 'key-1', password: 'pw-1' });

  it('patches the plain configuration: a value replaces, null removes, omission keeps', () => {
    const { plain } = mergeConfiguration(storedPlain, storedSecrets, { host: 'b.example', region: null }, SECRET_KEYS);
    expect(plain).toEqual({ host: 'b.example', port: 8443 });
  });

  it('merges secrets per key alongside the plain patch', () => {
    const { plain, secrets } = mergeConfiguration(
      storedPlain,
      storedSecrets,
      { port: 9000, apiKey: 'key-2', password: null },
      SECRET_KEYS,
    );
    expect(plain).toEqual({ host: 'a.example', port: 9000, region: 'eu' });
    expect(secrets).toEqual({ apiKey: 'key-2' });
  });

  it('keeps every secret when the masked values come back with an edit', () => {
    const { plain, secrets } = mergeConfiguration(
      storedPlain,
      storedSecrets,
      { ...storedPlain, port: 1, apiKey: SECRET_MASK, password: SECRET_MASK },
      SECRET_KEYS,
    );
    expect(secrets).toEqual({ apiKey: 'key-1', password: 'pw-1' });
    expect(plain).toEqual({ host: 'a.example', port: 1, region: 'eu' });
    expect(JSON.stringify(plain)).not.toContain(SECRET_MASK);
  });

  it('an empty patch changes nothing', () => {
    expect(mergeConfiguration(storedPlain, storedSecrets, {}, SECRET_KEYS)).toEqual({
      plain: { ...storedPlain },
      secrets: { ...storedSecrets },
    });
  });

  it('hands a non-string secret to the validator instead of letting the stored value shadow it', () => {
    const { plain, secrets } = mergeConfiguration({}, { apiKey: 'key-1', password: 'pw-1' }, { apiKey: 42 }, SECRET_KEYS);
    expect(plain).toEqual({ apiKey: 42 });
    expect(secrets).toEqual({ password: 'pw-1' });
    // What callers validate carries the bad value, so the validator names the field.
    expect({ ...plain, ...secrets }).toEqual({ apiKey: 42, password: 'pw-1' });
  });

  it('never mutates what was stored', () => {
    const plainBefore = { host: 'a', region: 'eu' };
    const secretsBefore = { apiKey: 'k' };
    mergeConfiguration(plainBefore, secretsBefore, { host: 'b', region: null, apiKey: null }, SECRET_KEYS);
    expect(plainBefore).toEqual({ host: 'a', region: 'eu' });
    expect(secretsBefore).toEqual({ apiKey: 'k' });
  });

  it('separateSecretChanges and applyPatch are the two halves', () => {
    expect(separateSecretChanges({ host: 'h', apiKey: 'k', password: null }, SECRET_KEYS)).toEqual({
      plain: { host: 'h' },
      secretChanges: { apiKey: 'k', password: null },
    });
    expect(applyPatch({ a: 1, b: 2 }, { a: null, c: 3 })).toEqual({ b: 2, c: 3 });
  });
});

describe('changed keys (for the audit trail)', () => {
  it('names added, removed and replaced secrets, never their values', () => {
    const changed = changedSecretKeys({ apiKey: 'k1', password: 'p1' }, { apiKey: 'k2', token: 't' });
    expect(changed).toEqual(['apiKey', 'password', 'token']);
    expect(changedSecretKeys({ apiKey: 'k1' }, { apiKey: 'k1' })).toEqual([]);
  });

  it('compares plain values structurally', () => {
    expect(changedPlainKeys({ a: [1, 2], b: { x: 1 }, c: 1 }, { a: [1, 2], b: { x: 2 }, d: 1 })).toEqual(['b', 'c', 'd']);
  });
});
