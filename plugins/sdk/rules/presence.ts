/** When a field counts as having no value, shared by the validator and the JSON Schema. */
import { FieldType, type FieldSpec } from '../fields.ts';

export function isListField(field: Pick<FieldSpec, 'type'>): boolean {
  return field.type === FieldType.MULTI_SELECT || field.type === FieldType.ARRAY;
}

/**
 * `undefined`, `null` and `''` are no value (what an untouched form input sends); so is `[]`
 * for a required list, since a required list asks for at least one item.
 */
export function isMissing(field: Pick<FieldSpec, 'type' | 'required'>, value: unknown): boolean {
  if (value === undefined || value === null || value === '') return true;
  return field.required === true && isListField(field) && Array.isArray(value) && value.length === 0;
}

export function hasDefault(field: FieldSpec): boolean {
  return !isMissing(field, field.default);
}
