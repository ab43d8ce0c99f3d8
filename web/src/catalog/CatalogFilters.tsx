import { For } from 'solid-js';
import type { PluginType } from '../gql/graphql.ts';
import { PLUGIN_TYPE_LABELS, PLUGIN_TYPES } from '../lib/labels.ts';

export interface CatalogFiltersProps {
  search: string;
  type: PluginType | '';
  onSearch: (text: string) => void;
  onType: (type: PluginType | '') => void;
}

/** Search box and type filter of the plugin catalog. */
export function CatalogFilters(props: CatalogFiltersProps) {
  return (
    <div class="pf-toolbar" role="search" aria-label="Filter plugins">
      <div class="pf-toolbar__field pf-toolbar__field--grow">
        <label for="catalog-search" class="pf-toolbar__label">
          Search
        </label>
        <input
          id="catalog-search"
          class="pf-input pf-input--search"
          type="search"
          placeholder="Name, description or tag"
          autocomplete="off"
          value={props.search}
          onInput={(e) => props.onSearch(e.currentTarget.value)}
        />
      </div>
      <div class="pf-toolbar__field">
        <label for="catalog-type" class="pf-toolbar__label">
          Type
        </label>
        <select
          id="catalog-type"
          class="pf-input pf-select-native"
          value={props.type}
          onChange={(e) => props.onType(e.currentTarget.value as PluginType | '')}
        >
          <option value="">All types</option>
          <For each={PLUGIN_TYPES}>{(type) => <option value={type}>{PLUGIN_TYPE_LABELS[type]}</option>}</For>
        </select>
      </div>
    </div>
  );
}
