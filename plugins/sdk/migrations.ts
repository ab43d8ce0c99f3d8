/**
 * Running a plugin's configuration migrations: a stored configuration at an older
 * `configVersion` is brought up one step at a time. Pure and browser-safe: the server runs it
 * when it restores or loads an instance, and plugin authors run it in their tests.
 */
import type { PluginConfig } from './plugin.ts';

/** A step that threw, returned something that is not a configuration, or is missing. */
export class ConfigMigrationError extends Error {
  override readonly name = 'ConfigMigrationError';
  readonly from: number;
  readonly to: number;
  constructor(from: number, to: number, reason: string) {
    super(`step ${from} → ${to} failed: ${reason}`);
    this.from = from;
    this.to = to;
  }
}

/** The configuration version a plugin's schema declares (1 when it declares none). */
export function configVersionOf(schema: Pick<PluginConfig, 'configVersion'>): number {
  return schema.configVersion ?? 1;
}

/**
 * The configuration `config`, stored at version `from`, migrated to the plugin's
 * `configVersion` step by step. Each step gets its own copy, so a step cannot change the
 * stored object. Throws a ConfigMigrationError naming the step that failed.
 */
export function migrateConfig(
  schema: Pick<PluginConfig, 'configVersion' | 'migrations'>,
  config: Readonly<Record<string, unknown>>,
  from: number,
): Record<string, unknown> {
  let current: Record<string, unknown> = structuredClone(config) as Record<string, unknown>;
  for (let version = from; version < configVersionOf(schema); version++) {
    const step = schema.migrations?.find((candidate) => candidate.from === version);
    if (!step) throw new ConfigMigrationError(version, version + 1, 'the plugin declares no such step');
    let next: unknown;
    try {
      next = step.migrate(structuredClone(current));
    } catch (error) {
      throw new ConfigMigrationError(version, version + 1, error instanceof Error ? error.message : String(error));
    }
    if (typeof next !== 'object' || next === null || Array.isArray(next)) {
      throw new ConfigMigrationError(version, version + 1, 'migrate() did not return a configuration object');
    }
    current = next as Record<string, unknown>;
  }
  return current;
}
