import { Show } from 'solid-js';
import type { TestResultFragment } from '../gql/graphql.ts';
import { formatTime } from '../lib/time.ts';

export type TestState =
  | { kind: 'idle' }
  | { kind: 'running' }
  | { kind: 'done'; result: TestResultFragment }
  | { kind: 'error'; message: string };

/**
 * The outcome of Test Connection: success or failure, the plugin's message and how long the
 * call took. Always in the page as a polite live region, so the outcome is announced; it
 * sits in the form's sticky action bar, and the result takes the focus when it arrives.
 */
export function TestResultPanel(props: { state: TestState; ref?: (region: HTMLDivElement) => void }) {
  const result = () => (props.state.kind === 'done' ? props.state.result : undefined);
  return (
    <div class="pf-test-region" role="status" aria-live="polite" ref={(el) => props.ref?.(el)}>
      <Show when={props.state.kind === 'running'}>
        <p class="pf-test pf-test--running">
          <span class="pf-spinner" aria-hidden="true" /> Testing the connection…
        </p>
      </Show>
      <Show when={result()}>
        {(r) => (
          <div class={`pf-test pf-test--${r().success ? 'success' : 'failure'}`} data-testid="test-result" tabIndex={-1}>
            <p class="pf-test__title">
              <span class="pf-test__icon" aria-hidden="true">
                {r().success ? '✓' : '✕'}
              </span>
              {r().success ? 'Connection succeeded' : 'Connection failed'}
              <span class="pf-test__time">
                {r().responseTimeMs} ms · {formatTime(r().timestamp)}
              </span>
            </p>
            <p class="pf-test__message">{r().message}</p>
          </div>
        )}
      </Show>
      <Show when={props.state.kind === 'error' && props.state}>
        {(s) => (
          <div class="pf-test pf-test--failure" data-testid="test-result" tabIndex={-1}>
            <p class="pf-test__title">
              <span class="pf-test__icon" aria-hidden="true">
                ✕
              </span>
              Could not test the connection
            </p>
            <p class="pf-test__message">{(s() as { message: string }).message}</p>
          </div>
        )}
      </Show>
    </div>
  );
}
