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

/**
 * Replaces every occurrence of a secret value (in clear, JSON-escaped or percent-encoded) in
 * a string or JSON-able value. Objects are first reduced to plain data (a JSON round trip)
 * and then scrubbed string by string, keys included: scrubbing the JSON text instead would
 * miss a secret that JSON escapes (a quote, a backslash, a control character), which
 * passwords routinely contain. Throws, as JSON.stringify does, on a cycle.
 */
export function redact<T>(value: T, secretValues: readonly string[]): T {
  // A secret also leaks in the forms a plugin is likely to write it in: inside a JSON text
  // it built itself (quotes and backslashes escaped) or in a URL (percent-encoded).
  const forms = [...new Set(secretValues.filter((s) => s.length > 0).flatMap(secretForms))].sort((a, b) => b.length - a.length);
  if (forms.length === 0) return value;
  const scrub = (text: string) => forms.reduce((out, form) => out.split(form).join(REDACTED), text);
  if (typeof value === 'string') return scrub(value) as T;
  if (value === null || typeof value !== 'object') return value;
  const walk = (node: unknown): unknown => {
    if (typeof node === 'string') return scrub(node);
    if (Array.isArray(node)) return node.map(walk);
    if (node === null || typeof node !== 'object') return node;
    return Object.fromEntries(Object.entries(node).map(([key, item]) => [scrub(key), walk(item)]));
  };
  const plain: unknown = JSON.parse(JSON.stringify(value) ?? 'null');
  return walk(plain) as T;
}

function secretForms(secret: string): string[] {
  return [secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)];
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
