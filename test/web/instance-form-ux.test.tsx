/**
 * Issue 15, points 4, 5 and 7 on the instance form screens: the unsaved-changes guard, focus
 * after Test connection, the test result in the sticky action bar, the name in the error
 * summary, the wider editor page.
 */
import { A } from '@solidjs/router';
import { fireEvent, screen, waitFor, within } from '@solidjs/testing-library';
import { describe, expect, it } from 'vitest';
import { EditInstancePage } from '../../web/src/editor/EditInstancePage.tsx';
import { NewInstancePage } from '../../web/src/editor/NewInstancePage.tsx';
import { fakeApi, renderRoute } from './console-helpers.tsx';
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
  groups: [],
  fields: [
    { ...nulls, __typename: 'PluginField', key: 'endpoint', label: 'Endpoint', type: 'URL', required: true, order: 1 },
    { ...nulls, __typename: 'PluginField', key: 'footer', label: 'Footer', type: 'TEXT', order: 2 },
  ],
};

const testResult = (success: boolean, message: string) => ({
  __typename: 'MutationTestPluginConnectionSuccess',
  data: { __typename: 'PluginTestResult', success, message, responseTimeMs: 42, timestamp: '2025-03-01T10:00:00.000Z' },
});

const input = (label: string) => screen.getByLabelText(new RegExp(`^${label}\\*?$`), { selector: 'input' }) as HTMLInputElement;

function setup() {
  const api = fakeApi({
    NewInstance: () => ({ plugin: PLUGIN }),
    TestUnsaved: () => ({ testPluginConnection: testResult(true, 'Connected to Acme') }),
  });
  const view = renderRoute({
    pattern: '/instances/new/:plugin',
    path: '/instances/new/acme-notify',
    component: () => (
      <>
        {/* Stands in for the console's navigation around the page. */}
        <A href="/instances">Instances</A>
        <NewInstancePage />
      </>
    ),
    api,
  });
  return { api, view };
}

describe('unsaved-changes guard', () => {
  it('leaving an untouched form through the navigation does not ask', async () => {
    const { view } = setup();
    await screen.findByRole('heading', { name: 'New Acme Notify instance', level: 1 });
    fireEvent.click(screen.getByRole('link', { name: 'Instances' }));
    await waitFor(() => expect(view.location()).toBe('/instances'));
  });

  it('leaving a filled form asks first: Cancel keeps everything, Discard changes leaves', async () => {
    const { view } = setup();
    await screen.findByRole('heading', { name: 'New Acme Notify instance', level: 1 });
    type(input('Endpoint'), 'https://acme.test');

    fireEvent.click(screen.getByRole('link', { name: 'Instances' }));
    const dialog = await screen.findByRole('alertdialog', { name: 'Leave without saving?' });
    expect(view.location()).toBe('/instances/new/acme-notify');
    fireEvent.click(within(dialog).getByText('Cancel'));
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
    expect(view.location()).toBe('/instances/new/acme-notify');
    expect(input('Endpoint').value).toBe('https://acme.test');

    // The form's own Cancel link is guarded the same way.
    fireEvent.click(screen.getByRole('link', { name: 'Cancel' }));
    const again = await screen.findByRole('alertdialog', { name: 'Leave without saving?' });
    fireEvent.click(within(again).getByRole('button', { name: 'Discard changes' }));
    await waitFor(() => expect(view.location()).toBe('/plugins'));
  });

  it('a value changed and changed back is not an unsaved change', async () => {
    const { view } = setup();
    await screen.findByRole('heading', { name: 'New Acme Notify instance', level: 1 });
    type(input('Endpoint'), 'https://acme.test');
    type(input('Endpoint'), '');
    fireEvent.click(screen.getByRole('link', { name: 'Instances' }));
    await waitFor(() => expect(view.location()).toBe('/instances'));
  });
});

describe('unsaved-changes guard on the edit screen', () => {
  it('deleting the instance leaves without asking about the changes', async () => {
    const api = fakeApi({
      EditInstance: () => ({
        pluginInstance: {
          __typename: 'PluginInstance',
          id: 'inst-1',
          name: 'Main',
          pluginName: 'acme-notify',
          version: 2,
          enabled: true,
          configuration: { endpoint: 'https://acme.test' },
          secrets: [],
          plugin: PLUGIN,
        },
      }),
      DeleteInstance: () => ({
        deletePluginInstance: { __typename: 'MutationDeletePluginInstanceSuccess', data: { __typename: 'DeletedPluginInstance', id: 'inst-1', name: 'Main' } },
      }),
    });
    const view = renderRoute({ pattern: '/instances/:id/edit', path: '/instances/inst-1/edit', component: EditInstancePage, api });
    await screen.findByRole('heading', { name: 'Edit Main', level: 1 });
    type(screen.getByLabelText(/^Footer/), 'changed');
    fireEvent.click(screen.getByRole('button', { name: 'Delete' }));
    const dialog = await screen.findByRole('alertdialog', { name: 'Delete “Main”?' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Delete instance' }));
    await waitFor(() => expect(view.location()).toBe('/instances'));
    expect(screen.queryByRole('alertdialog', { name: 'Leave without saving?' })).toBeNull();
  });
});

describe('Test connection', () => {
  it('keeps the focus on the button while testing, then moves it to the result, which sits in the action bar', async () => {
    setup();
    await screen.findByRole('heading', { name: 'New Acme Notify instance', level: 1 });
    type(input('Name'), 'Main');
    type(input('Endpoint'), 'https://acme.test');
    const button = screen.getByRole('button', { name: 'Test connection' }) as HTMLButtonElement;
    button.focus();
    fireEvent.click(button);
    expect(button.disabled).toBe(false); // a disabled button would drop the focus to <body>
    expect(document.activeElement).toBe(button);

    const result = await screen.findByTestId('test-result');
    await waitFor(() => expect(document.activeElement).toBe(result));
    expect(result.textContent).toContain('Connected to Acme');
    const bar = screen.getByRole('group', { name: 'Form actions' });
    expect(bar.contains(result)).toBe(true);
    expect(within(bar).getByRole('button', { name: 'Create instance' })).toBeTruthy();
  });
});

describe('error summary on the instance screens', () => {
  it('lists the instance name with the plugin fields, and its link focuses the name', async () => {
    setup();
    await screen.findByRole('heading', { name: 'New Acme Notify instance', level: 1 });
    fireEvent.click(screen.getByRole('button', { name: 'Create instance' }));
    const summary = await screen.findByTestId('error-summary');
    expect(within(summary).getAllByRole('link').map((a) => a.textContent)).toEqual(['Name', 'Endpoint']);
    fireEvent.click(within(summary).getByRole('link', { name: 'Endpoint' }));
    expect(document.activeElement).toBe(input('Endpoint'));
    fireEvent.click(within(summary).getByRole('link', { name: 'Name' }));
    expect(document.activeElement).toBe(input('Name'));
  });

  it('the editor page is the wide one', async () => {
    const { view } = setup();
    await screen.findByRole('heading', { name: 'New Acme Notify instance', level: 1 });
    expect(view.container.querySelector('.pf-page--editor')).not.toBeNull();
  });
});
