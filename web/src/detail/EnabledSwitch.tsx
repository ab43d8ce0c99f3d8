import { Switch } from '@kobalte/core/switch';
import { Show } from 'solid-js';

/** Enable or disable an instance; the route saves the change. */
export function EnabledSwitch(props: { enabled: boolean; busy: boolean; onChange: (enabled: boolean) => void }) {
  return (
    <Switch class="pf-switch pf-switch--labelled" checked={props.enabled} disabled={props.busy} onChange={(checked) => props.onChange(checked)}>
      <Switch.Input />
      <Switch.Control class="pf-switch__control" aria-hidden="true">
        <Switch.Thumb class="pf-switch__thumb" />
      </Switch.Control>
      <Switch.Label class="pf-switch__label">Enabled</Switch.Label>
      <Show when={props.busy}>
        <Switch.Description class="pf-muted">Saving…</Switch.Description>
      </Show>
    </Switch>
  );
}
