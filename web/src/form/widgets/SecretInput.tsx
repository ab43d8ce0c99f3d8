import { Match, Show, Switch } from 'solid-js';
import type { FieldSpec } from '../../sdk.ts';
import type { FieldIds } from '../ids.ts';
import { formatChangedAt } from '../secrets.ts';
import type { SecretDraft, SecretStatus } from '../types.ts';

export interface SecretInputProps {
  field: FieldSpec;
  ids: FieldIds;
  status: SecretStatus | undefined;
  draft: SecretDraft;
  onDraft: (draft: SecretDraft) => void;
  describedBy: string | undefined;
  invalid: boolean;
  required: boolean;
}

/**
 * SECRET (and any field marked isSecret). Write-only: a stored value is never shown or
 * prefilled. A set secret reads "Set · changed <date>" with Replace and Clear; Replace
 * opens an empty password input, Clear marks it for removal; both can be undone.
 *
 * The password input is deliberately uncontrolled (no `value` binding): what the user
 * types lives in the input's own state and in the draft, never in an attribute.
 */
export function SecretInput(props: SecretInputProps) {
  const focusControl = () => queueMicrotask(() => document.getElementById(props.ids.control)?.focus());
  const isSet = () => props.status?.isSet === true;
  const changed = () => formatChangedAt(props.status?.updatedAt);

  // Action buttons say which secret they act on, since several may sit in one section.
  const status = (body: string, ...actions: { label: string; run: () => void; danger?: boolean }[]) => (
    <div
      class="pf-secret"
      id={props.ids.control}
      role="group"
      tabIndex={-1}
      aria-labelledby={props.ids.label}
      aria-describedby={props.describedBy}
      aria-invalid={props.invalid || undefined}
    >
      <span class="pf-secret__status">
        <span class="pf-secret__dot" classList={{ 'pf-secret__dot--off': props.draft.kind === 'clear' }} aria-hidden="true" />
        {body}
        <Show when={props.draft.kind === 'keep' && changed()}>
          {' · changed '}
          <time datetime={props.status?.updatedAt ?? undefined}>{changed()}</time>
        </Show>
      </span>
      <span class="pf-secret__actions">
        {actions.map((action) => (
          <button
            type="button"
            class="pf-button pf-button--small"
            classList={{ 'pf-button--danger-ghost': action.danger, 'pf-button--secondary': !action.danger }}
            aria-label={`${action.label} ${props.field.label}`}
            onClick={action.run}
          >
            {action.label}
          </button>
        ))}
      </span>
    </div>
  );

  return (
    <Switch>
      <Match when={props.draft.kind === 'keep'}>
        {status(
          'Set',
          { label: 'Replace', run: () => (props.onDraft({ kind: 'enter', value: '' }), focusControl()) },
          { label: 'Clear', danger: true, run: () => (props.onDraft({ kind: 'clear' }), focusControl()) },
        )}
      </Match>
      <Match when={props.draft.kind === 'clear'}>
        {status('Will be removed when you save', {
          label: 'Undo',
          run: () => (props.onDraft({ kind: 'keep' }), focusControl()),
        })}
      </Match>
      <Match when={props.draft.kind === 'enter'}>
        <div class="pf-secret pf-secret--editing">
          <PasswordInput {...props} />
          <Show when={isSet()}>
            <button
              type="button"
              class="pf-button pf-button--secondary pf-button--small"
              aria-label={`Keep the current ${props.field.label}`}
              onClick={() => (props.onDraft({ kind: 'keep' }), focusControl())}
            >
              Cancel
            </button>
          </Show>
        </div>
      </Match>
    </Switch>
  );
}

function PasswordInput(props: SecretInputProps) {
  return (
    <input
      class="pf-input pf-secret__input"
      id={props.ids.control}
      name={props.field.key}
      type="password"
      // new-password: never offer the admin's own saved login for a plugin's API token.
      autocomplete="new-password"
      spellcheck={false}
      autocapitalize="off"
      placeholder={props.field.placeholder ?? (props.status?.isSet ? 'Enter a new value' : undefined)}
      aria-describedby={props.describedBy}
      aria-invalid={props.invalid || undefined}
      aria-required={props.required || undefined}
      onInput={(e) => props.onDraft({ kind: 'enter', value: e.currentTarget.value })}
    />
  );
}
