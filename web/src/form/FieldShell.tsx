import { For, Show, type JSX } from 'solid-js';
import type { FieldSpec } from '../sdk.ts';
import { HelpTip } from './HelpTip.tsx';
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
  children: JSX.Element;
}

/**
 * Everything around a widget: label with required mark, the help tooltip, the
 * screen-reader description and the error message the control's aria-describedby names.
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
  const hint = () => [props.field.description, props.field.helpText].filter(Boolean).join(' ');

  return (
    <div
      class="pf-field"
      classList={{ 'pf-field--inline': props.labelMode === 'inline', 'pf-field--invalid': props.errors.length > 0 }}
      data-field={props.field.key}
      data-type={props.field.type}
      onFocusOut={(e) => {
        const next = e.relatedTarget instanceof Element ? e.relatedTarget : null;
        // Moving within the field, or into a listbox it opened (rendered in a portal), is not leaving it.
        if (next && (e.currentTarget.contains(next) || next.closest(`[data-pf-owner="${CSS.escape(props.field.key)}"]`))) return;
        props.onLeave();
      }}
    >
      <div class="pf-field__head">
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
        <HelpTip label={props.field.label} description={props.field.description} help={props.field.helpText} />
      </div>
      <div class="pf-field__control">{props.children}</div>
      <Show when={hint()}>
        <span class="pf-sr-only" id={props.ids.description}>
          {hint()}
        </span>
      </Show>
      <Show when={props.errors.length > 0}>
        <div class="pf-field__error" id={props.ids.error}>
          <For each={props.errors}>
            {(message) => (
              <p>
                <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
                  <circle cx="8" cy="8" r="7" fill="currentColor" />
                  <path d="M8 4.5v4.5M8 11.2v.3" stroke="#fff" stroke-width="1.8" stroke-linecap="round" />
                </svg>
                {message}
              </p>
            )}
          </For>
        </div>
      </Show>
    </div>
  );
}
