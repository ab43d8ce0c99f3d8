/**
 * The console receives plugin fields over GraphQL as plain data: nullable where the SDK has
 * optional properties, with validation rules as `{type, value, message}` JSON. A `custom`
 * rule arrives without its predicate (it lives in the plugin's code on the server), so the
 * console cannot run it: the adapter drops it and the server reports it on save instead.
 */
import type { PluginFieldFragment } from '../gql/graphql.ts';
import {
  DECLARATIVE_RULE_TYPES,
  fieldAttributeEntries,
  graphqlNameOf,
  isCompositeKind,
  type CompositeAttribute,
  type DeclarativeRule,
  type FieldSpec,
  type SelectOption,
} from '../sdk.ts';

/** What a client may leave out: an attribute absent or null counts as not set. */
type Lenient<T> = { [K in keyof T]?: T[K] | null };
type SelectedRule = PluginFieldFragment['validationRules'][number];

export type GraphqlValidationRule = Pick<SelectedRule, 'type'> & Lenient<Omit<SelectedRule, 'type'>>;
type GraphqlSelectOption = PluginFieldFragment['options'][number];

/**
 * A plugin field as the `PluginField` fragment selects it (generated from the SDK's
 * FIELD_ATTRIBUTES, so it has every attribute), with all but key, label and type optional.
 */
export type GraphqlField = Pick<PluginFieldFragment, 'key' | 'label' | 'type'> &
  Lenient<Omit<PluginFieldFragment, 'key' | 'label' | 'type' | 'validationRules'>> & {
    validationRules?: readonly GraphqlValidationRule[] | null;
  };

const RUNNABLE_RULE_TYPES: ReadonlySet<string> = new Set(DECLARATIVE_RULE_TYPES);

/** Keeps the rules the shared validator can run in the browser; `custom` (and anything unknown) stays with the server. */
export function toRules(rules: readonly GraphqlValidationRule[]): DeclarativeRule[] {
  return rules
    .filter((rule) => RUNNABLE_RULE_TYPES.has(rule.type))
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

/** The composite attributes, from the shapes GraphQL gives them in; `undefined` leaves one out. */
const CONVERTED: { [A in CompositeAttribute]: (field: GraphqlField) => FieldSpec[A] | undefined } = {
  validationRules: (field) => {
    const rules = toRules(field.validationRules ?? []);
    return rules.length > 0 ? rules : undefined;
  },
  options: (field) => field.options?.map(toOption),
  visibleWhen: (field) => (field.visibleWhen ? { field: field.visibleWhen.field, in: field.visibleWhen.values as (string | boolean)[] } : undefined),
  // The server's resolved bindings, stated on every field: the SDK's secretsToReenter then
  // finds exactly the secrets the server will ask for (no default guessing in the browser).
  destination: (field) => (field.bindsSecrets ? (field.bindsSecrets.length > 0 ? [...field.bindsSecrets] : false) : undefined),
};

/**
 * GraphQL fields to SDK FieldSpecs: `null` becomes absent, custom rules are dropped. The
 * scalar attributes are copied as they are: the server checked them when it registered the plugin.
 */
export function toFormSchema(fields: readonly GraphqlField[]): FieldSpec[] {
  return fields.map((field) => {
    const spec: Record<string, unknown> = {};
    for (const [attribute, { kind }] of fieldAttributeEntries()) {
      const value = isCompositeKind(kind)
        ? CONVERTED[attribute as CompositeAttribute](field)
        : field[graphqlNameOf(attribute) as keyof GraphqlField];
      if (value !== null && value !== undefined) spec[attribute] = value;
    }
    return spec as unknown as FieldSpec;
  });
}
