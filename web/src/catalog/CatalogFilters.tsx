import type { PluginType } from '../gql/graphql.ts';
import { PLUGIN_TYPE_LABELS, PLUGIN_TYPES } from '../lib/labels.ts';
import { ToolbarSearch, ToolbarSelect } from '../ui/Toolbar.tsx';

export interface CatalogFiltersProps {
  search: string;
  type: PluginType | '';
  onSearch: (text: string) => void;
  onType: (type: PluginType | '') => void;
}

const TYPE_OPTIONS = PLUGIN_TYPES.map((type) => ({ value: type, label: PLUGIN_TYPE_LABELS[type] }));

/** Search box and type filter of the plugin catalog. */
export function CatalogFilters(props: CatalogFiltersProps) {
  return (
    <div class="pf-toolbar" role="search" aria-label="Filter plugins">
      <ToolbarSearch id="catalog-search" placeholder="Name, description or tag" value={props.search} onInput={(text) => props.onSearch(text)} />
      <ToolbarSelect id="catalog-type" label="Type" anyLabel="All types" options={TYPE_OPTIONS} value={props.type} onChange={(type) => props.onType(type)} />
    </div>
  );
}
