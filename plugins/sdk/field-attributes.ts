/**
 * `FIELD_ATTRIBUTES`: what each attribute of a `FieldSpec` is, in one table, so that every
 * other description of a field derives from it instead of restating it:
 * - the registration check (rules/field-check.ts) refuses attributes not in the table and
 *   checks the values of the simple kinds;
 * - the GraphQL type `PluginField` (server/graphql/plugins.ts) has one field per attribute,
 *   typed and described from here;
 * - `npm run codegen` writes the console's `PluginField` fragment from it, and the console's
 *   `toFormSchema` copies the simple attributes back into FieldSpecs;
 * - `toJsonSchema` copies the annotations from it.
 *
 * `satisfies Record<keyof FieldSpec, …>` makes the compiler refuse an attribute of FieldSpec
 * missing here, or one here that FieldSpec lacks. test/api/field-attributes.test.ts
 * proves that every attribute in the table reaches every consumer.
 *
 * Plain data, like fields.ts: the console ships it to the browser.
 */
import type { FieldSpec } from './fields.ts';

/** How GraphQL types an attribute of a kind. */
export interface AttributeKindShape {
  /** The name of its GraphQL type (of each item, for a list). */
  graphql: string;
  /** A non-null list: `[]` when the attribute is absent. */
  list?: true;
  /** `false`: the API always gives a value (the attribute is required, or resolved: a boolean is `false` when absent). */
  nullable: boolean;
}

/** What an attribute holds, and so how it is checked and how GraphQL types it. */
export const ATTRIBUTE_KINDS = {
  /** Letters, digits and `_`, not starting with a digit. */
  identifier: { graphql: 'String', nullable: false },
  /** A non-empty string. */
  text: { graphql: 'String', nullable: false },
  fieldType: { graphql: 'FieldType', nullable: false },
  string: { graphql: 'String', nullable: true },
  boolean: { graphql: 'Boolean', nullable: false },
  /** Any JSON value (checked against the field's own type). */
  json: { graphql: 'JSON', nullable: true },
  /** A non-negative integer. */
  length: { graphql: 'Int', nullable: true },
  /** A safe integer: GraphQL's `Int` would refuse a fraction at query time. */
  integer: { graphql: 'Int', nullable: true },
  number: { graphql: 'Float', nullable: true },
  /** A JavaScript regular expression. */
  regex: { graphql: 'String', nullable: true },
  itemType: { graphql: 'FieldType', nullable: true },
  jsonShape: { graphql: 'String', nullable: true },
  rules: { graphql: 'ValidationRule', list: true, nullable: false },
  options: { graphql: 'SelectOption', list: true, nullable: false },
  condition: { graphql: 'FieldCondition', nullable: true },
  destination: { graphql: 'String', list: true, nullable: false },
} as const satisfies Record<string, AttributeKindShape>;
export type AttributeKind = keyof typeof ATTRIBUTE_KINDS;

/**
 * The kinds whose value is a structure: GraphQL gives them in a shape of their own (an
 * object type, or resolved bindings), so each consumer converts them explicitly. Every other
 * kind is a scalar that consumers copy as it is.
 */
export const COMPOSITE_KINDS = ['rules', 'options', 'condition', 'destination'] as const satisfies readonly AttributeKind[];
export type CompositeKind = (typeof COMPOSITE_KINDS)[number];

/** How an attribute appears in a configuration's JSON Schema (per property, see json-schema.ts). */
export type JsonSchemaMapping =
  /** `toJsonSchema` copies the value, as it is, to this keyword of the field's property. */
  | { copiedTo: string }
  /** `toJsonSchema` derives these keywords from it (the value's type, bounds, `required` …). */
  | { derives: readonly string[] }
  /** No counterpart in JSON Schema, for the reason given. */
  | { omitted: string };

export interface AttributeDescriptor {
  kind: AttributeKind;
  /** What the attribute means: the GraphQL field's description unless `graphql.description` says more. */
  description: string;
  /** Where GraphQL says it differently: another field name, or a description of the resolved value. */
  graphql?: { name?: string; description?: string };
  jsonSchema: JsonSchemaMapping;
}

/** The keywords toJsonSchema folds a field's constraints into (see rules/constraints.ts). */
const CONSTRAINT_KEYWORDS = ['minLength', 'maxLength', 'minItems', 'maxItems', 'minimum', 'maximum', 'pattern', 'enum'] as const;

/** In the order of FieldSpec (and so of the GraphQL fields and the console's fragment). */
export const FIELD_ATTRIBUTES = {
  key: {
    kind: 'identifier',
    description: 'Unique identifier within the plugin; also the configuration key.',
    jsonSchema: { derives: ['properties'] },
  },
  label: { kind: 'text', description: 'The name people see; every message names the field by it.', jsonSchema: { copiedTo: 'title' } },
  type: { kind: 'fieldType', description: 'The type of the value, and so the input the console shows.', jsonSchema: { copiedTo: 'x-field-type' } },
  description: { kind: 'string', description: 'What the value is, in a sentence.', jsonSchema: { copiedTo: 'description' } },
  required: {
    kind: 'boolean',
    description: 'A value must be given (or come from `default`); with `visibleWhen`, while the field is shown.',
    jsonSchema: { derives: ['required', 'minLength', 'minItems', 'allOf'] },
  },
  default: {
    kind: 'json',
    description: 'Used when no value is given; already valid and typed.',
    graphql: { description: 'Never set for secret fields.' },
    jsonSchema: { derives: ['default'] },
  },
  minLength: {
    kind: 'length',
    description: 'Least length of a text value in characters, or least number of items of a MULTI_SELECT or ARRAY.',
    jsonSchema: { derives: ['minLength', 'minItems'] },
  },
  maxLength: {
    kind: 'length',
    description: 'Greatest length of a text value in characters, or greatest number of items of a MULTI_SELECT or ARRAY.',
    jsonSchema: { derives: ['maxLength', 'maxItems'] },
  },
  minValue: { kind: 'number', description: 'Least value of an INTEGER or FLOAT (of each item of an ARRAY).', jsonSchema: { derives: ['minimum'] } },
  maxValue: { kind: 'number', description: 'Greatest value of an INTEGER or FLOAT (of each item of an ARRAY).', jsonSchema: { derives: ['maximum'] } },
  pattern: {
    kind: 'regex',
    description: 'A regular expression (JavaScript syntax, unanchored unless it anchors itself) a text value must match.',
    jsonSchema: { derives: ['pattern'] },
  },
  validationRules: {
    kind: 'rules',
    description: 'More rules, each with its own message.',
    jsonSchema: { derives: CONSTRAINT_KEYWORDS },
  },
  placeholder: { kind: 'string', description: 'Example text shown in an empty input.', jsonSchema: { copiedTo: 'x-placeholder' } },
  helpText: { kind: 'string', description: 'Where to find the value and what it does.', jsonSchema: { copiedTo: 'x-help-text' } },
  group: { kind: 'string', description: 'The form section the field sits in.', jsonSchema: { copiedTo: 'x-group' } },
  order: { kind: 'integer', description: 'Position within its group.', jsonSchema: { copiedTo: 'x-order' } },
  options: { kind: 'options', description: 'Choices of SELECT and MULTI_SELECT.', jsonSchema: { derives: ['enum'] } },
  isSecret: {
    kind: 'boolean',
    description: 'A write-only value kept in the secret store.',
    graphql: { description: 'True for a SECRET field and for one marked `isSecret`: its value is write-only.' },
    jsonSchema: { derives: ['writeOnly'] },
  },
  itemType: {
    kind: 'itemType',
    description: 'Type of each item of an ARRAY field (default STRING).',
    graphql: { description: 'Type of each item of an ARRAY field (STRING when not set); null for other types.' },
    jsonSchema: { derives: ['items'] },
  },
  jsonShape: {
    kind: 'jsonShape',
    description: 'What a JSON field must hold: "object" (default) or "array".',
    graphql: { description: 'What a JSON field must hold: "object" (when not set) or "array"; null for other types.' },
    jsonSchema: { derives: ['type'] },
  },
  destination: {
    kind: 'destination',
    description: 'This field decides where secrets are sent: true binds every secret, a list of secret keys binds those.',
    graphql: {
      name: 'bindsSecrets',
      description:
        'The secret keys that must be entered again when this field changes: it decides where they are sent (the ' +
        "field's `destination` attribute, or the SDK's default). Empty when it is no destination. A client reproduces the " +
        "server's rule by calling the SDK's `secretsToReenter` with `destination: bindsSecrets` on every field.",
    },
    jsonSchema: { omitted: 'where secrets may be sent is a rule for saving secrets, not a property of a valid configuration' },
  },
  visibleWhen: {
    kind: 'condition',
    description: 'Shown only while an earlier SELECT or BOOLEAN field has one of the given values.',
    graphql: { description: 'Null when the field is always shown. A hidden field is not validated, and a save drops its value.' },
    jsonSchema: { derives: ['allOf'] },
  },
} as const satisfies Record<keyof FieldSpec, AttributeDescriptor>;

export type FieldAttribute = keyof typeof FIELD_ATTRIBUTES;
type KindOf<A extends FieldAttribute> = (typeof FIELD_ATTRIBUTES)[A]['kind'];
/** The attributes each consumer converts explicitly (see COMPOSITE_KINDS). */
export type CompositeAttribute = { [A in FieldAttribute]: KindOf<A> extends CompositeKind ? A : never }[FieldAttribute];

/** The attribute's field name in GraphQL (its own name unless the table gives another). */
export function graphqlNameOf(attribute: FieldAttribute): string {
  const descriptor: AttributeDescriptor = FIELD_ATTRIBUTES[attribute];
  return descriptor.graphql?.name ?? attribute;
}

export function isCompositeKind(kind: AttributeKind): kind is CompositeKind {
  return (COMPOSITE_KINDS as readonly string[]).includes(kind);
}

/** Every attribute with its descriptor, in table order. */
export function fieldAttributeEntries(): [FieldAttribute, AttributeDescriptor][] {
  return Object.entries(FIELD_ATTRIBUTES) as [FieldAttribute, AttributeDescriptor][];
}
