/**
 * Builds what a provider receives: the platform HTTP client (timeouts, egress policy) and a
 * logger that redacts the instance's own secret values, so a plugin that logs its config by
 * mistake still cannot leak a secret.
 */
import { redact, type PluginContext, type PluginLogger } from '../../plugins/sdk/index.ts';
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

function redactingLogger(logger: Logger, secretValues: readonly string[]): PluginLogger {
  const scrubDetails = (details: Record<string, unknown>): Record<string, unknown> => {
    try {
      return redact(details, secretValues);
    } catch {
      // A plugin logging a cyclic object must not get an exception from its logger.
      return { note: 'details were not serialisable and were dropped' };
    }
  };
  const wrap =
    (write: Logger['info']) =>
    (message: string, details?: Record<string, unknown>) =>
      write(redact(message, secretValues), details === undefined ? undefined : scrubDetails(details));
  return { debug: wrap(logger.debug), info: wrap(logger.info), warn: wrap(logger.warn), error: wrap(logger.error) };
}
