/**
 * Issue 15 point 5 / issue 11: secrets are bound to their destination. As soon as a field
 * that decides where a stored secret is sent is edited, the edit screen asks for that secret
 * again (the SDK's secretsToReenter on the server's `bindsSecrets`, the rule the server
 * enforces), and will not save or test until it is typed.
 */
import { fireEvent, screen, waitFor, within } from '@solidjs/testing-library';
import { describe, expect, it } from 'vitest';
import { EditInstancePage } from '../../web/src/editor/EditInstancePage.tsx';
import { fakeApi, renderRoute } from './console-helpers.tsx';
import { fieldOf, type } from './helpers.tsx';

const nulls = {
  description: null,
  default: null,
  minLength: null,
  maxLength: null,
  minValue: null,
  maxValue: null,
  pattern: null,
  placeholder: null,
  helpText: null,
  group: null,
  order: null,
  itemType: null,
  jsonShape: null,
  options: [],
  validationRules: [],
  isSecret: false,
  required: false,
  visibleWhen: null,
  bindsSecrets: [],
};

const PLUGIN = {
  __typename: 'Plugin',
  name: 'acme-notify',
  displayName: 'Acme Notify',
  type: 'NOTIFICATION',
  version: '1.2.0',
  description: null,
  supportsTestConnection: true,
  groups: [],
  fields: [
    { ...nulls, __typename: 'PluginField', key: 'endpoint', label: 'Endpoint', type: 'URL', required: true, order: 1, bindsSecrets: ['apiKey'] },
    { ...nulls, __typename: 'PluginField', key: 'apiKey', label: 'API Key', type: 'SECRET', isSecret: true, required: true, order: 2 },
    // Its key says "region", which the SDK's default would bind; the server says it binds nothing.
    { ...nulls, __typename: 'PluginField', key: 'footerRegion', label: 'Footer', type: 'STRING', order: 3 },
  ],
};

const STORED = {
  __typename: 'PluginInstance',
  id: 'inst-1',
  name: 'Main',
  pluginName: 'acme-notify',
  version: 4,
  enabled: true,
  configuration: { endpoint: 'https://acme.test', footerRegion: 'eu', apiKey: '••••••••' },
  secrets: [{ __typename: 'SecretState', key: 'apiKey', isSet: true, updatedAt: '2025-02-01T09:00:00.000Z' }],
  plugin: PLUGIN,
};

const input = (label: string) => screen.getByLabelText(new RegExp(`^${label}\\*?$`), { selector: 'input' }) as HTMLInputElement;

function setup() {
  const api = fakeApi({
    EditInstance: () => ({ pluginInstance: STORED }),
    UpdateInstance: () => ({
      updatePluginInstance: { __typename: 'MutationUpdatePluginInstanceSuccess', data: { __typename: 'PluginInstance', id: 'inst-1', name: 'Main', version: 5 } },
    }),
  });
  const view = renderRoute({ pattern: '/instances/:id/edit', path: '/instances/inst-1/edit', component: EditInstancePage, api });
  return { api, view };
}

describe('destination fields ask for their secrets again', () => {
  it('editing the endpoint opens the API key input at once, with the reason; changing it back keeps the stored key', async () => {
    const { container } = setup().view;
    await screen.findByRole('heading', { name: 'Edit Main', level: 1 });
    expect(within(fieldOf(container, 'apiKey')).getByText(/^Set/)).toBeTruthy();

    input('Endpoint').focus();
    type(input('Endpoint'), 'https://eu.acme.test');
    const secret = input('API Key');
    expect(secret.type).toBe('password');
    expect(secret.value).toBe('');
    expect(within(fieldOf(container, 'apiKey')).getByText('Re-enter API Key: Endpoint changed')).toBeTruthy();
    expect(secret.getAttribute('aria-invalid')).toBe('true');
    // The stored key cannot be kept for a new destination: no "Keep the current" way out.
    expect(screen.queryByRole('button', { name: 'Keep the current API Key' })).toBeNull();
    expect(document.activeElement).toBe(input('Endpoint')); // the user keeps typing where they were

    type(input('Endpoint'), 'https://acme.test');
    expect(within(fieldOf(container, 'apiKey')).getByText(/^Set/)).toBeTruthy();
    expect(within(fieldOf(container, 'apiKey')).queryByText(/Re-enter/)).toBeNull();
  });

  it('will not save until the key is typed again, then sends it with the new endpoint', async () => {
    const { api, view } = setup();
    await screen.findByRole('heading', { name: 'Edit Main', level: 1 });
    type(input('Endpoint'), 'https://eu.acme.test');
    fireEvent.click(screen.getByRole('button', { name: 'Save changes' }));
    expect(document.activeElement).toBe(input('API Key'));
    expect(api.callsOf('UpdateInstance')).toHaveLength(0);

    type(input('API Key'), 'key-new-12345678');
    expect(screen.queryByText(/Re-enter API Key/)).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(view.location()).toBe('/instances/inst-1'));
    expect(api.callsOf('UpdateInstance')[0]!.variables).toEqual({
      input: {
        id: 'inst-1',
        version: 4,
        configuration: { endpoint: 'https://eu.acme.test', footerRegion: 'eu' },
        secrets: [{ key: 'apiKey', value: 'key-new-12345678' }],
      },
    });
  });

  it('follows the server’s bindings: a field that binds nothing asks for nothing', async () => {
    const { container } = setup().view;
    await screen.findByRole('heading', { name: 'Edit Main', level: 1 });
    type(input('Footer'), 'us');
    expect(within(fieldOf(container, 'apiKey')).getByText(/^Set/)).toBeTruthy();
    expect(screen.queryByText(/Re-enter/)).toBeNull();
  });
});
