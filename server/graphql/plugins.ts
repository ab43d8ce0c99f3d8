/** The plugin catalog: discovered plugins with their full schema, and the ones that failed to load. */
import {
  FIELD_TYPES,
  configVersionOf,
  PLUGIN_TYPES,
  conditionValues,
  destinationBindings,
  isSecretField,
  toJsonSchema,
  type FieldCondition,
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

const PluginFieldRef = builder.objectRef<PluginFieldOf>('PluginField').implement({
  description: 'One field of a plugin configuration schema, with every attribute of its FieldSpec.',
  fields: (t) => ({
    key: t.exposeString('key'),
    label: t.exposeString('label'),
    type: t.field({ type: FieldTypeEnum, resolve: (field) => field.type }),
    description: t.exposeString('description', { nullable: true }),
    required: t.boolean({ resolve: (field) => field.required === true }),
    default: t.field({
      type: 'JSON',
      nullable: true,
      description: 'Never set for secret fields.',
      resolve: (field) => (isSecretField(field) ? null : (field.default ?? null)),
    }),
    minLength: t.exposeInt('minLength', { nullable: true }),
    maxLength: t.exposeInt('maxLength', { nullable: true }),
    minValue: t.exposeFloat('minValue', { nullable: true }),
    maxValue: t.exposeFloat('maxValue', { nullable: true }),
    pattern: t.exposeString('pattern', { nullable: true }),
    validationRules: t.field({ type: [ValidationRuleRef], resolve: (field) => [...(field.validationRules ?? [])] }),
    placeholder: t.exposeString('placeholder', { nullable: true }),
    helpText: t.exposeString('helpText', { nullable: true }),
    group: t.exposeString('group', { nullable: true }),
    order: t.exposeInt('order', { nullable: true }),
    options: t.field({ type: [SelectOptionRef], resolve: (field) => [...(field.options ?? [])] }),
    isSecret: t.boolean({ resolve: (field) => isSecretField(field) }),
    itemType: t.field({ type: FieldTypeEnum, nullable: true, resolve: (field) => (field.type === 'ARRAY' ? (field.itemType ?? 'STRING') : null) }),
    jsonShape: t.string({ nullable: true, resolve: (field) => (field.type === 'JSON' ? (field.jsonShape ?? 'object') : null) }),
    visibleWhen: t.field({
      type: FieldConditionRef,
      nullable: true,
      description: 'Null when the field is always shown. A hidden field is not validated, and a save drops its value.',
      resolve: (field) => field.visibleWhen ?? null,
    }),
    bindsSecrets: t.stringList({
      description:
        'The secret keys that must be entered again when this field changes: it decides where they are sent (the ' +
        "field's `destination` attribute, or the SDK's default). Empty when it is no destination. A client reproduces the " +
        "server's rule by calling the SDK's `secretsToReenter` with `destination: bindsSecrets` on every field.",
      resolve: (field) => [...field.boundSecrets],
    }),
  }),
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
