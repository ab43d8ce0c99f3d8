/**
 * Builds what a provider receives: the platform HTTP client (timeouts, redirects that keep
 * credentials at their origin, capped bodies) whose connections go through the egress gate,
 * the gate itself for every other socket, the storage roots the operator allows, and a logger
 * that redacts the instance's own secret values, so a plugin that logs its config by mistake
 * still cannot leak a secret.
 */
import { redact, type PluginContext, type PluginLogger } from '../../plugins/sdk/index.ts';
import { openEgressGate, type EgressGate } from '../egress/egress.ts';
import { createHttpClient } from '../egress/http-client.ts';
import type { Logger } from '../logger.ts';

export type { EgressGate } from '../egress/egress.ts';

/** What the operator configured for every plugin context: the egress gate, storage roots, body cap. */
export type PluginContextSettings = Pick<PluginContextOptions, 'egress' | 'fileRoots' | 'maxResponseBytes'>;

export interface PluginContextOptions {
  pluginName: string;
  instanceId?: string;
  logger: Logger;
  /** Default: the open gate (link-local and metadata addresses blocked only). */
  egress?: EgressGate;
  /** Directories local-storage may use; default none. */
  fileRoots?: readonly string[];
  /** Values to redact from everything the plugin logs. */
  secretValues?: readonly string[];
  /** Aborts every outbound call of this provider (a connection test's deadline). */
  signal?: AbortSignal;
  httpTimeoutMs?: number;
  /** Largest vendor response body read (PLUGFORM_VENDOR_RESPONSE_MAX_BYTES). */
  maxResponseBytes?: number;
}

export function createPluginContext(options: PluginContextOptions): PluginContext {
  const egress = options.egress ?? openEgressGate;
  const http = createHttpClient({
    ...(options.httpTimeoutMs === undefined ? {} : { defaultTimeoutMs: options.httpTimeoutMs }),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.maxResponseBytes === undefined ? {} : { maxResponseBytes: options.maxResponseBytes }),
    dispatcher: egress.dispatcher,
  });
  const scope = options.instanceId ? `plugin.${options.pluginName}[${options.instanceId}]` : `plugin.${options.pluginName}[test]`;
  return {
    ...(options.instanceId ? { instanceId: options.instanceId } : {}),
    http,
    // Only the socket factories: the dispatcher and close() stay the platform's.
    egress: { check: egress.check, connect: egress.connect, connectTls: egress.connectTls },
    fileRoots: options.fileRoots ?? [],
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
