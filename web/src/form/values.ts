/**
 * Pure conversions between what inputs hold (text, checkboxes) and what the validator and
 * the API expect (numbers, booleans, arrays, parsed JSON). No rule checking happens here:
 * these helpers only turn input into typed values, or say that the input is not a value at
 * all (an unparseable number or JSON text), which no validator can be asked about.
 */
import { unwrap } from 'solid-js/store';
import { FieldType, isSecretField, type ArrayItemType, type FieldSpec } from '../sdk.ts';
import type { FormValues } from './types.ts';

/**
 * A deep copy of a configuration value the form can own. Values often arrive as Solid store
 * proxies (urql's results are stores), which `structuredClone` refuses with a
 * DataCloneError; `unwrap` gives the plain object underneath, which it can copy.
 */
export function copyValue<T>(value: T): T {
  // A string, number or boolean is its own copy; structuredClone costs ~10 µs a call, which
  // a 5,000-field form paid twice per field at mount (100 ms of its first render).
  if (typeof value !== 'object' || value === null) return value;
  return structuredClone(unwrap(value));
}

/** Empty inputs mean "no value": the validator then applies `required` and defaults. */
export function isBlank(value: unknown): boolean {
  return value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);
}

export interface Parsed<T> {
  value: T | undefined;
  /** Set when the text is not a value of the expected kind. */
  error?: string;
}

/**
 * Text of a number input to a number. `badInput` is the browser's own verdict (a number
 * input reports `''` for text it cannot read, so the text alone would look blank).
 */
export function parseNumberText(text: string, badInput = false): Parsed<number> {
  const trimmed = text.trim();
  if (badInput) return { value: undefined, error: 'Enter a number.' };
  if (trimmed === '') return { value: undefined };
  const value = Number(trimmed);
  if (!Number.isFinite(value)) return { value: undefined, error: 'Enter a number.' };
  // An INTEGER field given 2.5 still passes 2.5 on: the validator says what is wrong with it.
  return { value };
}

export function formatNumber(value: unknown): string {
  return typeof value === 'number' && Number.isFinite(value) ? String(value) : '';
}

/** JSON text to a value, with the parser's complaint (position included) when it fails. */
export function parseJsonText(text: string): Parsed<unknown> {
  if (text.trim() === '') return { value: undefined };
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (err) {
    return { value: undefined, error: describeJsonError(text, err) };
  }
}

function describeJsonError(text: string, err: unknown): string {
  const raw = err instanceof Error ? err.message : String(err);
  // V8 appends "in JSON at position 12 (line 2 column 3)" or quotes the whole input; keep
  // the reason and restate the place as line and column, which is what a person can find.
  const reason = raw
    .replace(/\s*in JSON at position \d+.*$/, '')
    .replace(/,\s*"[\s\S]*" is not valid JSON$/, '')
    .trim();
  const position = /position (\d+)/.exec(raw);
  if (!position) return `Invalid JSON: ${reason}.`;
  const offset = Number(position[1]);
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `Invalid JSON at line ${line}, column ${column}: ${reason}.`;
}

export function formatJson(value: unknown): string {
  return value === undefined ? '' : JSON.stringify(value, null, 2);
}

/** One row of an ARRAY editor as text (or a boolean for BOOLEAN items). */
export type ArrayRowValue = string | boolean;

export function itemTypeOf(field: Pick<FieldSpec, 'itemType'>): ArrayItemType {
  return field.itemType ?? FieldType.STRING;
}

export function isNumericType(type: string): boolean {
  return type === FieldType.INTEGER || type === FieldType.FLOAT;
}

export function arrayToRows(value: unknown, itemType: ArrayItemType): ArrayRowValue[] {
  if (!Array.isArray(value)) return [];
  return value.map((item) => {
    if (itemType === FieldType.BOOLEAN) return item === true;
    if (isNumericType(itemType)) return formatNumber(item);
    return typeof item === 'string' ? item : String(item ?? '');
  });
}

/** One row of an ARRAY editor; `badInput` is a number input's "this is not a number". */
export interface ArrayRow {
  value: ArrayRowValue;
  badInput?: boolean;
}

/**
 * Rows to the array value. Blank text rows are left out (an "Add" that was never filled in
 * is not an item); a row whose text is not a number makes the whole value unreadable.
 */
export function rowsToArray(rows: readonly ArrayRow[], itemType: ArrayItemType): Parsed<unknown[]> {
  const items: unknown[] = [];
  for (const [index, row] of rows.entries()) {
    if (typeof row.value === 'boolean') {
      items.push(row.value);
      continue;
    }
    if (!row.badInput && row.value.trim() === '') continue;
    if (isNumericType(itemType)) {
      const parsed = parseNumberText(row.value, row.badInput);
      if (parsed.error) return { value: undefined, error: `Item ${index + 1}: ${parsed.error}` };
      items.push(parsed.value);
    } else {
      items.push(row.value);
    }
  }
  return { value: items.length > 0 ? items : undefined };
}

/**
 * For each row, the index of the item it becomes in `rowsToArray`'s value (blank text rows
 * become none), so that an error about `tags[1]` can be shown by the row it is about.
 */
export function rowItemIndexes(rows: readonly ArrayRow[]): (number | undefined)[] {
  let next = 0;
  return rows.map((row) => (typeof row.value === 'string' && !row.badInput && row.value.trim() === '' ? undefined : next++));
}

/**
 * The values a form starts with. Secrets are never prefilled (they are write-only). On
 * create, the schema's defaults fill what `given` lacks. A BOOLEAN starts as `false` when it
 * has nothing else, because a switch cannot show "no value".
 */
export function initialValues(
  fields: readonly FieldSpec[],
  given: FormValues = {},
  mode: 'create' | 'edit' = 'create',
): FormValues {
  const values: FormValues = {};
  for (const field of fields) {
    if (isSecretField(field)) continue;
    let value = Object.hasOwn(given, field.key) ? copyValue(given[field.key]) : undefined;
    if (value === undefined && mode === 'create') value = copyValue(field.default);
    if (value === undefined && field.type === FieldType.BOOLEAN) value = false;
    if (value !== undefined) values[field.key] = value;
  }
  return values;
}

/** The non-secret values to send or validate: schema keys only, blank values left out. */
export function compactValues(fields: readonly FieldSpec[], values: FormValues): FormValues {
  const out: FormValues = {};
  for (const field of fields) {
    if (isSecretField(field)) continue;
    const value = values[field.key];
    if (!isBlank(value)) out[field.key] = value;
  }
  return out;
}
