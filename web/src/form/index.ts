/** The schema-driven form renderer. */
export { ConfigForm, type ConfigFormApi, type ConfigFormProps, type SummaryProblem } from './ConfigForm.tsx';
export { toFormSchema, type GraphqlField, type GraphqlValidationRule } from './schema.ts';
export { groupFields, sortByOrder, type FieldSection } from './grouping.ts';
export type { ConfigPayload, FormValues, SecretDraft, SecretState, SecretStatus, ServerFieldError } from './types.ts';
