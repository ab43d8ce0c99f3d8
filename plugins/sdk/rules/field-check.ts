/**
 * Registration checks for one field of a plugin schema. The input is untrusted (a plugin may
 * return anything), so every attribute is looked at before it is used.
 */
import {
  ARRAY_ITEM_TYPES,
  DECLARATIVE_RULE_TYPES,
  FIELD_TYPES,
  FieldType,
  isSecretField,
  type FieldSpec,
  type ValidationRule,
} from '../fields.ts';
import { ATTRIBUTE_KINDS, fieldAttributeEntries, FIELD_ATTRIBUTES, type AttributeKind } from '../field-attributes.ts';
import { validateConfig } from '../validate.ts';
import { STRING_TYPES, constraintTarget, fieldConstraints, itemTypeOf, type Constraint, type ConstraintKind } from './constraints.ts';
import { compilePattern } from './regex.ts';
import type { SchemaProblem } from './schema-problem.ts';
import { isPlainObject } from './shapes.ts';

export type { SchemaProblem } from './schema-problem.ts';

const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Would turn into the prototype when some consumer assigns `config[key] = …`. */
const RESERVED_KEYS = ['__proto__'];

const RULE_TYPES: readonly string[] = [...DECLARATIVE_RULE_TYPES, 'custom'];

const quote = (value: unknown): string => JSON.stringify(value) ?? String(value);
const isLength = (value: unknown): boolean => Number.isInteger(value) && (value as number) >= 0;

/**
 * The kinds of attribute (see FIELD_ATTRIBUTES) whose value its type alone settles. The
 * other kinds are checked below, with the field type or the other fields they depend on.
 */
const VALUE_CHECKS: Partial<Record<AttributeKind, { accepts: (value: unknown) => boolean; problem: (attribute: string, value: unknown) => string }>> = {
  string: { accepts: (value) => typeof value === 'string', problem: (attribute) => `${attribute} must be a string` },
  boolean: { accepts: (value) => typeof value === 'boolean', problem: (attribute) => `${attribute} must be true or false` },
  integer: { accepts: Number.isSafeInteger, problem: (attribute, value) => `${attribute} ${quote(value)} must be an integer` },
  length: { accepts: isLength, problem: (attribute, value) => `${attribute} ${quote(value)} must be a non-negative integer` },
  number: { accepts: Number.isFinite, problem: (attribute, value) => `${attribute} ${quote(value)} must be a number` },
};
/** GraphQL's `Int` is 32-bit: a fraction or a larger value would break every query of the field. */
const GRAPHQL_INT_MAX = 2 ** 31 - 1;

/**
 * The problems of the field at `index`, each message prefixed with where it is
 * (`field "port": …`, or `fields[3]: …` when the field has no usable key).
 * `earlierKeys` maps the keys of the fields before it to their index, to find duplicates.
 */
export function checkField(spec: unknown, index: number, earlierKeys: Map<string, number>): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  if (!isPlainObject(spec)) return [{ field: '', message: `fields[${index}]: must be an object` }];

  const keyIsUsable = typeof spec.key === 'string' && KEY.test(spec.key);
  // A field without a usable key is named by its position, and its problems by no key.
  const field = keyIsUsable ? (spec.key as string) : '';
  const where = keyIsUsable ? `field "${field}"` : `fields[${index}]`;
  const problem = (message: string): void => {
    problems.push({ field, message: `${where}: ${message}` });
  };

  if (spec.key === undefined) problem('key is required');
  else if (!keyIsUsable) problem(`key ${quote(spec.key)} must be an identifier (letters, digits and _, not starting with a digit)`);
  else if (RESERVED_KEYS.includes(field)) problem(`key "${field}" is reserved`);
  else if (earlierKeys.has(field)) problem(`key is used by more than one field (fields[${earlierKeys.get(field)}] and fields[${index}])`);
  else earlierKeys.set(field, index);

  for (const attribute of Object.keys(spec)) {
    if (!Object.hasOwn(FIELD_ATTRIBUTES, attribute)) problem(`unknown attribute "${attribute}"`);
  }
  if (typeof spec.label !== 'string' || spec.label.trim() === '') problem('label is required');
  let wellTyped = true;
  for (const [attribute, { kind }] of fieldAttributeEntries()) {
    const found = valueProblem(attribute, kind, spec[attribute]);
    if (found === undefined) continue;
    problem(found);
    wellTyped = false;
  }
  const { destination } = spec;
  if (destination !== undefined && typeof destination !== 'boolean') {
    if (!Array.isArray(destination) || destination.length === 0 || !destination.every((key) => typeof key === 'string')) {
      problem('destination must be true, false or a non-empty list of secret field keys');
    }
  }

  if (typeof spec.type !== 'string' || !(FIELD_TYPES as readonly string[]).includes(spec.type)) {
    problem(`type ${quote(spec.type)} is not a field type (one of: ${FIELD_TYPES.join(', ')})`);
    return problems; // everything below depends on the type
  }
  const before = problems.length;
  const typed = spec as unknown as FieldSpec;
  checkTypeAttributes(typed, problem);
  checkConstraintAttributes(typed, problem);
  // Bounds and the default are only meaningful once the field itself is well formed.
  if (wellTyped && problems.length === before) {
    checkBounds(fieldConstraints(typed), problem);
    checkDefault(typed, problem);
  }
  return problems;
}

/** What is wrong with the value of an attribute of a kind VALUE_CHECKS settles, if anything. */
function valueProblem(attribute: string, kind: AttributeKind, value: unknown): string | undefined {
  const check = VALUE_CHECKS[kind];
  if (check === undefined || value === undefined) return undefined;
  if (!check.accepts(value)) return check.problem(attribute, value);
  if (ATTRIBUTE_KINDS[kind].graphql === 'Int' && Math.abs(value as number) > GRAPHQL_INT_MAX) {
    return `${attribute} ${quote(value)} must lie within ±${GRAPHQL_INT_MAX} (GraphQL gives it as a 32-bit Int)`;
  }
  return undefined;
}

/** Options, item type and JSON shape: each belongs to one family of types. */
function checkTypeAttributes(spec: FieldSpec, problem: (message: string) => void): void {
  const isSelect = spec.type === FieldType.SELECT || spec.type === FieldType.MULTI_SELECT;
  if (isSelect) {
    if (!Array.isArray(spec.options) || spec.options.length === 0) {
      problem(`options must list at least one choice for a ${spec.type} field`);
    } else {
      const seen = new Set<string>();
      spec.options.forEach((option: unknown, index) => {
        const value: unknown = isPlainObject(option) ? option.value : undefined;
        if (typeof value !== 'string' || value === '') return problem(`option ${index + 1} needs a non-empty string value`);
        if (!isPlainObject(option) || typeof option.label !== 'string') problem(`option "${value}" needs a label`);
        if (seen.has(value)) problem(`option value "${value}" is used more than once`);
        seen.add(value);
      });
    }
  } else if (spec.options !== undefined) {
    problem('options apply only to SELECT and MULTI_SELECT fields');
  }

  if (spec.itemType !== undefined) {
    if (spec.type !== FieldType.ARRAY) problem('itemType applies only to ARRAY fields');
    else if (!(ARRAY_ITEM_TYPES as readonly string[]).includes(spec.itemType)) {
      problem(`itemType ${quote(spec.itemType)} is not allowed (one of: ${ARRAY_ITEM_TYPES.join(', ')})`);
    }
  }
  if (spec.jsonShape !== undefined) {
    if (spec.type !== FieldType.JSON) problem('jsonShape applies only to JSON fields');
    else if (spec.jsonShape !== 'object' && spec.jsonShape !== 'array') problem(`jsonShape ${quote(spec.jsonShape)} must be "object" or "array"`);
  }
  // Secret stores hold text; a secret number or list would have no faithful representation.
  if (spec.isSecret === true && !STRING_TYPES.includes(spec.type)) {
    problem(`isSecret applies only to text fields (${STRING_TYPES.join(', ')})`);
  }
}

/** Length, value and pattern attributes, and the validation rules. */
function checkConstraintAttributes(spec: FieldSpec, problem: (message: string) => void): void {
  const applies = (kind: ConstraintKind, what: string): boolean => {
    if (constraintTarget(kind, spec) !== undefined) return true;
    problem(`${what} does not apply to ${spec.type} fields`);
    return false;
  };
  // Their values' types are checked with the other attributes' (VALUE_CHECKS).
  for (const [attribute, kind] of [['minLength', 'minLength'], ['maxLength', 'maxLength'], ['minValue', 'min'], ['maxValue', 'max']] as const) {
    if (spec[attribute] !== undefined) applies(kind, attribute);
  }
  if (spec.pattern !== undefined && applies('pattern', 'pattern')) {
    if (typeof spec.pattern !== 'string' || !compilePattern(spec.pattern)) {
      problem(`pattern ${quote(spec.pattern)} is not a valid regular expression`);
    }
  }
  if (spec.validationRules === undefined) return;
  if (!Array.isArray(spec.validationRules)) return problem('validationRules must be a list');
  spec.validationRules.forEach((rule: unknown, index) => {
    const name = `validation rule ${index + 1}`;
    if (!isPlainObject(rule) || typeof rule.type !== 'string' || !RULE_TYPES.includes(rule.type)) {
      const type = isPlainObject(rule) ? rule.type : rule;
      return problem(`${name} has unknown type ${quote(type)} (one of: ${RULE_TYPES.join(', ')})`);
    }
    if (rule.message !== undefined && typeof rule.message !== 'string') problem(`${name} message must be a string`);
    const described = `${name} (${rule.type})`;
    const valueProblem = ruleValueProblem(rule as unknown as ValidationRule, spec);
    if (valueProblem) problem(`${described} ${valueProblem}`);
    else if (rule.type !== 'custom') applies(rule.type as ConstraintKind, described);
  });
}

/** What is wrong with a rule's `value` (or `validate`), if anything. */
function ruleValueProblem(rule: ValidationRule, spec: FieldSpec): string | undefined {
  switch (rule.type) {
    case 'custom':
      return typeof rule.validate === 'function' ? undefined : 'needs a validate function';
    case 'pattern':
      return typeof rule.value === 'string' && compilePattern(rule.value)
        ? undefined
        : `${quote(rule.value)} is not a valid regular expression`;
    case 'minLength':
    case 'maxLength':
      return isLength(rule.value) ? undefined : `value ${quote(rule.value)} must be a non-negative integer`;
    case 'min':
    case 'max':
      return Number.isFinite(rule.value) ? undefined : `value ${quote(rule.value)} must be a number`;
    case 'enum': {
      if (!Array.isArray(rule.value) || rule.value.length === 0) return 'needs a non-empty list of values';
      const expected = valueKind(itemTypeOf(spec));
      return rule.value.every((value) => typeof value === expected) ? undefined : `values must all be ${expected}s`;
    }
  }
}

/** The JavaScript type of a (typed) value of the given field or item type. */
function valueKind(type: string): 'number' | 'boolean' | 'string' {
  if (type === FieldType.INTEGER || type === FieldType.FLOAT) return 'number';
  return type === FieldType.BOOLEAN ? 'boolean' : 'string';
}

/** A lower bound above an upper bound admits no value at all. */
function checkBounds(constraints: Constraint[], problem: (message: string) => void): void {
  const pairs = [['minLength', 'maxLength'], ['min', 'max']] as const;
  for (const [lowKind, highKind] of pairs) {
    const limits = (kind: ConstraintKind) =>
      constraints.flatMap((c) => (c.kind === kind && 'limit' in c ? [{ limit: c.limit, source: c.source }] : []));
    const low = limits(lowKind).reduce<{ limit: number; source: string } | undefined>((a, b) => (a && a.limit >= b.limit ? a : b), undefined);
    const high = limits(highKind).reduce<{ limit: number; source: string } | undefined>((a, b) => (a && a.limit <= b.limit ? a : b), undefined);
    if (low && high && low.limit > high.limit) problem(`${low.source} is greater than ${high.source}`);
  }
}

function checkDefault(spec: FieldSpec, problem: (message: string) => void): void {
  if (spec.default === undefined) return;
  if (isSecretField(spec)) return problem('a secret field cannot have a default');
  // Custom rules may depend on the rest of the configuration, which a lone default lacks.
  // Nor is the field its condition names here: the default is checked as if shown.
  const declarative = { ...spec, visibleWhen: undefined, validationRules: spec.validationRules?.filter((rule) => rule.type !== 'custom') };
  const result = validateConfig({ fields: [declarative] }, { [spec.key]: spec.default });
  if (!result.ok) {
    return problem(`default ${quote(spec.default)} is invalid: ${result.errors.map((error) => error.message).join('; ')}`);
  }
  // The default is emitted in the JSON Schema and typed by `ConfigOf`: it must already be typed.
  const normalized = result.value[spec.key];
  if (normalized !== undefined && quote(normalized) !== quote(spec.default)) {
    problem(`default must be written as ${quote(normalized)}, not ${quote(spec.default)}`);
  }
}
