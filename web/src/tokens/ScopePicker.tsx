import { For, Show } from 'solid-js';
import { FieldError } from '../ui/FieldError.tsx';
import { ALL_OPERATIONS, type ScopeInstance, type ScopeSelection } from './scopes.ts';

export interface ScopePickerProps {
  instances: readonly ScopeInstance[] | undefined;
  /** Why the instances could not be loaded. */
  loadError: string | undefined;
  /** True when there are more instances than the API's largest page holds. */
  more: boolean;
  selection: ScopeSelection;
  onChange: (selection: ScopeSelection) => void;
  error: string | undefined;
}

/**
 * The instances a service token may reach and, under each chosen one, the operations its
 * plugin type offers, or all of them. Native checkboxes in nested fieldsets: each group of
 * operations is named after its instance, so a screen reader says which one it is in.
 */
export function ScopePicker(props: ScopePickerProps) {
  const toggleInstance = (id: string, on: boolean) => {
    const next = new Map(props.selection);
    if (on) next.set(id, []);
    else next.delete(id);
    props.onChange(next);
  };
  const toggleOperation = (id: string, operation: string, on: boolean) => {
    const current = props.selection.get(id) ?? [];
    const next = new Map(props.selection);
    next.set(id, on ? [...current, operation] : current.filter((o) => o !== operation));
    props.onChange(next);
  };

  return (
    <fieldset
      class="pf-token-scopes"
      data-field="token-scopes"
      classList={{ 'pf-field--invalid': Boolean(props.error) }}
      aria-describedby={props.error ? 'token-scopes-hint token-scopes-error' : 'token-scopes-hint'}
    >
      <legend class="pf-field__label">What it may call</legend>
      <p class="pf-hint" id="token-scopes-hint">
        A service token calls only these operations of these instances, and reads nothing else.
        <Show when={props.more}> Only the first 100 instances are listed.</Show>
      </p>
      <Show when={props.instances} fallback={<p class="pf-muted">{props.loadError ? `The instances could not be loaded: ${props.loadError}` : 'Loading instances…'}</p>}>
        {(instances) => (
          <Show when={instances().length > 0} fallback={<p class="pf-muted">There are no instances yet: create one first.</p>}>
            <ul class="pf-token-scopes__instances">
              <For each={instances()}>
                {(instance) => {
                  const chosen = () => props.selection.get(instance.id);
                  const all = () => chosen()?.includes(ALL_OPERATIONS) ?? false;
                  return (
                    <li data-instance-id={instance.id}>
                      <label class="pf-token-scopes__choice">
                        <input
                          type="checkbox"
                          class="pf-checkbox"
                          checked={chosen() !== undefined}
                          onChange={(e) => toggleInstance(instance.id, e.currentTarget.checked)}
                        />
                        <span>
                          {instance.name} <span class="pf-muted">({instance.pluginName})</span>
                        </span>
                      </label>
                      <Show when={chosen()}>
                        <fieldset class="pf-token-scopes__operations">
                          <legend class="pf-sr-only">Operations of {instance.name}</legend>
                          <label class="pf-token-scopes__choice">
                            <input
                              type="checkbox"
                              class="pf-checkbox"
                              checked={all()}
                              onChange={(e) => toggleOperation(instance.id, ALL_OPERATIONS, e.currentTarget.checked)}
                            />
                            <span>
                              All operations{' '}<span class="pf-sr-only">of {instance.name}</span>
                            </span>
                          </label>
                          <For each={instance.operations}>
                            {(operation) => (
                              <label class="pf-token-scopes__choice">
                                <input
                                  type="checkbox"
                                  class="pf-checkbox"
                                  checked={all() || (chosen()?.includes(operation) ?? false)}
                                  disabled={all()}
                                  onChange={(e) => toggleOperation(instance.id, operation, e.currentTarget.checked)}
                                />
                                <code>{operation}</code>
                              </label>
                            )}
                          </For>
                        </fieldset>
                      </Show>
                    </li>
                  );
                }}
              </For>
            </ul>
          </Show>
        )}
      </Show>
      <Show when={props.error}>{(message) => <FieldError id="token-scopes-error" message={message()} />}</Show>
    </fieldset>
  );
}
