/**
 * `toJsonSchema`: a plugin's configuration schema as JSON Schema 2020-12, so other teams can
 * validate configurations with any tool and generate types from it.
 *
 * For canonical, already typed values (numbers as numbers, JSON as objects, absent fields
 * left out) a JSON Schema validator and `validateConfig` reach the same verdict. What the
 * JSON Schema does not say:
 * - `validateConfig`'s input conveniences: coercion (`"5"` for an INTEGER, JSON text for a
 *   JSON field) and `null`/`''` meaning "no value" (the JSON Schema rejects them).
 * - `custom` validation rules: they are code, so only `validateConfig` runs them.
 * A required field with a default is not listed in `required`: the default fills it.
 * A conditional field (`visibleWhen`) that is required is required under `if`/`then` in
 * `allOf`; the `if` holds while the field is shown (a field named by a condition counts with
 * its default when absent). A hidden field is left out of canonical configurations:
 * `validateConfig` drops it unchecked, while the JSON Schema still checks its type.
 *
 * Presentation goes into `x-` keywords (strict validators must be told about them:
 * `JSON_SCHEMA_EXTENSION_KEYWORDS`); secrets are `writeOnly` and never carry a default.
 */
import { fieldAttributeEntries } from './field-attributes.ts';
import { FieldType, isSecretField, type FieldSpec } from './fields.ts';
import type { PluginConfig } from './plugin.ts';
import { STRING_TYPES, fieldConstraints, itemTypeOf, type Constraint } from './rules/constraints.ts';
import { formatOf } from './rules/formats.ts';
import { conditionValues } from './rules/conditions.ts';
import { hasDefault, isListField } from './rules/presence.ts';

export type JsonSchema = Record<string, unknown>;

export const JSON_SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema';

/** The attributes toJsonSchema copies as they are, with their keywords (FIELD_ATTRIBUTES says which). */
const COPIED_ATTRIBUTES = fieldAttributeEntries().flatMap(([attribute, { jsonSchema }]) =>
  'copiedTo' in jsonSchema ? [{ attribute, keyword: jsonSchema.copiedTo }] : [],
);
/** Presentation hints beyond the standard vocabulary: they go after the keywords that validate. */
const isExtension = (keyword: string): boolean => keyword.startsWith('x-');

/** The annotation keywords `toJsonSchema` adds beyond the standard vocabulary. */
export const JSON_SCHEMA_EXTENSION_KEYWORDS: readonly string[] = [
  ...COPIED_ATTRIBUTES.map(({ keyword }) => keyword).filter(isExtension),
  'x-groups',
];

export function toJsonSchema(schema: PluginConfig): JsonSchema {
  const requiredWhenShown = schema.fields.filter((field) => field.visibleWhen && field.required && !hasDefault(field));
  return {
    $schema: JSON_SCHEMA_DIALECT,
    title: schema.displayName ?? schema.name,
    ...(schema.description !== undefined && { description: schema.description }),
    type: 'object',
    properties: Object.fromEntries(schema.fields.map((field) => [field.key, fieldSchema(field)])),
    required: schema.fields.filter((field) => field.required && !hasDefault(field) && !field.visibleWhen).map((field) => field.key),
    additionalProperties: false,
    ...(requiredWhenShown.length > 0 && {
      // `properties` restates the key so that strict validators see `required` name a known property.
      allOf: requiredWhenShown.map((field) => ({
        if: shownSchema(schema.fields, field),
        then: { properties: { [field.key]: true }, required: [field.key] },
      })),
    }),
    ...(schema.groups !== undefined && { 'x-groups': [...schema.groups] }),
  };
}

/**
 * Holds while `field` is shown: every condition on the way up its chain holds. A named field
 * that is absent counts with its default, as `validateConfig` takes it.
 */
function shownSchema(fields: readonly FieldSpec[], field: FieldSpec): JsonSchema {
  const links: JsonSchema[] = [];
  const seen = new Set<string>();
  for (let condition = field.visibleWhen; condition && !seen.has(condition.field); ) {
    const key = condition.field;
    seen.add(key);
    const source = fields.find((candidate) => candidate.key === key);
    const values = conditionValues(condition);
    const absentMatches = source !== undefined && hasDefault(source) && values.includes(source.default as string | boolean);
    links.push({
      properties: { [key]: values.length === 1 ? { const: values[0] } : { enum: [...values] } },
      ...(!absentMatches && { required: [key] }),
    });
    condition = source?.visibleWhen;
  }
  return links.length === 1 ? links[0]! : { allOf: links };
}

function fieldSchema(field: FieldSpec): JsonSchema {
  const secret = isSecretField(field);
  const copied = COPIED_ATTRIBUTES.filter(({ attribute }) => field[attribute] !== undefined);
  const copy = (extensions: boolean): JsonSchema =>
    Object.fromEntries(copied.filter(({ keyword }) => isExtension(keyword) === extensions).map(({ attribute, keyword }) => [keyword, field[attribute]]));
  const property: JsonSchema = { ...copy(false), ...valueSchema(field) };
  const items = property.items as JsonSchema | undefined;
  const isList = isListField(field);

  // An empty string or list counts as missing, so a required one needs a character or an item.
  if (field.required && isList) tighten(property, 'minItems', 1, Math.max);
  if (field.required && STRING_TYPES.includes(field.type)) tighten(property, 'minLength', 1, Math.max);
  for (const constraint of fieldConstraints(field)) {
    apply(constraint.target === 'items' && items ? items : property, constraint, constraint.target === 'value' && isList);
  }

  if (hasDefault(field) && !secret) property.default = field.default;
  if (secret) property.writeOnly = true;
  return { ...property, ...copy(true) };
}

function valueSchema(field: FieldSpec): JsonSchema {
  const optionValues = (field.options ?? []).map((option) => option.value);
  switch (field.type) {
    case FieldType.SELECT:
      return { type: 'string', enum: optionValues };
    case FieldType.MULTI_SELECT:
      return { type: 'array', items: { type: 'string', enum: optionValues }, uniqueItems: true };
    case FieldType.JSON:
      return { type: field.jsonShape ?? 'object' };
    case FieldType.ARRAY:
      return { type: 'array', items: scalarSchema(itemTypeOf(field)) };
    default:
      return scalarSchema(field.type);
  }
}

/** A string-like, number or boolean type, with the pattern that defines its format. */
function scalarSchema(type: string): JsonSchema {
  if (STRING_TYPES.includes(type)) {
    const format = formatOf(type);
    return format
      ? { type: 'string', ...(format.jsonFormat && { format: format.jsonFormat }), pattern: format.pattern }
      : { type: 'string' };
  }
  // validateConfig takes only safe integers: beyond them a number is no longer exact.
  if (type === FieldType.INTEGER) return { type: 'integer', minimum: Number.MIN_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER };
  if (type === FieldType.FLOAT) return { type: 'number' };
  return { type: 'boolean' };
}

/** Folds a constraint into a schema; bounds combine into the strictest one. */
function apply(target: JsonSchema, constraint: Constraint, countsItems: boolean): void {
  switch (constraint.kind) {
    case 'minLength':
      return tighten(target, countsItems ? 'minItems' : 'minLength', constraint.limit, Math.max);
    case 'maxLength':
      return tighten(target, countsItems ? 'maxItems' : 'maxLength', constraint.limit, Math.min);
    case 'min':
      return tighten(target, 'minimum', constraint.limit, Math.max);
    case 'max':
      return tighten(target, 'maximum', constraint.limit, Math.min);
    case 'pattern':
      return addAssertion(target, 'pattern', constraint.pattern);
    case 'enum':
      return addAssertion(target, 'enum', [...constraint.values]);
  }
}

function tighten(target: JsonSchema, keyword: string, limit: number, pick: (a: number, b: number) => number): void {
  const current = target[keyword];
  target[keyword] = typeof current === 'number' ? pick(current, limit) : limit;
}

/** A keyword can appear once per schema; further occurrences must all hold, so they go to `allOf`. */
function addAssertion(target: JsonSchema, keyword: 'pattern' | 'enum', value: unknown): void {
  if (target[keyword] === undefined) {
    target[keyword] = value;
  } else {
    target.allOf = [...((target.allOf as JsonSchema[] | undefined) ?? []), { [keyword]: value }];
  }
}
