/** The instance screen's History card: timeline, diff with the current version, rollback with confirmation. */
import { fireEvent, screen, waitFor, within } from '@solidjs/testing-library';
import { describe, expect, it } from 'vitest';
import { InstanceDetailPage } from '../../web/src/detail/InstanceDetailPage.tsx';
import { fakeApi, renderRoute, VIEWER } from './console-helpers.tsx';
import { press } from './helpers.tsx';
import { instanceDetail, operationsOf } from './instance-fixtures.ts';

const version = (n: number, kind: string, extra: Record<string, unknown> = {}) => ({
  __typename: 'ConfigurationVersion',
  version: n,
  kind,
  actor: n === 1 ? 'token:creator' : 'token:ops',
  at: `2025-03-0${n}T10:00:00.000Z`,
  restoredFrom: null,
  secretChanges: [],
  ...extra,
});

const DIFF = [
  { __typename: 'ConfigurationDifference', key: 'apiKey', change: 'CHANGED', secret: true, oldValue: null, newValue: null },
  { __typename: 'ConfigurationDifference', key: 'endpoint', change: 'CHANGED', secret: false, oldValue: 'https://acme.test', newValue: 'https://old.test' },
];

function setup(options: { viewer?: typeof VIEWER; rollbacks?: unknown[] } = {}) {
  let versions = [version(3, 'UPDATED'), version(2, 'UPDATED'), version(1, 'CREATED')];
  let current = 3;
  const rollbacks = [...(options.rollbacks ?? [])];
  const api = fakeApi({
    InstanceDetail: () => ({ pluginInstance: instanceDetail({ version: current, configurationVersions: versions }) }),
    InstanceOperations: () => ({ pluginInstance: operationsOf() }),
    ConfigurationDiff: () => ({ pluginInstance: { __typename: 'PluginInstance', id: 'inst-1', configurationDiff: DIFF } }),
    RollbackInstance: ({ toVersion }) => {
      const answer = rollbacks.shift() as { __typename: string };
      if (answer.__typename.endsWith('Success')) {
        current = 4;
        versions = [version(4, 'ROLLED_BACK', { restoredFrom: toVersion }), ...versions];
      }
      return { rollbackPluginInstance: answer };
    },
  });
  renderRoute({ pattern: '/instances/:id', path: '/instances/inst-1', component: InstanceDetailPage, api, ...(options.viewer ? { viewer: options.viewer } : {}) });
  return { api };
}

const SUCCESS = { __typename: 'MutationRollbackPluginInstanceSuccess', data: { __typename: 'PluginInstance', id: 'inst-1', version: 4 } };

describe('instance history', () => {
  it('shows the saved versions newest first: version, kind, who and when', async () => {
    setup();
    const history = await screen.findByRole('region', { name: 'History' });
    const items = within(history).getByRole('list', { name: 'Saved versions, newest first' }).children;
    expect(items).toHaveLength(3);
    expect(items[0]!.textContent).toMatch(/^Version 3UpdatedBy token:ops.*Current$/i);
    expect(items[2]!.textContent).toMatch(/^Version 1CreatedBy token:creator/i);
    expect(within(items[2] as HTMLElement).getByRole('time').getAttribute('datetime')).toBe('2025-03-01T10:00:00.000Z');
  });

  it('compares a version with the current one field by field, and rolls back after a confirmation saying what changes', async () => {
    const { api } = setup({ rollbacks: [SUCCESS] });
    press(await screen.findByRole('button', { name: 'Compare version 1 with the current one' }));
    const table = await screen.findByRole('table', { name: 'Settings that differ' });
    await waitFor(() => expect(within(table).getAllByRole('row')).toHaveLength(3));
    expect(api.callsOf('ConfigurationDiff').at(-1)!.variables).toEqual({ id: 'inst-1', from: 3, to: 1 });
    const endpoint = within(table).getByRole('row', { name: /Endpoint/ });
    expect(endpoint.textContent).toBe('Endpointhttps://acme.testhttps://old.test');
    expect(within(table).getByRole('row', { name: /API Key/ }).textContent).toBe('API KeySecret will change');

    press(screen.getByRole('button', { name: 'Roll back to version 1' }));
    const dialog = await screen.findByRole('alertdialog');
    expect(within(dialog).getByText('Roll back to version 1?')).toBeTruthy();
    expect(within(dialog).getByText('Endpoint: https://acme.test → https://old.test')).toBeTruthy();
    expect(within(dialog).getByText('API Key: secret will change')).toBeTruthy();
    expect(api.callsOf('RollbackInstance')).toHaveLength(0);

    press(within(dialog).getByRole('button', { name: 'Roll back' }));
    expect(await screen.findByText('Rolled back to version 1: saved as version 4.')).toBeTruthy();
    expect(api.callsOf('RollbackInstance').map((c) => c.variables)).toEqual([{ id: 'inst-1', toVersion: 1, version: 3 }]);
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
    const items = () => screen.getByRole('list', { name: 'Saved versions, newest first' }).children;
    await waitFor(() => expect(items()).toHaveLength(4));
    expect(items()[0]!.textContent).toMatch(/^Version 4Rolled back from version 1/);
  });

  it('asks for a secret the store no longer keeps, then sends it with the rollback', async () => {
    const { api } = setup({
      rollbacks: [
        {
          __typename: 'ValidationError',
          message: 'Invalid configuration',
          fieldErrors: [{ __typename: 'FieldError', field: 'apiKey', rule: 'reenterSecret', message: 'enter it again' }],
        },
        SUCCESS,
      ],
    });
    press(await screen.findByRole('button', { name: 'Compare version 1 with the current one' }));
    press(await screen.findByRole('button', { name: 'Roll back to version 1' }));
    const dialog = await screen.findByRole('alertdialog');
    press(within(dialog).getByRole('button', { name: 'Roll back' }));
    expect(await within(dialog).findByText(/no longer keeps API Key as it was in version 1/)).toBeTruthy();
    const input = within(dialog).getByLabelText('API Key') as HTMLInputElement;
    expect(input.type).toBe('password');
    fireEvent.input(input, { target: { value: 'acme-key-again' } });
    press(within(dialog).getByRole('button', { name: 'Roll back' }));
    expect(await screen.findByText('Rolled back to version 1: saved as version 4.')).toBeTruthy();
    expect(api.callsOf('RollbackInstance').at(-1)!.variables).toEqual({
      id: 'inst-1',
      toVersion: 1,
      version: 3,
      secrets: [{ key: 'apiKey', value: 'acme-key-again' }],
    });
  });

  it('lets a viewer compare but not roll back', async () => {
    setup({ viewer: VIEWER });
    press(await screen.findByRole('button', { name: 'Compare version 2 with the current one' }));
    await screen.findByRole('table', { name: 'Settings that differ' });
    expect(screen.queryByRole('button', { name: /Roll back/ })).toBeNull();
  });
});
