/**
 * Type checks for single values: string-like fields, numbers, booleans and ARRAY items.
 *
 * Coercion policy (what an HTML form or a query string sends, turned into the typed value):
 * - INTEGER accepts a number that is a safe integer, or a string of decimal digits with an
 *   optional leading `-` (`"42"`, `"-7"`; not `"4.0"`, `"1e3"`, `" 4"`, `"0x10"`).
 * - FLOAT accepts a finite number, or a decimal literal string (`"2.5"`, `"-.5"`, `"1e-3"`;
 *   not `"Infinity"`, `"NaN"`, `" 1"`, `"1,5"`).
 * - BOOLEAN accepts `true`/`false` and exactly the strings `"true"`/`"false"`.
 * - String-like types accept only strings: a number is not silently turned into text, and
 *   strings are not trimmed (a secret may legitimately contain spaces).
 * The coerced value is what the validated configuration holds.
 */
import { FieldType } from '../fields.ts';
import { STRING_TYPES } from './constraints.ts';
import { formatOf } from './formats.ts';
import { compilePattern } from './regex.ts';

export type Checked = { ok: true; value: unknown } | { ok: false; rule: string; message: string };

const INTEGER_STRING = /^-?\d+$/;
const DECIMAL_STRING = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

const fail = (rule: string, message: string): Checked => ({ ok: false, rule, message });

/** Checks and coerces a value of a scalar type; `subject` starts the message ("Port", "Tags item 2"). */
export function checkScalar(type: string, value: unknown, subject: string): Checked {
  if (STRING_TYPES.includes(type)) {
    if (typeof value !== 'string') return fail('type', `${subject} must be a string`);
    const format = formatOf(type);
    if (format && !compilePattern(format.pattern)?.test(value)) return fail('format', `${subject} ${format.message}`);
    return { ok: true, value };
  }
  switch (type) {
    case FieldType.INTEGER: {
      const number = typeof value === 'string' && INTEGER_STRING.test(value) ? Number(value) : value;
      if (typeof number !== 'number' || !Number.isInteger(number)) return fail('type', `${subject} must be an integer`);
      if (!Number.isSafeInteger(number)) {
        return fail('type', `${subject} must be an integer between ${Number.MIN_SAFE_INTEGER} and ${Number.MAX_SAFE_INTEGER}`);
      }
      return { ok: true, value: number };
    }
    case FieldType.FLOAT: {
      const number = typeof value === 'string' && DECIMAL_STRING.test(value) ? Number(value) : value;
      if (typeof number !== 'number' || !Number.isFinite(number)) return fail('type', `${subject} must be a number`);
      return { ok: true, value: number };
    }
    case FieldType.BOOLEAN:
      if (value === true || value === 'true') return { ok: true, value: true };
      if (value === false || value === 'false') return { ok: true, value: false };
      return fail('type', `${subject} must be true or false`);
    default:
      return fail('type', `${subject} has unsupported type ${type}`);
  }
}
