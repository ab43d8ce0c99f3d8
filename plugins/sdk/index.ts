/** The plugin SDK: everything a plugin author imports. Browser-safe (no Node-only imports). */
export * from './fields.ts';
export * from './plugin.ts';
export * from './validate.ts';
export { conditionSources, conditionValues, describeCondition } from './rules/conditions.ts';
export * from './json-schema.ts';
export * from './schema-check.ts';
export * from './redact.ts';
export * from './destinations.ts';
export * from './http-helpers.ts';
export * from './migrations.ts';
export * from './field-attributes.ts';
