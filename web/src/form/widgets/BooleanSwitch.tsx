import { Switch } from '@kobalte/core/switch';
import type { WidgetProps } from './types.ts';

/**
 * BOOLEAN: Kobalte's Switch. Its input is a real (visually hidden) checkbox with
 * role="switch", so the shell's <label for> toggles it and Space works natively.
 */
export function BooleanSwitch(props: WidgetProps) {
  return (
    <Switch class="pf-switch" checked={props.value === true} onChange={(checked) => props.onChange(checked)}>
      <Switch.Input
        id={props.ids.control}
        name={props.field.key}
        aria-labelledby={props.ids.label}
        aria-describedby={props.describedBy}
        aria-invalid={props.invalid || undefined}
        aria-required={props.required || undefined}
      />
      <Switch.Control class="pf-switch__control" aria-hidden="true">
        <Switch.Thumb class="pf-switch__thumb" />
      </Switch.Control>
    </Switch>
  );
}
