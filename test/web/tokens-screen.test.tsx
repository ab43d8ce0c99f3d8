/** The API-tokens screen (admins): create with the value shown once, list, revoke with confirmation. */
import { createMemoryHistory, MemoryRouter, Route } from '@solidjs/router';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@solidjs/testing-library';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SignedInLayout } from '../../web/src/auth/SignedInLayout.tsx';
import { session } from '../../web/src/auth/session.ts';
import { TokensPage } from '../../web/src/tokens/TokensPage.tsx';
import { ADMIN, fakeApi, renderRoute, VIEWER, type FakeApi } from './console-helpers.tsx';
import { press } from './helpers.tsx';

const NEW_TOKEN = 'pf_NewTokenValue0123456789abcdefghijklmnopqrstu';

interface Row {
  __typename: 'ApiToken';
  id: string;
  name: string;
  prefix: string;
  role: 'ADMIN' | 'OPERATOR' | 'VIEWER';
  createdAt: string;
  createdBy: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
  scopes: { __typename: 'OperationScope'; instanceId: string; operations: string[] }[] | null;
}

/** The instances a service token can be scoped to, with the operations their plugin type offers. */
const INSTANCES = [
  { id: 'i-slack', name: 'slack-alerts', pluginName: 'slack', operations: ['sendNotification'] },
  { id: 'i-stripe', name: 'stripe-live', pluginName: 'stripe', operations: ['createPayment', 'capturePayment', 'refundPayment'] },
];

function token(id: string, name: string, extra: Partial<Row> = {}): Row {
  return {
    __typename: 'ApiToken',
    id,
    name,
    prefix: `pf_${id}abcd`,
    role: 'VIEWER',
    createdAt: '2025-03-01T09:00:00.000Z',
    createdBy: 'ci-admin',
    lastUsedAt: null,
    revokedAt: null,
    scopes: null,
    ...extra,
  };
}

function tokensApi() {
  const rows: Row[] = [
    token('t1', 'ci-admin', { role: 'ADMIN', createdBy: null, lastUsedAt: new Date().toISOString() }),
    token('t2', 'grafana', { role: 'VIEWER', lastUsedAt: '2025-03-02T09:00:00.000Z' }),
    token('t3', 'old deploy', { role: 'OPERATOR', revokedAt: '2025-03-03T09:00:00.000Z' }),
  ];
  const api = fakeApi({
    ApiTokens: () => ({ apiTokens: rows }),
    ScopeInstances: () => ({
      pluginInstances: {
        __typename: 'QueryPluginInstancesConnection',
        edges: INSTANCES.map((node) => ({ __typename: 'QueryPluginInstancesConnectionEdge', node: { __typename: 'PluginInstance', ...node } })),
        pageInfo: { __typename: 'PageInfo', hasNextPage: false },
      },
    }),
    CreateApiToken: ({ name, role, scopes }) => {
      if (!name.trim()) {
        return { createApiToken: { __typename: 'ValidationError', message: 'Invalid', fieldErrors: [{ __typename: 'FieldError', field: 'name', message: 'Token name is required', rule: 'required' }] } };
      }
      const row = token('t9', name, {
        role,
        createdAt: new Date().toISOString(),
        scopes: scopes ? scopes.map((scope: { instanceId: string; operations: string[] }) => ({ __typename: 'OperationScope', ...scope })) : null,
      });
      rows.push(row);
      return { createApiToken: { __typename: 'MutationCreateApiTokenSuccess', data: { __typename: 'CreatedApiToken', token: NEW_TOKEN, apiToken: row } } };
    },
    RevokeApiToken: ({ id }) => {
      const row = rows.find((r) => r.id === id)!;
      row.revokedAt = new Date().toISOString();
      return { revokeApiToken: { __typename: 'MutationRevokeApiTokenSuccess', data: row } };
    },
  });
  return { api, rows };
}

const scopeGroup = () => screen.getByRole('group', { name: 'What it may call' });
const instanceBox = (name: string) => within(scopeGroup()).getByRole('checkbox', { name: new RegExp(`^${name}`) });
const operationsOf = (instance: string) => within(scopeGroup()).getByRole('group', { name: `Operations of ${instance}` });

const rowOf = (name: string) => screen.getAllByRole('row').find((row) => within(row).queryAllByRole('rowheader')[0]?.textContent?.startsWith(name))!;

afterEach(() => {
  vi.unstubAllGlobals();
  session.signOut();
});

describe('API tokens screen', () => {
  it('lists every token with its role, creator, last use and status', async () => {
    const { api } = tokensApi();
    renderRoute({ pattern: '/settings/tokens', path: '/settings/tokens', component: TokensPage, api });
    await screen.findByRole('heading', { name: 'API tokens', level: 1 });
    await waitFor(() => expect(screen.getAllByRole('row')).toHaveLength(4));
    const grafana = rowOf('grafana');
    expect(within(grafana).getByText('Viewer')).toBeTruthy();
    expect(within(grafana).getByText('by ci-admin')).toBeTruthy();
    expect(within(grafana).getByText('pf_t2abcd…')).toBeTruthy();
    expect(within(grafana).getByText('Active')).toBeTruthy();
    expect(within(grafana).getByRole('button', { name: 'Revoke grafana' })).toBeTruthy();
    expect(within(rowOf('ci-admin')).getByText('at first start')).toBeTruthy();
    expect(within(rowOf('ci-admin')).getByText('just now')).toBeTruthy();
    const old = rowOf('old deploy');
    expect(within(old).getByText(/Revoked/)).toBeTruthy();
    expect(within(old).queryByRole('button')).toBeNull(); // nothing left to revoke
    const lastUsed = grafana.querySelector('td[data-label="Last used"] time')!;
    expect(lastUsed.getAttribute('datetime')).toBe('2025-03-02T09:00:00.000Z');
    expect(within(rowOf('old deploy')).getByText('Never')).toBeTruthy();
    expect(screen.getByText('2 active · 1 revoked')).toBeTruthy();
  });

  it('creates a token: the value is shown once with a copy button, then forgotten', async () => {
    const writeText = vi.fn(async (_text: string) => {});
    vi.stubGlobal('navigator', Object.assign(Object.create(navigator), { clipboard: { writeText } }));
    const { api } = tokensApi();
    renderRoute({ pattern: '/settings/tokens', path: '/settings/tokens', component: TokensPage, api });
    const name = await screen.findByLabelText(/^Name/);

    fireEvent.click(screen.getByRole('button', { name: 'Create token' }));
    expect(await screen.findByText('Token name is required')).toBeTruthy();
    expect(name.getAttribute('aria-invalid')).toBe('true');
    expect(document.activeElement).toBe(name);
    expect(api.callsOf('CreateApiToken')).toHaveLength(0);

    fireEvent.input(name, { target: { value: 'deploy pipeline' } });
    fireEvent.change(screen.getByLabelText('Role'), { target: { value: 'OPERATOR' } });
    expect(screen.getByText('Operator: also creates, updates, tests and checks instances.')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Create token' }));

    const notice = await screen.findByRole('region', { name: 'Token “deploy pipeline” created' });
    expect(api.callsOf('CreateApiToken')[0]!.variables).toEqual({ name: 'deploy pipeline', role: 'OPERATOR' });
    await waitFor(() => expect(document.activeElement).toBe(notice));
    expect((within(notice).getByLabelText('New API token') as HTMLInputElement).value).toBe(NEW_TOKEN);
    // The form is empty again, ready for the next token.
    expect((screen.getByLabelText(/^Name/) as HTMLInputElement).value).toBe('');
    expect((screen.getByLabelText('Role') as HTMLSelectElement).value).toBe('VIEWER');
    press(within(notice).getByRole('button', { name: 'Copy' }));
    await waitFor(() => expect(writeText).toHaveBeenCalledWith(NEW_TOKEN));
    expect(await within(notice).findByText('Copied to the clipboard.')).toBeTruthy();
    // The list was fetched again and holds the new token (never its value).
    await waitFor(() => expect(rowOf('deploy pipeline')).toBeTruthy());
    expect(within(rowOf('deploy pipeline')).getByText('Operator')).toBeTruthy();

    press(within(notice).getByRole('button', { name: 'Done' }));
    await waitFor(() => expect(screen.queryByRole('region', { name: /created/ })).toBeNull());
    expect(document.body.innerHTML).not.toContain(NEW_TOKEN);
  });

  it('creates a service token: chosen operations of chosen instances, or all of one instance', async () => {
    const { api } = tokensApi();
    renderRoute({ pattern: '/settings/tokens', path: '/settings/tokens', component: TokensPage, api });
    fireEvent.input(await screen.findByLabelText(/^Name/), { target: { value: 'alert sender' } });
    expect(screen.queryByRole('group', { name: 'What it may call' })).toBeNull(); // only for service tokens
    fireEvent.change(screen.getByLabelText('Role'), { target: { value: 'SERVICE' } });
    expect(screen.getByText(/Service: calls only the operations chosen below/)).toBeTruthy();
    await waitFor(() => expect(instanceBox('slack-alerts')).toBeTruthy());
    expect(instanceBox('stripe-live').closest('label')!.textContent).toBe('stripe-live (stripe)');
    // An instance's operations appear once it is chosen: those its plugin type offers.
    expect(within(scopeGroup()).queryByRole('group', { name: 'Operations of slack-alerts' })).toBeNull();
    fireEvent.click(instanceBox('slack-alerts'));
    fireEvent.click(within(operationsOf('slack-alerts')).getByRole('checkbox', { name: 'sendNotification' }));
    fireEvent.click(instanceBox('stripe-live'));
    const stripeOps = operationsOf('stripe-live');
    expect(within(stripeOps).getAllByRole('checkbox').map((box) => box.closest('label')!.textContent)).toEqual([
      'All operations of stripe-live',
      'createPayment',
      'capturePayment',
      'refundPayment',
    ]);
    fireEvent.click(within(stripeOps).getByRole('checkbox', { name: 'refundPayment' }));
    fireEvent.click(within(stripeOps).getByRole('checkbox', { name: 'All operations of stripe-live' }));
    // "All" covers every operation: the single ones are checked and locked meanwhile.
    const refund = within(stripeOps).getByRole('checkbox', { name: 'refundPayment' }) as HTMLInputElement;
    expect(refund.checked && refund.disabled).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'Create token' }));

    await screen.findByRole('region', { name: 'Token “alert sender” created' });
    expect(api.callsOf('CreateApiToken')[0]!.variables).toEqual({
      name: 'alert sender',
      role: 'OPERATOR',
      scopes: [
        { instanceId: 'i-slack', operations: ['sendNotification'] },
        { instanceId: 'i-stripe', operations: ['*'] },
      ],
    });
    // The form starts over as an unrestricted viewer token.
    expect((screen.getByLabelText('Role') as HTMLSelectElement).value).toBe('VIEWER');
    expect(screen.queryByRole('group', { name: 'What it may call' })).toBeNull();
  });

  it('refuses a service token that names no instance, or an instance without an operation', async () => {
    const { api } = tokensApi();
    renderRoute({ pattern: '/settings/tokens', path: '/settings/tokens', component: TokensPage, api });
    fireEvent.input(await screen.findByLabelText(/^Name/), { target: { value: 'alert sender' } });
    fireEvent.change(screen.getByLabelText('Role'), { target: { value: 'SERVICE' } });
    await waitFor(() => expect(instanceBox('slack-alerts')).toBeTruthy());

    fireEvent.click(screen.getByRole('button', { name: 'Create token' }));
    expect(await screen.findByText('Choose at least one instance')).toBeTruthy();
    expect(scopeGroup().getAttribute('aria-describedby')).toContain('token-scopes-error');
    expect(document.activeElement).toBe(instanceBox('slack-alerts'));

    fireEvent.click(instanceBox('slack-alerts'));
    fireEvent.click(screen.getByRole('button', { name: 'Create token' }));
    expect(await screen.findByText('Choose at least one operation of slack-alerts')).toBeTruthy();
    expect(document.activeElement).toBe(within(operationsOf('slack-alerts')).getAllByRole('checkbox')[0]);
    expect(api.callsOf('CreateApiToken')).toHaveLength(0);
  });

  it('says so when the instances to scope a service token to cannot be loaded', async () => {
    const { api } = tokensApi();
    const failing = {
      ...api,
      fetch: async (input: RequestInfo | URL, init?: RequestInit) => {
        if (String(init?.body).includes('"operationName":"ScopeInstances"')) throw new TypeError('Failed to fetch');
        return api.fetch(input, init);
      },
    };
    renderRoute({ pattern: '/settings/tokens', path: '/settings/tokens', component: TokensPage, api: failing });
    fireEvent.change(await screen.findByLabelText('Role'), { target: { value: 'SERVICE' } });
    expect(await within(scopeGroup()).findByText(/^The instances could not be loaded: .*Failed to fetch/)).toBeTruthy();
  });

  it('lists a service token with its scopes by instance name', async () => {
    const { api, rows } = tokensApi();
    rows.push(
      token('t5', 'alert sender', {
        role: 'OPERATOR',
        scopes: [
          { __typename: 'OperationScope', instanceId: 'i-slack', operations: ['sendNotification'] },
          { __typename: 'OperationScope', instanceId: 'i-stripe', operations: ['*'] },
          { __typename: 'OperationScope', instanceId: 'i-gone', operations: ['storeFile', 'listFiles'] },
        ],
      }),
    );
    renderRoute({ pattern: '/settings/tokens', path: '/settings/tokens', component: TokensPage, api });
    await waitFor(() => expect(screen.getAllByRole('row')).toHaveLength(5));
    const row = rowOf('alert sender');
    expect(within(row).getByText('Service')).toBeTruthy();
    const scopes = within(row).getByRole('list', { name: 'May call' });
    await waitFor(() =>
      expect(within(scopes).getAllByRole('listitem').map((item) => item.textContent)).toEqual([
        'slack-alerts: sendNotification',
        'stripe-live: all operations',
        'a deleted instance: storeFile, listFiles',
      ]),
    );
    // Tokens with the full rights of their role show only the role.
    expect(within(rowOf('grafana')).queryByRole('list')).toBeNull();
    expect(within(rowOf('grafana')).getByText('Viewer')).toBeTruthy();
  });

  it('revokes only after confirmation, and focus comes back to the list', async () => {
    const { api } = tokensApi();
    renderRoute({ pattern: '/settings/tokens', path: '/settings/tokens', component: TokensPage, api });
    await waitFor(() => expect(screen.getAllByRole('row')).toHaveLength(4));
    const revoke = within(rowOf('grafana')).getByRole('button', { name: 'Revoke grafana' });
    revoke.focus();
    press(revoke);
    let dialog = await screen.findByRole('alertdialog');
    expect(within(dialog).getByText('Revoke “grafana”?')).toBeTruthy();
    await waitFor(() => expect(document.activeElement?.textContent).toBe('Cancel'));
    press(within(dialog).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
    await waitFor(() => expect(document.activeElement).toBe(revoke));
    expect(api.callsOf('RevokeApiToken')).toHaveLength(0);

    press(revoke);
    dialog = await screen.findByRole('alertdialog');
    press(within(dialog).getByRole('button', { name: 'Revoke token' }));
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
    expect(api.callsOf('RevokeApiToken')[0]!.variables).toEqual({ id: 't2' });
    await waitFor(() => expect(within(rowOf('grafana')).getByText(/Revoked/)).toBeTruthy());
    // Its button is gone: focus lands on the list's heading, not on <body>.
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole('heading', { name: 'Tokens' })));
  });

  it('warns before an admin revokes the token they are signed in with', async () => {
    const { api } = tokensApi();
    renderRoute({ pattern: '/settings/tokens', path: '/settings/tokens', component: TokensPage, api, viewer: ADMIN });
    await waitFor(() => expect(screen.getAllByRole('row')).toHaveLength(4));
    press(within(rowOf('ci-admin')).getByRole('button', { name: 'Revoke ci-admin' }));
    const dialog = await screen.findByRole('alertdialog');
    expect(within(dialog).getByText(/you will be signed out/)).toBeTruthy();
  });

  it('shows viewers and operators nothing of the tokens, and asks the API nothing', async () => {
    for (const viewer of [VIEWER, { ...VIEWER, tokenName: 'ops', role: 'OPERATOR' as const }]) {
      const { api } = tokensApi();
      const view = renderRoute({ pattern: '/settings/tokens', path: '/settings/tokens', component: TokensPage, api, viewer });
      expect(await screen.findByText('Admins only')).toBeTruthy();
      expect(screen.queryByRole('button', { name: 'Create token' })).toBeNull();
      expect(api.callsOf('ApiTokens')).toHaveLength(0);
      view.unmount();
    }
  });
});

describe('navigation', () => {
  function renderShell(role: 'ADMIN' | 'OPERATOR' | 'VIEWER'): FakeApi {
    const api = fakeApi({ Viewer: () => ({ viewer: { __typename: 'Viewer', tokenName: `ci-${role.toLowerCase()}`, role } }) });
    vi.stubGlobal('fetch', api.fetch);
    session.signIn('pf_test');
    const history = createMemoryHistory();
    history.set({ value: '/instances' });
    render(() => (
      <MemoryRouter history={history}>
        <Route path="/" component={SignedInLayout}>
          <Route path="/instances" component={() => <h1>Instances stub</h1>} />
        </Route>
      </MemoryRouter>
    ));
    return api;
  }

  it('links the tokens screen for admins only', async () => {
    renderShell('ADMIN');
    const nav = await screen.findByRole('navigation', { name: 'Main' });
    await waitFor(() => expect(within(nav).getByRole('link', { name: 'API tokens' }).getAttribute('href')).toBe('/settings/tokens'));
  });

  it('offers operators and viewers no tokens link', async () => {
    for (const role of ['OPERATOR', 'VIEWER'] as const) {
      renderShell(role);
      await screen.findByLabelText(`Role: ${role === 'OPERATOR' ? 'Operator' : 'Viewer'}`);
      expect(within(screen.getByRole('navigation', { name: 'Main' })).queryByRole('link', { name: 'API tokens' })).toBeNull();
      cleanup();
      session.signOut();
    }
  });
});
