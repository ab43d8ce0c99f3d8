import { createSignal, For, Show, type JSX } from 'solid-js';
import type { FieldSpec } from '../sdk.ts';
import { describeConstraints } from './constraints.ts';
import { fieldHelp, fieldSpan } from './help.ts';
import type { FieldIds } from './ids.ts';
import type { LabelMode } from './widgets/types.ts';

export interface FieldShellProps {
  field: FieldSpec;
  ids: FieldIds;
  labelMode: LabelMode;
  required: boolean;
  /** Messages to show now (already filtered by touched/submitted). */
  errors: readonly string[];
  /** Called when focus leaves the field, including any popup it owns. */
  onLeave: () => void;
  /** Hidden by its condition: kept mounted, so what was typed is there when it shows again. */
  hidden?: boolean;
  children: JSX.Element;
}

/** Whether a field has anything for its hint element (and so for aria-describedby). */
export function hasHint(field: FieldSpec): boolean {
  return Boolean(field.description?.trim() || field.helpText?.trim()) || describeConstraints(field).length > 0;
}

/**
 * Everything around a widget: label with required mark, the help and constraints (long help
 * clamped to two lines behind a More/Less button), and the error slot the control's
 * aria-describedby names. As few elements as that takes (a long form has a thousand of
 * these): label, widget, hint and error slot sit directly in the field.
 * The error slot is always in the layout, one line tall when empty, so an error appearing
 * on blur does not move the controls below it (see pointer.ts for longer messages).
 */
export function FieldShell(props: FieldShellProps) {
  const label = () => (
    <>
      {props.field.label}
      <Show when={props.required}>
        <span class="pf-required" aria-hidden="true">
          *
        </span>
        {/* A button-based control (select, list) cannot carry aria-required; say it in words. */}
        <Show when={props.labelMode === 'group' || props.field.type === 'SELECT' || props.field.type === 'MULTI_SELECT'}>
          <span class="pf-sr-only">, required</span>
        </Show>
      </Show>
    </>
  );
  const help = () => fieldHelp(props.field);
  const constraints = () => describeConstraints(props.field);
  const [helpOpen, setHelpOpen] = createSignal(false);
  const longHelpIds = () => help().flatMap((entry, index) => (entry.long ? [`${props.ids.description}-${index}`] : []));
  /** The described help: description and help text, then the constraints in words. */
  const hint = () => (
    <>
      <For each={help()}>
        {(entry, index) => (
          <p
            class="pf-field__help"
            classList={{ 'pf-field__help--clamped': entry.long && !helpOpen() }}
            id={entry.long ? `${props.ids.description}-${index()}` : undefined}
          >
            {entry.text}
          </p>
        )}
      </For>
      <Show when={constraints().length > 0}>
        <p class="pf-field__constraints">
          <For each={constraints()}>
            {(text, index) => (
              <>
                <Show when={index() > 0}>
                  <span aria-hidden="true"> · </span>
                  <span class="pf-sr-only">; </span>
                </Show>
                {text}
              </>
            )}
          </For>
        </p>
      </Show>
    </>
  );

  return (
    <div
      class="pf-field"
      classList={{
        'pf-field--inline': props.labelMode === 'inline',
        'pf-field--invalid': props.errors.length > 0,
        'pf-field--full': fieldSpan(props.field) === 'full',
      }}
      data-field={props.field.key}
      hidden={props.hidden || undefined}
      data-type={props.field.type}
      onFocusOut={(e) => {
        const next = e.relatedTarget instanceof Element ? e.relatedTarget : null;
        // Moving within the field, or into a listbox it opened (rendered in a portal), is not leaving it.
        if (next && (e.currentTarget.contains(next) || next.closest(`[data-pf-owner="${CSS.escape(props.field.key)}"]`))) return;
        props.onLeave();
      }}
    >
      <Show
        when={props.labelMode !== 'group'}
        fallback={
          <span class="pf-field__label" id={props.ids.label}>
            {label()}
          </span>
        }
      >
        <label class="pf-field__label" id={props.ids.label} for={props.ids.control}>
          {label()}
        </label>
      </Show>
      {props.children}
      <Show when={hasHint(props.field)}>
        <Show
          when={longHelpIds().length > 0}
          fallback={
            <div class="pf-field__hint" id={props.ids.description}>
              {hint()}
            </div>
          }
        >
          <div class="pf-field__hint">
            {/* The button stays out of the described element: its words are not part of the help. */}
            <div id={props.ids.description}>{hint()}</div>
            <button
              type="button"
              class="pf-field__more"
              aria-expanded={helpOpen()}
              aria-controls={longHelpIds().join(' ')}
              onClick={() => setHelpOpen((open) => !open)}
            >
              {helpOpen() ? 'Less' : 'More'}{' '}
              <span class="pf-sr-only">about {props.field.label}</span>
            </button>
          </div>
        </Show>
      </Show>
      <div class="pf-field__error-slot">
        <Show when={props.errors.length > 0}>
          <div class="pf-field__error" id={props.ids.error}>
            <For each={props.errors}>{(message) => <ErrorLine message={message} />}</For>
          </div>
        </Show>
      </div>
    </div>
  );
}

export function ErrorLine(props: { message: string }) {
  return (
    <p>
      <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
        <circle cx="8" cy="8" r="7" fill="currentColor" />
        <path d="M8 4.5v4.5M8 11.2v.3" stroke="#fff" stroke-width="1.8" stroke-linecap="round" />
      </svg>
      {props.message}
    </p>
  );
}
