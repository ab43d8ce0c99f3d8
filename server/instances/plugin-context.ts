/**
 * Builds what a provider receives: the platform HTTP client (timeouts, egress policy) and a
 * logger that redacts the instance's own secret values, so a plugin that logs its config by
 * mistake still cannot leak a secret.
 */
import type { PluginContext, PluginLogger } from '../../plugins/sdk/index.ts';
import { createHttpClient } from '../health/http-client.ts';
import type { Logger } from '../logger.ts';

export interface EgressCheck {
  /** Throws (with the reason) when the policy forbids reaching `host`. */
  check(host: string, port?: number): Promise<void>;
}

export const allowAllEgress: EgressCheck = { check: async () => undefined };

export interface PluginContextOptions {
  pluginName: string;
  instanceId?: string;
  logger: Logger;
  egress?: EgressCheck;
  /** Values to redact from everything the plugin logs. */
  secretValues?: readonly string[];
  /** Aborts every outbound call of this provider (a connection test's deadline). */
  signal?: AbortSignal;
  httpTimeoutMs?: number;
}

export function createPluginContext(options: PluginContextOptions): PluginContext {
  const egress = options.egress ?? allowAllEgress;
  const http = createHttpClient({
    ...(options.httpTimeoutMs === undefined ? {} : { defaultTimeoutMs: options.httpTimeoutMs }),
    ...(options.signal ? { signal: options.signal } : {}),
    checkEgress: (url) => egress.check(url.hostname, url.port ? Number(url.port) : undefined),
  });
  const scope = options.instanceId ? `plugin.${options.pluginName}[${options.instanceId}]` : `plugin.${options.pluginName}[test]`;
  return {
    ...(options.instanceId ? { instanceId: options.instanceId } : {}),
    http,
    egress,
    logger: redactingLogger(options.logger.child(scope), options.secretValues ?? []),
  };
}

export const REDACTED = '[redacted]';

/** Replaces every occurrence of a secret value in a string or JSON-able value. */
export function redact<T>(value: T, secretValues: readonly string[]): T {
  const secrets = secretValues.filter((s) => s.length > 0);
  if (secrets.length === 0) return value;
  const scrub = (text: string) => secrets.reduce((out, secret) => out.split(secret).join(REDACTED), text);
  if (typeof value === 'string') return scrub(value) as T;
  if (value === null || typeof value !== 'object') return value;
  return JSON.parse(scrub(JSON.stringify(value))) as T;
}

function redactingLogger(logger: Logger, secretValues: readonly string[]): PluginLogger {
  const wrap =
    (write: Logger['info']) =>
    (message: string, details?: Record<string, unknown>) =>
      write(redact(message, secretValues), details === undefined ? undefined : redact(details, secretValues));
  return { debug: wrap(logger.debug), info: wrap(logger.info), warn: wrap(logger.warn), error: wrap(logger.error) };
}
