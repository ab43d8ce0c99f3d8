/**
 * The console's one door to the plugin SDK. The form validates with the SDK's own
 * `validateConfig` (the same code the server runs), so no rule is ever reimplemented here.
 */
export {
  DECLARATIVE_RULE_TYPES,
  FieldType,
  conditionSources,
  fieldAttributeEntries,
  graphqlNameOf,
  isCompositeKind,
  fieldsToRecheck,
  hasCustomRule,
  hiddenFields,
  isSecretField,
  secretsToReenter,
  validateConfig,
  validateFields,
} from '../../plugins/sdk/index.ts';
export type {
  ArrayItemType,
  FieldError,
  CompositeAttribute,
  FieldSpec,
  SelectOption,
  ValidationRule,
  DeclarativeRule,
  SecretReentry,
} from '../../plugins/sdk/index.ts';
// The declarative constraints the validator checks, read again to tell the user about them
// before they err (form/constraints.ts): the same list, so the hint cannot drift from the rule.
export { fieldConstraints } from '../../plugins/sdk/rules/constraints.ts';
export type { Constraint } from '../../plugins/sdk/rules/constraints.ts';
