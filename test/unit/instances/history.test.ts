/** The configuration history's pure parts: secret changes from fingerprints, and the field-by-field diff. */
import { describe, expect, it } from 'vitest';
import { diffVersions, secretChanges } from '../../../server/instances/history.ts';

const state = (fingerprint: string) => ({ fingerprint, changedAt: '2026-12-05T12:00:00.000Z' });

describe('secretChanges', () => {
  it('says set, changed or cleared per key, and nothing for an unchanged fingerprint', () => {
    expect(secretChanges({ a: 'x', b: 'y', c: 'z' }, { a: 'x', b: 'y2', d: 'w' })).toEqual([
      { key: 'b', change: 'changed' },
      { key: 'c', change: 'cleared' },
      { key: 'd', change: 'set' },
    ]);
    expect(secretChanges({ a: 'x' }, { a: 'x' })).toEqual([]);
  });
});

describe('diffVersions', () => {
  it('lists plain fields added, removed and changed with their values, and secrets without any', () => {
    const from = { config: { url: 'https://a.test', retries: 3, tags: ['x'] }, secrets: { token: state('f1'), old: state('f2') } };
    const to = { config: { url: 'https://b.test', retries: 3, region: 'eu' }, secrets: { token: state('f3'), fresh: state('f4') } };
    expect(diffVersions(from, to)).toEqual([
      { key: 'fresh', change: 'set', secret: true },
      { key: 'old', change: 'cleared', secret: true },
      { key: 'region', change: 'added', secret: false, newValue: 'eu' },
      { key: 'tags', change: 'removed', secret: false, oldValue: ['x'] },
      { key: 'token', change: 'changed', secret: true },
      { key: 'url', change: 'changed', secret: false, oldValue: 'https://a.test', newValue: 'https://b.test' },
    ]);
    expect(diffVersions(to, to)).toEqual([]);
  });

  it('compares structured values by content', () => {
    expect(diffVersions({ config: { o: { a: 1, b: [1, 2] } }, secrets: {} }, { config: { o: { a: 1, b: [1, 2] } }, secrets: {} })).toEqual([]);
    expect(diffVersions({ config: { o: { a: 1 } }, secrets: {} }, { config: { o: { a: 2 } }, secrets: {} })).toEqual([
      { key: 'o', change: 'changed', secret: false, oldValue: { a: 1 }, newValue: { a: 2 } },
    ]);
  });
});
