/** Signing in and out: the token check, where the user lands, and a token the server stops accepting. */
import { createMemoryHistory, MemoryRouter, Route } from '@solidjs/router';
import { fireEvent, render, screen, waitFor } from '@solidjs/testing-library';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SignedInLayout } from '../../web/src/auth/SignedInLayout.tsx';
import { SignInPage } from '../../web/src/auth/SignInPage.tsx';
import { session, TOKEN_KEY } from '../../web/src/auth/session.ts';
import { CatalogPage } from '../../web/src/catalog/CatalogPage.tsx';
import { fakeApi, type FakeApi } from './console-helpers.tsx';

function renderApp(path: string, api: FakeApi) {
  vi.stubGlobal('fetch', api.fetch);
  const history = createMemoryHistory();
  history.set({ value: path });
  render(() => (
    <MemoryRouter history={history}>
      <Route path="/sign-in" component={SignInPage} />
      <Route path="/" component={SignedInLayout}>
        <Route path="/plugins" component={CatalogPage} />
        <Route path="/instances" component={() => <h1>Instances stub</h1>} />
      </Route>
    </MemoryRouter>
  ));
  return history;
}

const viewerApi = (role = 'OPERATOR') =>
  fakeApi({
    Viewer: () => ({ viewer: { __typename: 'Viewer', tokenName: 'ci-operator', role } }),
    Catalog: () => ({
      plugins: [
        {
          __typename: 'Plugin',
          name: 'slack',
          displayName: 'Slack',
          type: 'NOTIFICATION',
          version: '1.0.0',
          description: 'Post to Slack.',
          tags: ['chat'],
          author: null,
          homepage: null,
          supportsHealthCheck: true,
          supportsTestConnection: false,
        },
      ],
      pluginLoadErrors: [{ __typename: 'PluginLoadError', path: '/plugins/broken.ts', pluginName: 'broken', reason: 'version "x" is not semver' }],
    }),
  });

afterEach(() => {
  vi.unstubAllGlobals();
  session.signOut();
  session.clearNotice();
});

describe('sign in', () => {
  it('sends a visitor to sign in, then to the page they asked for, keeping the token in sessionStorage', async () => {
    const api = viewerApi();
    const history = renderApp('/plugins', api);
    await waitFor(() => expect(history.get()).toBe('/sign-in?next=%2Fplugins'));

    fireEvent.click(await screen.findByRole('button', { name: 'Sign in' }));
    expect(await screen.findByText('Enter an API token.')).toBeTruthy();
    expect(api.calls).toHaveLength(0);

    fireEvent.input(screen.getByLabelText('API token'), { target: { value: '  pf_good  ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(history.get()).toBe('/plugins'));
    expect(sessionStorage.getItem(TOKEN_KEY)).toBe('pf_good');
    expect(localStorage.length).toBe(0);
    expect(api.calls[0]!.authorization).toBe('Bearer pf_good');

    // The shell shows who is signed in; the catalog lists plugins and load errors.
    expect(await screen.findByLabelText('Role: Operator')).toBeTruthy();
    expect(await screen.findByRole('heading', { name: 'Slack' })).toBeTruthy();
    expect(screen.getByText('1 plugin could not be loaded')).toBeTruthy();
    expect(screen.getByText('version "x" is not semver')).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Add instance of Slack' })).toBeTruthy();
  });

  it('refuses a token the server does not know, and says so', async () => {
    const api = viewerApi();
    api.failWith(401);
    renderApp('/sign-in', api);
    fireEvent.input(await screen.findByLabelText('API token'), { target: { value: 'pf_bad' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByText(/unknown or has been revoked/)).toBeTruthy();
    expect(sessionStorage.getItem(TOKEN_KEY)).toBeNull();
    expect(screen.getByLabelText('API token').getAttribute('aria-invalid')).toBe('true');
  });

  it('sends the user back to sign in with a message when the token stops working (401)', async () => {
    session.signIn('pf_revoked');
    const api = viewerApi();
    api.failWith(401);
    const history = renderApp('/plugins', api);
    await waitFor(() => expect(history.get()).toMatch(/^\/sign-in/));
    expect(await screen.findByText(/Your API token was not accepted/)).toBeTruthy();
    expect(sessionStorage.getItem(TOKEN_KEY)).toBeNull();
  });

  it('signs out', async () => {
    session.signIn('pf_good');
    const history = renderApp('/instances', viewerApi('VIEWER'));
    expect(await screen.findByLabelText('Role: Viewer')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Sign out' }));
    await waitFor(() => expect(history.get()).toBe('/sign-in'));
    expect(sessionStorage.getItem(TOKEN_KEY)).toBeNull();
  });
});
