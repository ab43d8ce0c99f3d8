import { A } from '@solidjs/router';
import { For, Show } from 'solid-js';
import { PLUGIN_TYPE_LABELS } from '../lib/labels.ts';
import { HealthBadge } from '../ui/HealthBadge.tsx';
import { RelativeTime } from '../ui/RelativeTime.tsx';
import { StatusPill } from '../ui/StatusPill.tsx';
import { pluginLabel, type InstanceRow, type Sort, type SortKey } from './table-model.ts';

const COLUMNS: readonly { key: SortKey; label: string }[] = [
  { key: 'name', label: 'Name' },
  { key: 'plugin', label: 'Plugin' },
  { key: 'enabled', label: 'Enabled' },
  { key: 'status', label: 'Status' },
  { key: 'health', label: 'Health' },
  { key: 'lastCheck', label: 'Last check' },
];

export interface InstancesTableProps {
  rows: readonly InstanceRow[];
  sort: Sort;
  onSort: (key: SortKey) => void;
}

/**
 * The instances as a table with sortable columns (buttons in the headers, `aria-sort` on the
 * sorted one). On a narrow window each row becomes a card (CSS only; see data-label).
 */
export function InstancesTable(props: InstancesTableProps) {
  const sortLabel = () => COLUMNS.find((c) => c.key === props.sort.key)?.label ?? '';
  return (
    <div class="pf-table-wrap">
      <table class="pf-table">
        <caption class="pf-sr-only">
          Plugin instances, sorted by {sortLabel()} ({props.sort.direction === 'asc' ? 'ascending' : 'descending'})
        </caption>
        <thead>
          <tr>
            <For each={COLUMNS}>
              {(column) => {
                const active = () => props.sort.key === column.key;
                return (
                  <th scope="col" aria-sort={active() ? (props.sort.direction === 'asc' ? 'ascending' : 'descending') : undefined}>
                    <button type="button" class="pf-sort" classList={{ 'pf-sort--active': active() }} onClick={() => props.onSort(column.key)}>
                      {column.label}
                      <SortIcon direction={active() ? props.sort.direction : undefined} />
                    </button>
                  </th>
                );
              }}
            </For>
          </tr>
        </thead>
        <tbody>
          <For each={props.rows}>{(row) => <InstanceTableRow row={row} />}</For>
        </tbody>
      </table>
    </div>
  );
}

function InstanceTableRow(props: { row: InstanceRow }) {
  return (
    <tr data-instance-id={props.row.id}>
      <th scope="row" data-label="Name">
        <A href={`/instances/${encodeURIComponent(props.row.id)}`} class="pf-table__link">
          {props.row.name}
        </A>
      </th>
      <td data-label="Plugin">
        <div>
          <span class="pf-table__primary">{pluginLabel(props.row)}</span>
          <Show when={props.row.plugin} fallback={<span class="pf-table__secondary">not loaded</span>}>
            {(plugin) => <span class="pf-table__secondary">{PLUGIN_TYPE_LABELS[plugin().type]}</span>}
          </Show>
        </div>
      </td>
      <td data-label="Enabled">
        <span class={`pf-enabled pf-enabled--${props.row.enabled ? 'on' : 'off'}`}>{props.row.enabled ? 'Yes' : 'No'}</span>
      </td>
      <td data-label="Status">
        <div>
          <StatusPill status={props.row.status} title={props.row.statusMessage} />
          <Show when={props.row.status === 'ERROR' && props.row.statusMessage}>
            <span class="pf-table__secondary pf-table__error">{props.row.statusMessage}</span>
          </Show>
        </div>
      </td>
      <td data-label="Health">
        <div>
          <HealthBadge status={props.row.healthStatus} title={props.row.healthMessage ?? undefined} />
          {/* The reason: a tooltip on wide screens (and read by screen readers), shown under the badge on narrow ones. */}
          <Show when={props.row.healthStatus !== 'HEALTHY' && props.row.healthMessage}>
            {(message) => <span class="pf-table__secondary pf-health-reason">{message()}</span>}
          </Show>
        </div>
      </td>
      <td data-label="Last check">
        <RelativeTime iso={props.row.lastHealthCheckAt} />
      </td>
    </tr>
  );
}

function SortIcon(props: { direction: 'asc' | 'desc' | undefined }) {
  return (
    <svg class="pf-sort__icon" viewBox="0 0 12 12" width="12" height="12" aria-hidden="true">
      <path d="M3 5l3-3 3 3" fill="none" stroke="currentColor" stroke-width="1.5" opacity={props.direction === 'desc' ? 0.25 : props.direction ? 1 : 0.45} />
      <path d="M3 7l3 3 3-3" fill="none" stroke="currentColor" stroke-width="1.5" opacity={props.direction === 'asc' ? 0.25 : props.direction ? 1 : 0.45} />
    </svg>
  );
}
