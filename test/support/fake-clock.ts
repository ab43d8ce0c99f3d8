/**
 * Waits in tests without waiting in real time. vitest's fake timers stop the clocks the code
 * under test reads; loopback I/O to the local doubles still runs for real meanwhile.
 */
import { expect, vi } from 'vitest';
import type { TestPluginContext } from './plugin-context.ts';

/** Lets real I/O run (fake timers stand still) until `condition` holds; the test's timeout bounds it. */
export async function ioUntil(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

/**
 * Runs a plugin call that waits between attempts (backoff, `Retry-After`) with `setTimeout` on
 * a fake clock. Each wait the plugin logs (a warning with `delayMs`, as `requestWithRetry`'s
 * `onRetry` hooks do) is checked and then let pass: nothing is sent again before it is over.
 * Returns the call's result and the waits, in order. (The platform's HTTP client times
 * requests out with `AbortSignal.timeout`, on the real clock.)
 */
export async function runThroughWaits<T>(
  watched: { context: TestPluginContext; requests: { length: number } },
  call: () => Promise<T>,
): Promise<{ result: T; waits: number[] }> {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  try {
    let settled = false;
    const result = call();
    result.then(
      () => (settled = true),
      () => (settled = true),
    );
    const waits: number[] = [];
    const logged = () => watched.context.logs.filter((line) => line.level === 'warn' && typeof line.details?.delayMs === 'number');
    for (;;) {
      await ioUntil(() => settled || logged().length > waits.length);
      const next = logged()[waits.length];
      if (next === undefined) break;
      const waitMs = next.details!.delayMs as number;
      waits.push(waitMs);
      const sent = watched.requests.length;
      await vi.advanceTimersByTimeAsync(waitMs - 1);
      expect(watched.requests.length, `sent again before the wait of ${waitMs} ms was over`).toBe(sent);
      await vi.advanceTimersByTimeAsync(1);
    }
    return { result: await result, waits };
  } finally {
    vi.useRealTimers();
  }
}
