/** The instances screen: empty states, sorting and filtering through the URL, live health. */
import { fireEvent, screen, waitFor, within } from '@solidjs/testing-library';
import { describe, expect, it } from 'vitest';
import { InstancesPage } from '../../web/src/instances/InstancesPage.tsx';
import { fakeApi, renderRoute, VIEWER } from './console-helpers.tsx';

function instance(id: string, name: string, extra: Record<string, unknown> = {}) {
  return {
    __typename: 'PluginInstance',
    id,
    name,
    pluginName: 'whatsapp-business',
    enabled: true,
    status: 'ACTIVE',
    statusMessage: null,
    healthStatus: 'HEALTHY',
    healthSince: '2025-03-01T10:00:00.000Z',
    lastHealthCheckAt: '2025-03-01T10:00:00.000Z',
    healthHistory: [],
    updatedAt: '2025-03-01T10:00:00.000Z',
    plugin: { __typename: 'Plugin', name: 'whatsapp-business', displayName: 'WhatsApp Business', type: 'NOTIFICATION' },
    ...extra,
  };
}

function instancesApi(nodes: unknown[]) {
  return fakeApi({
    Instances: () => ({
      pluginInstances: {
        __typename: 'QueryPluginInstancesConnection',
        edges: nodes.map((node) => ({ __typename: 'QueryPluginInstancesConnectionEdge', node })),
        pageInfo: { __typename: 'PageInfo', hasNextPage: false },
      },
    }),
  });
}

const rowNames = () => screen.getAllByRole('row').slice(1).map((row) => within(row).getAllByRole('rowheader')[0]!.textContent);

describe('instances screen', () => {
  it('tells an operator how to start when there are no instances', async () => {
    renderRoute({ pattern: '/instances', path: '/instances', component: InstancesPage, api: instancesApi([]) });
    expect(await screen.findByRole('heading', { name: 'No instances yet' })).toBeTruthy();
    expect(screen.getByText(/Pick a plugin in the catalog/)).toBeTruthy();
    expect(screen.getByRole('link', { name: 'New instance' }).getAttribute('href')).toBe('/plugins');
  });

  it('tells a read-only viewer who can create one, and offers no button', async () => {
    renderRoute({ pattern: '/instances', path: '/instances', component: InstancesPage, api: instancesApi([]), viewer: VIEWER });
    expect(await screen.findByText(/Your token is read-only/)).toBeTruthy();
    expect(screen.queryByRole('link', { name: 'New instance' })).toBeNull();
  });

  it('sorts by a column header and keeps sort and filters in the URL', async () => {
    const api = instancesApi([
      instance('1', 'Support'),
      instance('2', 'Alerts', { enabled: false, status: 'INACTIVE', healthStatus: 'UNKNOWN', lastHealthCheckAt: null }),
      instance('3', 'Billing', { healthStatus: 'UNHEALTHY' }),
    ]);
    const view = renderRoute({ pattern: '/instances', path: '/instances?sort=name&dir=desc', component: InstancesPage, api });
    await waitFor(() => expect(rowNames()).toEqual(['Support', 'Billing', 'Alerts']));
    expect(screen.getByRole('columnheader', { name: /Name/ }).getAttribute('aria-sort')).toBe('descending');

    fireEvent.click(screen.getByRole('button', { name: 'Health' }));
    await waitFor(() => expect(view.location()).toContain('sort=health'));
    expect(rowNames()).toEqual(['Support', 'Billing', 'Alerts']); // healthy, unhealthy, unknown

    fireEvent.change(screen.getByRole('combobox', { name: 'Enabled' }), { target: { value: 'no' } });
    await waitFor(() => expect(rowNames()).toEqual(['Alerts']));
    await waitFor(() => expect(view.location()).toContain('enabled=no'));
    expect(screen.getByText('1 of 3 instances')).toBeTruthy();

    fireEvent.input(screen.getByRole('searchbox', { name: 'Search' }), { target: { value: 'zzz' } });
    expect(await screen.findByRole('heading', { name: 'No instances match these filters' })).toBeTruthy();
    fireEvent.click(screen.getAllByRole('button', { name: 'Clear filters' })[0]!);
    await waitFor(() => expect(rowNames()).toHaveLength(3));
  });

  it('updates a health badge when the subscription reports a change', async () => {
    const api = instancesApi([instance('1', 'Support'), instance('2', 'Billing')]);
    renderRoute({ pattern: '/instances', path: '/instances', component: InstancesPage, api });
    await waitFor(() => expect(rowNames()).toEqual(['Billing', 'Support']));
    await waitFor(() => expect(api.openStreams()).toBe(1));
    expect(api.callsOf('HealthChanges')[0]!.authorization).toBe('Bearer test-token');

    api.emit({
      pluginInstanceHealthChanged: {
        __typename: 'PluginInstanceHealthChange',
        instanceId: '1',
        status: 'DEGRADED',
        previousStatus: 'HEALTHY',
        check: { __typename: 'PluginHealthCheck', status: 'DEGRADED', message: 'slow', responseTimeMs: 900, timestamp: '2025-03-01T10:10:00.000Z' },
      },
    });
    const rowOf = (name: string) => screen.getAllByRole('row').find((row) => row.textContent?.includes(name))!;
    await waitFor(() => expect(within(rowOf('Support')).getByText('Degraded')).toBeTruthy());
    expect(within(rowOf('Billing')).getByText('Healthy')).toBeTruthy();
    expect(screen.getByText('Live')).toBeTruthy();
  });
});

describe('instances screen, health reason', () => {
  it('shows why an instance is unhealthy: the stored reason, then the live one', async () => {
    const api = instancesApi([
      instance('1', 'Support', {
        healthStatus: 'UNHEALTHY',
        healthHistory: [{ __typename: 'HealthCheck', id: 'h1', message: 'Invalid OAuth access token' }],
      }),
      instance('2', 'Billing', { healthHistory: [{ __typename: 'HealthCheck', id: 'h2', message: 'Connected' }] }),
    ]);
    renderRoute({ pattern: '/instances', path: '/instances', component: InstancesPage, api });
    const rowOf = (name: string) => screen.getAllByRole('row').find((row) => row.textContent?.includes(name))!;
    await waitFor(() => expect(rowNames()).toEqual(['Billing', 'Support']));
    const badge = () => within(rowOf('Support')).getByText(/^(Unhealthy|Degraded|Healthy)$/);
    expect(badge().getAttribute('title')).toBe('Invalid OAuth access token');
    // In the cell too (visible on narrow windows, read by screen readers everywhere).
    expect(within(rowOf('Support')).getByText('Invalid OAuth access token').classList).toContain('pf-health-reason');
    // A healthy instance's message is its tooltip only.
    expect(within(rowOf('Billing')).queryByText('Connected')).toBeNull();

    await waitFor(() => expect(api.openStreams()).toBe(1));
    api.emit({
      pluginInstanceHealthChanged: {
        __typename: 'PluginInstanceHealthChange',
        instanceId: '1',
        status: 'DEGRADED',
        previousStatus: 'UNHEALTHY',
        check: { __typename: 'PluginHealthCheck', status: 'DEGRADED', message: 'Slow: 2300 ms', responseTimeMs: 2300, timestamp: '2025-03-01T10:10:00.000Z' },
      },
    });
    await waitFor(() => expect(within(rowOf('Support')).getByText('Slow: 2300 ms')).toBeTruthy());
    expect(badge().getAttribute('title')).toBe('Slow: 2300 ms');
  });
});

describe('instances screen, live updates', () => {
  it('reconnects when the stream ends (e.g. the server restarted)', async () => {
    const api = instancesApi([instance('1', 'Support')]);
    renderRoute({ pattern: '/instances', path: '/instances', component: InstancesPage, api });
    await waitFor(() => expect(api.openStreams()).toBe(1));
    await screen.findByText('Live');
    api.closeStreams();
    expect(await screen.findByText('Not live')).toBeTruthy();
    await waitFor(() => expect(api.callsOf('HealthChanges')).toHaveLength(2), { timeout: 5000 });
    expect(await screen.findByText('Live')).toBeTruthy();
  }, 10_000);
});

describe('instances screen, keyboard', () => {
  it('keeps the focus on a row link when its health changes live', async () => {
    const api = instancesApi([instance('1', 'Support')]);
    renderRoute({ pattern: '/instances', path: '/instances', component: InstancesPage, api });
    const link = await screen.findByRole('link', { name: 'Support' });
    await waitFor(() => expect(api.openStreams()).toBe(1));
    link.focus();
    api.emit({
      pluginInstanceHealthChanged: {
        __typename: 'PluginInstanceHealthChange',
        instanceId: '1',
        status: 'UNHEALTHY',
        previousStatus: 'HEALTHY',
        check: { __typename: 'PluginHealthCheck', status: 'UNHEALTHY', message: 'down', responseTimeMs: 5, timestamp: '2025-03-01T10:10:00.000Z' },
      },
    });
    await screen.findByText('Unhealthy');
    expect(document.activeElement).toBe(link);
  });
});
