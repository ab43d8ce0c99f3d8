/** Type checks for the non-scalar field types: SELECT options and JSON documents. */
import type { FieldSpec } from '../fields.ts';
import type { Checked } from './scalars.ts';

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** A SELECT value, or one MULTI_SELECT item: the value of one of the field's options. */
export function checkOption(field: Pick<FieldSpec, 'options'>, value: unknown, subject: string): Checked {
  const values = (field.options ?? []).map((option) => option.value);
  if (typeof value === 'string' && values.includes(value)) return { ok: true, value };
  return { ok: false, rule: 'options', message: `${subject} must be one of: ${values.join(', ')}` };
}

/**
 * A JSON field holds an object (or an array when `jsonShape: 'array'`). A string is parsed
 * first, since a JSON editor or a form sends text; the parser's explanation is kept (it
 * quotes the input, which is fine: a JSON field cannot be secret, see `checkPluginSchema`).
 */
export function checkJson(field: Pick<FieldSpec, 'jsonShape'>, value: unknown, subject: string): Checked {
  let parsed = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      return { ok: false, rule: 'json', message: `${subject} is not valid JSON: ${detail}` };
    }
  }
  const shape = field.jsonShape ?? 'object';
  if (shape === 'array' ? Array.isArray(parsed) : isPlainObject(parsed)) return { ok: true, value: parsed };
  return { ok: false, rule: 'type', message: `${subject} must be a JSON ${shape}` };
}
