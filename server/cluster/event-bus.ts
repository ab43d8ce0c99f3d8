/**
 * The cluster's event bus: what one replica announces, every replica (itself included) hears.
 *
 * It is graphql-yoga's own `createPubSub` over an event target, the way Yoga scales
 * subscriptions out (`@graphql-yoga/redis-event-target` is the Redis flavour): in one process
 * (embedded PGlite) a plain in-memory `EventTarget`; on PostgreSQL an event target over
 * `LISTEN/NOTIFY` (postgres-event-target.ts), so no second piece of infrastructure is needed.
 *
 * Events are hints, not the source of truth: a replica that misses one (its listening
 * connection was down) still never uses a stale provider, because every use compares the
 * cached provider's version with the row's (see instance-service.ts `acquire`).
 */
import { createPubSub, type PubSub } from 'graphql-yoga';
import type { HealthStatus, PluginHealthCheck } from '../../plugins/sdk/index.ts';

/** A change of an instance's health status, as subscribers receive it. */
export interface HealthChange {
  instanceId: string;
  previous: HealthStatus;
  current: PluginHealthCheck;
}

/** A saved change to an instance: its new version, or `null` when it was deleted. */
export interface InstanceChanged {
  instanceId: string;
  version: number | null;
  /** The replica that made the change (it has already swapped its own provider). */
  replica: string;
}

/** An API token was revoked: every replica ends the subscriptions it holds for it. */
export interface TokenRevoked {
  tokenId: string;
}

/**
 * Scheduled checks in the cluster's queue were made due now (a sweep): every replica looks for
 * them at once instead of at its next poll.
 */
export interface HealthDue {
  /** How many were made due. */
  count: number;
}

export type ClusterTopics = {
  'instance.changed': [InstanceChanged];
  'health.changed': [HealthChange];
  'health.due': [HealthDue];
  'token.revoked': [TokenRevoked];
};

export type ClusterTopic = keyof ClusterTopics;

export interface EventBus {
  readonly kind: 'in-process' | 'postgres';
  /** Announces `payload` to every replica; never throws (a failed send is logged by the bus). */
  publish<T extends ClusterTopic>(topic: T, payload: ClusterTopics[T][0]): void;
  /** Every event of `topic` as an async iterable (a GraphQL subscription's source). */
  subscribe<T extends ClusterTopic>(topic: T): AsyncIterable<ClusterTopics[T][0]>;
  /** Calls `listener` for every event of `topic`; returns the function that stops it. */
  on<T extends ClusterTopic>(topic: T, listener: (payload: ClusterTopics[T][0]) => void): () => void;
  /**
   * Calls `listener` after the bus lost and regained its connection: events may have been
   * missed meanwhile, so caches should be checked against the database.
   */
  onResync(listener: () => void): () => void;
  close(): Promise<void>;
}

/** The part of an event target the bus needs (a DOM `EventTarget`, or the PostgreSQL one). */
export interface BusEventTarget extends EventTarget {
  /** Resolves once the target is ready to carry events (PostgreSQL: LISTEN is in place). */
  ready?(): Promise<void>;
  onResync?(listener: () => void): () => void;
  close?(): Promise<void>;
}

export function createEventBus(kind: EventBus['kind'], target: BusEventTarget = new EventTarget()): EventBus {
  const pubsub: PubSub<ClusterTopics> = createPubSub<ClusterTopics>({ eventTarget: target as never });
  return {
    kind,
    publish: (topic, payload) => (pubsub.publish as (topic: string, payload: unknown) => void)(topic, payload),
    subscribe: (topic) => (pubsub.subscribe as (topic: string) => AsyncIterable<never>)(topic),
    on(topic, listener) {
      const handler = (event: Event) => listener((event as CustomEvent).detail);
      target.addEventListener(topic, handler);
      return () => target.removeEventListener(topic, handler);
    },
    onResync: (listener) => target.onResync?.(listener) ?? (() => undefined),
    close: async () => target.close?.(),
  };
}

/** The bus of a single process (embedded PGlite, unit tests). */
export function createInProcessBus(): EventBus {
  return createEventBus('in-process');
}
