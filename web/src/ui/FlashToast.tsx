import { Show } from 'solid-js';
import { dismissFlash, flash } from '../lib/flash.ts';

/** Where flash messages appear: a polite live region that is always in the page. */
export function FlashToast() {
  return (
    <div class="pf-toast-region" role="status" aria-live="polite">
      <Show when={flash()} keyed>
        {(message) => (
          <div class={`pf-toast pf-toast--${message.tone}`}>
            <span>{message.text}</span>
            <button type="button" class="pf-toast__close" aria-label="Dismiss" onClick={dismissFlash}>
              ×
            </button>
          </div>
        )}
      </Show>
    </div>
  );
}
