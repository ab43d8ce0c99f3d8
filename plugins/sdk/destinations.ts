/**
 * Secrets are bound to their destination. Some fields decide where a plugin sends its secrets
 * (a base URL, a host, a port, a region, whether TLS is used …); when one of them changes, a
 * stored secret must not silently follow it: whoever changes the destination enters the
 * secret again, in the same request. Grafana and n8n keep stored credentials when the URL
 * changes, which lets anyone allowed to edit a URL collect the credentials behind it.
 *
 * Pure and browser-safe: the server enforces `secretsToReenter` on updates and on tests with
 * an override, and the console runs the same function to ask for the secrets as soon as a
 * destination field is edited.
 */
import { FieldType, isSecretField, type FieldSpec } from './fields.ts';
import { hiddenFields } from './validate.ts';

/**
 * Words of a field key that name where traffic goes, for plugins that mark no destination:
 * `apiBaseUrl`, `host`, `smtpPort`, `endpoint`, `region`, `ldap_url` …
 */
const DESTINATION_WORDS: ReadonlySet<string> = new Set(['host', 'hostname', 'port', 'endpoint', 'url', 'uri', 'region']);

/** The words of a key: `apiBaseUrl` → api, base, url; `ldap_url` → ldap, url. */
function keyWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[\s_-]+/)
    .filter(Boolean)
    .map((word) => word.toLowerCase());
}

/** Whether any field of the schema carries the `destination` attribute (then the default is off). */
function marksDestinations(fields: readonly FieldSpec[]): boolean {
  return fields.some((field) => field.destination !== undefined);
}

/**
 * The keys of the secrets each destination field binds, by destination field key.
 *
 * - A plugin that marks fields with `destination` gets exactly what it marked: `true` binds
 *   every secret of the plugin, a list binds those secrets, `false` (or no attribute) none.
 * - A plugin that marks none gets the safe default: every URL field, and every field whose key
 *   names a host, port, endpoint, URL or region, binds all of the plugin's secrets.
 * A secret field never binds itself.
 */
export function destinationBindings(fields: readonly FieldSpec[]): Map<string, string[]> {
  const secretKeys = fields.filter(isSecretField).map((field) => field.key);
  const explicit = marksDestinations(fields);
  const bindings = new Map<string, string[]>();
  for (const field of fields) {
    let bound: readonly string[];
    if (explicit) {
      const marked = field.destination;
      bound = marked === true ? secretKeys : Array.isArray(marked) ? marked : [];
    } else {
      const named = field.type === FieldType.URL || keyWords(field.key).some((word) => DESTINATION_WORDS.has(word));
      bound = named ? secretKeys : [];
    }
    const others = bound.filter((key) => key !== field.key);
    if (others.length > 0) bindings.set(field.key, [...others]);
  }
  return bindings;
}

/** A stored secret that must be entered again, and why. */
export interface SecretReentry {
  /** The secret's field key. */
  key: string;
  /** The destination fields whose change requires it, in field order. */
  changedFields: string[];
  /** For a person: `re-enter Bot Token: Web API Base URL changed`. */
  message: string;
}

export interface SecretReentryInput {
  fields: readonly FieldSpec[];
  /**
   * The configuration as stored. A secret that is set appears under its key with any string
   * value (the console has the mask `••••••••`, the server the value); an unset one is absent.
   */
  stored: Readonly<Record<string, unknown>>;
  /** The configuration the request would use (plain values; secrets are not compared). */
  next: Readonly<Record<string, unknown>>;
  /** Secret keys the request gives a new value for, or clears: those are not reused. */
  suppliedSecretKeys: Iterable<string>;
}

/**
 * Which stored secrets the request must send again because a destination they are bound to
 * changed (or, for a secret destination such as a webhook URL, was replaced). An empty list
 * means the stored secrets may be reused. A value that is missing counts as the field's
 * default, so filling in the default is no change. A secret that `next` hides (`visibleWhen`)
 * is dropped by the save, so it is never asked for.
 */
export function secretsToReenter(input: SecretReentryInput): SecretReentry[] {
  const { fields, stored, next } = input;
  const supplied = new Set(input.suppliedSecretKeys);
  const hidden = hiddenFields(fields, (field) => next[field.key]);
  const byKey = new Map(fields.map((field) => [field.key, field]));
  const labelOf = (key: string) => byKey.get(key)?.label || key;
  const changed = (field: FieldSpec): boolean => {
    if (isSecretField(field)) return supplied.has(field.key);
    return canonical(effective(field, stored[field.key])) !== canonical(effective(field, next[field.key]));
  };

  const reasons = new Map<string, string[]>();
  for (const [destinationKey, secretKeys] of destinationBindings(fields)) {
    const destination = byKey.get(destinationKey);
    if (!destination || !changed(destination)) continue;
    for (const secretKey of secretKeys) {
      const isStored = typeof stored[secretKey] === 'string' && stored[secretKey] !== '';
      if (!isStored || supplied.has(secretKey) || hidden.has(secretKey)) continue;
      reasons.set(secretKey, [...(reasons.get(secretKey) ?? []), destinationKey]);
    }
  }
  return fields
    .filter((field) => reasons.has(field.key))
    .map((field) => {
      const changedFields = reasons.get(field.key)!;
      const what = changedFields.map(labelOf).join(', ');
      return {
        key: field.key,
        changedFields,
        message: `re-enter ${labelOf(field.key)}: ${what} changed`,
      };
    });
}

function effective(field: FieldSpec, value: unknown): unknown {
  return value === undefined || value === null || value === '' ? (field.default ?? null) : value;
}

/** A comparable text for a value: `"5"` and `5` are the same destination port. */
function canonical(value: unknown): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return `scalar:${String(value)}`;
  return `json:${JSON.stringify(value) ?? 'null'}`;
}
