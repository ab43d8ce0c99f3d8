import { A, useSearchParams } from '@solidjs/router';
import { createQuery } from '@urql/solid';
import { createComputed, createMemo, onMount, Show } from 'solid-js';
import { createStore, reconcile } from 'solid-js/store';
import { useCanOperate } from '../auth/viewer.ts';
import { EmptyState } from '../ui/EmptyState.tsx';
import { LiveIndicator } from '../ui/LiveIndicator.tsx';
import { LoadFailed } from '../ui/LoadFailed.tsx';
import { Loading } from '../ui/Loading.tsx';
import { PageHeader } from '../ui/PageHeader.tsx';
import { InstancesQuery } from './documents.ts';
import { InstanceFilters } from './InstanceFilters.tsx';
import { InstancesTable } from './InstancesTable.tsx';
import { createLiveHealth } from './live-health.ts';
import { filterRows, hasFilters, nextSort, parseFilters, parseSort, sortRows, withLiveHealth, type Filters, type InstanceRow, type SortKey } from './table-model.ts';

/** Route: every instance in a sortable, filterable table with live health. */
export function InstancesPage() {
  const [params, setParams] = useSearchParams<{ q?: string; status?: string; health?: string; enabled?: string; sort?: string; dir?: string }>();
  const canOperate = useCanOperate();
  // additionalTypenames: an empty list holds no PluginInstance, yet a create must refresh it.
  const [instances, refetch] = createQuery({ query: InstancesQuery, context: { additionalTypenames: ['PluginInstance'] } });
  const health = createLiveHealth();

  const filters = createMemo(() => parseFilters(params));
  const sort = createMemo(() => parseSort(params));
  const all = createMemo(() => withLiveHealth(instances.data?.pluginInstances.edges.map((e) => e.node) ?? [], health.updates()));
  // A store reconciled by id: a live update changes a row in place instead of re-creating it,
  // so a keyboard user's focus on a row's link survives the update.
  const [rows, setRows] = createStore<InstanceRow[]>([]);
  createComputed(() => setRows(reconcile(sortRows(filterRows(all(), filters()), sort()), { key: 'id' })));

  onMount(() => (document.title = 'Instances · Plugform'));

  const setFilters = (change: Partial<Filters>) => {
    const next: Record<string, string | undefined> = {};
    if ('text' in change) next.q = change.text || undefined;
    if ('status' in change) next.status = change.status?.toLowerCase() || undefined;
    if ('health' in change) next.health = change.health?.toLowerCase() || undefined;
    if ('enabled' in change) next.enabled = change.enabled || undefined;
    setParams(next, { replace: true });
  };
  const clearFilters = () => setParams({ q: undefined, status: undefined, health: undefined, enabled: undefined }, { replace: true });
  const onSort = (key: SortKey) => {
    const next = nextSort(sort(), key);
    setParams({ sort: next.key, dir: next.direction }, { replace: true });
  };

  const newInstance = () => (
    <A href="/plugins" class="pf-button pf-button--primary">
      New instance
    </A>
  );

  const summary = () => {
    const total = all().length;
    const shown = rows.length;
    const noun = total === 1 ? 'instance' : 'instances';
    return hasFilters(filters()) ? `${shown} of ${total} ${noun}` : `${total} ${noun}`;
  };

  return (
    <div class="pf-page pf-page--wide">
      <PageHeader
        title="Instances"
        subtitle="Configured plugins: their status and live health."
        actions={<Show when={canOperate() && all().length > 0}>{newInstance()}</Show>}
      />
      <Show
        when={!instances.error}
        fallback={<LoadFailed title="The instances could not be loaded" error={instances.error} onRetry={() => refetch({ requestPolicy: 'network-only' })} />}
      >
        <Show when={instances.data} fallback={<Loading label="Loading instances…" />}>
          <Show
            when={all().length > 0}
            fallback={
              <EmptyState title="No instances yet" action={canOperate() ? newInstance() : undefined}>
                <Show
                  when={canOperate()}
                  fallback="An instance is a configured plugin. Your token is read-only: ask an operator or admin to create one."
                >
                  An instance is a configured plugin. Pick a plugin in the catalog, fill in its settings, test the connection
                  and save.
                </Show>
              </EmptyState>
            }
          >
            <InstanceFilters filters={filters()} onChange={setFilters} onClear={clearFilters} />
            <div class="pf-table-meta">
              <p class="pf-count" role="status" aria-live="polite">
                {summary()}
              </p>
              <LiveIndicator connected={health.connected()} />
            </div>
            <Show
              when={rows.length > 0}
              fallback={
                <EmptyState
                  icon="search"
                  title="No instances match these filters"
                  action={
                    <button type="button" class="pf-button pf-button--secondary" onClick={clearFilters}>
                      Clear filters
                    </button>
                  }
                >
                  Change the search or the filters to see more.
                </EmptyState>
              }
            >
              <InstancesTable rows={rows} sort={sort()} onSort={onSort} />
            </Show>
            <Show when={instances.data?.pluginInstances.pageInfo.hasNextPage}>
              <p class="pf-hint">Showing the first 100 instances.</p>
            </Show>
          </Show>
        </Show>
      </Show>
    </div>
  );
}
