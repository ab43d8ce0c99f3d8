import { placeholderWhileEmpty } from './input-attrs.ts';
import type { WidgetProps } from './types.ts';

/** TEXT: several lines, resizable vertically. */
export function TextArea(props: WidgetProps) {
  return (
    <textarea
      class="pf-input pf-textarea"
      id={props.ids.control}
      name={props.field.key}
      rows={4}
      placeholder={placeholderWhileEmpty(props.field.placeholder, props.value)}
      value={typeof props.value === 'string' ? props.value : ''}
      aria-describedby={props.describedBy}
      aria-invalid={props.invalid || undefined}
      aria-required={props.required || undefined}
      onInput={(e) => props.onChange(e.currentTarget.value === '' ? undefined : e.currentTarget.value)}
    />
  );
}
