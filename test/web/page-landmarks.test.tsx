/**
 * Accessibility of whole screens, checked with axe-core in jsdom (the e2e suite runs it again
 * in Chromium, where colours and layout exist): catalog links whose accessible name contains
 * their visible words, a `main` landmark on sign-in, an `h1` on the 404 page.
 */
import { MemoryRouter, Route, createMemoryHistory } from '@solidjs/router';
import { render, screen } from '@solidjs/testing-library';
import axe from 'axe-core';
import { describe, expect, it } from 'vitest';
import { NotFoundPage } from '../../web/src/App.tsx';
import { SignInPage } from '../../web/src/auth/SignInPage.tsx';
import { CatalogPage } from '../../web/src/catalog/CatalogPage.tsx';
import { fakeApi, renderRoute } from './console-helpers.tsx';

/** Serious and critical violations (label-in-name included: axe ships it as experimental). */
async function seriousViolations(): Promise<string[]> {
  const results = await axe.run(document.body, {
    rules: { 'label-content-name-mismatch': { enabled: true }, 'color-contrast': { enabled: false } },
    resultTypes: ['violations'],
  });
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

const catalogApi = () =>
  fakeApi({
    Catalog: () => ({
      plugins: ['Slack', 'Stripe'].map((displayName) => ({
        __typename: 'Plugin',
        name: displayName.toLowerCase(),
        displayName,
        type: 'NOTIFICATION',
        version: '1.0.0',
        description: `${displayName} plugin.`,
        tags: [],
        author: null,
        homepage: null,
        supportsHealthCheck: true,
        supportsTestConnection: true,
      })),
      pluginLoadErrors: [],
    }),
  });

describe('page accessibility (axe-core)', () => {
  it('names each catalog link with its visible words first ("Add instance of Slack")', async () => {
    renderRoute({ pattern: '/plugins', path: '/plugins', component: CatalogPage, api: catalogApi() });
    await screen.findByRole('heading', { name: 'Slack' });
    const link = await screen.findByRole('link', { name: 'Add instance of Slack' });
    expect(link.textContent).toBe('Add instance of Slack');
    expect(screen.getByRole('link', { name: 'Add instance of Stripe' })).toBeTruthy();
    expect(await seriousViolations()).toEqual([]);
  });

  it('puts sign-in in a main landmark', async () => {
    const history = createMemoryHistory();
    history.set({ value: '/sign-in' });
    render(() => (
      <MemoryRouter history={history}>
        <Route path="/sign-in" component={SignInPage} />
      </MemoryRouter>
    ));
    const main = await screen.findByRole('main');
    expect(main.querySelector('h1')?.textContent).toBe('Sign in to the console');
    expect(await seriousViolations()).toEqual([]);
  });

  it('gives the 404 page an h1', async () => {
    renderRoute({ pattern: '*', path: '/settings/nothing-here', component: NotFoundPage, api: fakeApi({}) });
    expect(await screen.findByRole('heading', { name: 'Page not found', level: 1 })).toBeTruthy();
    expect(document.title).toBe('Page not found · Plugform');
  });
});
