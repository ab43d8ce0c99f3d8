/**
 * Field vocabulary of a plugin's configuration schema.
 *
 * Everything here is plain data (no Node-only imports): the console ships this module to
 * the browser, the server uses it to validate, and the GraphQL schema and JSON Schema are
 * derived from it. A new attribute goes into `FieldSpec` and into `FIELD_ATTRIBUTES`
 * (field-attributes.ts), which states its kind, GraphQL field and JSON Schema keyword once
 * for every consumer; the compiler refuses one without the other.
 *
 * Enumerations are `as const` objects so the file stays erasable TypeScript.
 */

export const FieldType = {
  STRING: 'STRING',
  TEXT: 'TEXT',
  INTEGER: 'INTEGER',
  FLOAT: 'FLOAT',
  BOOLEAN: 'BOOLEAN',
  SELECT: 'SELECT',
  MULTI_SELECT: 'MULTI_SELECT',
  SECRET: 'SECRET',
  URL: 'URL',
  EMAIL: 'EMAIL',
  PHONE: 'PHONE',
  JSON: 'JSON',
  ARRAY: 'ARRAY',
} as const;
export type FieldType = (typeof FieldType)[keyof typeof FieldType];
export const FIELD_TYPES: readonly FieldType[] = Object.values(FieldType);

/** Item types an ARRAY field may hold: the scalar field types (no nested arrays, selects or secrets). */
export const ARRAY_ITEM_TYPES = [
  FieldType.STRING,
  FieldType.INTEGER,
  FieldType.FLOAT,
  FieldType.BOOLEAN,
  FieldType.URL,
  FieldType.EMAIL,
  FieldType.PHONE,
] as const;
export type ArrayItemType = (typeof ARRAY_ITEM_TYPES)[number];

export interface SelectOption {
  value: string;
  label: string;
  description?: string;
}

/** Declarative rules: serialisable, so the console and other teams' tools can run them too. */
export type DeclarativeRule =
  | { type: 'pattern'; value: string; message?: string }
  | { type: 'minLength' | 'maxLength' | 'min' | 'max'; value: number; message?: string }
  | { type: 'enum'; value: readonly (string | number | boolean)[]; message?: string };

/** The types of the declarative rules: the ones a client (the console, another team's tool) can run. */
export const DECLARATIVE_RULE_TYPES = ['pattern', 'minLength', 'maxLength', 'min', 'max', 'enum'] as const satisfies readonly DeclarativeRule['type'][];

/**
 * A predicate for plugins defined in code. It cannot be serialised, so only the server runs
 * it (the console sees the rule's `message` and type but cannot evaluate it).
 * Return `true` when the value is valid, `false` or a message when it is not.
 */
export interface CustomRule {
  type: 'custom';
  validate: (value: unknown, config: Readonly<Record<string, unknown>>) => boolean | string;
  message?: string;
}

export type ValidationRule = DeclarativeRule | CustomRule;

/**
 * When a field is shown: while an earlier SELECT or BOOLEAN field has the value `equals`, or
 * one of the values `in`. Plain data, so the console evaluates it as the server does.
 */
export type FieldCondition =
  | { field: string; equals: string | boolean }
  | { field: string; in: readonly (string | boolean)[] };
export type ValidationRuleType = ValidationRule['type'];

export interface FieldSpec {
  /** Unique identifier within the plugin; also the configuration key. */
  key: string;
  label: string;
  type: FieldType;
  description?: string;
  required?: boolean;
  default?: unknown;
  /** Length bounds for text-like values, item-count bounds for MULTI_SELECT and ARRAY. */
  minLength?: number;
  maxLength?: number;
  /** Numeric bounds for INTEGER and FLOAT. */
  minValue?: number;
  maxValue?: number;
  /** A regular expression (JavaScript syntax, unanchored unless it anchors itself). */
  pattern?: string;
  validationRules?: readonly ValidationRule[];
  placeholder?: string;
  helpText?: string;
  group?: string;
  order?: number;
  /** Choices of SELECT and MULTI_SELECT. */
  options?: readonly SelectOption[];
  /** Write-only value kept in the secret store. Implied by type SECRET. */
  isSecret?: boolean;
  /** Type of each item of an ARRAY field (default STRING). */
  itemType?: ArrayItemType;
  /** What a JSON field must hold (default `object`). */
  jsonShape?: 'object' | 'array';
  /**
   * This field decides where secrets are sent (a URL, host, port, region, TLS mode …): when it
   * changes, the secrets it binds must be entered again in the same request. `true` binds
   * every secret of the plugin, a list of secret keys binds those, `false` none. A plugin that
   * marks no field gets a default (see `destinationBindings` in destinations.ts).
   */
  destination?: boolean | readonly string[];
  /**
   * Shown only while the condition holds (and the field it names is itself shown). A hidden
   * field is not validated and its value is dropped on save (a hidden secret is cleared), so
   * `required: true` means "required while shown".
   */
  visibleWhen?: FieldCondition;
}

/** A secret field is one of type SECRET or one explicitly marked `isSecret`. */
export function isSecretField(field: Pick<FieldSpec, 'type' | 'isSecret'>): boolean {
  return field.type === FieldType.SECRET || field.isSecret === true;
}

/** One problem with one field (or with the configuration as a whole when `field` is `''`). */
export interface FieldError {
  field: string;
  message: string;
  /** Which check failed: `required`, `type`, `minLength`, `pattern`, `unknown`, a rule type … */
  rule: string;
}

/** A field's spec with some attributes replaced (the replaced ones take the override's type). */
type Overridden<D, O> = Omit<D, keyof O> & O;
type FieldOverrides = Partial<Omit<FieldSpec, 'key' | 'type'>>;

const RETRY_COUNT = { key: 'retryCount', label: 'Retry Count', type: 'INTEGER', default: 2, minValue: 0, maxValue: 5, group: 'Advanced', order: 1 } as const;
const TIMEOUT_SECONDS = { key: 'timeoutSeconds', label: 'Timeout (seconds)', type: 'INTEGER', default: 10, minValue: 1, maxValue: 60, group: 'Advanced', order: 2 } as const;

/**
 * The two fields every plugin that calls a vendor over HTTP offers, with their common
 * defaults; `overrides` sets what differs (help text, bounds, group, order). Typed as the
 * literal object, so `ConfigOf` still sees `retryCount` / `timeoutSeconds` as integers.
 */
export function retryCountField<const O extends FieldOverrides>(overrides: O): Overridden<typeof RETRY_COUNT, O> {
  return { ...RETRY_COUNT, ...overrides };
}

export function timeoutSecondsField<const O extends FieldOverrides>(overrides: O): Overridden<typeof TIMEOUT_SECONDS, O> {
  return { ...TIMEOUT_SECONDS, ...overrides };
}
