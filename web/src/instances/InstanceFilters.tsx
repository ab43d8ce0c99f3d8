import { Show } from 'solid-js';
import { HEALTH_LABELS, HEALTH_STATUSES, INSTANCE_STATUSES, STATUS_LABELS } from '../lib/labels.ts';
import { ToolbarSearch, ToolbarSelect } from '../ui/Toolbar.tsx';
import { hasFilters, type Filters } from './table-model.ts';

const STATUS_OPTIONS = INSTANCE_STATUSES.map((status) => ({ value: status, label: STATUS_LABELS[status] }));
const HEALTH_OPTIONS = HEALTH_STATUSES.map((health) => ({ value: health, label: HEALTH_LABELS[health] }));
const ENABLED_OPTIONS = [
  { value: 'yes', label: 'Enabled' },
  { value: 'no', label: 'Disabled' },
] as const;

export interface InstanceFiltersProps {
  filters: Filters;
  onChange: (change: Partial<Filters>) => void;
  onClear: () => void;
}

/** Text search and the status, health and enabled filters above the instances table. */
export function InstanceFilters(props: InstanceFiltersProps) {
  return (
    <div class="pf-toolbar" role="search" aria-label="Filter instances">
      <ToolbarSearch
        id="instances-search"
        placeholder="Instance or plugin name"
        value={props.filters.text}
        onInput={(text) => props.onChange({ text })}
      />
      <ToolbarSelect
        id="instances-status"
        label="Status"
        anyLabel="Any status"
        options={STATUS_OPTIONS}
        value={props.filters.status}
        onChange={(status) => props.onChange({ status })}
      />
      <ToolbarSelect
        id="instances-health"
        label="Health"
        anyLabel="Any health"
        options={HEALTH_OPTIONS}
        value={props.filters.health}
        onChange={(health) => props.onChange({ health })}
      />
      <ToolbarSelect
        id="instances-enabled"
        label="Enabled"
        anyLabel="Enabled or not"
        options={ENABLED_OPTIONS}
        value={props.filters.enabled}
        onChange={(enabled) => props.onChange({ enabled })}
      />
      <Show when={hasFilters(props.filters)}>
        <button type="button" class="pf-button pf-button--ghost pf-toolbar__clear" onClick={() => props.onClear()}>
          Clear filters
        </button>
      </Show>
    </div>
  );
}
