/**
 * The configuration document ("configuration as code"): the instances of a server as data,
 * written by `plugform export`, read by `plan`, `apply` and `validate` and by the
 * `applyConfigurationDocument` mutation. Pure (no database, no network), so the CLI checks a
 * file offline with exactly the rules the server applies.
 *
 * ```yaml
 * apiVersion: plugform/v1
 * instances:
 *   - plugin: slack
 *     name: alerts
 *     enabled: true
 *     configuration: { mode: bot, channel: "#alerts" }
 *     secrets:
 *       botToken:
 *         ref: ${env:ALERTS_BOT_TOKEN}          # or vault:secret/data/slack#token
 *         fingerprint: hmac-sha256:…             # the server's, seen at export time
 * ```
 *
 * Secrets are references, never values: a secret written as anything else is refused (and
 * never echoed). A client that resolved a reference sends its value as `value` in the
 * request only; the server never resolves references itself (its environment is not the
 * caller's to read).
 */
import type { FieldError, FieldSpec } from '../../plugins/sdk/index.ts';
import { isSecretField, redact, validateConfig } from '../../plugins/sdk/index.ts';

export const DOCUMENT_API_VERSION = 'plugform/v1';

/** The most instances one document may hold (a plan reads each one's secrets). */
export const MAX_DOCUMENT_INSTANCES = 1000;

export interface SecretEntry {
  /** `${env:NAME}` or `vault:<path>#<key>`. */
  ref?: string;
  /** The fingerprint the server reported when the document was exported. */
  fingerprint?: string;
  /** The resolved value, sent by a client in a request; never in a file. */
  value?: string;
  /** `true`: the secret is to be cleared. */
  clear?: boolean;
}

export interface DocumentInstance {
  plugin: string;
  name: string;
  enabled: boolean;
  configuration: Record<string, unknown>;
  secrets: Record<string, SecretEntry>;
  /**
   * Request only: the stored version the client planned against (null: the instance must not
   * exist yet); a different one is a conflict. Files normally leave it out.
   */
  expectedVersion?: number | null;
}

export interface ConfigurationDocument {
  apiVersion: string;
  instances: DocumentInstance[];
}

const ENV_REF = /^\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}$/;
const VAULT_REF = /^vault:([A-Za-z0-9_.\-/]+)#([A-Za-z0-9_.-]+)$/;

export type SecretReference = { kind: 'env'; name: string } | { kind: 'vault'; path: string; key: string };

/** The reference a text spells, or undefined when it is not one (then it may be a value). */
export function parseReference(text: string): SecretReference | undefined {
  const env = ENV_REF.exec(text);
  if (env) return { kind: 'env', name: env[1]! };
  const vault = VAULT_REF.exec(text);
  if (vault) return { kind: 'vault', path: vault[1]!, key: vault[2]! };
  return undefined;
}

/** `${env:<INSTANCE>_<KEY>}`: release-bot's apiToken is `${env:RELEASE_BOT_API_TOKEN}`. */
export function defaultSecretRef(instanceName: string, key: string): string {
  const words = (text: string) =>
    text
      .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
      .replace(/[^A-Za-z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .toUpperCase();
  const name = `${words(instanceName)}_${words(key)}`;
  return `\${env:${/^[0-9]/.test(name) ? `_${name}` : name}}`;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Checks the shape of a document and returns it typed. Every problem is a FieldError whose
 * field is the path (`instances[1].secrets.apiToken`); messages name fields, never values.
 */
export function parseConfigurationDocument(raw: unknown): { document: ConfigurationDocument; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const fail = (field: string, rule: string, message: string) => errors.push({ field, rule, message });
  const document: ConfigurationDocument = { apiVersion: DOCUMENT_API_VERSION, instances: [] };
  if (!isObject(raw)) {
    fail('', 'type', 'The document must be an object with an `instances` list');
    return { document, errors };
  }
  for (const key of Object.keys(raw)) if (key !== 'apiVersion' && key !== 'instances') fail(key, 'unknown', `Unknown document key "${key}"`);
  if (raw['apiVersion'] !== undefined && raw['apiVersion'] !== DOCUMENT_API_VERSION) {
    fail('apiVersion', 'apiVersion', `apiVersion must be "${DOCUMENT_API_VERSION}"`);
  }
  const list = raw['instances'] ?? [];
  if (!Array.isArray(list)) {
    fail('instances', 'type', '`instances` must be a list');
    return { document, errors };
  }
  if (list.length > MAX_DOCUMENT_INSTANCES) {
    fail('instances', 'maxItems', `A document holds at most ${MAX_DOCUMENT_INSTANCES} instances (this one has ${list.length}); split it`);
    return { document, errors };
  }
  const seen = new Set<string>();
  list.forEach((item: unknown, index) => {
    const at = `instances[${index}]`;
    if (!isObject(item)) return void fail(at, 'type', `${at} must be an object`);
    for (const key of Object.keys(item)) {
      if (!['plugin', 'name', 'enabled', 'configuration', 'secrets', 'expectedVersion'].includes(key)) fail(`${at}.${key}`, 'unknown', `Unknown key "${key}" in ${at}`);
    }
    const { plugin, name, enabled = true, configuration = {}, secrets = {}, expectedVersion } = item;
    if (expectedVersion !== undefined && expectedVersion !== null && !Number.isSafeInteger(expectedVersion)) {
      fail(`${at}.expectedVersion`, 'type', `${at}.expectedVersion must be a whole number or null`);
    }
    if (typeof plugin !== 'string' || plugin === '') fail(`${at}.plugin`, 'required', `${at}.plugin must be a plugin name`);
    if (typeof name !== 'string' || name.trim() === '') fail(`${at}.name`, 'required', `${at}.name must be an instance name`);
    if (typeof enabled !== 'boolean') fail(`${at}.enabled`, 'type', `${at}.enabled must be true or false`);
    if (!isObject(configuration)) fail(`${at}.configuration`, 'type', `${at}.configuration must be an object`);
    if (!isObject(secrets)) fail(`${at}.secrets`, 'type', `${at}.secrets must be an object of references`);
    if (typeof plugin !== 'string' || typeof name !== 'string' || !isObject(configuration) || !isObject(secrets)) return;
    const label = `${plugin}/${name.trim()}`;
    if (seen.has(label)) fail(`${at}.name`, 'unique', `${label} appears twice in the document`);
    seen.add(label);
    const entries: Record<string, SecretEntry> = {};
    for (const [key, entry] of Object.entries(secrets)) {
      const parsed = parseSecretEntry(entry);
      if (typeof parsed === 'string') fail(`${at}.secrets.${key}`, 'reference', `${label}: secret ${key} ${parsed}`);
      else entries[key] = parsed;
    }
    document.instances.push({
      plugin,
      name: name.trim(),
      enabled: enabled === true,
      configuration,
      secrets: entries,
      ...(expectedVersion === undefined ? {} : { expectedVersion: expectedVersion as number | null }),
    });
  });
  return { document, errors };
}

const REFERENCE_HELP = 'must be a reference (${env:NAME} or vault:<path>#<key>), never a value';

/** A secret entry, or the reason it is refused (which never quotes what was written). */
function parseSecretEntry(entry: unknown): SecretEntry | string {
  if (entry === null) return { clear: true };
  if (typeof entry === 'string') return parseReference(entry) ? { ref: entry } : REFERENCE_HELP;
  if (!isObject(entry)) return REFERENCE_HELP;
  const result: SecretEntry = {};
  for (const [key, value] of Object.entries(entry)) {
    if (key === 'ref') {
      if (typeof value !== 'string' || !parseReference(value)) return REFERENCE_HELP;
      result.ref = value;
    } else if (key === 'fingerprint') {
      if (typeof value !== 'string' || value.length > 200) return 'has a fingerprint that is not one';
      result.fingerprint = value;
    } else if (key === 'value') {
      if (typeof value !== 'string') return 'has a value that is not text';
      result.value = value;
    } else {
      return `has an unknown key "${key}" (ref and fingerprint are allowed)`;
    }
  }
  if (result.ref === undefined && result.value === undefined) return REFERENCE_HELP;
  return result;
}

/** One problem of one instance, for `validate` and plan errors. */
export interface InstanceProblem extends FieldError {
  plugin: string;
  name: string;
}

/**
 * Checks each instance against its plugin's schema with the SDK's validator, as the server
 * would on save. A secret whose reference is unresolved here is not reported missing (the
 * server keeps, or is given, its value); a resolved one is checked like any value.
 */
export function validateDocumentInstances(
  document: ConfigurationDocument,
  fieldsOf: (plugin: string) => readonly FieldSpec[] | undefined,
): InstanceProblem[] {
  const problems: InstanceProblem[] = [];
  for (const instance of document.instances) {
    const where = { plugin: instance.plugin, name: instance.name };
    const fields = fieldsOf(instance.plugin);
    if (!fields) {
      problems.push({ ...where, field: 'plugin', rule: 'unknown', message: `no plugin named "${instance.plugin}" is loaded` });
      continue;
    }
    const secretKeys = new Set(fields.filter(isSecretField).map((field) => field.key));
    const unresolved = new Set<string>();
    const values: Record<string, unknown> = { ...instance.configuration };
    for (const [key, entry] of Object.entries(instance.secrets)) {
      if (!secretKeys.has(key)) {
        problems.push({ ...where, field: key, rule: 'notSecret', message: `${key} is not a secret field of ${instance.plugin}; put it in configuration` });
      } else if (entry.value !== undefined) values[key] = entry.value;
      else if (!entry.clear) unresolved.add(key);
    }
    for (const key of Object.keys(instance.configuration)) {
      if (secretKeys.has(key)) problems.push({ ...where, field: key, rule: 'reference', message: `secret ${key} belongs under secrets, as a reference` });
    }
    const secretValues = Object.values(instance.secrets).flatMap((entry) => (entry.value === undefined ? [] : [entry.value]));
    const result = validateConfig({ fields }, values);
    if (!result.ok) {
      for (const error of result.errors) {
        if (unresolved.has(error.field) && error.rule === 'required') continue;
        if (secretKeys.has(error.field) && instance.configuration[error.field] !== undefined) continue; // reported above
        // A plugin's custom rule may quote the value it rejects.
        problems.push({ ...where, ...error, message: redact(error.message, secretValues) });
      }
    }
  }
  return problems;
}
