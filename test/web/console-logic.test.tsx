/** The console's pure logic: table model, payloads, outcomes, formatting, session. */
import { describe, expect, it } from 'vitest';
import { outcomeOf } from '../../web/src/api/outcome.ts';
import { safeNext } from '../../web/src/auth/SignInPage.tsx';
import { createSession, TOKEN_KEY } from '../../web/src/auth/session.ts';
import { actionLabel, auditDetail } from '../../web/src/detail/audit-format.ts';
import { configurationGroups } from '../../web/src/detail/ConfigurationList.tsx';
import { displayValue } from '../../web/src/detail/format-value.ts';
import { nameProblem } from '../../web/src/editor/InstanceSettings.tsx';
import { changedKeys, reapplyChanges, secretInputs, storedValues, updatePatch } from '../../web/src/editor/payload.ts';
import { formFieldsOf, secretStateOf } from '../../web/src/editor/plugin-fields.ts';
import {
  filterRows,
  nextSort,
  NO_FILTERS,
  parseFilters,
  parseSort,
  sortRows,
  withLiveHealth,
  type InstanceRow,
} from '../../web/src/instances/table-model.ts';
import type { PluginSchemaFragment } from '../../web/src/gql/graphql.ts';
import { formatRelative } from '../../web/src/lib/time.ts';

function row(overrides: Partial<InstanceRow> & { id: string; name: string }): InstanceRow {
  return {
    pluginName: 'whatsapp-business',
    enabled: true,
    status: 'ACTIVE',
    statusMessage: null,
    healthStatus: 'UNKNOWN',
    healthSince: null,
    lastHealthCheckAt: null,
    healthHistory: [],
    healthMessage: null,
    updatedAt: '2025-03-01T10:00:00.000Z',
    plugin: { name: 'whatsapp-business', displayName: 'WhatsApp Business', type: 'NOTIFICATION' },
    ...overrides,
  };
}

const rows = [
  row({ id: '1', name: 'Support line', healthStatus: 'HEALTHY', lastHealthCheckAt: '2025-03-01T10:05:00.000Z' }),
  row({
    id: '2',
    name: 'marketing line',
    healthStatus: 'UNHEALTHY',
    lastHealthCheckAt: '2025-03-01T10:01:00.000Z',
    healthHistory: [{ id: 'h2', message: 'Invalid OAuth access token' }],
  }),
  row({
    id: '3',
    name: 'Orders',
    pluginName: 'slack',
    enabled: false,
    status: 'INACTIVE',
    plugin: { name: 'slack', displayName: 'Slack', type: 'NOTIFICATION' },
  }),
  row({ id: '4', name: 'Broken', status: 'ERROR', statusMessage: 'bad token', plugin: null, pluginName: 'gone-plugin' }),
];
const names = (list: readonly InstanceRow[]) => list.map((r) => r.name);

describe('instances table model', () => {
  it('filters by words in the instance or plugin name, status, health and enabled', () => {
    expect(names(filterRows(rows, { ...NO_FILTERS, text: 'line' }))).toEqual(['Support line', 'marketing line']);
    expect(names(filterRows(rows, { ...NO_FILTERS, text: 'slack' }))).toEqual(['Orders']);
    expect(names(filterRows(rows, { ...NO_FILTERS, text: 'whatsapp support' }))).toEqual(['Support line']);
    expect(names(filterRows(rows, { ...NO_FILTERS, status: 'ERROR' }))).toEqual(['Broken']);
    expect(names(filterRows(rows, { ...NO_FILTERS, health: 'UNHEALTHY' }))).toEqual(['marketing line']);
    expect(names(filterRows(rows, { ...NO_FILTERS, enabled: 'no' }))).toEqual(['Orders']);
  });

  it('sorts case-insensitively by name, then any column, both ways; never-checked last', () => {
    expect(names(sortRows(rows, { key: 'name', direction: 'asc' }))).toEqual(['Broken', 'marketing line', 'Orders', 'Support line']);
    expect(names(sortRows(rows, { key: 'name', direction: 'desc' }))).toEqual(['Support line', 'Orders', 'marketing line', 'Broken']);
    expect(names(sortRows(rows, { key: 'health', direction: 'asc' }))).toEqual(['Support line', 'marketing line', 'Broken', 'Orders']);
    expect(names(sortRows(rows, { key: 'lastCheck', direction: 'asc' }))).toEqual(['marketing line', 'Support line', 'Broken', 'Orders']);
    expect(names(sortRows(rows, { key: 'status', direction: 'asc' }))).toEqual(['marketing line', 'Support line', 'Orders', 'Broken']);
    // By plugin name (a plugin that is not loaded goes by its package name), then by instance name.
    expect(names(sortRows(rows, { key: 'plugin', direction: 'asc' }))).toEqual(['Broken', 'Orders', 'marketing line', 'Support line']);
  });

  it('reads filters and sort from the URL, ignoring nonsense', () => {
    expect(parseFilters({ q: 'x', status: 'active', health: 'degraded', enabled: 'yes' })).toEqual({ text: 'x', status: 'ACTIVE', health: 'DEGRADED', enabled: 'yes' });
    expect(parseFilters({ status: 'sleeping', health: ['bogus'], enabled: 'maybe' })).toEqual(NO_FILTERS);
    expect(parseSort({ sort: 'health', dir: 'desc' })).toEqual({ key: 'health', direction: 'desc' });
    expect(parseSort({ sort: 'secret' })).toEqual({ key: 'name', direction: 'asc' });
    expect(nextSort({ key: 'name', direction: 'asc' }, 'name')).toEqual({ key: 'name', direction: 'desc' });
    expect(nextSort({ key: 'name', direction: 'desc' }, 'status')).toEqual({ key: 'status', direction: 'asc' });
  });

  it('applies live health only when it is newer than the loaded row', () => {
    const live = {
      '1': { status: 'DEGRADED' as const, checkedAt: '2025-03-01T10:06:00.000Z', message: 'Slow: 2300 ms' },
      '2': { status: 'HEALTHY' as const, checkedAt: '2025-03-01T09:00:00.000Z', message: 'OK' }, // older than the row
      '3': { status: 'HEALTHY' as const, checkedAt: '2025-03-01T10:07:00.000Z', message: 'OK' },
    };
    const updated = withLiveHealth(rows, live);
    expect(updated.map((r) => r.healthStatus)).toEqual(['DEGRADED', 'UNHEALTHY', 'HEALTHY', 'UNKNOWN']);
    // The reason: the live check's message, else the latest stored check's.
    expect(updated.map((r) => r.healthMessage)).toEqual(['Slow: 2300 ms', 'Invalid OAuth access token', 'OK', null]);
    expect(updated[0]!.lastHealthCheckAt).toBe('2025-03-01T10:06:00.000Z');
    expect(updated[0]!.healthSince).toBe('2025-03-01T10:06:00.000Z');
  });
});

describe('editor payloads', () => {
  type GqlField = PluginSchemaFragment['fields'][number];
  const gqlField = (f: Partial<GqlField> & Pick<GqlField, 'key' | 'label' | 'type'>): GqlField => ({
    description: null,
    required: false,
    default: null,
    minLength: null,
    maxLength: null,
    minValue: null,
    maxValue: null,
    pattern: null,
    validationRules: [],
    placeholder: null,
    helpText: null,
    group: null,
    order: null,
    options: [],
    isSecret: false,
    itemType: null,
    jsonShape: null,
    visibleWhen: null,
    bindsSecrets: [],
    ...f,
  });
  const fields = formFieldsOf({
    name: 'p',
    displayName: 'P',
    type: 'NOTIFICATION',
    version: '1.0.0',
    description: null,
    supportsTestConnection: true,
    groups: [],
    fields: [
      gqlField({ key: 'url', label: 'URL', type: 'URL', required: true, bindsSecrets: ['token'], validationRules: [{ type: 'custom', value: null, message: null }] }),
      gqlField({ key: 'token', label: 'Token', type: 'SECRET', required: true, isSecret: true }),
      gqlField({ key: 'body', label: 'Body', type: 'JSON', jsonShape: 'array' }),
    ],
  });

  it('adapts GraphQL fields for the form (null becomes absent, custom rules stay on the server)', () => {
    // bindsSecrets becomes the SDK's `destination`, stated on every field (false: binds nothing).
    expect(fields[0]).toEqual({ key: 'url', label: 'URL', type: 'URL', required: true, isSecret: false, options: [], destination: ['token'] });
    expect(fields[2]!.jsonShape).toBe('array');
    expect(fields[2]!.destination).toBe(false);
    expect(secretStateOf([{ key: 'token', isSet: true, updatedAt: '2025-01-01T00:00:00Z' }])).toEqual({
      token: { isSet: true, updatedAt: '2025-01-01T00:00:00Z' },
    });
  });

  it('sends only changed secrets, as a list; keeps the mask out of stored values', () => {
    expect(secretInputs({ token: 'abc', other: null })).toEqual([
      { key: 'token', value: 'abc' },
      { key: 'other', value: null },
    ]);
    expect(secretInputs({})).toEqual([]);
    expect(storedValues({ url: 'https://a', token: '••••••••' }, fields)).toEqual({ url: 'https://a' });
  });

  it('turns a blanked value into null in an update patch', () => {
    expect(updatePatch({ url: 'https://a', body: [1] }, { url: 'https://b' })).toEqual({ url: 'https://b', body: null });
    expect(updatePatch({}, { url: 'https://b' })).toEqual({ url: 'https://b' });
  });

  it('after a conflict, re-applies only what the user changed over the latest version', () => {
    const loaded = { a: 1, b: 'x', c: true };
    const typed = { a: 2, b: 'x' }; // changed a, removed c
    const latest = { a: 1, b: 'y', c: true, d: 'new' }; // someone else changed b and added d
    expect(changedKeys(loaded, typed)).toEqual(['a', 'c']);
    expect(reapplyChanges(loaded, typed, latest)).toEqual({ a: 2, b: 'y', d: 'new' });
  });

  it('checks the instance name as the server does', () => {
    expect(nameProblem('  ')).toBe('Instance name is required');
    expect(nameProblem('x'.repeat(101))).toMatch(/at most 100/);
    expect(nameProblem(' Support ')).toBeUndefined();
  });
});

describe('mutation outcomes', () => {
  it('folds a result union into ok, invalid, conflict or failed', () => {
    expect(outcomeOf({ __typename: 'MutationCreatePluginInstanceSuccess', data: { id: '1' } })).toEqual({ kind: 'ok', data: { id: '1' } });
    expect(outcomeOf({ __typename: 'ValidationError', message: 'bad', fieldErrors: [{ field: 'url', message: 'no', rule: 'type' }] })).toEqual({
      kind: 'invalid',
      message: 'bad',
      fieldErrors: [{ field: 'url', message: 'no', rule: 'type' }],
    });
    expect(outcomeOf({ __typename: 'ConflictError', message: 'stale', currentVersion: 4 })).toEqual({ kind: 'conflict', message: 'stale', currentVersion: 4 });
    expect(outcomeOf({ __typename: 'ConfigureError', message: 'refused' })).toEqual({ kind: 'failed', message: 'refused' });
    expect(outcomeOf(undefined)).toEqual({ kind: 'failed', message: 'The server gave no answer. Try again.' });
  });
});

describe('formatting', () => {
  it('says how long ago', () => {
    const now = Date.parse('2025-03-01T12:00:00Z');
    expect(formatRelative('2025-03-01T11:59:30Z', now)).toBe('just now');
    expect(formatRelative('2025-03-01T11:55:00Z', now)).toMatch(/5 min/);
    expect(formatRelative('2025-03-01T09:00:00Z', now)).toMatch(/3 hr/);
    expect(formatRelative('2025-02-27T12:00:00Z', now)).toMatch(/2 days ago/);
    expect(formatRelative('not a date', now)).toBe('');
  });

  it('shows stored values readably', () => {
    expect(displayValue(undefined, 'STRING')).toEqual({ kind: 'empty' });
    expect(displayValue(false, 'BOOLEAN')).toEqual({ kind: 'text', text: 'No' });
    expect(displayValue(['a', 2], 'ARRAY')).toEqual({ kind: 'list', items: ['a', '2'] });
    expect(displayValue({ a: 1 }, 'JSON')).toEqual({ kind: 'code', text: '{\n  "a": 1\n}' });
    expect(displayValue(30, 'INTEGER')).toEqual({ kind: 'text', text: '30' });
  });

  it('groups the configuration by the plugin, with secrets as states and unknown keys last', () => {
    const groups = configurationGroups(
      [
        { key: 'url', label: 'URL', type: 'URL', isSecret: false, group: 'Connection', order: 1 },
        { key: 'token', label: 'Token', type: 'SECRET', isSecret: true, group: 'Connection', order: 2 },
        { key: 'retries', label: 'Retries', type: 'INTEGER', isSecret: false, group: null, order: null },
      ],
      { url: 'https://a', token: '••••••••', legacy: 1 },
      [{ key: 'token', label: 'Token', isSet: true, updatedAt: null }],
    );
    expect(groups.map((g) => [g.name, g.rows.map((r) => r.key)])).toEqual([
      ['Connection', ['url', 'token']],
      ['General', ['retries']],
      ['Not in the plugin’s schema', ['legacy']],
    ]);
    expect(groups[0]!.rows[1]!.secret?.isSet).toBe(true);
  });

  it('words audit actions and keeps creates short', () => {
    expect(actionLabel('instance.update')).toBe('Updated');
    expect(actionLabel('instance.rotate_keys')).toBe('Rotate keys');
    expect(auditDetail('instance.create', ['a', 'b'], {})).toEqual({ keys: [], summary: '2 settings' });
    expect(auditDetail('instance.update', ['a', 'b'], { a: 'Alpha' })).toEqual({ keys: ['Alpha', 'b'] });
    expect(auditDetail('instance.disable', ['enabled'], {})).toEqual({ keys: [] });
  });
});

describe('session', () => {
  it('keeps the token in the given storage only, and forgets it on sign-out with a notice', () => {
    const store = new Map<string, string>();
    const storage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v), removeItem: (k: string) => void store.delete(k) };
    const session = createSession(storage);
    expect(session.token()).toBeNull();
    session.signIn('pf_abc');
    expect(store.get(TOKEN_KEY)).toBe('pf_abc');
    expect(createSession(storage).token()).toBe('pf_abc'); // survives a reload of the tab
    session.signOut('expired');
    expect(session.token()).toBeNull();
    expect(session.notice()).toBe('expired');
    expect(store.size).toBe(0);
  });

  it('returns to the page asked for, never to another site', () => {
    expect(safeNext('/instances/abc/edit')).toBe('/instances/abc/edit');
    expect(safeNext('//evil.example')).toBe('/instances');
    expect(safeNext('https://evil.example')).toBe('/instances');
    expect(safeNext('/sign-in?next=/x')).toBe('/instances');
    expect(safeNext(undefined)).toBe('/instances');
  });
});
