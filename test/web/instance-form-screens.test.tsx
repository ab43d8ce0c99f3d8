/**
 * The instance form screens (create and edit) against a fake API: the generated form, the
 * instance name, Test Connection, server field errors, conflicts, and what is sent.
 */
import { fireEvent, screen, waitFor, within } from '@solidjs/testing-library';
import { describe, expect, it } from 'vitest';
import { EditInstancePage } from '../../web/src/editor/EditInstancePage.tsx';
import { NewInstancePage } from '../../web/src/editor/NewInstancePage.tsx';
import { fakeApi, renderRoute, VIEWER } from './console-helpers.tsx';
import { type } from './helpers.tsx';

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
};

const PLUGIN = {
  __typename: 'Plugin',
  name: 'acme-notify',
  displayName: 'Acme Notify',
  type: 'NOTIFICATION',
  version: '1.2.0',
  description: 'Sends notifications through Acme.',
  supportsTestConnection: true,
  groups: ['Connection', 'Delivery'],
  fields: [
    { ...nulls, __typename: 'PluginField', key: 'endpoint', label: 'Endpoint', type: 'URL', required: true, group: 'Connection', order: 1 },
    { ...nulls, __typename: 'PluginField', key: 'apiKey', label: 'API Key', type: 'SECRET', required: true, isSecret: true, minLength: 8, group: 'Connection', order: 2 },
    { ...nulls, __typename: 'PluginField', key: 'retries', label: 'Retries', type: 'INTEGER', default: 3, minValue: 0, maxValue: 5, group: 'Delivery', order: 1 },
    { ...nulls, __typename: 'PluginField', key: 'footer', label: 'Footer', type: 'STRING', group: 'Delivery', order: 2 },
  ],
};

const success = (typename: string, data: Record<string, unknown>) => ({ __typename: typename, data });
const testResult = (success: boolean, message: string) => ({
  __typename: 'MutationTestPluginConnectionSuccess',
  data: { __typename: 'PluginTestResult', success, message, responseTimeMs: 42, timestamp: '2025-03-01T10:00:00.000Z' },
});

/** An input by its label's text (a required field's label ends with its visual "*"). */
const input = (label: string) => screen.getByLabelText(new RegExp(`^${label}\\*?$`), { selector: 'input' }) as HTMLInputElement;

describe('new instance screen', () => {
  function setup(answers: { create?: unknown[]; test?: unknown[] } = {}) {
    const creates = [...(answers.create ?? [])];
    const tests = [...(answers.test ?? [])];
    const api = fakeApi({
      NewInstance: () => ({ plugin: PLUGIN }),
      CreateInstance: () => ({ createPluginInstance: creates.shift() }),
      TestUnsaved: () => ({ testPluginConnection: tests.shift() }),
    });
    const view = renderRoute({ pattern: '/instances/new/:plugin', path: '/instances/new/acme-notify', component: NewInstancePage, api });
    return { api, view };
  }

  it('renders the plugin form from its schema, defaults filled, below the instance name', async () => {
    setup();
    expect(await screen.findByRole('heading', { name: 'New Acme Notify instance', level: 1 })).toBeTruthy();
    expect(screen.getByRole('group', { name: 'Connection' })).toBeTruthy();
    expect(screen.getByRole('group', { name: 'Delivery' })).toBeTruthy();
    expect((screen.getByRole('spinbutton', { name: /Retries/ }) as HTMLInputElement).value).toBe('3');
    expect(input('Name').getAttribute('aria-required')).toBe('true');
    expect(screen.getByRole('switch', { name: 'Enabled' })).toBeTruthy();
  });

  it('refuses to save without a name: shows why and focuses it, sends nothing', async () => {
    const { api } = setup();
    await screen.findByRole('heading', { name: 'New Acme Notify instance', level: 1 });
    type(input('Endpoint'), 'https://acme.test');
    type(input('API Key'), 'key-12345678');
    fireEvent.click(screen.getByRole('button', { name: 'Create instance' }));
    expect(await screen.findByText('Instance name is required')).toBeTruthy();
    expect(document.activeElement).toBe(input('Name'));
    expect(input('Name').getAttribute('aria-describedby')).toContain('instance-name-error');
    expect(api.callsOf('CreateInstance')).toHaveLength(0);
  });

  it('tests the connection with what is typed, before saving, and shows the outcome', async () => {
    const { api } = setup({ test: [testResult(false, 'Acme says: unknown key'), testResult(true, 'Connected to Acme')] });
    await screen.findByRole('heading', { name: 'New Acme Notify instance', level: 1 });
    type(input('Endpoint'), 'https://acme.test');
    type(input('API Key'), 'key-12345678');

    fireEvent.click(screen.getByRole('button', { name: 'Test connection' }));
    expect(await screen.findByText('Connection failed')).toBeTruthy();
    expect(screen.getByText('Acme says: unknown key')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Test connection' }));
    expect(await screen.findByText('Connection succeeded')).toBeTruthy();
    expect(screen.getByText(/42 ms/)).toBeTruthy();

    expect(api.callsOf('TestUnsaved')[0]!.variables).toEqual({
      input: { pluginName: 'acme-notify', configuration: { endpoint: 'https://acme.test', retries: 3 }, secrets: [{ key: 'apiKey', value: 'key-12345678' }] },
    });
    expect(api.callsOf('CreateInstance')).toHaveLength(0);
  });

  it('does not test an invalid form: it shows the errors instead', async () => {
    const { api } = setup();
    await screen.findByRole('heading', { name: 'New Acme Notify instance', level: 1 });
    fireEvent.click(screen.getByRole('button', { name: 'Test connection' }));
    expect(await screen.findByText(/Fix the highlighted fields first/)).toBeTruthy();
    expect(input('Endpoint').getAttribute('aria-invalid')).toBe('true');
    expect(api.callsOf('TestUnsaved')).toHaveLength(0);
  });

  it('puts server field errors on their fields (the name too), then saves and opens the instance', async () => {
    const { api, view } = setup({
      create: [
        {
          __typename: 'ValidationError',
          message: 'The configuration is not valid',
          fieldErrors: [
            { __typename: 'FieldError', field: 'name', message: 'An instance named "Main" of acme-notify already exists', rule: 'unique' },
            { __typename: 'FieldError', field: 'endpoint', message: 'Acme does not answer at this address', rule: 'custom' },
          ],
        },
        success('MutationCreatePluginInstanceSuccess', { __typename: 'PluginInstance', id: 'inst-1', name: 'Main 2', version: 1 }),
      ],
    });
    await screen.findByRole('heading', { name: 'New Acme Notify instance', level: 1 });
    type(input('Name'), 'Main');
    type(input('Endpoint'), 'https://acme.test');
    type(input('API Key'), 'key-12345678');
    fireEvent.click(screen.getByRole('switch', { name: 'Enabled' }));
    fireEvent.click(screen.getByRole('button', { name: 'Create instance' }));

    expect(await screen.findByText('An instance named "Main" of acme-notify already exists')).toBeTruthy();
    expect(screen.getByText('Acme does not answer at this address')).toBeTruthy();
    expect(input('Endpoint').getAttribute('aria-invalid')).toBe('true');
    expect(input('Name').getAttribute('aria-invalid')).toBe('true');
    await waitFor(() => expect(document.activeElement).toBe(input('Name')));

    type(input('Name'), 'Main 2');
    expect(screen.queryByText(/already exists/)).toBeNull();
    type(input('Endpoint'), 'https://eu.acme.test'); // a server error stays until its field changes
    expect(screen.queryByText('Acme does not answer at this address')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Create instance' }));
    await waitFor(() => expect(view.location()).toBe('/instances/inst-1'));
    expect(api.callsOf('CreateInstance')[1]!.variables).toEqual({
      input: {
        pluginName: 'acme-notify',
        name: 'Main 2',
        enabled: false,
        configuration: { endpoint: 'https://eu.acme.test', retries: 3 },
        secrets: [{ key: 'apiKey', value: 'key-12345678' }],
      },
    });
  });

  it('explains a refusal that belongs to no field (e.g. configure failed)', async () => {
    setup({ create: [{ __typename: 'ConfigureError', message: 'Acme refused the configuration: quota exceeded' }] });
    await screen.findByRole('heading', { name: 'New Acme Notify instance', level: 1 });
    type(input('Name'), 'Main');
    type(input('Endpoint'), 'https://acme.test');
    type(input('API Key'), 'key-12345678');
    fireEvent.click(screen.getByRole('button', { name: 'Create instance' }));
    const alert = await screen.findByRole('alert');
    expect(within(alert).getByText('Not saved')).toBeTruthy();
    expect(within(alert).getByText(/quota exceeded/)).toBeTruthy();
  });

  it('tells a read-only viewer they cannot create instances', async () => {
    const api = fakeApi({ NewInstance: () => ({ plugin: PLUGIN }) });
    renderRoute({ pattern: '/instances/new/:plugin', path: '/instances/new/acme-notify', component: NewInstancePage, api, viewer: VIEWER });
    expect(await screen.findByText(/cannot create instances/)).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Create instance' })).toBeNull();
  });

  it('says so when the plugin is not loaded', async () => {
    const api = fakeApi({ NewInstance: () => ({ plugin: null }) });
    renderRoute({ pattern: '/instances/new/:plugin', path: '/instances/new/nope', component: NewInstancePage, api });
    expect(await screen.findByRole('heading', { name: 'No plugin named “nope”' })).toBeTruthy();
  });
});

describe('edit instance screen', () => {
  const stored = (version: number, configuration: Record<string, unknown>) => ({
    __typename: 'PluginInstance',
    id: 'inst-1',
    name: 'Main',
    pluginName: 'acme-notify',
    version,
    enabled: true,
    configuration: { ...configuration, apiKey: '••••••••' },
    secrets: [{ __typename: 'SecretState', key: 'apiKey', isSet: true, updatedAt: '2025-02-01T09:00:00.000Z' }],
    plugin: PLUGIN,
  });

  function setup(instances: unknown[], updates: unknown[]) {
    const reads = [...instances];
    const answers = [...updates];
    const api = fakeApi({
      EditInstance: () => ({ pluginInstance: reads.length > 1 ? reads.shift() : reads[0] }),
      UpdateInstance: () => ({ updatePluginInstance: answers.shift() }),
      TestSaved: () => ({ testPluginInstanceConnection: { ...testResult(true, 'Connected with the stored key'), __typename: 'MutationTestPluginInstanceConnectionSuccess' } }),
    });
    const view = renderRoute({ pattern: '/instances/:id/edit', path: '/instances/inst-1/edit', component: EditInstancePage, api });
    return { api, view };
  }

  it('shows stored values, never prefills the secret, and sends only what changed', async () => {
    const { api, view } = setup(
      [stored(4, { endpoint: 'https://acme.test', retries: 2, footer: 'Sent by Acme' })],
      [success('MutationUpdatePluginInstanceSuccess', { __typename: 'PluginInstance', id: 'inst-1', name: 'Main', version: 5 })],
    );
    expect(await screen.findByRole('heading', { name: 'Edit Main', level: 1 })).toBeTruthy();
    expect(input('Endpoint').value).toBe('https://acme.test');
    expect(document.body.innerHTML).not.toContain('••••••••');
    expect(screen.getByText(/Set · changed/)).toBeTruthy();

    // The test merges the stored key on the server: nothing secret is sent.
    fireEvent.click(screen.getByRole('button', { name: 'Test connection' }));
    expect(await screen.findByText('Connected with the stored key')).toBeTruthy();
    expect(api.callsOf('TestSaved')[0]!.variables).toEqual({
      input: { id: 'inst-1', configuration: { endpoint: 'https://acme.test', retries: 2, footer: 'Sent by Acme' }, secrets: [] },
    });

    type(input('Footer'), ''); // blanked: removed on the server
    type(screen.getByRole('spinbutton', { name: /Retries/ }), '4');
    fireEvent.click(screen.getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(view.location()).toBe('/instances/inst-1'));
    expect(api.callsOf('UpdateInstance')[0]!.variables).toEqual({
      input: { id: 'inst-1', version: 4, configuration: { endpoint: 'https://acme.test', retries: 4, footer: null }, secrets: [] },
    });
  });

  it('on a conflict keeps what was typed, and reloads the latest version with the changes re-applied', async () => {
    const { api } = setup(
      [
        stored(4, { endpoint: 'https://acme.test', retries: 2 }),
        stored(5, { endpoint: 'https://acme.test', retries: 2, footer: 'Added by a colleague' }),
      ],
      [
        { __typename: 'ConflictError', message: 'The instance changed since version 4 (it is now at version 5)', currentVersion: 5 },
        success('MutationUpdatePluginInstanceSuccess', { __typename: 'PluginInstance', id: 'inst-1', name: 'Main', version: 6 }),
      ],
    );
    await screen.findByRole('heading', { name: 'Edit Main', level: 1 });
    // Retries, not the endpoint: a new endpoint would ask for the API key again (destination binding).
    const retries = () => screen.getByRole('spinbutton', { name: /Retries/ }) as HTMLInputElement;
    type(retries(), '4');
    fireEvent.click(screen.getByRole('button', { name: 'Save changes' }));

    expect(await screen.findByText('Someone else changed this instance')).toBeTruthy();
    expect(screen.getByText(/now at version 5/)).toBeTruthy();
    expect(retries().value).toBe('4'); // nothing lost

    fireEvent.click(screen.getByRole('button', { name: 'Reload and keep my changes' }));
    expect(await screen.findByText(/Loaded version 5, with your changes applied/)).toBeTruthy();
    expect(retries().value).toBe('4');
    expect(input('Footer').value).toBe('Added by a colleague');

    fireEvent.click(screen.getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(api.callsOf('UpdateInstance')).toHaveLength(2));
    expect(api.callsOf('UpdateInstance')[1]!.variables).toMatchObject({ input: { version: 5, configuration: { retries: 4, footer: 'Added by a colleague' } } });
  });
});
