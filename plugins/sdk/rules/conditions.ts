/**
 * Conditional fields (`visibleWhen`): which fields a configuration shows, how a condition
 * reads in a message, and the registration checks of conditions. Shared by the validator,
 * the JSON Schema export and the console.
 */
import { FieldType, type FieldCondition, type FieldSpec } from '../fields.ts';
import type { SchemaProblem } from './schema-problem.ts';
import { isPlainObject } from './shapes.ts';

/** The values a condition accepts. */
export function conditionValues(condition: FieldCondition): readonly (string | boolean)[] {
  return 'in' in condition ? condition.in : [condition.equals];
}

/**
 * The keys of the fields hidden by their `visibleWhen`. `typedValue` gives a field's typed
 * value (its default when it has none; `undefined` when it has no valid value). A field is
 * shown while the field its condition names is shown and holds one of the values. A condition
 * naming no field, or leading back to its own field, hides it (`checkPluginSchema` rejects both).
 */
export function hiddenFieldKeys(fields: readonly FieldSpec[], typedValue: (field: FieldSpec) => unknown): Set<string> {
  if (!fields.some((field) => field.visibleWhen)) return new Set();
  const byKey = new Map(fields.map((field) => [field.key, field]));
  const typed = new Map<string, unknown>();
  const shown = new Map<string, boolean>();
  const resolving = new Set<string>();
  const isShown = (field: FieldSpec): boolean => {
    const known = shown.get(field.key);
    if (known !== undefined) return known;
    const condition = field.visibleWhen;
    const source = condition ? byKey.get(condition.field) : undefined;
    let result = true;
    if (condition) {
      if (!source || resolving.has(field.key)) return false;
      resolving.add(field.key);
      if (!typed.has(source.key)) typed.set(source.key, typedValue(source));
      result = isShown(source) && conditionValues(condition).includes(typed.get(source.key) as string | boolean);
      resolving.delete(field.key);
    }
    shown.set(field.key, result);
    return result;
  };
  return new Set(fields.filter((field) => !isShown(field)).map((field) => field.key));
}

/** The keys a field's visibility depends on: the field its condition names, that one's, and so on. */
export function conditionSources(fields: readonly FieldSpec[], field: FieldSpec): string[] {
  const sources: string[] = [];
  for (let condition = field.visibleWhen; condition && !sources.includes(condition.field); ) {
    sources.push(condition.field);
    condition = fields.find((candidate) => candidate.key === condition!.field)?.visibleWhen;
  }
  return sources;
}

/** The condition in words, by labels: `Connection Mode is "Bot token"`, `Use TLS is on`. */
export function describeCondition(fields: readonly FieldSpec[], condition: FieldCondition): string {
  const source = fields.find((field) => field.key === condition.field);
  const named = conditionValues(condition).map((value) => {
    if (typeof value === 'boolean') return value ? 'on' : 'off';
    return `"${source?.options?.find((option) => option.value === value)?.label ?? value}"`;
  });
  return `${source?.label || condition.field} is ${named.join(' or ')}`;
}

const quote = (value: unknown): string => JSON.stringify(value) ?? String(value);
const CONDITION_SHAPE = 'visibleWhen must be { field, equals: value } or { field, in: [values] }';

/**
 * Registration checks of every field's `visibleWhen`: it names an earlier SELECT or BOOLEAN
 * field (earlier, so conditions can never go round in a circle), with values that field can hold.
 */
export function checkConditions(fields: readonly unknown[]): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  fields.forEach((spec, index) => {
    if (!isPlainObject(spec) || spec.visibleWhen === undefined || typeof spec.key !== 'string') return;
    const key = spec.key;
    const problem = (message: string): void => {
      problems.push({ field: key, message: `field "${key}": ${message}` });
    };
    const condition = spec.visibleWhen;
    if (!isPlainObject(condition) || typeof condition.field !== 'string') return problem(CONDITION_SHAPE);
    const extra = Object.keys(condition).filter((name) => !['field', 'equals', 'in'].includes(name));
    if (extra.length > 0 || ('equals' in condition) === ('in' in condition)) return problem(CONDITION_SHAPE);
    if ('in' in condition && (!Array.isArray(condition.in) || condition.in.length === 0)) {
      return problem('visibleWhen "in" must be a non-empty list of values');
    }

    const sourceIndex = fields.findIndex((field) => isPlainObject(field) && field.key === condition.field);
    const source = fields[sourceIndex];
    if (!isPlainObject(source)) return problem(`visibleWhen names ${quote(condition.field)}, which is not a field of this plugin`);
    if (sourceIndex >= index) {
      return problem(`visibleWhen names "${condition.field}", which does not come before it: a condition may only name an earlier field`);
    }
    const values: unknown[] = 'in' in condition ? (condition.in as unknown[]) : [condition.equals];
    if (source.type === FieldType.SELECT) {
      const options = Array.isArray(source.options) ? source.options.map((option: unknown) => (isPlainObject(option) ? option.value : undefined)) : [];
      for (const value of values) {
        if (!options.includes(value)) problem(`visibleWhen value ${quote(value)} is not an option of "${condition.field}" (one of: ${options.join(', ')})`);
      }
    } else if (source.type === FieldType.BOOLEAN) {
      for (const value of values) {
        if (typeof value !== 'boolean') problem(`visibleWhen value ${quote(value)} must be true or false: "${condition.field}" is a BOOLEAN field`);
      }
    } else {
      problem(`visibleWhen names "${condition.field}", a ${String(source.type)} field: a condition may only name a SELECT or BOOLEAN field`);
    }
  });
  return problems;
}
