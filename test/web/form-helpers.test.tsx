/** The renderer's pure helpers: grouping, value conversion, secrets, error placement, GraphQL adapter. */
import { describe, expect, it } from 'vitest';
import type { FieldSpec } from '../../plugins/sdk/index.ts';
import { fieldKeyOf, placeErrors } from '../../web/src/form/errors.ts';
import { estimatedFieldsHeightRem, groupFields, sectionBlocks, sortByOrder, type FieldSection } from '../../web/src/form/grouping.ts';
import { fieldIds, describedBy } from '../../web/src/form/ids.ts';
import { toFormSchema, type GraphqlField } from '../../web/src/form/schema.ts';
import {
  formatChangedAt,
  initialSecretDrafts,
  keptSecretKeys,
  secretsForValidation,
  secretsPayload,
  STORED_SECRET_PLACEHOLDER,
} from '../../web/src/form/secrets.ts';
import {
  arrayToRows,
  compactValues,
  formatJson,
  initialValues,
  isBlank,
  parseJsonText,
  parseNumberText,
  rowsToArray,
} from '../../web/src/form/values.ts';

const f = (key: string, extra: Partial<FieldSpec> = {}): FieldSpec => ({ key, label: key, type: 'STRING', ...extra });

describe('grouping', () => {
  it('sorts by order, unordered last, stable for ties', () => {
    const fields = [f('a'), f('b', { order: 2 }), f('c', { order: 1 }), f('d'), f('e', { order: 1 })];
    expect(sortByOrder(fields).map((x) => x.key)).toEqual(['c', 'e', 'b', 'a', 'd']);
  });

  it('ungrouped first, then listed groups, then the rest by first appearance; empty listed groups skipped', () => {
    const fields = [f('x', { group: 'Z' }), f('y'), f('w', { group: 'A' }), f('v', { group: 'Z' })];
    expect(groupFields(fields, ['A', 'Nothing']).map((s) => [s.name, s.fields.map((x) => x.key)])).toEqual([
      [null, ['y']],
      ['A', ['w']],
      ['Z', ['x', 'v']],
    ]);
  });

  it('no ungrouped section when every field has a group', () => {
    expect(groupFields([f('a', { group: 'G' })]).map((s) => s.name)).toEqual(['G']);
  });

  const sections = (count: number): FieldSection[] => Array.from({ length: count }, (_, i) => ({ name: `G${i}`, fields: [f(`k${i}`)] }));
  it.each([
    [0, []],
    [1, [1]],
    [2, [2]],
    [5, [3, 2]],
    [30, [6, 6, 6, 6, 6]],
    [100, Array(10).fill(10)],
    [500, [...Array(21).fill(23), 17]],
  ])('%i sections make blocks of %j sections: about √n of about √n, in order', (count, sizes) => {
    const all = sections(count);
    const blocks = sectionBlocks(all);
    expect(blocks.map((b) => b.sections.length)).toEqual(sizes);
    expect(blocks.flatMap((b) => b.sections)).toEqual(all);
    // Each block knows where its first section sits among all of them.
    for (const block of blocks) expect(all.indexOf(block.sections[0]!)).toBe(block.start);
  });

  it('estimates a section’s fields at 6rem a row of two', () => {
    expect(estimatedFieldsHeightRem({ name: null, fields: [f('a')] })).toBe(6);
    expect(estimatedFieldsHeightRem({ name: null, fields: Array.from({ length: 10 }, (_, i) => f(`k${i}`)) })).toBe(30);
    expect(estimatedFieldsHeightRem({ name: null, fields: Array.from({ length: 11 }, (_, i) => f(`k${i}`)) })).toBe(36);
  });
});

describe('value conversion', () => {
  it('isBlank: undefined, null, empty string and empty list', () => {
    expect([undefined, null, '', []].every(isBlank)).toBe(true);
    expect([0, false, ' ', [0], {}].some(isBlank)).toBe(false);
  });

  it('parseNumberText', () => {
    expect(parseNumberText('42')).toEqual({ value: 42 });
    expect(parseNumberText(' 2.5 ')).toEqual({ value: 2.5 });
    expect(parseNumberText('')).toEqual({ value: undefined });
    expect(parseNumberText('abc').error).toBe('Enter a number.');
    expect(parseNumberText('', true).error).toBe('Enter a number.');
  });

  it('parseJsonText reports where the text breaks', () => {
    expect(parseJsonText('{"a":[1]}')).toEqual({ value: { a: [1] } });
    expect(parseJsonText('  ')).toEqual({ value: undefined });
    expect(parseJsonText('{\n  "a": 1,\n  b: 2\n}').error).toMatch(/^Invalid JSON at line 3, column 3: /);
    expect(parseJsonText('{"a":').error).toMatch(/^Invalid JSON/);
    expect(formatJson({ a: 1 })).toBe('{\n  "a": 1\n}');
    expect(formatJson(undefined)).toBe('');
  });

  it('array rows ↔ values by item type', () => {
    expect(arrayToRows([1, 2.5], 'FLOAT')).toEqual(['1', '2.5']);
    expect(arrayToRows([true, false], 'BOOLEAN')).toEqual([true, false]);
    expect(arrayToRows('nope', 'STRING')).toEqual([]);
    expect(rowsToArray([{ value: '1' }, { value: '' }, { value: '3' }], 'INTEGER')).toEqual({ value: [1, 3] });
    expect(rowsToArray([{ value: ' ' }], 'STRING')).toEqual({ value: undefined });
    expect(rowsToArray([{ value: '1' }, { value: 'x' }], 'INTEGER').error).toBe('Item 2: Enter a number.');
    expect(rowsToArray([{ value: '', badInput: true }], 'FLOAT').error).toBe('Item 1: Enter a number.');
    expect(rowsToArray([{ value: false }], 'BOOLEAN')).toEqual({ value: [false] });
  });

  it('initialValues: defaults on create only, booleans never undefined, secrets never', () => {
    const fields = [
      f('s', { default: 'd' }),
      f('b', { type: 'BOOLEAN' }),
      f('j', { type: 'JSON', default: { a: 1 } }),
      f('t', { type: 'SECRET', default: 'no' }),
      f('h', { isSecret: true }),
    ];
    const created = initialValues(fields, { h: 'leak', t: 'leak' }, 'create');
    expect(created).toEqual({ s: 'd', b: false, j: { a: 1 } });
    expect(created.j).not.toBe(fields[2]!.default); // a copy: editing never mutates the schema
    expect(initialValues(fields, { s: 'stored' }, 'edit')).toEqual({ s: 'stored', b: false });
  });

  it('compactValues keeps schema keys only, drops blanks and secrets', () => {
    const fields = [f('a'), f('b'), f('c', { type: 'SECRET' })];
    expect(compactValues(fields, { a: 'x', b: '', c: 'secret', stray: 1 })).toEqual({ a: 'x' });
  });
});

describe('secret helpers', () => {
  const fields = [f('a', { type: 'SECRET' }), f('b', { isSecret: true }), f('plain')];

  it('drafts start as keep when set, as an empty input otherwise', () => {
    expect(initialSecretDrafts(fields, { a: { isSet: true } })).toEqual({
      a: { kind: 'keep' },
      b: { kind: 'enter', value: '' },
    });
  });

  it('payload holds only replaced (string) and cleared (null) secrets', () => {
    const state = { a: { isSet: true }, b: { isSet: false } };
    expect(secretsPayload({ a: { kind: 'keep' }, b: { kind: 'enter', value: '' } }, state)).toEqual({});
    expect(secretsPayload({ a: { kind: 'enter', value: 'n' }, b: { kind: 'enter', value: 'm' } }, state)).toEqual({ a: 'n', b: 'm' });
    expect(secretsPayload({ a: { kind: 'clear' } }, state)).toEqual({ a: null });
    // Clearing what is not stored is a no-op, not a request.
    expect(secretsPayload({ b: { kind: 'clear' } }, state)).toEqual({});
  });

  it('the validator sees the placeholder for kept secrets; their errors are ignored', () => {
    const drafts = { a: { kind: 'keep' }, b: { kind: 'enter', value: 'x' } } as const;
    expect(secretsForValidation(drafts)).toEqual({ a: STORED_SECRET_PLACEHOLDER, b: 'x' });
    expect([...keptSecretKeys(drafts)]).toEqual(['a']);
  });

  it('an opened but empty replacement keeps the stored value (nothing would be sent)', () => {
    const drafts = { a: { kind: 'enter', value: '' }, b: { kind: 'enter', value: '' } } as const;
    const state = { a: { isSet: true } };
    expect(secretsForValidation(drafts, state)).toEqual({ a: STORED_SECRET_PLACEHOLDER });
    expect([...keptSecretKeys(drafts, state)]).toEqual(['a']);
    expect(secretsPayload(drafts, state)).toEqual({});
  });

  it('formatChangedAt', () => {
    expect(formatChangedAt('2025-03-12T14:05:00Z', 'en-GB')).toMatch(/12 Mar 2025/);
    expect(formatChangedAt(undefined)).toBeUndefined();
    expect(formatChangedAt('not a date')).toBeUndefined();
  });
});

describe('error placement', () => {
  const fields = [f('tags'), f('name')];

  it('maps item paths to their field', () => {
    const keys = new Set(['tags', 'name']);
    expect(fieldKeyOf('tags[2]', keys)).toBe('tags');
    expect(fieldKeyOf('tags.2', keys)).toBe('tags');
    expect(fieldKeyOf('name', keys)).toBe('name');
    expect(fieldKeyOf('other', keys)).toBeUndefined();
  });

  it('groups messages per field, dedupes, keeps general ones, skips ignored keys', () => {
    const placed = placeErrors(
      [
        { field: 'tags[0]', message: 'Tags item 1 is bad' },
        { field: 'tags[0]', message: 'Tags item 1 is bad' },
        { field: 'name', message: 'Name is required' },
        { field: '', message: 'Whole config' },
        { field: 'ghost', message: 'Unknown field "ghost"' },
      ],
      fields,
      new Set(['name']),
    );
    expect(placed.byField).toEqual({ tags: ['Tags item 1 is bad'] });
    expect(placed.general).toEqual(['Whole config', 'ghost: Unknown field "ghost"']);
  });

  it('ids are safe and describedby skips what is not rendered', () => {
    expect(fieldIds('pf-1', 'a b.c').control).toBe('pf-1-a_b_c');
    expect(describedBy(undefined, 'x', false, 'y')).toBe('x y');
    expect(describedBy(false)).toBeUndefined();
  });
});

describe('toFormSchema (GraphQL fields → FieldSpec)', () => {
  const graphql: GraphqlField[] = [
    {
      key: 'phone',
      label: 'Phone',
      type: 'PHONE',
      description: null,
      required: true,
      default: null,
      minLength: null,
      pattern: '^\\+',
      group: 'Basic',
      order: 1,
      options: null,
      validationRules: [
        { type: 'pattern', value: '^\\+1', message: 'US numbers only' },
        { type: 'custom', value: null, message: 'Checked by the server' },
        { type: 'maxLength', value: 16, message: null },
      ],
    },
    {
      key: 'ver',
      label: 'Version',
      type: 'SELECT',
      options: [{ value: 'a', label: 'A', description: null }],
      validationRules: [{ type: 'custom', message: 'Server only' }],
      isSecret: null,
      itemType: null,
    },
  ];

  it('drops custom rules, keeps declarative ones, turns nulls into absent properties', () => {
    const [phone, ver] = toFormSchema(graphql);
    expect(phone).toEqual({
      key: 'phone',
      label: 'Phone',
      type: 'PHONE',
      required: true,
      pattern: '^\\+',
      group: 'Basic',
      order: 1,
      validationRules: [
        { type: 'pattern', value: '^\\+1', message: 'US numbers only' },
        { type: 'maxLength', value: 16 },
      ],
    });
    expect(ver).toEqual({ key: 'ver', label: 'Version', type: 'SELECT', options: [{ value: 'a', label: 'A' }] });
  });

  it('keeps falsy but meaningful values (default false, order 0)', () => {
    const [spec] = toFormSchema([{ key: 'b', label: 'B', type: 'BOOLEAN', default: false, order: 0 }]);
    expect(spec).toEqual({ key: 'b', label: 'B', type: 'BOOLEAN', default: false, order: 0 });
  });
});
