/**
 * Long forms: live validation checks the changed field (and the fields whose rules depend
 * on it) with the SDK's validateFields, and must show exactly what whole-form validation
 * would; sections past the first screen mount in the next frames, in order, and anything
 * that focuses a field (submit, the error summary) mounts them at once.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FieldType, isPluginDefinition, validateConfig, type FieldSpec } from '../../plugins/sdk/index.ts';
import { placeErrors } from '../../web/src/form/errors.ts';
import { FIRST_SCREEN_MIN_FIELDS, firstScreenFields } from '../../web/src/form/progressive.ts';
import { fieldOf, leave, renderForm, screen, type } from './helpers.tsx';

const shownErrors = (container: HTMLElement, key: string) =>
  [...fieldOf(container, key).querySelectorAll('.pf-field__error p')].map((p) => p.textContent ?? '');

const PLUGINS_DIR = join(import.meta.dirname, '../../plugins');
// Their modules pull in Node-only SDKs that do not load in jsdom (the console gets their
// fields over GraphQL); test/unit/sdk/validate-fields.test.ts covers their fields too.
const NODE_ONLY = new Set(['s3-storage']);
const fixturePlugins = await Promise.all(
  readdirSync(PLUGINS_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && entry.name !== 'sdk' && !NODE_ONLY.has(entry.name))
    .map(async (entry) => {
      const module = (await import(join(PLUGINS_DIR, entry.name, 'index.ts'))) as { default: unknown };
      if (!isPluginDefinition(module.default)) throw new Error(`${entry.name} exports no plugin definition`);
      return { name: entry.name, fields: [...module.default.fields] };
    }),
);

/** Cross-field custom rules: an edit of Minimum changes the errors of Maximum. */
const crossField: FieldSpec[] = [
  { key: 'min', label: 'Minimum', type: FieldType.INTEGER, required: true, minValue: 0, order: 1 },
  {
    key: 'max',
    label: 'Maximum',
    type: FieldType.INTEGER,
    maxValue: 100,
    order: 2,
    validationRules: [{ type: 'custom', validate: (value, config) => (value as number) >= ((config.min as number) ?? 0) || 'Maximum must not be below Minimum' }],
  },
  { key: 'host', label: 'Host', type: FieldType.STRING, required: true, pattern: '^[a-z.]+$', maxLength: 12, order: 3 },
  { key: 'url', label: 'URL', type: FieldType.URL, order: 4 },
];

const TEXT_LIKE = new Set<string>([FieldType.STRING, FieldType.URL, FieldType.EMAIL, FieldType.PHONE, FieldType.TEXT, FieldType.INTEGER, FieldType.FLOAT]);
const NUMERIC = new Set<string>([FieldType.INTEGER, FieldType.FLOAT]);
const TEXTS = ['', 'x', 'UPPER', 'a.example', 'https://example.com', 'not a url', 'a@example.com', '+14155550123', 'a'.repeat(300)];
const NUMBERS = ['', '0', '-1', '5', '50', '2.5', '100000', '101'];

/** A seeded generator (mulberry32), so a failure replays the same edits. */
function random(seed: number) {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('live per-field validation shows what whole-form validation says', () => {
  it.each([...fixturePlugins, { name: 'cross-field custom rules', fields: crossField }])('$name: after random edits, every field shows validateConfig’s errors', ({ fields }) => {
    const editable = fields.filter((f) => TEXT_LIKE.has(f.type) && f.type !== FieldType.SECRET);
    const { container, api } = renderForm({ fields, mode: 'create' });
    const controlOf = (f: FieldSpec) => fieldOf(container, f.key).querySelector<HTMLInputElement>('input, textarea')!;
    // Every field touched first, so that each one shows its errors as they change.
    for (const field of editable) leave(controlOf(field));
    const next = random(fields.length * 31 + 7);
    let compared = 0;
    for (let edit = 0; edit < 40; edit++) {
      const field = editable[Math.floor(next() * editable.length)];
      if (!field) break;
      const pool = NUMERIC.has(field.type) ? NUMBERS : TEXTS;
      type(controlOf(field), pool[Math.floor(next() * pool.length)]!);
      const { values, secrets } = api().payload();
      const result = validateConfig({ fields }, { ...values, ...secrets });
      const expected = result.ok ? { byField: {} as Record<string, string[]> } : placeErrors(result.errors, fields);
      for (const other of editable) {
        expect(shownErrors(container, other.key), `${other.key} after typing into ${field.key}`).toEqual(expected.byField[other.key] ?? []);
        compared += expected.byField[other.key]?.length ?? 0;
      }
    }
    if (editable.length > 0) expect(compared).toBeGreaterThan(0); // the edits did reach invalid values
  });

  it('an edit of one field updates the errors of a field whose custom rule reads it', () => {
    const { container } = renderForm({ fields: crossField, values: { min: 1, max: 10, host: 'a.example' }, mode: 'edit' });
    const max = screen.getByLabelText('Maximum');
    leave(max);
    expect(shownErrors(container, 'max')).toEqual([]);
    type(screen.getByLabelText(/^Minimum/), '50');
    expect(shownErrors(container, 'max')).toEqual(['Maximum must not be below Minimum']);
    type(screen.getByLabelText(/^Minimum/), '5');
    expect(shownErrors(container, 'max')).toEqual([]);
  });
});

/** A long form of `groups` groups of ten text fields; the last field of all is required. */
function longForm(groups: number): { fields: FieldSpec[]; groups: string[] } {
  const names = Array.from({ length: groups }, (_, g) => `Group ${g + 1}`);
  const fields = names.flatMap((group, g) =>
    Array.from({ length: 10 }, (_, i): FieldSpec => ({
      key: `g${g}_f${i}`,
      label: `Field ${g + 1}.${i + 1}`,
      type: FieldType.STRING,
      group,
      order: i,
      required: g === groups - 1 && i === 9,
    })),
  );
  return { fields, groups: names };
}

describe('a long form mounts its first screen first, then the rest in order', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('has every legend at once, the first sections’ fields, and the others a few frames later, in display order', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'requestAnimationFrame', 'cancelAnimationFrame'] });
    const form = longForm(30);
    const { container } = renderForm({ ...form, values: Object.fromEntries(form.fields.map((f) => [f.key, 'v'])) });
    const legends = [...container.querySelectorAll('legend')].map((l) => l.textContent);
    expect(legends).toEqual(form.groups);
    const mountedNow = container.querySelectorAll('[data-field]').length;
    expect(mountedNow).toBeGreaterThan(0);
    expect(mountedNow).toBeLessThanOrEqual(firstScreenFields());
    expect(container.querySelectorAll('fieldset[aria-busy="true"]').length).toBeGreaterThan(0);
    // Sections sit in blocks of six (sectionBlocks), each sized by its sections' estimate
    // until laid out: six sections of five rows of 6rem, a legend and padding (4rem), five gaps of 1.5rem.
    const blocks = [...container.querySelectorAll<HTMLElement>('.pf-form__block')];
    expect(blocks.map((block) => block.querySelectorAll('fieldset').length)).toEqual([6, 6, 6, 6, 6]);
    expect(blocks.map((block) => block.style.getPropertyValue('contain-intrinsic-size'))).toEqual(Array(5).fill('auto 211.5rem'));

    vi.runAllTimers();
    const keys = [...container.querySelectorAll<HTMLElement>('[data-field]')].map((el) => el.dataset.field);
    expect(keys).toEqual(form.fields.map((f) => f.key));
    expect(container.querySelector('[aria-busy="true"]')).toBeNull();
    // Focus order is the DOM order: the last field's input is the last text input.
    const inputs = [...container.querySelectorAll<HTMLInputElement>('input[type="text"], input:not([type])')];
    expect(inputs.at(-1)?.name).toBe('g29_f9');
  });

  it('a submit before the rest has mounted still finds and focuses an invalid field at the end', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'requestAnimationFrame', 'cancelAnimationFrame'] });
    const form = longForm(30);
    const { container, submit, onSubmit } = renderForm(form);
    expect(container.querySelector('[data-field="g29_f9"]')).toBeNull();
    submit();
    expect(onSubmit).not.toHaveBeenCalled();
    const last = fieldOf(container, 'g29_f9').querySelector('input')!;
    expect(document.activeElement).toBe(last);
    expect(shownErrors(container, 'g29_f9')).toEqual(['Field 30.10 is required']);
  });

  it('a small form is complete in the first frame', () => {
    const form = longForm(FIRST_SCREEN_MIN_FIELDS / 10);
    const { container } = renderForm(form);
    expect(container.querySelectorAll('[data-field]').length).toBe(FIRST_SCREEN_MIN_FIELDS);
    expect(container.querySelector('[aria-busy="true"]')).toBeNull();
  });
});
