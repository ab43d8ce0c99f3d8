import { createSignal, Show } from 'solid-js';
import { FieldError } from '../ui/FieldError.tsx';

export interface SignInFormProps {
  onSubmit: (token: string) => void;
  busy: boolean;
  /** Why the last attempt failed. */
  error?: string | null;
  /** Why the user is here (an expired token), shown above the form. */
  notice?: string | null;
}

/** The token field and its button. Knows nothing about how a token is checked. */
export function SignInForm(props: SignInFormProps) {
  const [token, setToken] = createSignal('');
  const [empty, setEmpty] = createSignal(false);
  let input!: HTMLInputElement;

  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    const value = token().trim();
    if (!value) {
      setEmpty(true);
      input.focus();
      return;
    }
    props.onSubmit(value);
  };

  const error = () => (empty() ? 'Enter an API token.' : props.error);

  return (
    <form class="pf-signin__form" noValidate onSubmit={submit} aria-label="Sign in">
      <Show when={props.notice}>
        <p class="pf-signin__notice" role="alert">
          {props.notice}
        </p>
      </Show>
      <div class="pf-field">
        <label class="pf-field__label" for="signin-token">
          API token
        </label>
        <input
          ref={input}
          id="signin-token"
          class="pf-input"
          type="password"
          name="token"
          autocomplete="off"
          spellcheck={false}
          autofocus
          aria-invalid={error() ? true : undefined}
          aria-describedby={error() ? 'signin-hint signin-error' : 'signin-hint'}
          value={token()}
          onInput={(e) => {
            setToken(e.currentTarget.value);
            setEmpty(false);
          }}
        />
        <p id="signin-hint" class="pf-hint">
          Kept for this browser tab only; closing the tab signs you out.
        </p>
        <div role="alert">
          <Show when={error()}>{(message) => <FieldError id="signin-error" message={message()} />}</Show>
        </div>
      </div>
      <button type="submit" class="pf-button pf-button--primary pf-button--block" disabled={props.busy}>
        {props.busy ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}
