/**
 * Connection tests tell the truth without changing anything: each builds a throwaway
 * provider from the configuration under test, asks it to test, and stops it.
 * Nothing is saved and the live provider of an instance is never touched.
 */
import { errorMessage, type PluginTestResult, type TestReport } from '../../plugins/sdk/index.ts';
import { callPlugin } from '../instances/guarded-call.ts';
import { createPluginContext, type PluginContextSettings } from '../instances/plugin-context.ts';
import { startProvider, stopQuietly, type ProviderFactory } from '../instances/provider-pool.ts';
import type { Logger } from '../logger.ts';
import { normalizeTestReport, resultMessage } from './results.ts';

export const DEFAULT_TEST_TIMEOUT_MS = 15_000;

export interface ConnectionTestOptions {
  plugin: ProviderFactory;
  /** A validated configuration, secrets included. */
  config: Record<string, unknown>;
  secretValues: readonly string[];
  logger: Logger;
  contextSettings?: PluginContextSettings;
  /** The platform's limit; a plugin's `testTimeoutMs` may lower it, never raise it. */
  timeoutMs?: number;
}

export async function runConnectionTest(options: ConnectionTestOptions): Promise<PluginTestResult> {
  const { plugin, config, secretValues } = options;
  const name = plugin.schema.name;
  const timeoutMs = Math.min(options.timeoutMs ?? DEFAULT_TEST_TIMEOUT_MS, plugin.schema.testTimeoutMs ?? Infinity);
  // Aborting at the deadline cancels the throwaway provider's outbound calls too.
  const deadline = new AbortController();
  const context = createPluginContext({
    pluginName: name,
    logger: options.logger,
    secretValues,
    signal: deadline.signal,
    ...options.contextSettings,
  });
  const started = performance.now();
  let report: TestReport;
  let provider: Awaited<ReturnType<typeof startProvider>> | undefined;
  try {
    report = await callPlugin(name, 'connection test', timeoutMs, async () => {
      provider = await startProvider(plugin, context, config, timeoutMs);
      // Ready only after the deadline: the cleanup below has run already, stop it here.
      if (deadline.signal.aborted) {
        await stopQuietly(name, provider);
        throw new Error('the connection test ran out of time');
      }
      if (provider.testConnection) return normalizeTestReport(await provider.testConnection(), name, secretValues);
      if (provider.healthCheck) {
        const health = await provider.healthCheck();
        return normalizeTestReport({ success: health?.status === 'healthy', message: health?.message, details: health?.details }, name, secretValues);
      }
      return { success: true, message: 'Configuration accepted (this plugin has no connection test)' };
    });
  } catch (error) {
    report = { success: false, message: resultMessage(errorMessage(error), secretValues) };
  } finally {
    deadline.abort();
    if (provider) await stopQuietly(name, provider);
  }
  return { ...report, responseTimeMs: Math.round(performance.now() - started), timestamp: new Date().toISOString() };
}
