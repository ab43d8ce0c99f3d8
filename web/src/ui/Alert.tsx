import { Show, type JSX } from 'solid-js';

export type AlertTone = 'error' | 'warning' | 'success' | 'info';

/**
 * A message box. Errors and warnings are announced at once (role=alert); success and info
 * politely (role=status).
 */
export function Alert(props: { tone: AlertTone; title?: string; children?: JSX.Element; actions?: JSX.Element; class?: string }) {
  const urgent = () => props.tone === 'error' || props.tone === 'warning';
  return (
    <div class={`pf-alert pf-alert--${props.tone} ${props.class ?? ''}`} role={urgent() ? 'alert' : 'status'}>
      <AlertIcon tone={props.tone} />
      <div class="pf-alert__body">
        <Show when={props.title}>
          <p class="pf-alert__title">{props.title}</p>
        </Show>
        <Show when={props.children}>
          <div class="pf-alert__text">{props.children}</div>
        </Show>
        <Show when={props.actions}>
          <div class="pf-alert__actions">{props.actions}</div>
        </Show>
      </div>
    </div>
  );
}

function AlertIcon(props: { tone: AlertTone }) {
  return (
    <svg class="pf-alert__icon" viewBox="0 0 20 20" width="20" height="20" aria-hidden="true">
      <circle cx="10" cy="10" r="8.25" fill="none" stroke="currentColor" stroke-width="1.5" />
      {props.tone === 'success' ? (
        <path d="M6.5 10.2l2.3 2.3 4.7-5" fill="none" stroke="currentColor" stroke-width="1.7" stroke-linecap="round" stroke-linejoin="round" />
      ) : props.tone === 'info' ? (
        <>
          <path d="M10 9v5" stroke="currentColor" stroke-width="1.7" stroke-linecap="round" />
          <circle cx="10" cy="6.3" r="1" fill="currentColor" />
        </>
      ) : (
        <>
          <path d="M10 5.8v5" stroke="currentColor" stroke-width="1.7" stroke-linecap="round" />
          <circle cx="10" cy="13.8" r="1" fill="currentColor" />
        </>
      )}
    </svg>
  );
}
