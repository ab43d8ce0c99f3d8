import { Navigate, useLocation } from '@solidjs/router';
import { createQuery, Provider } from '@urql/solid';
import { Show, type ParentProps } from 'solid-js';
import { createApiClient } from '../api/client.ts';
import { AppShell } from '../AppShell.tsx';
import { LoadFailed } from '../ui/LoadFailed.tsx';
import { showFlash } from '../lib/flash.ts';
import { ViewerQuery } from './documents.ts';
import { EXPIRED_NOTICE, session } from './session.ts';
import { ViewerContext } from './viewer.ts';

/**
 * Layout route of every signed-in screen: without a token it sends the user to sign in (and
 * back here afterwards). With one, it provides an urql client for that token (a new token
 * gets a new client, so no cached data outlives a sign-out) and who the user is.
 */
export function SignedInLayout(props: ParentProps) {
  const location = useLocation();
  const signInHref = () =>
    session.signedOutByUser() ? '/sign-in' : `/sign-in?next=${encodeURIComponent(location.pathname + location.search)}`;
  return (
    <Show when={session.token()} keyed fallback={<Navigate href={signInHref()} />}>
      {(token) => {
        const client = createApiClient({ token, onUnauthorized: () => session.signOut(EXPIRED_NOTICE) });
        return (
          <Provider value={client}>
            <ViewerShell>{props.children}</ViewerShell>
          </Provider>
        );
      }}
    </Show>
  );
}

function ViewerShell(props: ParentProps) {
  const [viewer, refetchViewer] = createQuery({ query: ViewerQuery });
  const current = () => viewer.data?.viewer;
  const signOut = () => {
    session.signOut();
    showFlash('Signed out.', 'info');
  };
  return (
    <ViewerContext.Provider value={current}>
      <AppShell viewer={current()} onSignOut={signOut}>
        <Show when={viewer.error && !current()}>
          <div class="pf-page pf-page--wide">
            <LoadFailed title="Could not check who you are" error={viewer.error} onRetry={() => refetchViewer({ requestPolicy: 'network-only' })} />
          </div>
        </Show>
        {props.children}
      </AppShell>
    </ViewerContext.Provider>
  );
}
