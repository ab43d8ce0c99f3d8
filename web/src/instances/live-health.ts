import { createSubscription } from '@urql/solid';
import { createEffect, on, onCleanup, type Accessor } from 'solid-js';
import type { HealthChangesSubscription as HealthChangeData } from '../gql/graphql.ts';
import { HealthChangesSubscription } from './documents.ts';
import type { LiveHealth } from './table-model.ts';

export type HealthChange = HealthChangeData['pluginInstanceHealthChanged'];

export interface LiveHealthFeed {
  /** The latest change per instance id since the screen opened. */
  updates: Accessor<Readonly<Record<string, LiveHealth>>>;
  /** The last change received. */
  last: Accessor<HealthChange | undefined>;
  /** The subscription is open (false before it connects, or after it failed). */
  connected: Accessor<boolean>;
}

interface Accumulated {
  updates: Record<string, LiveHealth>;
  last: HealthChange;
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
        updates: { ...previous?.updates, [change.instanceId]: { status: change.status, checkedAt: change.check.timestamp } },
        last: change,
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
  return {
    updates: () => state.data?.updates ?? {},
    last: () => state.data?.last,
    connected: () => state.fetching,
  };
}
