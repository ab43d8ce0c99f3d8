/**
 * An event target over PostgreSQL `LISTEN/NOTIFY`, for graphql-yoga's `createPubSub` (the
 * same shape as `@graphql-yoga/redis-event-target`): `dispatchEvent` sends a `NOTIFY` on one
 * channel, and every replica's dedicated listening connection turns each notification back
 * into a local event — the sender's own included, so every replica sees one order.
 *
 * The connection is pg-listen's, which reconnects (with backoff, without giving up) and
 * LISTENs again after a drop; after such a gap the target tells `onResync` listeners, since
 * notifications sent meanwhile are lost (PostgreSQL does not queue them for a closed session).
 */
import pgListen, { type Subscriber } from 'pg-listen';
import { errorMessage } from '../../plugins/sdk/index.ts';
import type { Logger } from '../logger.ts';
import type { BusEventTarget } from './event-bus.ts';

/** PostgreSQL refuses a NOTIFY payload of 8000 bytes or more. */
export const MAX_NOTIFY_BYTES = 7900;

export const DEFAULT_CHANNEL = 'plugform_events';

interface Envelope {
  topic: string;
  detail: unknown;
}

export interface PostgresEventTargetOptions {
  connectionString: string;
  logger: Logger;
  channel?: string;
}

export interface PostgresEventTarget extends BusEventTarget {
  ready(): Promise<void>;
  onResync(listener: () => void): () => void;
  close(): Promise<void>;
}

export function createPostgresEventTarget(options: PostgresEventTargetOptions): PostgresEventTarget {
  const channel = options.channel ?? DEFAULT_CHANNEL;
  const { logger } = options;
  const local = new EventTarget();
  const resyncListeners = new Set<() => void>();
  let closed = false;
  let reconnecting = false;
  // pg-listen is CommonJS with an `exports.default`: under ESM it arrives as `.default`.
  const subscriber: Subscriber = pgListen.default(
    { connectionString: options.connectionString },
    {
      // Retry for as long as it takes: a database that is down for a minute must not leave
      // this replica deaf for the rest of its life.
      retryTimeout: 0,
      retryLimit: Infinity,
      retryInterval: (attempt: number) => Math.min(2000, 100 * 2 ** attempt),
      // Notices a silently dead connection (no FIN) within this time.
      paranoidChecking: 5_000,
    },
  );
  subscriber.events.on('error', (error) => logger.warn('event bus: listening connection failed', { reason: errorMessage(error) }));
  subscriber.events.on('reconnect', (attempt) => {
    if (!reconnecting) logger.warn('event bus: listening connection lost; reconnecting');
    reconnecting = true;
    if (attempt % 10 === 0) logger.debug('event bus: still reconnecting', { attempt });
  });
  subscriber.events.on('connected', () => {
    if (!reconnecting) return;
    reconnecting = false;
    logger.info('event bus: listening again; checking cached providers against the database');
    for (const listener of resyncListeners) listener();
  });
  subscriber.notifications.on(channel, (envelope: Envelope | undefined) => {
    if (!envelope || typeof envelope.topic !== 'string') return;
    local.dispatchEvent(new CustomEvent(envelope.topic, { detail: envelope.detail }));
  });

  let readyPromise: Promise<void> | undefined;
  const target: PostgresEventTarget = {
    ready: () =>
      (readyPromise ??= (async () => {
        await subscriber.connect();
        await subscriber.listenTo(channel);
      })()),
    addEventListener: (type, callback, opts) => local.addEventListener(type, callback, opts),
    removeEventListener: (type, callback, opts) => local.removeEventListener(type, callback, opts),
    dispatchEvent(event: Event): boolean {
      if (closed) return false;
      const envelope: Envelope = { topic: event.type, detail: (event as CustomEvent).detail };
      const bytes = Buffer.byteLength(JSON.stringify(envelope));
      if (bytes > MAX_NOTIFY_BYTES) {
        logger.warn('event bus: event too large for NOTIFY; not sent', { topic: event.type, bytes });
        return false;
      }
      subscriber.notify(channel, envelope).catch((error: unknown) =>
        logger.warn('event bus: could not announce an event', { topic: event.type, reason: errorMessage(error) }),
      );
      return true;
    },
    onResync(listener) {
      resyncListeners.add(listener);
      return () => resyncListeners.delete(listener);
    },
    async close() {
      if (closed) return;
      closed = true;
      await subscriber.close().catch(() => undefined);
    },
  };
  return target;
}
