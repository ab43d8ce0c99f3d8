/**
 * The pieces of the request limits that decide alone: the document nesting scan (strings,
 * block strings and comments are not nesting), the iterative depth check of variables, and
 * the per-token sliding window of checks (with a clock the test moves, not a real minute).
 * test/security/limits.test.ts proves them over HTTP.
 */
import { describe, expect, it } from 'vitest';
import { CheckBudget, LimitExceededError } from '../../../server/access/check-budget.ts';
import { documentNesting, nestsDeeperThan } from '../../../server/app/limits.ts';

const principal = (tokenId: string) => ({ tokenId, tokenName: tokenId, role: 'operator' as const });

describe('documentNesting', () => {
  it.each([
    ['{ a }', { literal: 0, total: 1 }],
    ['{ a { b { c } } }', { literal: 0, total: 3 }],
    ['{ a(x: 1) { b } }', { literal: 0, total: 2 }],
    ['{ a(x: {y: {z: [1]}}) { b } }', { literal: 3, total: 5 }],
    ['query ($v: [String!] = ["a"]) { a(x: $v) }', { literal: 1, total: 2 }],
    ['mutation { m(input: { c: { h: { a: 1 } } }) { __typename } }', { literal: 3, total: 5 }],
    ['{ a(s: "{{{{[[[[") }', { literal: 0, total: 2 }],
    ['{ a(s: "\\"{{{{") }', { literal: 0, total: 2 }],
    ['{ a(s: """ {{{ \\""" {{{ """) }', { literal: 0, total: 2 }],
    ['{ a # {{{{{{\n }', { literal: 0, total: 1 }],
  ])('%s', (source, expected) => {
    expect(documentNesting(source)).toEqual(expected);
  });

  it('scans 50,000 levels without recursion', () => {
    expect(documentNesting(`{ a(x: ${'['.repeat(50_000)}${']'.repeat(50_000)}) }`)).toEqual({ literal: 50_000, total: 50_002 });
  });
});

describe('nestsDeeperThan', () => {
  const nested = (depth: number) => {
    let value: unknown = 'leaf';
    for (let i = 0; i < depth; i++) value = i % 2 ? { a: value } : [value];
    return value;
  };

  it('counts objects and arrays, not scalars', () => {
    expect(nestsDeeperThan('text', 0)).toBe(false);
    expect(nestsDeeperThan({ a: 1 }, 1)).toBe(false);
    expect(nestsDeeperThan({ a: { b: 1 } }, 1)).toBe(true);
    expect(nestsDeeperThan(nested(32), 32)).toBe(false);
    expect(nestsDeeperThan(nested(33), 32)).toBe(true);
  });

  it('checks 100,000 levels without overflowing the stack', () => {
    expect(nestsDeeperThan(nested(100_000), 32)).toBe(true);
  });
});

describe('CheckBudget', () => {
  it('allows perRequest calls in one request, and a new request starts afresh', () => {
    const budget = new CheckBudget({ perRequest: 2, perMinute: 100 });
    const request = budget.forRequest(principal('a'));
    request.spend();
    request.spend();
    expect(() => request.spend()).toThrow(expect.objectContaining({ limit: 'PLUGFORM_MAX_CHECKS_PER_REQUEST', max: 2 }));
    expect(() => budget.forRequest(principal('a')).spend()).not.toThrow();
  });

  it('allows perMinute calls per token in any 60 seconds, and says when to retry', () => {
    let now = 1_000_000;
    const budget = new CheckBudget({ perRequest: 10, perMinute: 3 }, () => now);
    const call = (token: string) => budget.forRequest(principal(token)).spend();
    call('a');
    now += 20_000;
    call('a');
    call('a');
    let refusal: unknown;
    try {
      call('a');
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(LimitExceededError);
    expect(refusal).toMatchObject({ limit: 'PLUGFORM_MAX_CHECKS_PER_MINUTE', max: 3, retryAfterSeconds: 40 });
    expect(() => call('b')).not.toThrow(); // another token

    now += 40_000; // the first call left the window
    expect(() => call('a')).not.toThrow();
    expect(() => call('a')).toThrow(LimitExceededError);
  });

  it('a refused call uses no allowance', () => {
    let now = 0;
    const budget = new CheckBudget({ perRequest: 1, perMinute: 2 }, () => now);
    const request = budget.forRequest(principal('a'));
    request.spend();
    expect(() => request.spend()).toThrow(LimitExceededError); // per request, not counted per minute
    now += 1;
    expect(() => budget.forRequest(principal('a')).spend()).not.toThrow();
  });
});
