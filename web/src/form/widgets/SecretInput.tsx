import { createSignal, Match, Show, Switch } from 'solid-js';
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
  /** A destination it is bound to changed: the stored value cannot be kept, so no Cancel. */
  mustReenter?: boolean;
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
  // Each action swaps the buttons, so focus is moved on purpose: Replace → the new input,
  // Clear → Undo, Undo/Cancel → Replace. The draft change has re-rendered the field by the
  // time this runs (Solid updates synchronously).
  const focusPart = (part: 'input' | 'replace' | 'undo') =>
    document.getElementById(part === 'input' ? props.ids.control : `${props.ids.control}-${part}`)?.focus();
  const isSet = () => props.status?.isSet === true;
  const changed = () => formatChangedAt(props.status?.updatedAt);

  // Action buttons say which secret they act on, since several may sit in one section.
  const status = (body: string, ...actions: { id: string; label: string; name: string; run: () => void; danger?: boolean }[]) => (
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
            id={`${props.ids.control}-${action.id}`}
            class="pf-button pf-button--small"
            classList={{ 'pf-button--danger-ghost': action.danger, 'pf-button--secondary': !action.danger }}
            aria-label={action.name}
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
          {
            id: 'replace',
            label: 'Replace',
            name: `Replace ${props.field.label}`,
            run: () => (props.onDraft({ kind: 'enter', value: '' }), focusPart('input')),
          },
          {
            id: 'clear',
            label: 'Clear',
            name: `Clear ${props.field.label}`,
            danger: true,
            run: () => (props.onDraft({ kind: 'clear' }), focusPart('undo')),
          },
        )}
      </Match>
      <Match when={props.draft.kind === 'clear'}>
        {status('Will be removed when you save', {
          id: 'undo',
          label: 'Undo',
          name: `Undo clearing ${props.field.label}`,
          run: () => (props.onDraft({ kind: 'keep' }), focusPart('replace')),
        })}
      </Match>
      <Match when={props.draft.kind === 'enter'}>
        <div class="pf-secret pf-secret--editing">
          <PasswordInput {...props} />
          <Show when={isSet() && !props.mustReenter}>
            <button
              type="button"
              class="pf-button pf-button--secondary pf-button--small"
              aria-label={`Keep the current ${props.field.label}`}
              onClick={() => (props.onDraft({ kind: 'keep' }), focusPart('replace'))}
            >
              Cancel
            </button>
          </Show>
        </div>
      </Match>
    </Switch>
  );
}

/**
 * The secret being typed, with a Show / Hide toggle so a long token can be checked before it
 * is saved. Shown or not, the value lives only in the input's own state (never an attribute).
 */
function PasswordInput(props: SecretInputProps) {
  const [revealed, setRevealed] = createSignal(false);
  return (
    <span class="pf-secret__entry">
      <input
        class="pf-input pf-secret__input"
        id={props.ids.control}
        name={props.field.key}
        type={revealed() ? 'text' : 'password'}
        // new-password: never offer the admin's own saved login for a plugin's API token.
        autocomplete={revealed() ? 'off' : 'new-password'}
        spellcheck={false}
        autocapitalize="off"
        placeholder={
          props.mustReenter
            ? 'Enter it again for the new destination'
            : props.status?.isSet
              ? 'New value (leave empty to keep the current one)'
              : props.field.placeholder
        }
        aria-describedby={props.describedBy}
        aria-invalid={props.invalid || undefined}
        aria-required={props.required || undefined}
        onInput={(e) => props.onDraft({ kind: 'enter', value: e.currentTarget.value })}
      />
      <button
        type="button"
        class="pf-button pf-button--ghost pf-button--small pf-secret__reveal"
        // The name says what a press does next, and starts with the visible word (label-in-name).
        aria-label={`${revealed() ? 'Hide' : 'Show'} ${props.field.label}`}
        aria-controls={props.ids.control}
        onClick={() => setRevealed((on) => !on)}
      >
        {revealed() ? 'Hide' : 'Show'}
      </button>
    </span>
  );
}
