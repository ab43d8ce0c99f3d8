/**
 * The one timeout wrapper: a promise that gives up after `ms` with the caller's error. The
 * underlying work cannot be cancelled (a module's top-level await keeps waiting, a plugin
 * call or a Vault request may still answer), but the caller stops waiting and moves on; the
 * work's later rejection is handled here, so it never surfaces as unhandled.
 */
export function withTimeout<T>(work: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    // Not unref'd on purpose: when the only pending thing is a never-settling top-level await,
    // this timer is what keeps the process alive long enough to record the failure.
    const timer = setTimeout(() => reject(onTimeout()), ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
