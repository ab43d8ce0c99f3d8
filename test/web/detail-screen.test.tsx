/** The instance screen: masked configuration, health history, audit, enable toggle, delete with confirmation. */
import { fireEvent, screen, waitFor, within } from '@solidjs/testing-library';
import { describe, expect, it } from 'vitest';
import { InstanceDetailPage } from '../../web/src/detail/InstanceDetailPage.tsx';
import { fakeApi, renderRoute, VIEWER } from './console-helpers.tsx';
import { instanceDetail as detail, operationsOf } from './instance-fixtures.ts';
import { press } from './helpers.tsx';

function setup(options: { viewer?: typeof VIEWER; setEnabled?: unknown; remove?: unknown[]; instance?: Record<string, unknown> } = {}) {
  let current = detail(options.instance);
  const removals = [...(options.remove ?? [])];
  const api = fakeApi({
    InstanceDetail: () => ({ pluginInstance: current }),
    InstanceOperations: () => ({ pluginInstance: operationsOf() }),
    SetEnabled: ({ enabled }) => {
      current = detail({ enabled, status: enabled ? 'ACTIVE' : 'INACTIVE', version: 4 });
      return { setPluginInstanceEnabled: options.setEnabled ?? { __typename: 'MutationSetPluginInstanceEnabledSuccess', data: { __typename: 'PluginInstance', id: 'inst-1', enabled, status: enabled ? 'ACTIVE' : 'INACTIVE', version: 4 } } };
    },
    DeleteInstance: () => ({ deletePluginInstance: removals.shift() }),
  });
  const view = renderRoute({ pattern: '/instances/:id', path: '/instances/inst-1', component: InstanceDetailPage, api, ...(options.viewer ? { viewer: options.viewer } : {}) });
  return { api, view };
}

describe('instance screen', () => {
  it('says when the replica that answered could not start the instance, and why', async () => {
    setup({
      instance: {
        replicaProvider: {
          __typename: 'ReplicaProvider',
          replica: 'node-b-3',
          state: 'FAILED',
          message: 'Plugin "acme-notify" is unavailable: instance "inst-1" has secret "apiKey" recorded as set, but the local secret store has no value for it.',
        },
      },
    });
    const alert = await screen.findByText(/Replica node-b-3 could not start this instance/);
    expect(alert).toBeTruthy();
    expect(document.body.textContent).toContain('secret "apiKey" recorded as set');
  });

  it('shows no replica alert while the provider runs', async () => {
    setup();
    expect(await screen.findByRole('heading', { name: 'Support line', level: 1 })).toBeTruthy();
    expect(screen.queryByText(/could not start this instance/)).toBeNull();
  });

  it('shows the configuration with secrets as set/not set, never the mask', async () => {
    setup();
    expect(await screen.findByRole('heading', { name: 'Support line', level: 1 })).toBeTruthy();
    const config = screen.getByRole('region', { name: 'Configuration' });
    expect(within(config).getByText('https://acme.test')).toBeTruthy();
    expect(within(config).getByText(/^Set · changed/)).toBeTruthy();
    expect(within(config).getByText('a')).toBeTruthy();
    expect(document.body.textContent).not.toContain('••••••••');
  });

  it('shows health now, a timeline and the latest checks, and the audit trail in words', async () => {
    setup();
    const health = await screen.findByRole('region', { name: /Health/ });
    expect(within(health).getByRole('list', { name: 'Last 2 checks, oldest first' }).children).toHaveLength(2);
    expect(within(health).getByText('Timed out')).toBeTruthy();
    expect(within(health).getByText('5000 ms')).toBeTruthy();
    const audit = screen.getByRole('region', { name: 'Activity' });
    expect(within(audit).getByText('Updated')).toBeTruthy();
    expect(within(audit).getByRole('list', { name: 'Changed settings' }).textContent).toBe('EndpointAPI Key');
    expect(within(audit).getByText(/3 settings/)).toBeTruthy();
  });

  it('disables the instance at the version shown', async () => {
    const { api } = setup();
    const toggle = await screen.findByRole('switch', { name: 'Enabled' });
    expect((toggle as HTMLInputElement).checked).toBe(true);
    fireEvent.click(toggle);
    await waitFor(() => expect(api.callsOf('SetEnabled')).toHaveLength(1));
    expect(api.callsOf('SetEnabled')[0]!.variables).toEqual({ id: 'inst-1', enabled: false, version: 3 });
    await waitFor(() => expect(screen.getByText('Inactive')).toBeTruthy());
  });

  it('deletes only after confirmation, and says why when the delete fails', async () => {
    const { api, view } = setup({
      remove: [
        { __typename: 'ConflictError', message: 'The instance changed since version 3' },
        { __typename: 'MutationDeletePluginInstanceSuccess', data: { __typename: 'DeletedPluginInstance', id: 'inst-1', name: 'Support line' } },
      ],
    });
    press(await screen.findByRole('button', { name: 'Delete' }));
    const dialog = await screen.findByRole('alertdialog');
    expect(within(dialog).getByText('Delete “Support line”?')).toBeTruthy();
    await waitFor(() => expect(document.activeElement?.textContent).toBe('Cancel'));
    expect(api.callsOf('DeleteInstance')).toHaveLength(0);

    press(within(dialog).getByRole('button', { name: 'Delete instance' }));
    expect(await within(dialog).findByText('The instance changed since version 3')).toBeTruthy();
    press(within(dialog).getByRole('button', { name: 'Delete instance' }));
    await waitFor(() => expect(view.location()).toBe('/instances'));
    expect(api.callsOf('DeleteInstance').map((c) => c.variables)).toEqual([
      { id: 'inst-1', version: 3 },
      { id: 'inst-1', version: 3 },
    ]);
  });

  it('gives the focus back to Delete when the dialog closes without deleting (Cancel or Escape)', async () => {
    const { api } = setup();
    const remove = await screen.findByRole('button', { name: 'Delete' });
    remove.focus();
    press(remove);
    const dialog = await screen.findByRole('alertdialog');
    await waitFor(() => expect(document.activeElement?.textContent).toBe('Cancel'));
    press(within(dialog).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
    await waitFor(() => expect(document.activeElement).toBe(remove));

    press(remove);
    await screen.findByRole('alertdialog');
    await waitFor(() => expect(document.activeElement?.textContent).toBe('Cancel'));
    fireEvent.keyDown(document.activeElement!, { key: 'Escape' });
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
    await waitFor(() => expect(document.activeElement).toBe(remove));
    expect(api.callsOf('DeleteInstance')).toHaveLength(0);
  });

  it('offers a read-only viewer no actions', async () => {
    setup({ viewer: VIEWER });
    await screen.findByRole('heading', { name: 'Support line', level: 1 });
    expect(screen.queryByRole('button', { name: 'Delete' })).toBeNull();
    expect(screen.queryByRole('link', { name: 'Edit' })).toBeNull();
    expect(screen.queryByRole('switch')).toBeNull();
    expect(screen.queryByRole('button', { name: 'Check now' })).toBeNull();
  });
});
