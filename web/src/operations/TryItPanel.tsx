import { useClient } from '@urql/solid';
import { createSignal, For, Match, Show, Switch } from 'solid-js';
import type { PluginType } from '../gql/graphql.ts';
import { Alert } from '../ui/Alert.tsx';
import { FieldError } from '../ui/FieldError.tsx';
import { parseTryValues, tryActionsFor, type TryAction, type TryError, type TryField, type TryResult, type TryValues } from './try-it.ts';

export interface TryItPanelProps {
  instanceId: string;
  pluginType: PluginType;
  /** The operations the instance offers (from the API); undefined while they load. */
  operations: readonly string[] | undefined;
  /** Called after every call that reached the server, so the Operations card can refresh. */
  onCalled: () => void;
}

/**
 * Runs the instance's operations for real, one small form per operation of its plugin type
 * (see try-it.ts), and shows the result or the typed error. Offered to operators and admins
 * only: the page does not render it for viewers.
 */
export function TryItPanel(props: TryItPanelProps) {
  const actions = () => tryActionsFor(props.pluginType, props.operations ?? []);
  return (
    <section class="pf-card pf-try-it" aria-labelledby="try-it-title">
      <div class="pf-card__head">
        <h2 id="try-it-title">Try it</h2>
      </div>
      <p class="pf-muted">Runs a real call through this instance: the vendor is called, and the call is recorded under Operations.</p>
      <Show when={props.operations} fallback={<p class="pf-muted">Loading the instance's operations…</p>}>
        <Show when={actions().length > 0} fallback={<p class="pf-muted">This instance offers no operation to try.</p>}>
          <For each={actions()}>{(action) => <TryItForm action={action} instanceId={props.instanceId} onCalled={props.onCalled} />}</For>
        </Show>
      </Show>
    </section>
  );
}

const ERROR_TITLES: Record<string, string> = {
  ValidationError: 'Check the highlighted fields',
  OperationFailedError: 'The vendor refused or failed the call',
  InstanceUnavailableError: 'The instance is not running',
  OperationNotSupportedError: 'The plugin does not offer this operation',
  OperationForbiddenError: 'Your token may not call this operation',
  IdempotencyConflictError: 'The call is already running',
  NotFoundError: 'Not found',
  PluginUnavailableError: 'The plugin is not loaded',
  RequestError: 'The request failed',
};

function TryItForm(props: { action: TryAction; instanceId: string; onCalled: () => void }) {
  const client = useClient();
  const initial = (): TryValues => Object.fromEntries(props.action.fields.map((f) => [f.name, f.initial ?? '']));
  const [values, setValues] = createSignal<TryValues>(initial());
  const [busy, setBusy] = createSignal(false);
  const [result, setResult] = createSignal<TryResult>();
  const [error, setError] = createSignal<TryError>();
  const id = (field: string) => `try-${props.action.operation}-${field}`;
  const fieldError = (field: string) => error()?.fieldErrors.find((e) => e.field === field)?.message;
  const fieldNames = () => new Set(props.action.fields.map((f) => f.name));
  /** Field errors on inputs the form does not show, listed in the alert. */
  const otherFieldErrors = () => (error()?.fieldErrors ?? []).filter((e) => !fieldNames().has(e.field));
  let form: HTMLFormElement | undefined;

  const focusFirstInvalid = () => form?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    setResult(undefined);
    setError(undefined);
    const checked = parseTryValues(props.action.fields, values());
    if (!checked.ok) {
      setError({ typename: 'ValidationError', message: 'Some fields need attention.', fieldErrors: checked.fieldErrors });
      queueMicrotask(focusFirstInvalid);
      return;
    }
    setBusy(true);
    try {
      const outcome = await props.action.run({ client, instanceId: props.instanceId, fetch: (input, init) => globalThis.fetch(input, init) }, checked.values);
      if (outcome.ok) setResult(outcome.result);
      else {
        setError(outcome.error);
        if (outcome.error.fieldErrors.length > 0) queueMicrotask(focusFirstInvalid);
      }
      props.onCalled();
    } finally {
      // A password is sent once: the field is emptied whatever the outcome.
      setValues((current) => ({ ...current, ...Object.fromEntries(props.action.fields.filter((f) => f.kind === 'password').map((f) => [f.name, ''])) }));
      setBusy(false);
    }
  };

  return (
    <form ref={form} class="pf-try-it__form" aria-labelledby={id('title')} onSubmit={(e) => void submit(e)} noValidate data-operation={props.action.operation}>
      <h3 id={id('title')}>
        {props.action.title} <code class="pf-muted">{props.action.operation}</code>
      </h3>
      <div class="pf-try-it__fields">
        <For each={props.action.fields}>
          {(field) => (
            <TryItField
              field={field}
              id={id(field.name)}
              value={values()[field.name]}
              error={fieldError(field.name)}
              onChange={(value) => setValues((current) => ({ ...current, [field.name]: value }))}
            />
          )}
        </For>
      </div>
      <div class="pf-try-it__actions">
        <button type="submit" class="pf-button pf-button--primary" disabled={busy()}>
          {busy() ? 'Running…' : props.action.submitLabel}
        </button>
      </div>
      <Show when={error()}>
        {(e) => (
          <Alert tone="error" title={ERROR_TITLES[e().typename] ?? 'The call failed'}>
            <p>{e().message}</p>
            <Show when={e().detail}>
              <p>{e().detail}</p>
            </Show>
            <Show when={otherFieldErrors().length > 0}>
              <ul>
                <For each={otherFieldErrors()}>
                  {(fe) => (
                    <li>
                      <code>{fe.field}</code>: {fe.message}
                    </li>
                  )}
                </For>
              </ul>
            </Show>
          </Alert>
        )}
      </Show>
      {/* Present from the start (empty), so screen readers announce each result written into it. */}
      <div role="status" aria-label={`${props.action.title}: result`}>
        <Show when={result()}>{(r) => <TryItResult result={r()} />}</Show>
      </div>
    </form>
  );
}

function TryItField(props: { field: TryField; id: string; value: string | File | undefined; error: string | undefined; onChange: (value: string | File | undefined) => void }) {
  const hintId = () => (props.field.hint ? `${props.id}-hint` : undefined);
  const errorId = () => (props.error ? `${props.id}-error` : undefined);
  const describedBy = () => [hintId(), errorId()].filter(Boolean).join(' ') || undefined;
  const common = () => ({
    id: props.id,
    name: props.field.name,
    'aria-required': props.field.required ? true : undefined,
    'aria-invalid': props.error ? true : undefined,
    'aria-describedby': describedBy(),
  });
  const text = () => (typeof props.value === 'string' ? props.value : '');
  return (
    <div class="pf-field" classList={{ 'pf-field--invalid': Boolean(props.error) }} data-field={props.field.name}>
      <label class="pf-field__label" for={props.id}>
        {props.field.label}
        <Show when={props.field.required}>
          <span class="pf-required" aria-hidden="true">
            *
          </span>
        </Show>
      </label>
      <Switch
        fallback={
          <input
            {...common()}
            class="pf-input"
            type={props.field.kind === 'password' ? 'password' : 'text'}
            inputMode={props.field.kind === 'integer' ? 'numeric' : undefined}
            autocomplete={props.field.kind === 'password' ? 'new-password' : 'off'}
            value={text()}
            onInput={(e) => props.onChange(e.currentTarget.value)}
          />
        }
      >
        <Match when={props.field.kind === 'textarea' || props.field.kind === 'json'}>
          <textarea {...common()} class="pf-input pf-textarea" rows={3} spellcheck={props.field.kind !== 'json'} value={text()} onInput={(e) => props.onChange(e.currentTarget.value)} />
        </Match>
        <Match when={props.field.kind === 'file'}>
          <input {...common()} class="pf-input" type="file" onChange={(e) => props.onChange(e.currentTarget.files?.[0])} />
        </Match>
      </Switch>
      <Show when={props.field.hint}>
        <p class="pf-hint" id={hintId()}>
          {props.field.hint}
        </p>
      </Show>
      <Show when={props.error}>{(message) => <FieldError id={`${props.id}-error`} message={message()} />}</Show>
    </div>
  );
}

function TryItResult(props: { result: TryResult }) {
  return (
    <div class="pf-try-it__result">
      <p class="pf-try-it__summary">{props.result.summary}</p>
      <Show when={props.result.facts.length > 0}>
        <dl class="pf-facts">
          <For each={props.result.facts}>
            {(fact) => (
              <div>
                <dt>{fact.label}</dt>
                <dd>
                  <code>{fact.value}</code>
                </dd>
              </div>
            )}
          </For>
        </dl>
      </Show>
      <Show when={props.result.link}>
        {(link) => (
          <p>
            <a href={link().href} target="_blank" rel="noopener noreferrer">
              {link().label}
            </a>
          </p>
        )}
      </Show>
      <Show when={props.result.preview}>
        {(preview) => (
          <figure class="pf-try-it__preview">
            <figcaption>{preview().label}</figcaption>
            <pre tabindex="0">{preview().text}</pre>
          </figure>
        )}
      </Show>
      <Show when={props.result.table}>
        {(table) => (
          <table class="pf-table pf-table--compact">
            <caption>{table().caption}</caption>
            <thead>
              <tr>
                <For each={table().columns}>{(column) => <th scope="col">{column}</th>}</For>
              </tr>
            </thead>
            <tbody>
              <For each={table().rows}>
                {(row) => (
                  <tr>
                    <For each={row}>{(cell, i) => <td data-label={table().columns[i()]}>{cell}</td>}</For>
                  </tr>
                )}
              </For>
            </tbody>
          </table>
        )}
      </Show>
    </div>
  );
}
