/** The plugin catalog: discovered plugins with their full schema, and the ones that failed to load. */
import {
  ATTRIBUTE_KINDS,
  FIELD_ATTRIBUTES,
  FIELD_TYPES,
  fieldAttributeEntries,
  graphqlNameOf,
  configVersionOf,
  PLUGIN_TYPES,
  conditionValues,
  destinationBindings,
  isSecretField,
  toJsonSchema,
  type FieldCondition,
  type AttributeKindShape,
  type FieldAttribute,
  type FieldSpec,
  type SelectOption,
  type ValidationRule,
} from '../../plugins/sdk/index.ts';
import type { PluginLoadError, RegisteredPlugin } from '../registry/index.ts';
import { builder } from './builder.ts';

export const PluginTypeEnum = builder.enumType('PluginType', { values: PLUGIN_TYPES });
export const FieldTypeEnum = builder.enumType('FieldType', { values: FIELD_TYPES });

const SelectOptionRef = builder.objectRef<SelectOption>('SelectOption').implement({
  fields: (t) => ({
    value: t.exposeString('value'),
    label: t.exposeString('label'),
    description: t.exposeString('description', { nullable: true }),
  }),
});

const ValidationRuleRef = builder.objectRef<ValidationRule>('ValidationRule').implement({
  description: 'A rule of a field. `custom` rules are checked by the server only; their `value` is null.',
  fields: (t) => ({
    type: t.exposeString('type'),
    value: t.field({ type: 'JSON', nullable: true, resolve: (rule) => (rule.type === 'custom' ? null : rule.value) }),
    message: t.exposeString('message', { nullable: true }),
  }),
});

const FieldConditionRef = builder.objectRef<FieldCondition>('FieldCondition').implement({
  description: 'When a field is shown (and, if required, required): while the field `field` has one of `values`.',
  fields: (t) => ({
    field: t.exposeString('field', { description: 'The key of the (earlier) SELECT or BOOLEAN field the condition reads.' }),
    values: t.field({
      type: ['JSON'],
      description: 'The values that show the field: option values of a SELECT, true or false for a BOOLEAN.',
      resolve: (condition) => [...conditionValues(condition)],
    }),
  }),
});

/** A field with the destination bindings of its plugin, which depend on the other fields. */
type PluginFieldOf = FieldSpec & { readonly boundSecrets: readonly string[] };

/** The GraphQL types of the attribute kinds (ATTRIBUTE_KINDS names them) that are no built-in scalar. */
const OUTPUT_TYPES = {
  FieldType: FieldTypeEnum,
  ValidationRule: ValidationRuleRef,
  SelectOption: SelectOptionRef,
  FieldCondition: FieldConditionRef,
} as const;

/** Attributes whose GraphQL value is resolved rather than given as the plugin wrote it. */
const RESOLVED: { [A in FieldAttribute]?: (field: PluginFieldOf) => unknown } = {
  default: (field) => (isSecretField(field) ? null : (field.default ?? null)),
  isSecret: (field) => isSecretField(field),
  itemType: (field) => (field.type === 'ARRAY' ? (field.itemType ?? 'STRING') : null),
  jsonShape: (field) => (field.type === 'JSON' ? (field.jsonShape ?? 'object') : null),
  destination: (field) => [...field.boundSecrets],
};

/** As written: absent is `false` for a boolean, `[]` for a list, `null` otherwise. */
function asWritten(field: PluginFieldOf, attribute: FieldAttribute): unknown {
  const { kind } = FIELD_ATTRIBUTES[attribute];
  const value = field[attribute];
  const shape: AttributeKindShape = ATTRIBUTE_KINDS[kind];
  if (shape.list) return [...((value as readonly unknown[] | undefined) ?? [])];
  if (kind === 'boolean') return value === true;
  return value ?? null;
}

const PluginFieldRef = builder.objectRef<PluginFieldOf>('PluginField').implement({
  description: 'One field of a plugin configuration schema, with every attribute of its FieldSpec (see the SDK\'s FIELD_ATTRIBUTES).',
  fields: (t) =>
    Object.fromEntries(
      fieldAttributeEntries().map(([attribute, descriptor]) => {
        const { graphql, list, nullable }: AttributeKindShape = ATTRIBUTE_KINDS[descriptor.kind];
        const named = Object.hasOwn(OUTPUT_TYPES, graphql) ? OUTPUT_TYPES[graphql as keyof typeof OUTPUT_TYPES] : graphql;
        const resolve = RESOLVED[attribute] ?? ((field: PluginFieldOf) => asWritten(field, attribute));
        // Pothos infers a field's type from a literal type argument; these are chosen at run
        // time, so the refs are given untyped (test/api/field-attributes.test.ts checks each
        // field's GraphQL type against the table).
        const field = t.field({
          type: (list ? [named] : named) as never,
          nullable,
          description: descriptor.graphql?.description ?? descriptor.description,
          resolve: resolve as never,
        });
        return [graphqlNameOf(attribute), field];
      }),
    ),
});

export const PluginRef = builder.objectRef<RegisteredPlugin>('Plugin').implement({
  description: 'A discovered plugin and the configuration schema it declares.',
  fields: (t) => ({
    name: t.string({ resolve: (p) => p.schema.name }),
    displayName: t.string({ resolve: (p) => p.schema.displayName ?? p.schema.name }),
    type: t.field({ type: PluginTypeEnum, resolve: (p) => p.schema.type }),
    version: t.string({ resolve: (p) => p.schema.version }),
    configVersion: t.int({
      description: "The version of the configuration's shape; stored configurations of older ones are migrated (see ConfigurationVersion.kind MIGRATED).",
      resolve: (p) => configVersionOf(p.schema),
    }),
    description: t.string({ nullable: true, resolve: (p) => p.schema.description ?? null }),
    author: t.string({ nullable: true, resolve: (p) => p.schema.author ?? null }),
    homepage: t.string({ nullable: true, resolve: (p) => p.schema.homepage ?? null }),
    tags: t.stringList({ resolve: (p) => [...(p.schema.tags ?? [])] }),
    dependencies: t.stringList({ resolve: (p) => [...(p.schema.dependencies ?? [])] }),
    supportsHealthCheck: t.boolean({ resolve: (p) => p.schema.supportsHealthCheck === true }),
    supportsTestConnection: t.boolean({ resolve: (p) => p.schema.supportsTestConnection === true }),
    fields: t.field({
      type: [PluginFieldRef],
      description: 'Ordered by group (see `groups`), then by `order`.',
      resolve: (p) => {
        const bindings = destinationBindings(p.schema.fields);
        return orderedFields(p.schema.fields, groupsOf(p)).map((field) => ({ ...field, boundSecrets: bindings.get(field.key) ?? [] }));
      },
    }),
    groups: t.stringList({ description: 'Group names in display order.', resolve: (p) => groupsOf(p) }),
    jsonSchema: t.field({
      type: 'JSONObject',
      description: 'JSON Schema 2020-12 of the configuration, for validating it with any tool.',
      resolve: (p) => toJsonSchema(p.schema),
    }),
  }),
});

/** Group names in display order: the declared order, then the others as they first appear. */
export function groupsOf(plugin: RegisteredPlugin): string[] {
  const groups = [...(plugin.schema.groups ?? [])];
  for (const field of plugin.schema.fields) if (field.group && !groups.includes(field.group)) groups.push(field.group);
  return groups;
}

function orderedFields(fields: readonly FieldSpec[], groups: readonly string[]): FieldSpec[] {
  const rank = (field: FieldSpec) => (field.group ? groups.indexOf(field.group) : -1);
  return fields
    .map((field, index) => ({ field, index }))
    .sort((a, b) => rank(a.field) - rank(b.field) || (a.field.order ?? 0) - (b.field.order ?? 0) || a.index - b.index)
    .map(({ field }) => field);
}

const PluginLoadErrorRef = builder.objectRef<PluginLoadError>('PluginLoadError').implement({
  description: 'A plugin that could not be loaded, with the reason.',
  fields: (t) => ({
    path: t.exposeString('path'),
    reason: t.exposeString('reason'),
    pluginName: t.string({ nullable: true, resolve: (e) => e.pluginName ?? null }),
  }),
});

builder.queryFields((t) => ({
  plugins: t.field({
    type: [PluginRef],
    description: 'Discovered plugins, by name. `search` matches name, description and tags.',
    authScopes: { viewer: true },
    args: { type: t.arg({ type: PluginTypeEnum }), search: t.arg.string() },
    resolve: (_root, args, context) =>
      context.registry.list({ ...(args.type ? { type: args.type } : {}), ...(args.search ? { search: args.search } : {}) }),
  }),
  plugin: t.field({
    type: PluginRef,
    nullable: true,
    authScopes: { viewer: true },
    args: { name: t.arg.string({ required: true }) },
    resolve: (_root, args, context) => context.registry.get(args.name) ?? null,
  }),
  pluginLoadErrors: t.field({
    type: [PluginLoadErrorRef],
    authScopes: { viewer: true },
    resolve: (_root, _args, context) => [...context.registry.loadErrors()],
  }),
}));
