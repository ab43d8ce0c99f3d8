import { Switch } from '@kobalte/core/switch';
import { Show } from 'solid-js';
import { FieldError } from '../ui/FieldError.tsx';

export const NAME_MAX_LENGTH = 100;

/** What is wrong with an instance name, as the server would say it; undefined when fine. */
export function nameProblem(name: string): string | undefined {
  const trimmed = name.trim();
  if (trimmed.length === 0) return 'Instance name is required';
  if (trimmed.length > NAME_MAX_LENGTH) return `Instance name must be at most ${NAME_MAX_LENGTH} characters`;
  return undefined;
}

export interface InstanceSettingsProps {
  name: string;
  onName: (name: string) => void;
  onNameLeave: () => void;
  /** The error to show under the name (already decided: touched or submitted). */
  nameError: string | undefined;
  /** On create only: start the instance enabled. */
  enabled?: boolean;
  onEnabled?: (enabled: boolean) => void;
  ref?: (input: HTMLInputElement) => void;
}

/**
 * The instance's own settings, above the plugin's form: its name (unique per plugin) and, on
 * create, whether it starts enabled. Styled like the form's fields.
 */
export function InstanceSettings(props: InstanceSettingsProps) {
  return (
    <section class="pf-section" aria-labelledby="instance-settings-title">
      <h2 class="pf-section__title pf-section__title--heading" id="instance-settings-title">
        Instance
      </h2>
      <div class="pf-section__body">
        <div class="pf-field" data-field="name" classList={{ 'pf-field--invalid': Boolean(props.nameError) }}>
          <div class="pf-field__head">
            <label class="pf-field__label" for="instance-name">
              Name<span class="pf-required" aria-hidden="true">*</span>
            </label>
          </div>
          <input
            ref={(el) => props.ref?.(el)}
            id="instance-name"
            class="pf-input"
            type="text"
            name="name"
            autocomplete="off"
            maxLength={NAME_MAX_LENGTH + 20}
            placeholder="e.g. Support notifications"
            aria-required="true"
            aria-invalid={props.nameError ? true : undefined}
            aria-describedby={props.nameError ? 'instance-name-hint instance-name-error' : 'instance-name-hint'}
            value={props.name}
            onInput={(e) => props.onName(e.currentTarget.value)}
            onBlur={() => props.onNameLeave()}
          />
          <p class="pf-hint" id="instance-name-hint">
            Unique among the instances of this plugin; up to {NAME_MAX_LENGTH} characters.
          </p>
          {/* The error slot stays in the layout (one line when empty), so an error does not move what is below. */}
          <div class="pf-field__error-slot">
            <Show when={props.nameError}>{(message) => <FieldError id="instance-name-error" message={message()} />}</Show>
          </div>
        </div>
        <Show when={props.onEnabled}>
          {(onEnabled) => (
            <Switch class="pf-switch pf-instance-enabled" checked={props.enabled ?? true} onChange={(checked) => onEnabled()(checked)}>
              <Switch.Input id="instance-enabled" aria-describedby="instance-enabled-hint" />
              <Switch.Control class="pf-switch__control" aria-hidden="true">
                <Switch.Thumb class="pf-switch__thumb" />
              </Switch.Control>
              <Switch.Label class="pf-field__label">Enabled</Switch.Label>
              <Switch.Description id="instance-enabled-hint" class="pf-hint pf-switch__hint">
                An enabled instance is configured and health-checked as soon as it is saved.
              </Switch.Description>
            </Switch>
          )}
        </Show>
      </div>
    </section>
  );
}
