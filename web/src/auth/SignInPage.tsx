import { useNavigate, useSearchParams } from '@solidjs/router';
import { createSignal, onMount } from 'solid-js';
import { createApiClient } from '../api/client.ts';
import { errorMessage } from '../api/outcome.ts';
import { ViewerQuery } from './documents.ts';
import { session } from './session.ts';
import { SignInForm } from './SignInForm.tsx';

/** Where a signed-in user lands: the page they asked for, if it is one of ours. */
export function safeNext(next: string | string[] | undefined): string {
  const value = Array.isArray(next) ? next[0] : next;
  return value && value.startsWith('/') && !value.startsWith('//') && !value.startsWith('/sign-in') ? value : '/instances';
}

/** Route: checks a token by asking the API who it belongs to, then keeps it for the tab. */
export function SignInPage() {
  const navigate = useNavigate();
  const [params] = useSearchParams<{ next?: string }>();
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  const notice = session.notice();

  onMount(() => {
    document.title = 'Sign in · Plugform';
    if (session.token()) navigate(safeNext(params.next), { replace: true });
  });

  const signIn = async (token: string) => {
    setBusy(true);
    setError(null);
    let unauthorized = false;
    const client = createApiClient({ token, onUnauthorized: () => (unauthorized = true) });
    const result = await client.query(ViewerQuery, {}, { requestPolicy: 'network-only' }).toPromise();
    setBusy(false);
    if (unauthorized) {
      setError('This API token is unknown or has been revoked. Check it and try again.');
      return;
    }
    if (result.error || !result.data) {
      setError(errorMessage(result.error));
      return;
    }
    session.signIn(token);
    navigate(safeNext(params.next), { replace: true });
  };

  return (
    <main class="pf-signin">
      <div class="pf-signin__card">
        <div class="pf-signin__brand">
          <span class="pf-brand__mark" aria-hidden="true">
            P
          </span>
          Plugform
        </div>
        <h1>Sign in to the console</h1>
        <p class="pf-signin__lead">
          Use an API token. Admins can create tokens with the <code>createApiToken</code> mutation; the first start of
          the server prints an admin token (or set <code>PLUGFORM_ADMIN_TOKEN</code>).
        </p>
        <SignInForm onSubmit={(token) => void signIn(token)} busy={busy()} error={error()} notice={notice} />
      </div>
    </main>
  );
}
