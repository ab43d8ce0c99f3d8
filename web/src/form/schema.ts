/**
 * The console receives plugin fields over GraphQL as plain data: nullable where the SDK has
 * optional properties, with validation rules as `{type, value, message}` JSON. A `custom`
 * rule arrives without its predicate (it lives in the plugin's code on the server), so the
 * console cannot run it: the adapter drops it and the server reports it on save instead.
 */
import type { ArrayItemType, DeclarativeRule, FieldSpec, FieldType, SelectOption } from '../sdk.ts';

export interface GraphqlValidationRule {
  type: string;
  value?: unknown;
  message?: string | null;
}

export interface GraphqlSelectOption {
  value: string;
  label: string;
  description?: string | null;
}

export interface GraphqlField {
  key: string;
  label: string;
  type: FieldType;
  description?: string | null;
  required?: boolean | null;
  default?: unknown;
  minLength?: number | null;
  maxLength?: number | null;
  minValue?: number | null;
  maxValue?: number | null;
  pattern?: string | null;
  validationRules?: readonly GraphqlValidationRule[] | null;
  placeholder?: string | null;
  helpText?: string | null;
  group?: string | null;
  order?: number | null;
  options?: readonly GraphqlSelectOption[] | null;
  isSecret?: boolean | null;
  itemType?: ArrayItemType | null;
  jsonShape?: 'object' | 'array' | null;
  /** When the field is shown: while the field `field` holds one of `values`. */
  visibleWhen?: { field: string; values: readonly unknown[] } | null;
  /** The secrets this field decides the destination of (resolved by the server from the SDK's rule). */
  bindsSecrets?: readonly string[] | null;
}

const DECLARATIVE_RULE_TYPES: ReadonlySet<string> = new Set(['pattern', 'minLength', 'maxLength', 'min', 'max', 'enum']);

/** Keeps the rules the shared validator can run in the browser; `custom` (and anything unknown) stays with the server. */
export function toRules(rules: readonly GraphqlValidationRule[]): DeclarativeRule[] {
  return rules
    .filter((rule) => DECLARATIVE_RULE_TYPES.has(rule.type))
    .map((rule) => {
      const out = { type: rule.type, value: rule.value } as DeclarativeRule;
      if (rule.message != null) out.message = rule.message;
      return out;
    });
}

function toOption(option: GraphqlSelectOption): SelectOption {
  const out: SelectOption = { value: option.value, label: option.label };
  if (option.description != null) out.description = option.description;
  return out;
}

/** GraphQL fields to SDK FieldSpecs: `null` becomes absent, custom rules are dropped. */
export function toFormSchema(fields: readonly GraphqlField[]): FieldSpec[] {
  return fields.map((field) => {
    const spec: FieldSpec = { key: field.key, label: field.label, type: field.type };
    const copy = <K extends keyof FieldSpec>(name: K, value: FieldSpec[K] | null | undefined) => {
      if (value !== null && value !== undefined) spec[name] = value;
    };
    copy('description', field.description);
    copy('required', field.required);
    copy('default', field.default);
    copy('minLength', field.minLength);
    copy('maxLength', field.maxLength);
    copy('minValue', field.minValue);
    copy('maxValue', field.maxValue);
    copy('pattern', field.pattern);
    copy('placeholder', field.placeholder);
    copy('helpText', field.helpText);
    copy('group', field.group);
    copy('order', field.order);
    copy('isSecret', field.isSecret);
    copy('itemType', field.itemType);
    copy('jsonShape', field.jsonShape);
    if (field.options) spec.options = field.options.map(toOption);
    if (field.visibleWhen) spec.visibleWhen = { field: field.visibleWhen.field, in: field.visibleWhen.values as (string | boolean)[] };
    // The server's resolved bindings, stated on every field: the SDK's secretsToReenter then
    // finds exactly the secrets the server will ask for (no default guessing in the browser).
    if (field.bindsSecrets) spec.destination = field.bindsSecrets.length > 0 ? [...field.bindsSecrets] : false;
    if (field.validationRules) {
      const rules = toRules(field.validationRules);
      if (rules.length > 0) spec.validationRules = rules;
    }
    return spec;
  });
}
