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
 * Runs a plugin call that is told to wait `waitMs` (a `Retry-After`) before trying again,
 * with `setTimeout` on a fake clock: once the plugin has logged that it waits `waitMs`, nothing
 * is sent again until `waitMs` has passed; then the call goes on and its result is returned.
 * (The platform's HTTP client times requests out with `AbortSignal.timeout`, on the real clock.)
 */
export async function expectWaitBeforeRetry<T>(
  waitMs: number,
  watched: { context: TestPluginContext; requests: { length: number } },
  call: () => Promise<T>,
): Promise<T> {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  try {
    const result = call();
    result.catch(() => undefined); // awaited below; not unhandled while the clock is driven
    const waitLogged = () => watched.context.logs.find((line) => line.level === 'warn' && line.details?.delayMs !== undefined);
    await ioUntil(() => waitLogged() !== undefined);
    expect(waitLogged()?.details?.delayMs, 'the wait the plugin logged').toBe(waitMs);
    const sent = watched.requests.length;
    await vi.advanceTimersByTimeAsync(waitMs - 1);
    expect(watched.requests.length, 'sent again before the wait was over').toBe(sent);
    await vi.advanceTimersByTimeAsync(1);
    return await result;
  } finally {
    vi.useRealTimers();
  }
}
