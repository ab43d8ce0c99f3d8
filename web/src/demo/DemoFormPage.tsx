import { useSearchParams } from '@solidjs/router';
import { createSignal, For, Show } from 'solid-js';
import { ConfigForm } from '../form/ConfigForm.tsx';
import type { ConfigPayload, ServerFieldError } from '../form/types.ts';
import { SAMPLE_FIELDS, SAMPLE_GROUPS, SAMPLE_SECRET_STATE, SAMPLE_STORED_VALUES } from './sample-schema.ts';

/**
 * The form renderer on its own (create and edit mode), with a hard-coded schema that uses
 * every field type: for working on the renderer without a server. Not linked from the
 * console. The "server" here only echoes what it would receive, with secret values masked.
 */
export function DemoFormPage() {
  const [params] = useSearchParams();
  const mode = (): 'create' | 'edit' => (params.mode === 'edit' ? 'edit' : 'create');
  const [saved, setSaved] = createSignal<ConfigPayload>();
  const [serverErrors, setServerErrors] = createSignal<ServerFieldError[]>([]);
  const [simulateServerError, setSimulateServerError] = createSignal(false);

  const submit = (payload: ConfigPayload) => {
    if (simulateServerError()) {
      setServerErrors([{ field: 'phone_number', message: 'This number is not registered with WhatsApp Business.' }]);
      setSaved(undefined);
      return;
    }
    setServerErrors([]);
    setSaved(payload);
  };

  return (
    <div class="pf-page">
      <div class="pf-page__head">
        <div>
          <p class="pf-eyebrow">Demo · form renderer</p>
          <h1>{mode() === 'edit' ? 'Edit WhatsApp Business instance' : 'New WhatsApp Business instance'}</h1>
        </div>
        <nav class="pf-tabs" aria-label="Form mode">
          {/* Plain links (the router still handles them): <A> marks both current, as it ignores the query. */}
          <a href="/demo/form" class="pf-tab" aria-current={mode() === 'create' ? 'page' : undefined}>
            Create
          </a>
          <a href="/demo/form?mode=edit" class="pf-tab" aria-current={mode() === 'edit' ? 'page' : undefined}>
            Edit
          </a>
        </nav>
      </div>

      {/* Keyed on the mode: switching remounts the form with that mode's starting values. */}
      <Show when={mode()} keyed>
        {(current) => (
          <ConfigForm
            aria-label="WhatsApp Business configuration"
            fields={SAMPLE_FIELDS}
            groups={SAMPLE_GROUPS}
            mode={current}
            values={current === 'edit' ? SAMPLE_STORED_VALUES : {}}
            secretState={current === 'edit' ? SAMPLE_SECRET_STATE : {}}
            serverErrors={serverErrors()}
            submitLabel={current === 'edit' ? 'Save changes' : 'Create instance'}
            onSubmit={submit}
          >
            <label class="pf-demo-toggle">
              <input
                type="checkbox"
                checked={simulateServerError()}
                onChange={(e) => setSimulateServerError(e.currentTarget.checked)}
              />
              Simulate a server-side field error
            </label>
          </ConfigForm>
        )}
      </Show>

      <Show when={saved()}>
        {(payload) => (
          <section class="pf-result" aria-labelledby="demo-result" role="status">
            <h2 id="demo-result">What would be sent</h2>
            <pre class="pf-result__values">{JSON.stringify(payload().values, null, 2)}</pre>
            <h3>Secrets</h3>
            <Show when={Object.keys(payload().secrets).length > 0} fallback={<p>None changed: stored secrets are kept.</p>}>
              <ul>
                <For each={Object.entries(payload().secrets)}>
                  {([key, value]) => (
                    <li>
                      <code>{key}</code>: {value === null ? 'cleared' : `new value (${value.length} characters)`}
                    </li>
                  )}
                </For>
              </ul>
            </Show>
          </section>
        )}
      </Show>
    </div>
  );
}
