import { For, Show } from 'solid-js';
import type { HealthStatus, InstanceStatus } from '../gql/graphql.ts';
import { HEALTH_LABELS, HEALTH_STATUSES, INSTANCE_STATUSES, STATUS_LABELS } from '../lib/labels.ts';
import { hasFilters, type Filters } from './table-model.ts';

export interface InstanceFiltersProps {
  filters: Filters;
  onChange: (change: Partial<Filters>) => void;
  onClear: () => void;
}

/** Text search and the status, health and enabled filters above the instances table. */
export function InstanceFilters(props: InstanceFiltersProps) {
  return (
    <div class="pf-toolbar" role="search" aria-label="Filter instances">
      <div class="pf-toolbar__field pf-toolbar__field--grow">
        <label for="instances-search" class="pf-toolbar__label">
          Search
        </label>
        <input
          id="instances-search"
          class="pf-input pf-input--search"
          type="search"
          placeholder="Instance or plugin name"
          autocomplete="off"
          value={props.filters.text}
          onInput={(e) => props.onChange({ text: e.currentTarget.value })}
        />
      </div>
      <div class="pf-toolbar__field">
        <label for="instances-status" class="pf-toolbar__label">
          Status
        </label>
        <select
          id="instances-status"
          class="pf-input pf-select-native"
          value={props.filters.status}
          onChange={(e) => props.onChange({ status: e.currentTarget.value as InstanceStatus | '' })}
        >
          <option value="">Any status</option>
          <For each={INSTANCE_STATUSES}>{(status) => <option value={status}>{STATUS_LABELS[status]}</option>}</For>
        </select>
      </div>
      <div class="pf-toolbar__field">
        <label for="instances-health" class="pf-toolbar__label">
          Health
        </label>
        <select
          id="instances-health"
          class="pf-input pf-select-native"
          value={props.filters.health}
          onChange={(e) => props.onChange({ health: e.currentTarget.value as HealthStatus | '' })}
        >
          <option value="">Any health</option>
          <For each={HEALTH_STATUSES}>{(health) => <option value={health}>{HEALTH_LABELS[health]}</option>}</For>
        </select>
      </div>
      <div class="pf-toolbar__field">
        <label for="instances-enabled" class="pf-toolbar__label">
          Enabled
        </label>
        <select
          id="instances-enabled"
          class="pf-input pf-select-native"
          value={props.filters.enabled}
          onChange={(e) => props.onChange({ enabled: e.currentTarget.value as Filters['enabled'] })}
        >
          <option value="">Enabled or not</option>
          <option value="yes">Enabled</option>
          <option value="no">Disabled</option>
        </select>
      </div>
      <Show when={hasFilters(props.filters)}>
        <button type="button" class="pf-button pf-button--ghost pf-toolbar__clear" onClick={() => props.onClear()}>
          Clear filters
        </button>
      </Show>
    </div>
  );
}
