import { Switch } from '@kobalte/core/switch';
import { Show } from 'solid-js';
import { adopt, createUpgrade } from './lazy.ts';
import type { WidgetProps } from './types.ts';

/**
 * Kobalte's style for the switch's input (@kobalte/utils' visuallyHiddenStyles), which the
 * stand-in's input has too. An object, so it is set through the CSSOM: the console's CSP
 * (style-src 'self') refuses a style attribute.
 */
const VISUALLY_HIDDEN = {
  border: '0',
  clip: 'rect(0 0 0 0)',
  'clip-path': 'inset(50%)',
  height: '1px',
  margin: '0 -1px -1px 0',
  overflow: 'hidden',
  padding: '0',
  position: 'absolute',
  width: '1px',
  'white-space': 'nowrap',
} as const;

/**
 * BOOLEAN: Kobalte's Switch. Its input is a real (visually hidden) checkbox with
 * role="switch", so the shell's <label for> toggles it and Space works natively.
 * Mounted on first use (lazy.ts): until then a stand-in renders the same markup, and its
 * native checkbox already toggles, so a click on the label before any upgrade emits the
 * value itself (then upgrades).
 */
export function BooleanSwitch(props: WidgetProps) {
  const lazy = createUpgrade();
  const checked = () => props.value === true;
  let root!: HTMLDivElement;
  let input!: HTMLInputElement;
  let control!: HTMLDivElement;
  let thumb!: HTMLDivElement;
  return (
    <Show
      when={lazy.upgraded()}
      fallback={
        <div role="group" class="pf-switch" data-checked={checked() ? '' : undefined} ref={(el) => lazy.watch((root = el))}>
          <input
            ref={(el) => lazy.watch((input = el))}
            type="checkbox"
            role="switch"
            id={props.ids.control}
            name={props.field.key}
            value="on"
            style={VISUALLY_HIDDEN}
            checked={checked()}
            aria-checked={checked()}
            aria-labelledby={props.ids.label}
            aria-describedby={props.describedBy}
            aria-invalid={props.invalid || undefined}
            aria-required={props.required || undefined}
            data-checked={checked() ? '' : undefined}
            onChange={(event) => {
              // A native listener outlives the stand-in: once upgraded, the Switch's own handles changes.
              if (lazy.upgraded()) return;
              props.onChange(event.currentTarget.checked);
              lazy.upgrade();
            }}
          />
          <div ref={control} class="pf-switch__control" aria-hidden="true" data-checked={checked() ? '' : undefined}>
            <div ref={thumb} class="pf-switch__thumb" data-checked={checked() ? '' : undefined} />
          </div>
        </div>
      }
    >
      <Switch as={adopt(root)} class="pf-switch" checked={checked()} onChange={(next) => props.onChange(next)}>
        <Switch.Input
          as={adopt(input)}
          id={props.ids.control}
          name={props.field.key}
          aria-labelledby={props.ids.label}
          aria-describedby={props.describedBy}
          aria-invalid={props.invalid || undefined}
          aria-required={props.required || undefined}
        />
        <Switch.Control as={adopt(control)} class="pf-switch__control" aria-hidden="true">
          <Switch.Thumb as={adopt(thumb)} class="pf-switch__thumb" />
        </Switch.Control>
      </Switch>
    </Show>
  );
}
