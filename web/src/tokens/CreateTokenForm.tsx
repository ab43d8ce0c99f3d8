import { createSignal, For, Show } from 'solid-js';
import type { Role } from '../gql/graphql.ts';
import { ROLE_LABELS } from '../lib/labels.ts';
import { FieldError } from '../ui/FieldError.tsx';

export const TOKEN_NAME_MAX_LENGTH = 100;

const ROLE_HINTS: Record<Role, string> = {
  VIEWER: 'reads everything, changes nothing',
  OPERATOR: 'also creates, updates, tests and checks instances',
  ADMIN: 'also manages API tokens',
};
const ROLE_ORDER: readonly Role[] = ['VIEWER', 'OPERATOR', 'ADMIN'];

export interface CreateTokenFormProps {
  busy: boolean;
  /** A server-side error on the name (e.g. "Token name is required"). */
  nameError: string | undefined;
  onCreate: (name: string, role: Role) => void;
}

/** Name and role of a new token. The least powerful role is preselected. */
export function CreateTokenForm(props: CreateTokenFormProps) {
  const [name, setName] = createSignal('');
  const [role, setRole] = createSignal<Role>('VIEWER');
  const [tried, setTried] = createSignal(false);
  let input: HTMLInputElement | undefined;
  const localError = () => (tried() && !name().trim() ? 'Token name is required' : undefined);
  const error = () => localError() ?? props.nameError;

  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    setTried(true);
    if (!name().trim()) {
      input?.focus();
      return;
    }
    props.onCreate(name().trim(), role());
  };

  return (
    <form class="pf-card pf-token-form" aria-labelledby="new-token-title" onSubmit={submit} noValidate>
      <div class="pf-card__head">
        <h2 id="new-token-title">New token</h2>
      </div>
      <div class="pf-token-form__fields">
        <div class="pf-field" data-field="token-name" classList={{ 'pf-field--invalid': Boolean(error()) }}>
          <label class="pf-field__label" for="token-name">
            Name<span class="pf-required" aria-hidden="true">*</span>
          </label>
          <input
            ref={input}
            id="token-name"
            class="pf-input"
            type="text"
            autocomplete="off"
            maxLength={TOKEN_NAME_MAX_LENGTH}
            placeholder="e.g. deploy pipeline"
            aria-required="true"
            aria-invalid={error() ? true : undefined}
            aria-describedby={error() ? 'token-name-hint token-name-error' : 'token-name-hint'}
            value={name()}
            onInput={(e) => setName(e.currentTarget.value)}
          />
          <p class="pf-hint" id="token-name-hint">
            Who or what will use it, so you can tell tokens apart.
          </p>
          <Show when={error()}>{(message) => <FieldError id="token-name-error" message={message()} />}</Show>
        </div>
        <div class="pf-field" data-field="token-role">
          <label class="pf-field__label" for="token-role">
            Role
          </label>
          <select
            id="token-role"
            class="pf-input pf-select-native"
            aria-describedby="token-role-hint"
            value={role()}
            onChange={(e) => setRole(e.currentTarget.value as Role)}
          >
            <For each={ROLE_ORDER}>{(r) => <option value={r}>{ROLE_LABELS[r]}</option>}</For>
          </select>
          <p class="pf-hint" id="token-role-hint">
            {ROLE_LABELS[role()]}: {ROLE_HINTS[role()]}.
          </p>
        </div>
      </div>
      <div class="pf-token-form__actions">
        <button type="submit" class="pf-button pf-button--primary" disabled={props.busy}>
          <Show when={props.busy} fallback="Create token">
            Creating…
          </Show>
        </button>
      </div>
    </form>
  );
}
