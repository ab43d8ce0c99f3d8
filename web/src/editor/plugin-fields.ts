/** A plugin's fields as GraphQL returns them, made into the SDK FieldSpecs the form renders. */
import { toFormSchema, type GraphqlField } from '../form/index.ts';
import type { PluginSchemaFragment } from '../gql/graphql.ts';
import type { ArrayItemType, FieldSpec } from '../sdk.ts';
import type { SecretState } from '../form/index.ts';

type Field = PluginSchemaFragment['fields'][number];

function toGraphqlField(field: Field): GraphqlField {
  return {
    ...field,
    // The API types these loosely (any field type, any string); the SDK's checks apply on the server.
    itemType: field.itemType as ArrayItemType | null,
    jsonShape: field.jsonShape === 'array' ? 'array' : field.jsonShape === 'object' ? 'object' : null,
  };
}

export function formFieldsOf(plugin: PluginSchemaFragment): FieldSpec[] {
  return toFormSchema(plugin.fields.map(toGraphqlField));
}

/** `secrets { key isSet updatedAt }` as the form's SecretState. */
export function secretStateOf(secrets: readonly { key: string; isSet: boolean; updatedAt: string | null }[]): SecretState {
  return Object.fromEntries(secrets.map((s) => [s.key, { isSet: s.isSet, updatedAt: s.updatedAt }]));
}
