import { Navigate, Route, Router, useLocation } from '@solidjs/router';
import { ConfigurationPage } from './configuration/ConfigurationPage.tsx';
import { createEffect, on, onMount, type ParentProps } from 'solid-js';
import { SignedInLayout } from './auth/SignedInLayout.tsx';
import { SignInPage } from './auth/SignInPage.tsx';
import { CatalogPage } from './catalog/CatalogPage.tsx';
import { DemoFormPage } from './demo/DemoFormPage.tsx';
import { InstanceDetailPage } from './detail/InstanceDetailPage.tsx';
import { EditInstancePage } from './editor/EditInstancePage.tsx';
import { NewInstancePage } from './editor/NewInstancePage.tsx';
import { InstancesPage } from './instances/InstancesPage.tsx';
import { TokensPage } from './tokens/TokensPage.tsx';
import { EmptyState } from './ui/EmptyState.tsx';
import { FlashToast } from './ui/FlashToast.tsx';

/**
 * Every route. Signed-in screens sit under SignedInLayout (token check, API client, shell);
 * the form renderer's demo needs no API and stays available for working on the renderer.
 */
export function App() {
  return (
    <Router root={Root}>
      <Route path="/sign-in" component={SignInPage} />
      <Route path="/demo/form" component={DemoFormPage} />
      <Route path="/" component={SignedInLayout}>
        <Route path="/" component={() => <Navigate href="/instances" />} />
        <Route path="/instances" component={InstancesPage} />
        <Route path="/instances/new" component={() => <Navigate href="/plugins" />} />
        <Route path="/instances/new/:plugin" component={NewInstancePage} />
        <Route path="/instances/:id" component={InstanceDetailPage} />
        <Route path="/instances/:id/edit" component={EditInstancePage} />
        <Route path="/plugins" component={CatalogPage} />
        <Route path="/settings" component={() => <Navigate href="/settings/tokens" />} />
        <Route path="/settings/tokens" component={TokensPage} />
        <Route path="/settings/configuration" component={ConfigurationPage} />
        <Route path="*" component={NotFoundPage} />
      </Route>
    </Router>
  );
}

/** Around every route: the flash messages, and focus moved to the content after a navigation. */
function Root(props: ParentProps) {
  const location = useLocation();
  createEffect(
    on(
      () => location.pathname,
      () => {
        // Like a page load for screen readers and keyboard users: start at the content.
        queueMicrotask(() => document.getElementById('main')?.focus({ preventScroll: true }));
        window.scrollTo(0, 0);
      },
      { defer: true },
    ),
  );
  return (
    <>
      {props.children}
      <FlashToast />
    </>
  );
}

export function NotFoundPage() {
  onMount(() => (document.title = 'Page not found · Plugform'));
  return (
    <div class="pf-page">
      <EmptyState icon="search" title="Page not found" headingLevel={1}>
        <p>
          Nothing lives at this address. Go to the <a href="/instances">instances</a> or the <a href="/plugins">plugin catalog</a>.
        </p>
      </EmptyState>
    </div>
  );
}
