/** A plugin's fields as GraphQL returns them, made into the SDK FieldSpecs the form renders. */
import { toFormSchema } from '../form/index.ts';
import type { PluginSchemaFragment } from '../gql/graphql.ts';
import type { FieldSpec } from '../sdk.ts';
import type { SecretState } from '../form/index.ts';

export function formFieldsOf(plugin: PluginSchemaFragment): FieldSpec[] {
  return toFormSchema(plugin.fields);
}

/** `secrets { key isSet updatedAt }` as the form's SecretState. */
export function secretStateOf(secrets: readonly { key: string; isSet: boolean; updatedAt: string | null }[]): SecretState {
  return Object.fromEntries(secrets.map((s) => [s.key, { isSet: s.isSet, updatedAt: s.updatedAt }]));
}
