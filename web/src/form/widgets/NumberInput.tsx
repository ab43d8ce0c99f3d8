import { untrack } from 'solid-js';
import { formatNumber, parseNumberText } from '../values.ts';
import { placeholderWhileEmpty, textInputAttrs } from './input-attrs.ts';
import type { WidgetProps } from './types.ts';

/**
 * INTEGER and FLOAT. The text is not bound to the value: rewriting "1." or "1e" with the
 * parsed number while the user types would move the caret and eat characters. The input
 * starts from the value and reports numbers (or "not a number") as it changes.
 */
export function NumberInput(props: WidgetProps) {
  const attrs = textInputAttrs(props.field.type);
  return (
    <input
      class="pf-input pf-input--number"
      id={props.ids.control}
      name={props.field.key}
      type="number"
      inputmode={attrs.inputmode}
      step={attrs.step}
      min={props.field.minValue}
      max={props.field.maxValue}
      autocomplete="off"
      placeholder={placeholderWhileEmpty(props.field.placeholder, props.value)}
      value={untrack(() => formatNumber(props.value))}
      aria-describedby={props.describedBy}
      aria-invalid={props.invalid || undefined}
      aria-required={props.required || undefined}
      onInput={(e) => {
        const parsed = parseNumberText(e.currentTarget.value, e.currentTarget.validity?.badInput);
        props.onInputError(parsed.error);
        props.onChange(parsed.value);
      }}
    />
  );
}
