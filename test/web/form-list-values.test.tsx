/**
 * Issue 15, point 1: the instance screens load, and save what they loaded, when the plugin's
 * defaults or the saved configuration hold lists or objects. Both come from urql, whose
 * results are Solid store proxies (which structuredClone cannot copy), so these tests go
 * through the console's real urql client rather than handing the form plain objects.
 */
import { fireEvent, screen, waitFor } from '@solidjs/testing-library';
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

const field = (overrides: Record<string, unknown>) => ({ ...nulls, __typename: 'PluginField', ...overrides });

const PLUGIN = {
  __typename: 'Plugin',
  name: 'directory',
  displayName: 'Directory',
  type: 'AUTHENTICATION',
  version: '1.0.0',
  description: 'Looks people up.',
  supportsTestConnection: false,
  groups: [],
  fields: [
    field({ key: 'host', label: 'Host', type: 'STRING', required: true, order: 1 }),
    field({ key: 'attributes', label: 'Attributes', type: 'ARRAY', itemType: 'STRING', default: ['uid', 'mail'], order: 2 }),
    field({ key: 'mapping', label: 'Mapping', type: 'JSON', jsonShape: 'object', default: { email: 'mail', name: { given: 'givenName' } }, order: 3 }),
    field({
      key: 'scopes',
      label: 'Scopes',
      type: 'MULTI_SELECT',
      default: ['read'],
      options: [
        { __typename: 'SelectOption', value: 'read', label: 'Read', description: null },
        { __typename: 'SelectOption', value: 'write', label: 'Write', description: null },
      ],
      order: 4,
    }),
  ],
};

const nameInput = () => screen.getByLabelText(/^Name\*?$/, { selector: 'input' }) as HTMLInputElement;
const hostInput = () => screen.getByLabelText(/^Host\*?$/, { selector: 'input' }) as HTMLInputElement;

describe('forms with list and object values', () => {
  it('a new instance starts from JSON, ARRAY and MULTI_SELECT defaults, and creates with them', async () => {
    const api = fakeApi({
      NewInstance: () => ({ plugin: PLUGIN }),
      CreateInstance: () => ({
        createPluginInstance: { __typename: 'MutationCreatePluginInstanceSuccess', data: { __typename: 'PluginInstance', id: 'i-1', name: 'HQ', version: 1 } },
      }),
    });
    const view = renderRoute({ pattern: '/instances/new/:plugin', path: '/instances/new/directory', component: NewInstancePage, api });

    expect(await screen.findByRole('heading', { name: 'New Directory instance', level: 1 })).toBeTruthy();
    expect((screen.getByRole('textbox', { name: 'Attributes, item 1' }) as HTMLInputElement).value).toBe('uid');
    expect((screen.getByRole('textbox', { name: /^Mapping/ }) as HTMLTextAreaElement).value).toContain('"givenName"');

    type(nameInput(), 'HQ');
    type(hostInput(), 'ldap.example.test');
    fireEvent.click(screen.getByRole('button', { name: 'Create instance' }));
    await waitFor(() => expect(view.location()).toBe('/instances/i-1'));
    expect(api.callsOf('CreateInstance')[0]!.variables).toEqual({
      input: {
        pluginName: 'directory',
        name: 'HQ',
        enabled: true,
        configuration: {
          host: 'ldap.example.test',
          attributes: ['uid', 'mail'],
          mapping: { email: 'mail', name: { given: 'givenName' } },
          scopes: ['read'],
        },
        secrets: [],
      },
    });
  });

  it('a saved instance whose configuration holds lists and objects opens, and saves an edit of them', async () => {
    const api = fakeApi({
      EditInstance: () => ({
        pluginInstance: {
          __typename: 'PluginInstance',
          id: 'i-1',
          name: 'HQ',
          pluginName: 'directory',
          version: 3,
          enabled: true,
          configuration: { host: 'ldap.example.test', attributes: ['cn'], mapping: { email: 'mail' }, scopes: ['read', 'write'] },
          secrets: [],
          plugin: PLUGIN,
        },
      }),
      UpdateInstance: () => ({
        updatePluginInstance: { __typename: 'MutationUpdatePluginInstanceSuccess', data: { __typename: 'PluginInstance', id: 'i-1', name: 'HQ', version: 4 } },
      }),
    });
    const view = renderRoute({ pattern: '/instances/:id/edit', path: '/instances/i-1/edit', component: EditInstancePage, api });

    expect(await screen.findByRole('heading', { name: 'Edit HQ', level: 1 })).toBeTruthy();
    expect((screen.getByRole('textbox', { name: 'Attributes, item 1' }) as HTMLInputElement).value).toBe('cn');
    fireEvent.click(screen.getByRole('button', { name: 'Add item' }));
    type(screen.getByRole('textbox', { name: 'Attributes, item 2' }), 'uid');
    fireEvent.click(screen.getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(view.location()).toBe('/instances/i-1'));
    expect(api.callsOf('UpdateInstance')[0]!.variables).toEqual({
      input: {
        id: 'i-1',
        version: 3,
        configuration: { host: 'ldap.example.test', attributes: ['cn', 'uid'], mapping: { email: 'mail' }, scopes: ['read', 'write'] },
        secrets: [],
      },
    });
  });
});
