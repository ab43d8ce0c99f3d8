/**
 * What a provider must implement before the platform hands it an instance: the operations of
 * its plugin type, and the optional operations its schema says it supports. Checked on every
 * provider created (no provider exists before an instance is configured), so a broken plugin
 * fails with a named operation instead of "x is not a function" in the middle of a send.
 */
import { OPERATIONS_BY_TYPE } from '../../plugins/sdk/index.ts';
import type { PluginConfig, PluginProvider } from '../../plugins/sdk/index.ts';
import { ProviderContractError } from './errors.ts';
import { isThenable } from '../timeout.ts';

/** The operations a provider of this schema must have, in a stable order. */
export function requiredOperations(schema: PluginConfig): string[] {
  const ops = [...(OPERATIONS_BY_TYPE[schema.type] ?? [])];
  if (schema.supportsHealthCheck === true) ops.push('healthCheck');
  if (schema.supportsTestConnection === true) ops.push('testConnection');
  return ops;
}

export function missingOperations(schema: PluginConfig, provider: object): string[] {
  return requiredOperations(schema).filter(
    (op) => typeof (provider as Record<string, unknown>)[op] !== 'function',
  );
}

/** Throws a `ProviderContractError` unless `value` is a provider fit for `schema`. */
export function assertProvider(schema: PluginConfig, source: string, value: unknown, madeBy: string): PluginProvider {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) {
    throw new ProviderContractError(schema.name, source, `${madeBy} returned ${kindOf(value)}, expected a provider object`);
  }
  const missing = missingOperations(schema, value);
  if (missing.length > 0) {
    throw new ProviderContractError(
      schema.name,
      source,
      `provider does not implement ${missing.join(', ')} (required of a ${schema.type} plugin${
        missing.some((op) => op === 'healthCheck' || op === 'testConnection') ? ' declaring that support' : ''
      })`,
      missing,
    );
  }
  return value as PluginProvider;
}

export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : typeof value === 'undefined' ? 'undefined' : `a ${typeof value}`;
}
