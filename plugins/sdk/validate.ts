/**
 * `validateConfig`: the one validator. The server runs it on every save and test, the console
 * runs it as the user types, so it is pure and browser-safe.
 *
 * - Every problem is reported (not just the first), each with the field key, the rule that
 *   failed and a message naming the field by its label: `Retry Count must be at most 10`.
 * - Errors come in field order (the order of `fields`), then unknown keys in input order.
 * - `undefined`, `null` and `''` mean "no value"; so does `[]` for a required MULTI_SELECT or
 *   ARRAY. A field with no value takes its default (so a required field with a default is
 *   never missing); without a default it is reported when required and left out otherwise.
 * - Types are checked and coerced as `rules/scalars.ts` describes (`"5"` → 5 for INTEGER,
 *   `"true"` → true for BOOLEAN, JSON text → the parsed value); the result holds the coerced
 *   values and the defaults.
 * - A list item's problem is reported under `key[index]` (zero-based, like a path) with a
 *   message counting from one: field `tags[2]`, `Tags item 3 must be a valid email address`.
 * - Custom rules run after every field is typed, with the value and the whole (coerced)
 *   configuration, and only for fields whose value has the right type. Declarative checks
 *   still run when another check of the same field failed, so all problems show at once.
 * - Keys that are not fields are rejected (rule `unknown`), never dropped.
 * - A field hidden by its `visibleWhen` is not checked and its value is left out of the result
 *   (it is a known key, so it is not `unknown`); custom rules do not see it. A required field
 *   with a condition is required while shown: `Bot Token is required when Connection Mode is "Bot token"`.
 */
import { FieldType, type FieldError, type FieldSpec } from './fields.ts';
import type { PluginConfig } from './plugin.ts';
import { conditionSources, describeCondition, hiddenFieldKeys } from './rules/conditions.ts';
import { fieldConstraints } from './rules/constraints.ts';
import { violation } from './rules/evaluate.ts';
import { hasDefault, isListField, isMissing } from './rules/presence.ts';
import { checkScalar, type Checked } from './rules/scalars.ts';
import { checkJson, checkOption, isPlainObject } from './rules/shapes.ts';

export type ValidationResult =
  | { ok: true; value: Record<string, unknown> }
  | { ok: false; errors: FieldError[] };

/** What checking one field produced: its errors, and its typed value when it has one. */
interface FieldOutcome {
  errors: FieldError[];
  /** Present when the field has a value of the right type (possibly breaking other rules). */
  typed?: { value: unknown };
}

export function validateConfig(
  schema: Pick<PluginConfig, 'fields'>,
  values: Record<string, unknown>,
): ValidationResult {
  if (!isPlainObject(values)) {
    return { ok: false, errors: [{ field: '', rule: 'type', message: 'The configuration must be an object' }] };
  }
  const valueOf = (field: FieldSpec) => (Object.hasOwn(values, field.key) ? values[field.key] : undefined);
  const hidden = hiddenFields(schema.fields, valueOf);
  const outcomes = schema.fields.map((field): FieldOutcome =>
    hidden.has(field.key) ? { errors: [] } : checkField(field, valueOf(field), schema.fields),
  );
  const entries = schema.fields.flatMap((field, index) => {
    const typed = outcomes[index]?.typed;
    return typed ? [[field.key, typed.value] as const] : [];
  });
  // fromEntries defines own properties, so even a key like `__proto__` stays plain data.
  const config: Readonly<Record<string, unknown>> = Object.freeze(Object.fromEntries(entries));
  schema.fields.forEach((field, index) => {
    const outcome = outcomes[index];
    if (outcome?.typed) outcome.errors.push(...customRuleErrors(field, outcome.typed.value, config));
  });

  const known = new Set(schema.fields.map((field) => field.key));
  const errors = outcomes.flatMap((outcome) => outcome.errors);
  for (const key of Object.keys(values)) {
    if (!known.has(key)) errors.push({ field: key, rule: 'unknown', message: `Unknown field "${key}"` });
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: Object.fromEntries(entries) };
}

/**
 * The errors `validateConfig` would report about the fields `keys` (their own errors and
 * their items'), in the same order with the same messages, without checking the rest of the
 * form: the console runs it as the user types, on the changed field and on the fields whose
 * rules depend on it (`fieldsToRecheck`), and runs `validateConfig` on submit. Custom rules
 * see the whole typed configuration, as in `validateConfig`, so only when a requested field
 * has one are the other fields typed too (and the fields that conditions of requested fields
 * name, to know whether they are shown). Unknown keys are not its business.
 */
export function validateFields(
  schema: Pick<PluginConfig, 'fields'>,
  values: Record<string, unknown>,
  keys: Iterable<string>,
): FieldError[] {
  const wanted = new Set(keys);
  const valueOf = (field: FieldSpec) => (Object.hasOwn(values, field.key) ? values[field.key] : undefined);
  const hidden = hiddenFields(schema.fields, valueOf);
  const subjects = schema.fields.filter((field) => wanted.has(field.key) && !hidden.has(field.key));
  const outcomes = new Map(subjects.map((field) => [field, checkField(field, valueOf(field), schema.fields)]));
  const custom = subjects.filter((field) => hasCustomRule(field) && outcomes.get(field)?.typed);
  if (custom.length > 0) {
    const entries = schema.fields.flatMap((field) => {
      if (hidden.has(field.key)) return [];
      const typed = (outcomes.get(field) ?? checkField(field, valueOf(field), schema.fields)).typed;
      return typed ? [[field.key, typed.value] as const] : [];
    });
    const config: Readonly<Record<string, unknown>> = Object.freeze(Object.fromEntries(entries));
    for (const field of custom) {
      const outcome = outcomes.get(field)!;
      outcome.errors.push(...customRuleErrors(field, outcome.typed!.value, config));
    }
  }
  return subjects.flatMap((field) => outcomes.get(field)!.errors);
}

/**
 * The fields whose errors can change when field `key` changes: the field itself, every field
 * with a custom rule (a custom rule is given the whole configuration, so it may read any
 * field), and every field whose visibility depends on it. Declarative rules read only their
 * own field's value.
 */
export function fieldsToRecheck(schema: Pick<PluginConfig, 'fields'>, key: string): string[] {
  return schema.fields
    .filter((field) => field.key === key || hasCustomRule(field) || conditionSources(schema.fields, field).includes(key))
    .map((field) => field.key);
}

/**
 * The keys of the fields that `values` hides (see `visibleWhen`): the console hides them, the
 * validator skips them and leaves their values out.
 */
export function hiddenFields(fields: readonly FieldSpec[], valueOf: (field: FieldSpec) => unknown): Set<string> {
  return hiddenFieldKeys(fields, (field) => checkField(field, valueOf(field), fields).typed?.value);
}

/** Whether the field has a `custom` rule: code that is given the whole configuration. */
export function hasCustomRule(field: FieldSpec): boolean {
  return (field.validationRules ?? []).some((rule) => rule.type === 'custom');
}

/** `fields` is the whole schema, which a conditional field's required message names. */
function checkField(field: FieldSpec, raw: unknown, fields: readonly FieldSpec[]): FieldOutcome {
  const label = field.label || field.key;
  const errors: FieldError[] = [];
  const report = (rule: string, message: string, key = field.key): void => {
    errors.push({ field: key, rule, message });
  };

  let input = raw;
  if (isMissing(field, raw)) {
    if (!hasDefault(field)) {
      if (field.required) {
        const when = field.visibleWhen ? ` when ${describeCondition(fields, field.visibleWhen)}` : '';
        report('required', `${label} is required${when}`);
      }
      return { errors };
    }
    // A copy, so that no configuration shares (and mutates) the schema's default object.
    input = structuredClone(field.default);
  }

  const constraints = fieldConstraints(field);
  if (!isListField(field)) {
    const checked = checkSingle(field, input, label);
    if (!checked.ok) {
      report(checked.rule, checked.message);
      return { errors };
    }
    for (const constraint of constraints) {
      const message = violation(constraint, checked.value, label);
      if (message) report(constraint.rule, message);
    }
    return { errors, typed: { value: checked.value } };
  }

  if (!Array.isArray(input)) {
    report('type', `${label} must be a list`);
    return { errors };
  }
  const items = input.map((item: unknown, index) => {
    const subject = `${label} item ${index + 1}`;
    const key = `${field.key}[${index}]`;
    const checked = checkItem(field, item, subject);
    if (!checked.ok) {
      report(checked.rule, checked.message, key);
      return checked;
    }
    for (const constraint of constraints) {
      const message = constraint.target === 'items' ? violation(constraint, checked.value, subject) : undefined;
      if (message) report(constraint.rule, message, key);
    }
    return checked;
  });
  for (const constraint of constraints) {
    const message = constraint.target === 'value' ? violation(constraint, input, label) : undefined;
    if (message) report(constraint.rule, message);
  }
  if (field.type === FieldType.MULTI_SELECT) {
    for (const repeated of duplicates(input)) report('uniqueItems', `${label} lists "${String(repeated)}" more than once`);
  }
  const typedItems = items.flatMap((item) => (item.ok ? [item.value] : []));
  return typedItems.length === items.length ? { errors, typed: { value: typedItems } } : { errors };
}

function checkSingle(field: FieldSpec, value: unknown, subject: string): Checked {
  if (field.type === FieldType.SELECT) return checkOption(field, value, subject);
  if (field.type === FieldType.JSON) return checkJson(field, value, subject);
  return checkScalar(field.type, value, subject);
}

function checkItem(field: FieldSpec, item: unknown, subject: string): Checked {
  if (field.type === FieldType.MULTI_SELECT) return checkOption(field, item, subject);
  return checkScalar(field.itemType ?? FieldType.STRING, item, subject);
}

/** Values that occur more than once, each listed once, in order of first repetition. */
function duplicates(items: readonly unknown[]): unknown[] {
  const seen = new Set<unknown>();
  const repeated = new Set<unknown>();
  for (const item of items) (seen.has(item) ? repeated : seen).add(item);
  return [...repeated];
}

function customRuleErrors(field: FieldSpec, value: unknown, config: Readonly<Record<string, unknown>>): FieldError[] {
  const label = field.label || field.key;
  const errors: FieldError[] = [];
  for (const rule of field.validationRules ?? []) {
    if (rule.type !== 'custom') continue;
    let verdict: boolean | string;
    try {
      verdict = rule.validate(value, config);
    } catch {
      // The thrown message is not shown: plugin code may have put the value (a secret) in it.
      errors.push({ field: field.key, rule: 'custom', message: `${label} could not be validated: its custom rule threw an error` });
      continue;
    }
    if (verdict === true) continue;
    const message = typeof verdict === 'string' && verdict !== '' ? verdict : (rule.message ?? `${label} is invalid`);
    errors.push({ field: field.key, rule: 'custom', message });
  }
  return errors;
}
