import { placeholderWhileEmpty, textInputAttrs } from './input-attrs.ts';
import type { WidgetProps } from './types.ts';

/** STRING, URL, EMAIL and PHONE: one line of text with the input type that fits. */
export function TextInput(props: WidgetProps) {
  const attrs = () => textInputAttrs(props.field.type);
  return (
    <input
      class="pf-input"
      id={props.ids.control}
      name={props.field.key}
      type={attrs().type}
      inputmode={attrs().inputmode}
      autocomplete={attrs().autocomplete}
      spellcheck={attrs().spellcheck}
      autocapitalize={attrs().autocapitalize}
      placeholder={placeholderWhileEmpty(props.field.placeholder, props.value)}
      value={typeof props.value === 'string' ? props.value : ''}
      aria-describedby={props.describedBy}
      aria-invalid={props.invalid || undefined}
      aria-required={props.required || undefined}
      onInput={(e) => props.onChange(e.currentTarget.value === '' ? undefined : e.currentTarget.value)}
    />
  );
}
