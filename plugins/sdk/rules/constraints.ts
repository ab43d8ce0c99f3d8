/**
 * The declarative constraints of a field, gathered from its attributes (`minLength`,
 * `minValue`, `pattern` …) and its declarative `validationRules` into one list. The
 * validator checks this list and `toJsonSchema` translates it, so the two cannot drift.
 */
import { FieldType, type FieldSpec } from '../fields.ts';

/** The field types whose value is a string. */
export const STRING_TYPES: readonly string[] = [
  FieldType.STRING,
  FieldType.TEXT,
  FieldType.SECRET,
  FieldType.URL,
  FieldType.EMAIL,
  FieldType.PHONE,
];
const NUMBER_TYPES: readonly string[] = [FieldType.INTEGER, FieldType.FLOAT];
const LIST_TYPES: readonly string[] = [FieldType.MULTI_SELECT, FieldType.ARRAY];

export type ConstraintKind = 'minLength' | 'maxLength' | 'min' | 'max' | 'pattern' | 'enum';

interface ConstraintBase {
  /** What a failure reports as `FieldError.rule`: the attribute name or the rule type. */
  rule: string;
  /** Overrides the default message (validation rules only). */
  message?: string;
  /** Whether the constraint applies to the value itself or to each item of a list. */
  target: 'value' | 'items';
  /** Where it was declared, for schema problems: `minValue 10`, `validation rule 2 (min 10)`. */
  source: string;
}
export type Constraint = ConstraintBase &
  (
    | { kind: 'minLength' | 'maxLength' | 'min' | 'max'; limit: number }
    | { kind: 'pattern'; pattern: string }
    | { kind: 'enum'; values: readonly (string | number | boolean)[] }
  );

/** A constraint before its target is known (`Omit` that keeps the union apart). */
type Declared = Constraint extends infer C ? (C extends unknown ? Omit<C, 'target'> : never) : never;

/** The type of the values a constraint sees: the field's own type, or its item type for lists. */
export function itemTypeOf(field: Pick<FieldSpec, 'type' | 'itemType'>): string {
  if (field.type === FieldType.ARRAY) return field.itemType ?? FieldType.STRING;
  if (field.type === FieldType.MULTI_SELECT) return FieldType.SELECT;
  return field.type;
}

/**
 * Where a constraint of this kind applies on this field, or `undefined` when it means
 * nothing there (a `pattern` on a BOOLEAN). Lengths of lists count items; value bounds,
 * patterns and enums of lists apply to each item.
 */
export function constraintTarget(
  kind: ConstraintKind,
  field: Pick<FieldSpec, 'type' | 'itemType'>,
): 'value' | 'items' | undefined {
  const isList = LIST_TYPES.includes(field.type);
  if (kind === 'minLength' || kind === 'maxLength') {
    return STRING_TYPES.includes(field.type) || isList ? 'value' : undefined;
  }
  const target = isList ? 'items' : 'value';
  const type = itemTypeOf(field);
  if (kind === 'min' || kind === 'max') return NUMBER_TYPES.includes(type) ? target : undefined;
  if (kind === 'pattern') return STRING_TYPES.includes(type) ? target : undefined;
  return type === FieldType.JSON ? undefined : target;
}

/** The applicable declarative constraints of a field, attributes first, then rules in order. */
export function fieldConstraints(field: FieldSpec): Constraint[] {
  const found: Constraint[] = [];
  const add = (constraint: Declared): void => {
    const target = constraintTarget(constraint.kind, field);
    if (target !== undefined) found.push({ ...constraint, target });
  };
  const attributes = [
    ['minLength', 'minLength'],
    ['maxLength', 'maxLength'],
    ['minValue', 'min'],
    ['maxValue', 'max'],
  ] as const;
  for (const [attribute, kind] of attributes) {
    const limit = field[attribute];
    if (typeof limit === 'number') add({ kind, limit, rule: attribute, source: `${attribute} ${limit}` });
  }
  if (typeof field.pattern === 'string') {
    add({ kind: 'pattern', pattern: field.pattern, rule: 'pattern', source: `pattern ${field.pattern}` });
  }
  (field.validationRules ?? []).forEach((rule, index) => {
    // `custom` predicates are code, not declarations: the validator runs them separately.
    if (rule.type === 'custom') return;
    const common = {
      rule: rule.type,
      message: rule.message,
      source: `validation rule ${index + 1} (${rule.type} ${describe(rule.value)})`,
    };
    switch (rule.type) {
      case 'minLength':
      case 'maxLength':
      case 'min':
      case 'max':
        if (typeof rule.value === 'number') add({ ...common, kind: rule.type, limit: rule.value });
        break;
      case 'pattern':
        if (typeof rule.value === 'string') add({ ...common, kind: 'pattern', pattern: rule.value });
        break;
      case 'enum':
        if (Array.isArray(rule.value)) add({ ...common, kind: 'enum', values: rule.value });
        break;
    }
  });
  return found;
}

function describe(value: unknown): string {
  return Array.isArray(value) ? value.join(', ') : String(value);
}
