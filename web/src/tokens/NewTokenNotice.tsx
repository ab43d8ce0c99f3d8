import { createSignal, onMount, Show } from 'solid-js';

export interface NewTokenNoticeProps {
  name: string;
  /** The token itself: shown here once, never again (the API keeps only its hash). */
  token: string;
  onDone: () => void;
}

/**
 * The value of a token just created, with a copy button. It takes the focus when it appears,
 * so keyboard and screen-reader users land on it. "Done" forgets the value.
 */
export function NewTokenNotice(props: NewTokenNoticeProps) {
  const [copied, setCopied] = createSignal<'yes' | 'failed'>();
  let box: HTMLElement | undefined;
  let value: HTMLInputElement | undefined;
  onMount(() => box?.focus());

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.token);
      setCopied('yes');
    } catch {
      // No clipboard access (permissions, insecure context): leave it selected for Ctrl+C.
      value?.select();
      setCopied('failed');
    }
  };

  return (
    <section ref={box} class="pf-alert pf-alert--success pf-new-token" tabIndex={-1} aria-labelledby="new-token-notice-title">
      <div class="pf-alert__body">
        <h2 class="pf-alert__title" id="new-token-notice-title">
          Token “{props.name}” created
        </h2>
        <p class="pf-alert__text" id="new-token-notice-hint">
          Copy it now and keep it somewhere safe: it is shown this once and cannot be retrieved later.
        </p>
        <div class="pf-new-token__value">
          <label class="pf-sr-only" for="new-token-value">
            New API token
          </label>
          <input
            ref={value}
            id="new-token-value"
            class="pf-input pf-new-token__input"
            type="text"
            readOnly
            value={props.token}
            aria-describedby="new-token-notice-hint"
            onFocus={(e) => e.currentTarget.select()}
          />
          <button type="button" class="pf-button pf-button--primary" onClick={() => void copy()}>
            Copy
          </button>
          <button type="button" class="pf-button pf-button--secondary" onClick={() => props.onDone()}>
            Done
          </button>
        </div>
        <p class="pf-hint" role="status">
          <Show when={copied()}>{(state) => (state() === 'yes' ? 'Copied to the clipboard.' : 'Could not copy: the token is selected, press Ctrl+C (⌘C).')}</Show>
        </p>
      </div>
    </section>
  );
}
