/**
 * The instances table's logic, kept pure: live health applied over the loaded rows, then
 * filtering and sorting. Filters and sort live in the URL, so they are parsed from strings.
 */
import type { HealthStatus, InstanceRowFragment, InstanceStatus } from '../gql/graphql.ts';
import { HEALTH_STATUSES, INSTANCE_STATUSES } from '../lib/labels.ts';

/** A row of the table: the fragment, plus the reason given by the latest health check. */
export type InstanceRow = InstanceRowFragment & { healthMessage: string | null };

/** The latest health of an instance, from the live subscription. */
export interface LiveHealth {
  status: HealthStatus;
  checkedAt: string;
  /** What the check said (the reason of an unhealthy verdict). */
  message: string;
}

export type SortKey = 'name' | 'plugin' | 'enabled' | 'status' | 'health' | 'lastCheck';
export type SortDirection = 'asc' | 'desc';

export interface Sort {
  key: SortKey;
  direction: SortDirection;
}

export interface Filters {
  text: string;
  status: InstanceStatus | '';
  health: HealthStatus | '';
  enabled: 'yes' | 'no' | '';
}

export const SORT_KEYS: readonly SortKey[] = ['name', 'plugin', 'enabled', 'status', 'health', 'lastCheck'];
export const DEFAULT_SORT: Sort = { key: 'name', direction: 'asc' };
export const NO_FILTERS: Filters = { text: '', status: '', health: '', enabled: '' };

type Param = string | string[] | undefined;
const first = (value: Param) => (Array.isArray(value) ? value[0] : value) ?? '';

export function parseFilters(params: { q?: Param; status?: Param; health?: Param; enabled?: Param }): Filters {
  const status = first(params.status).toUpperCase();
  const health = first(params.health).toUpperCase();
  const enabled = first(params.enabled);
  return {
    text: first(params.q),
    status: INSTANCE_STATUSES.includes(status as InstanceStatus) ? (status as InstanceStatus) : '',
    health: HEALTH_STATUSES.includes(health as HealthStatus) ? (health as HealthStatus) : '',
    enabled: enabled === 'yes' || enabled === 'no' ? enabled : '',
  };
}

export function parseSort(params: { sort?: Param; dir?: Param }): Sort {
  const key = first(params.sort) as SortKey;
  if (!SORT_KEYS.includes(key)) return DEFAULT_SORT;
  return { key, direction: first(params.dir) === 'desc' ? 'desc' : 'asc' };
}

export function hasFilters(filters: Filters): boolean {
  return Boolean(filters.text.trim() || filters.status || filters.health || filters.enabled);
}

/** Rows with live health applied where it is newer than what the query returned. */
export function withLiveHealth(fragments: readonly InstanceRowFragment[], live: Readonly<Record<string, LiveHealth>>): InstanceRow[] {
  return fragments.map((fragment) => {
    const row: InstanceRow = { ...fragment, healthMessage: fragment.healthHistory[0]?.message ?? null };
    const update = live[row.id];
    if (!update) return row;
    if (row.lastHealthCheckAt && Date.parse(row.lastHealthCheckAt) > Date.parse(update.checkedAt)) return row;
    return {
      ...row,
      healthStatus: update.status,
      healthMessage: update.message,
      lastHealthCheckAt: update.checkedAt,
      healthSince: update.status === row.healthStatus ? row.healthSince : update.checkedAt,
    };
  });
}

export function pluginLabel(row: InstanceRow): string {
  return row.plugin?.displayName ?? row.pluginName;
}

export function filterRows(rows: readonly InstanceRow[], filters: Filters): InstanceRow[] {
  const words = filters.text.trim().toLowerCase().split(/\s+/).filter(Boolean);
  return rows.filter((row) => {
    if (filters.status && row.status !== filters.status) return false;
    if (filters.health && row.healthStatus !== filters.health) return false;
    if (filters.enabled && row.enabled !== (filters.enabled === 'yes')) return false;
    if (words.length === 0) return true;
    const haystack = `${row.name} ${row.pluginName} ${pluginLabel(row)}`.toLowerCase();
    return words.every((word) => haystack.includes(word));
  });
}

const HEALTH_RANK: Record<HealthStatus, number> = { HEALTHY: 0, DEGRADED: 1, UNHEALTHY: 2, UNKNOWN: 3 };
const STATUS_RANK: Record<InstanceStatus, number> = { ACTIVE: 0, INACTIVE: 1, ERROR: 2 };
const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });

function compareBy(key: SortKey, a: InstanceRow, b: InstanceRow): number {
  switch (key) {
    case 'name':
      return collator.compare(a.name, b.name);
    case 'plugin':
      return collator.compare(pluginLabel(a), pluginLabel(b));
    case 'enabled':
      return Number(b.enabled) - Number(a.enabled);
    case 'status':
      return STATUS_RANK[a.status] - STATUS_RANK[b.status];
    case 'health':
      return HEALTH_RANK[a.healthStatus] - HEALTH_RANK[b.healthStatus];
    case 'lastCheck': {
      // Never checked sorts last in ascending order (oldest first, then never).
      const time = (row: InstanceRow) => (row.lastHealthCheckAt ? Date.parse(row.lastHealthCheckAt) : Number.POSITIVE_INFINITY);
      const ta = time(a);
      const tb = time(b);
      return ta === tb ? 0 : ta < tb ? -1 : 1;
    }
  }
}

/** Sorted by the key, then by name and id so equal rows keep a stable order. */
export function sortRows(rows: readonly InstanceRow[], sort: Sort): InstanceRow[] {
  const sign = sort.direction === 'asc' ? 1 : -1;
  return [...rows].sort(
    (a, b) => sign * compareBy(sort.key, a, b) || collator.compare(a.name, b.name) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}

/** Clicking a column header: a new column sorts ascending, the current one flips. */
export function nextSort(current: Sort, key: SortKey): Sort {
  if (current.key !== key) return { key, direction: 'asc' };
  return { key, direction: current.direction === 'asc' ? 'desc' : 'asc' };
}
