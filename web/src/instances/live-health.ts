import { createSubscription } from '@urql/solid';
import { createEffect, createMemo, on, onCleanup, type Accessor } from 'solid-js';
import { unwrap } from 'solid-js/store';
import type { HealthChangesSubscription as HealthChangeData } from '../gql/graphql.ts';
import { HealthChangesSubscription } from './documents.ts';
import type { LiveHealth } from './table-model.ts';

export type HealthChange = HealthChangeData['pluginInstanceHealthChanged'];

export interface LiveHealthFeed {
  /** The latest change per instance id since the screen opened. */
  updates: Accessor<Readonly<Record<string, LiveHealth>>>;
  /** The last change received: a new value for every change, so effects on it run each time. */
  last: Accessor<HealthChange | undefined>;
  /** The subscription is open (false before it connects, or after it failed). */
  connected: Accessor<boolean>;
}

interface Accumulated {
  updates: Record<string, LiveHealth>;
  last: HealthChange;
  /** Counts the changes received. @urql/solid reconciles `data` into its store, so a second
   * change updates the same `last` object in place and nothing reading `last` would rerun;
   * a counter is a primitive that differs every time. */
  received: number;
}

/** Wait before reconnecting a dropped stream (a server restart, a proxy timeout). */
export const RECONNECT_DELAY_MS = 3000;

/**
 * Health changes as they happen, over the `pluginInstanceHealthChanged` subscription (SSE).
 * Give `instanceId` to follow one instance only. A stream that ends or fails is opened again
 * after a short delay, for as long as the screen is open.
 */
export function createLiveHealth(instanceId?: Accessor<string>): LiveHealthFeed {
  const [state, resubscribe] = createSubscription<HealthChangeData, Accumulated, { id?: string | null }>(
    { query: HealthChangesSubscription, variables: () => (instanceId ? { id: instanceId() } : {}) },
    (previous, data) => {
      const change = data.pluginInstanceHealthChanged;
      return {
        updates: {
          ...previous?.updates,
          [change.instanceId]: { status: change.status, checkedAt: change.check.timestamp, message: change.check.message },
        },
        last: change,
        received: (previous?.received ?? 0) + 1,
      };
    },
  );
  createEffect(
    on(
      () => state.fetching,
      (open, wasOpen) => {
        if (open || !wasOpen) return;
        const timer = setTimeout(() => resubscribe(), RECONNECT_DELAY_MS);
        onCleanup(() => clearTimeout(timer));
      },
    ),
  );
  const last = createMemo(
    () => {
      if (!state.data?.received) return undefined;
      const change = unwrap(state.data.last);
      return { ...change, check: { ...change.check } };
    },
    undefined,
    { equals: false },
  );
  return {
    updates: () => state.data?.updates ?? {},
    last,
    connected: () => state.fetching,
  };
}
