import { Mutex } from 'async-mutex';

/**
 * Serializes async work per key (per instance id) within this process, so a read-check-write
 * under `cas` cannot interleave with another one for the same instance. One async-mutex per
 * key, dropped once nobody holds or waits for it, so the map does not grow with every id ever
 * seen.
 */
export class KeyedMutex {
  readonly #locks = new Map<string, Mutex>();

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    let lock = this.#locks.get(key);
    if (!lock) this.#locks.set(key, (lock = new Mutex()));
    try {
      return await lock.runExclusive(work);
    } finally {
      // A queued waiter takes the lock on release, so an unlocked mutex has no one waiting.
      if (!lock.isLocked() && this.#locks.get(key) === lock) this.#locks.delete(key);
    }
  }

  /** Resolves once every queued piece of work has finished. */
  async idle(): Promise<void> {
    while (this.#locks.size > 0) {
      // The finished runs' `finally` drops their locks in a microtask; the loop looks again.
      await Promise.all([...this.#locks.values()].map((lock) => lock.waitForUnlock()));
    }
  }
}
