import { createSignal, type Signal } from 'solid-js';

/**
 * One signal per key, created on first use. The form keeps field values this way rather
 * than in a store: a store would proxy parsed JSON and merge a new object into the old one
 * (dropping no keys), and a single signal would wake every field on every keystroke.
 */
export interface KeyedSignals<T> {
  get(key: string): T | undefined;
  set(key: string, value: T | undefined): void;
  /** A plain object of the given keys' current values (absent keys left out). */
  pick(keys: readonly string[]): Record<string, T>;
}

export function createKeyedSignals<T>(initial: Readonly<Record<string, T>> = {}): KeyedSignals<T> {
  const cells = new Map<string, Signal<T | undefined>>();
  const cell = (key: string) => {
    let found = cells.get(key);
    if (!found) {
      // equals: false for objects, so setting a freshly parsed but equal value still notifies.
      found = createSignal<T | undefined>(Object.hasOwn(initial, key) ? initial[key] : undefined, {
        equals: (a, b) => a === b && (typeof a !== 'object' || a === null),
      });
      cells.set(key, found);
    }
    return found;
  };
  return {
    get: (key) => cell(key)[0](),
    set: (key, value) => void cell(key)[1](() => value),
    pick(keys) {
      const out: Record<string, T> = {};
      for (const key of keys) {
        const value = cell(key)[0]();
        if (value !== undefined) out[key] = value;
      }
      return out;
    },
  };
}
