/**
 * The instance screen follows every live health change, recovery included, and announces
 * each one to screen readers (a polite live region).
 */
import { screen, waitFor, within } from '@solidjs/testing-library';
import { describe, expect, it } from 'vitest';
import { InstanceDetailPage } from '../../web/src/detail/InstanceDetailPage.tsx';
import { fakeApi, renderRoute } from './console-helpers.tsx';
import { operationsOf } from './instance-fixtures.ts';

type Status = 'HEALTHY' | 'UNHEALTHY' | 'DEGRADED' | 'UNKNOWN';

function detail(status: Status, history: { id: string; status: Status; message: string; checkedAt: string }[]) {
  return {
    __typename: 'PluginInstance',
    id: 'inst-1',
    name: 'Support line',
    pluginName: 'acme-notify',
    version: 3,
    enabled: true,
    status: 'ACTIVE',
    statusMessage: null,
    createdAt: '2025-03-01T09:00:00.000Z',
    updatedAt: '2025-03-01T09:00:00.000Z',
    configuration: {},
    healthStatus: status,
    healthSince: history[0]?.checkedAt ?? null,
    lastHealthCheckAt: history[0]?.checkedAt ?? null,
    healthHistory: history.map((h) => ({ __typename: 'HealthCheck', responseTimeMs: 10, ...h })),
    auditEvents: [],
    secrets: [],
    plugin: {
      __typename: 'Plugin',
      name: 'acme-notify',
      displayName: 'Acme Notify',
      type: 'NOTIFICATION',
      version: '1.2.0',
      supportsHealthCheck: true,
      groups: [],
      fields: [],
    },
  };
}

function change(status: Status, previous: Status, message: string, timestamp: string) {
  return {
    pluginInstanceHealthChanged: {
      __typename: 'PluginInstanceHealthChange',
      instanceId: 'inst-1',
      status,
      previousStatus: previous,
      check: { __typename: 'PluginHealthCheck', status, message, responseTimeMs: 10, timestamp },
    },
  };
}

describe('instance screen, live health', () => {
  it('follows a failure and then the recovery, and announces both politely', async () => {
    const checks: { id: string; status: Status; message: string; checkedAt: string }[] = [
      { id: 'h1', status: 'HEALTHY', message: 'All good', checkedAt: '2025-03-01T10:00:00.000Z' },
    ];
    // The server's view: what the detail query returns after each recorded check.
    const api = fakeApi({ InstanceDetail: () => ({ pluginInstance: detail(checks[0]!.status, checks) }), InstanceOperations: () => ({ pluginInstance: operationsOf() }) });
    renderRoute({ pattern: '/instances/:id', path: '/instances/inst-1', component: InstanceDetailPage, api });
    const health = await screen.findByRole('region', { name: /Health/ });
    const now = () => health.querySelector('.pf-health-panel__now')!.textContent ?? '';
    await waitFor(() => expect(api.openStreams()).toBe(1));
    expect(now()).toContain('Healthy');
    const announcer = within(health).getByTestId('health-announcer');
    expect(announcer.getAttribute('aria-live')).toBe('polite');
    expect(announcer.textContent).toBe('');

    checks.unshift({ id: 'h2', status: 'UNHEALTHY', message: 'Connection refused', checkedAt: '2025-03-01T10:01:00.000Z' });
    api.emit(change('UNHEALTHY', 'HEALTHY', 'Connection refused', '2025-03-01T10:01:00.000Z'));
    await waitFor(() => expect(now()).toContain('Unhealthy'));
    await waitFor(() => expect(announcer.textContent).toBe('Health changed to Unhealthy: Connection refused'));

    checks.unshift({ id: 'h3', status: 'HEALTHY', message: 'Back up', checkedAt: '2025-03-01T10:02:00.000Z' });
    api.emit(change('HEALTHY', 'UNHEALTHY', 'Back up', '2025-03-01T10:02:00.000Z'));
    await waitFor(() => expect(now()).toContain('Healthy'));
    expect(now()).not.toContain('Unhealthy');
    await waitFor(() => expect(announcer.textContent).toBe('Health changed to Healthy: Back up'));
    expect(within(health).getByRole('list', { name: 'Last 3 checks, oldest first' })).toBeTruthy();
    expect(screen.getByText('Live')).toBeTruthy();
  });

  it('shows the live status at once, even before the history is fetched again', async () => {
    const checks = [{ id: 'h1', status: 'HEALTHY' as Status, message: 'All good', checkedAt: '2025-03-01T10:00:00.000Z' }];
    // A refetch that keeps answering with the old state (e.g. a replica lagging behind).
    const api = fakeApi({ InstanceDetail: () => ({ pluginInstance: detail('HEALTHY', checks) }), InstanceOperations: () => ({ pluginInstance: operationsOf() }) });
    renderRoute({ pattern: '/instances/:id', path: '/instances/inst-1', component: InstanceDetailPage, api });
    const health = await screen.findByRole('region', { name: /Health/ });
    await waitFor(() => expect(api.openStreams()).toBe(1));
    api.emit(change('UNHEALTHY', 'HEALTHY', 'Connection refused', '2025-03-01T10:01:00.000Z'));
    await waitFor(() => expect(health.querySelector('.pf-health-panel__now')!.textContent).toContain('Unhealthy'));
  });
});
