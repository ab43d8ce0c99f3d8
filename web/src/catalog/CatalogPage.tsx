import { useSearchParams } from '@solidjs/router';
import { createQuery } from '@urql/solid';
import { createMemo, For, onMount, Show } from 'solid-js';
import { useCanOperate } from '../auth/viewer.ts';
import type { PluginType } from '../gql/graphql.ts';
import { createDebounced } from '../lib/debounce.ts';
import { PLUGIN_TYPE_LABELS, PLUGIN_TYPES } from '../lib/labels.ts';
import { EmptyState } from '../ui/EmptyState.tsx';
import { LoadFailed } from '../ui/LoadFailed.tsx';
import { Loading } from '../ui/Loading.tsx';
import { PageHeader } from '../ui/PageHeader.tsx';
import { CatalogFilters } from './CatalogFilters.tsx';
import { CatalogQuery } from './documents.ts';
import { LoadErrorList } from './LoadErrorList.tsx';
import { PluginCard } from './PluginCard.tsx';

function asType(value: string | string[] | undefined): PluginType | '' {
  const text = Array.isArray(value) ? value[0] : value;
  return PLUGIN_TYPES.includes(text as PluginType) ? (text as PluginType) : '';
}

/** Route: the discovered plugins, searchable and filtered by type (both kept in the URL). */
export function CatalogPage() {
  const [params, setParams] = useSearchParams<{ q?: string; type?: string }>();
  const canCreate = useCanOperate();
  const search = () => (typeof params.q === 'string' ? params.q : '');
  const type = () => asType(params.type);
  const debouncedSearch = createDebounced(search, 200);
  const variables = createMemo(() => ({
    ...(type() ? { type: type() as PluginType } : {}),
    ...(debouncedSearch().trim() ? { search: debouncedSearch().trim() } : {}),
  }));
  const [catalog, refetch] = createQuery({ query: CatalogQuery, variables });
  const plugins = () => catalog.data?.plugins ?? [];
  const loadErrors = () => catalog.data?.pluginLoadErrors ?? [];
  const filtered = () => Boolean(search().trim() || type());

  onMount(() => (document.title = 'Plugins · Plugform'));

  const countText = () => {
    const n = plugins().length;
    const noun = n === 1 ? 'plugin' : 'plugins';
    return filtered() ? `${n} ${noun} match` : `${n} ${noun} available`;
  };

  return (
    <div class="pf-page pf-page--wide">
      <PageHeader
        title="Plugins"
        subtitle="Everything this server discovered. Pick one to configure a new instance of it."
      />
      <Show when={loadErrors().length > 0}>
        <LoadErrorList errors={loadErrors()} />
      </Show>
      <CatalogFilters
        search={search()}
        type={type()}
        onSearch={(q) => setParams({ q: q || undefined }, { replace: true })}
        onType={(t) => setParams({ type: t || undefined }, { replace: true })}
      />
      <Show
        when={!catalog.error}
        fallback={<LoadFailed title="The catalog could not be loaded" error={catalog.error} onRetry={() => refetch({ requestPolicy: 'network-only' })} />}
      >
        <Show when={catalog.data} fallback={<Loading label="Loading plugins…" />}>
          <p class="pf-count" role="status" aria-live="polite">
            {countText()}
            {type() ? ` · ${PLUGIN_TYPE_LABELS[type() as PluginType]}` : ''}
          </p>
          <Show
            when={plugins().length > 0}
            fallback={
              <EmptyState
                icon="search"
                title={filtered() ? 'No plugins match' : 'No plugins are installed'}
                action={
                  filtered() ? (
                    <button type="button" class="pf-button pf-button--secondary" onClick={() => setParams({ q: undefined, type: undefined })}>
                      Clear filters
                    </button>
                  ) : undefined
                }
              >
                {filtered()
                  ? 'Try another word, or all types.'
                  : 'Put plugin folders in plugins/ or list them in PLUGIN_PATHS, then restart the server.'}
              </EmptyState>
            }
          >
            <div class="pf-grid">
              <For each={plugins()}>{(plugin) => <PluginCard plugin={plugin} canCreate={canCreate()} />}</For>
            </div>
          </Show>
        </Show>
      </Show>
    </div>
  );
}
