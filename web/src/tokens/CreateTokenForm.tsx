import { createSignal, For, Show } from 'solid-js';
import type { OperationScopeInput, Role } from '../gql/graphql.ts';
import { ROLE_LABELS } from '../lib/labels.ts';
import { FieldError } from '../ui/FieldError.tsx';
import { ScopePicker } from './ScopePicker.tsx';
import { scopeProblem, scopesInput, type ScopeInstance, type ScopeSelection } from './scopes.ts';

export const TOKEN_NAME_MAX_LENGTH = 100;

/** A role, or a service token: an operator restricted to the operations its scopes name. */
type TokenKind = Role | 'SERVICE';

const KIND_LABELS: Record<TokenKind, string> = { ...ROLE_LABELS, SERVICE: 'Service' };
const KIND_HINTS: Record<TokenKind, string> = {
  VIEWER: 'reads everything, changes nothing',
  OPERATOR: 'also creates, updates, tests and checks instances',
  ADMIN: 'also manages API tokens',
  SERVICE: 'calls only the operations chosen below, nothing else',
};
const KIND_ORDER: readonly TokenKind[] = ['VIEWER', 'OPERATOR', 'ADMIN', 'SERVICE'];

export interface CreateTokenFormProps {
  busy: boolean;
  /** A server-side error on the name (e.g. "Token name is required"). */
  nameError: string | undefined;
  /** What a service token can be scoped to; undefined while loading. */
  scopeInstances: readonly ScopeInstance[] | undefined;
  /** Why `scopeInstances` could not be loaded. */
  scopeInstancesError: string | undefined;
  /** More instances exist than `scopeInstances` holds. */
  moreScopeInstances: boolean;
  /** `scopes` only for a service token. */
  onCreate: (name: string, role: Role, scopes?: OperationScopeInput[]) => void;
}

/** Name and role (or scopes) of a new token. The least powerful role is preselected. */
export function CreateTokenForm(props: CreateTokenFormProps) {
  const [name, setName] = createSignal('');
  const [kind, setKind] = createSignal<TokenKind>('VIEWER');
  const [selection, setSelection] = createSignal<ScopeSelection>(new Map());
  const [tried, setTried] = createSignal(false);
  let form: HTMLFormElement | undefined;
  let input: HTMLInputElement | undefined;
  const localError = () => (tried() && !name().trim() ? 'Token name is required' : undefined);
  const error = () => localError() ?? props.nameError;
  const problem = () => (kind() === 'SERVICE' ? scopeProblem(selection(), props.scopeInstances ?? []) : null);
  const scopeError = () => (tried() ? problem()?.message : undefined);

  /** The first checkbox of what is missing: the instances, or the chosen instance's operations. */
  const focusProblem = () => {
    const current = problem();
    const container = current?.kind === 'noOperation' ? `[data-instance-id="${CSS.escape(current.instanceId)}"] fieldset` : '[data-field="token-scopes"]';
    form?.querySelector<HTMLInputElement>(`${container} input`)?.focus();
  };

  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    setTried(true);
    if (!name().trim()) {
      input?.focus();
      return;
    }
    if (problem()) {
      focusProblem();
      return;
    }
    const chosen = kind();
    if (chosen === 'SERVICE') props.onCreate(name().trim(), 'OPERATOR', scopesInput(selection()));
    else props.onCreate(name().trim(), chosen);
  };

  return (
    <form ref={form} class="pf-card pf-token-form" aria-labelledby="new-token-title" onSubmit={submit} noValidate>
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
            value={kind()}
            onChange={(e) => setKind(e.currentTarget.value as TokenKind)}
          >
            <For each={KIND_ORDER}>{(k) => <option value={k}>{KIND_LABELS[k]}</option>}</For>
          </select>
          <p class="pf-hint" id="token-role-hint">
            {KIND_LABELS[kind()]}: {KIND_HINTS[kind()]}.
          </p>
        </div>
      </div>
      <Show when={kind() === 'SERVICE'}>
        <ScopePicker
          instances={props.scopeInstances}
          loadError={props.scopeInstancesError}
          more={props.moreScopeInstances}
          selection={selection()}
          onChange={setSelection}
          error={scopeError()}
        />
      </Show>
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
