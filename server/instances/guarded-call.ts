/**
 * Plugin code is not trusted to behave: it may throw, hang, or return garbage. Every call
 * into a provider goes through `callPlugin`, which turns all three into a `PluginCallError`
 * with a message that names the plugin and the operation, so one bad plugin never takes the
 * server down or leaves a request waiting forever.
 */
import { errorMessage } from '../../plugins/sdk/index.ts';
import { runWithCallSignal } from '../egress/call-signal.ts';
import { withTimeout } from '../timeout.ts';

export class PluginCallError extends Error {
  override readonly name = 'PluginCallError';
  readonly pluginName: string;
  readonly operation: string;
  readonly reason: 'threw' | 'timeout';
  constructor(pluginName: string, operation: string, reason: 'threw' | 'timeout', message: string, cause?: unknown) {
    super(message, { cause });
    this.pluginName = pluginName;
    this.operation = operation;
    this.reason = reason;
  }
}

export async function callPlugin<T>(
  pluginName: string,
  operation: string,
  timeoutMs: number,
  call: () => Promise<T> | T,
): Promise<T> {
  const timedOut = () =>
    new PluginCallError(pluginName, operation, 'timeout', `${pluginName}: ${operation} did not finish within ${timeoutMs} ms`);
  const abandon = new AbortController();
  try {
    return await withTimeout(
      runWithCallSignal(abandon.signal, () => Promise.resolve().then(call)),
      timeoutMs,
      () => {
        const error = timedOut();
        abandon.abort(error);
        return error;
      },
    );
  } catch (error) {
    if (error instanceof PluginCallError) throw error;
    throw new PluginCallError(pluginName, operation, 'threw', errorMessage(error), error);
  }
}
