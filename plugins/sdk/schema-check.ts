/**
 * `checkPluginSchema`: the checks a plugin's schema passes before the registry accepts it.
 * The input is untrusted (a plugin may return anything), so nothing is assumed about it.
 * Every problem is reported, each naming the field (or `''` for the plugin itself) and
 * saying exactly what is wrong: `field "port": minValue 10 is greater than maxValue 5`.
 *
 * Beyond the obvious (names, types, options, regexes, bounds, defaults) it rejects what would
 * otherwise be silently ignored: unknown field attributes (`min_length`), constraints that
 * mean nothing for the field's type (`pattern` on a BOOLEAN), groups listed but never used,
 * conditions (`visibleWhen`) naming a later field, a field that cannot be compared, or a value it never holds.
 */
import { isSecretField } from './fields.ts';
import { PLUGIN_TYPES } from './plugin.ts';
import { checkConditions } from './rules/conditions.ts';
import { checkField, type SchemaProblem } from './rules/field-check.ts';
import { isPlainObject } from './rules/shapes.ts';

// Declared next to the field checks (which this module uses), so they do not import it back.
export type { SchemaProblem } from './rules/field-check.ts';

const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const NAME_MAX_LENGTH = 64;
/** Semantic Versioning 2.0.0, as semver.org gives it. */
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

const quote = (value: unknown): string => JSON.stringify(value) ?? String(value);

export function checkPluginSchema(schema: unknown): SchemaProblem[] {
  if (!isPlainObject(schema)) return [{ field: '', message: 'the plugin schema must be an object' }];
  const problems: SchemaProblem[] = [];
  const problem = (message: string): void => {
    problems.push({ field: '', message });
  };

  const { name, type, version } = schema;
  if (name === undefined) problem('name is required');
  else if (typeof name !== 'string' || !NAME.test(name)) {
    problem(`name ${quote(name)} must be lowercase letters and digits in dash-separated words, like "whatsapp-business"`);
  } else if (name.length > NAME_MAX_LENGTH) {
    problem(`name must be at most ${NAME_MAX_LENGTH} characters (it has ${name.length})`);
  }
  if (type === undefined) problem('type is required');
  else if (!(PLUGIN_TYPES as readonly unknown[]).includes(type)) {
    problem(`type ${quote(type)} is not a plugin type (one of: ${PLUGIN_TYPES.join(', ')})`);
  }
  if (version === undefined) problem('version is required');
  else if (typeof version !== 'string' || !SEMVER.test(version)) problem(`version ${quote(version)} is not a semantic version, like 1.2.0`);
  checkMetadata(schema, problem);

  if (!Array.isArray(schema.fields)) {
    problem('fields must be a list');
    return problems;
  }
  const keys = new Map<string, number>();
  schema.fields.forEach((field: unknown, index) => problems.push(...checkField(field, index, keys)));
  checkGroups(schema.groups, schema.fields, problem);
  checkDestinations(schema.fields, problems);
  problems.push(...checkConditions(schema.fields));
  checkMigrations(schema.configVersion, schema.migrations, problem);
  return problems;
}

/**
 * `configVersion` and `migrations` form one chain: a step from every version below
 * `configVersion` to the next one, and nothing else, so any stored version can be brought up.
 */
function checkMigrations(configVersion: unknown, migrations: unknown, problem: (message: string) => void): void {
  const target = configVersion ?? 1;
  if (!(typeof target === 'number' && Number.isSafeInteger(target) && target >= 1)) {
    problem(`configVersion ${quote(configVersion)} must be a whole number ≥ 1`);
    return;
  }
  if (migrations === undefined) {
    if (target > 1) problem(`configVersion is ${target} but there are no migrations: add steps from 1 to ${target}`);
    return;
  }
  if (!Array.isArray(migrations)) {
    problem('migrations must be a list of { from, to, migrate } steps');
    return;
  }
  const from = new Set<number>();
  migrations.forEach((step: unknown, index) => {
    const at = `migrations[${index}]`;
    if (!isPlainObject(step)) return problem(`${at} must be an object { from, to, migrate }`);
    if (typeof step.migrate !== 'function') problem(`${at}: migrate must be a function`);
    if (!(typeof step.from === 'number' && Number.isSafeInteger(step.from) && step.from >= 1)) return problem(`${at}: from must be a whole number ≥ 1`);
    if (step.to !== step.from + 1) problem(`${at}: to must be from + 1 (${step.from + 1}): a step goes one version up`);
    if (step.from >= target) problem(`${at}: goes from ${step.from}, beyond configVersion ${target}`);
    if (from.has(step.from)) problem(`${at}: a second step from version ${step.from}`);
    from.add(step.from);
  });
  for (let version = 1; version < target; version++) {
    if (!from.has(version)) problem(`migrations have no step from version ${version} to ${version + 1} (configVersion is ${target})`);
  }
}

/** The optional descriptive attributes: only their types can be wrong. */
function checkMetadata(schema: Record<string, unknown>, problem: (message: string) => void): void {
  for (const key of ['displayName', 'description', 'author', 'homepage']) {
    if (schema[key] !== undefined && typeof schema[key] !== 'string') problem(`${key} must be a string`);
  }
  for (const key of ['dependencies', 'tags', 'groups']) {
    const value = schema[key];
    if (value !== undefined && !(Array.isArray(value) && value.every((item) => typeof item === 'string'))) {
      problem(`${key} must be a list of strings`);
    }
  }
  for (const key of ['supportsHealthCheck', 'supportsTestConnection']) {
    if (schema[key] !== undefined && typeof schema[key] !== 'boolean') problem(`${key} must be true or false`);
  }
  for (const key of ['testTimeoutMs', 'healthIntervalMs']) {
    const value = schema[key];
    if (value !== undefined && !(typeof value === 'number' && Number.isFinite(value) && value > 0)) {
      problem(`${key} must be a positive number of milliseconds`);
    }
  }
}

/** A destination's list names secrets of this plugin: anything else would bind nothing. */
function checkDestinations(fields: unknown[], problems: SchemaProblem[]): void {
  const secretKeys = new Set(
    fields.flatMap((field) => (isPlainObject(field) && typeof field.key === 'string' && isSecretField(field as never) ? [field.key] : [])),
  );
  for (const field of fields) {
    if (!isPlainObject(field) || typeof field.key !== 'string' || !Array.isArray(field.destination)) continue;
    for (const key of field.destination as unknown[]) {
      if (typeof key === 'string' && !secretKeys.has(key)) {
        problems.push({ field: field.key, message: `field "${field.key}": destination names ${quote(key)}, which is not a secret field of this plugin` });
      }
    }
  }
}

/** `groups` orders the groups fields use; a name no field uses is most likely a typo. */
function checkGroups(groups: unknown, fields: unknown[], problem: (message: string) => void): void {
  if (!Array.isArray(groups)) return;
  const used = new Set(fields.map((field) => (isPlainObject(field) ? field.group : undefined)));
  const listed = new Set<unknown>();
  for (const group of groups) {
    if (listed.has(group)) problem(`group ${quote(group)} is listed more than once in groups`);
    else if (!used.has(group)) problem(`group ${quote(group)} is listed in groups but no field uses it`);
    listed.add(group);
  }
}
