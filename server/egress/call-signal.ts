/**
 * The signal of the plugin call running now, aborted when the call times out. The instances
 * layer sets it around every call into a provider (`callPlugin`); the platform's HTTP client,
 * one layer below, joins it to every request, so a call that timed out does not leave its
 * vendor requests open until their own (longer) timeouts. It lives here, with the client that
 * reads it, so that the egress layer imports nothing from the layers above it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const callSignals = new AsyncLocalStorage<AbortSignal>();

/** The signal of the plugin call this code runs in, if any. */
export function currentCallSignal(): AbortSignal | undefined {
  return callSignals.getStore();
}

/** Runs `fn` as a plugin call that `signal` abandons. */
export function runWithCallSignal<T>(signal: AbortSignal, fn: () => T): T {
  return callSignals.run(signal, fn);
}
