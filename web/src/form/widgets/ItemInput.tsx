import { Show } from 'solid-js';
import { FieldType, type ArrayItemType } from '../../sdk.ts';
import type { ArrayRowValue } from '../values.ts';
import { textInputAttrs } from './input-attrs.ts';

/** The input of one ARRAY item: a checkbox for BOOLEAN items, otherwise a typed text input. */
export function ItemInput(props: {
  type: ArrayItemType;
  value: ArrayRowValue;
  label: string;
  placeholder?: string | undefined;
  invalid?: boolean;
  describedBy?: string | undefined;
  onInput: (value: ArrayRowValue, badInput?: boolean) => void;
}) {
  const attrs = () => textInputAttrs(props.type);
  return (
    <Show
      when={props.type !== FieldType.BOOLEAN}
      fallback={
        <input
          type="checkbox"
          class="pf-checkbox"
          data-part="input"
          aria-label={props.label}
          aria-invalid={props.invalid || undefined}
          aria-describedby={props.describedBy}
          checked={props.value === true}
          onChange={(e) => props.onInput(e.currentTarget.checked)}
        />
      }
    >
      <input
        class="pf-input pf-array__input"
        data-part="input"
        aria-label={props.label}
        aria-invalid={props.invalid || undefined}
        aria-describedby={props.describedBy}
        type={attrs().type}
        inputmode={attrs().inputmode}
        step={attrs().step}
        autocomplete="off"
        spellcheck={attrs().spellcheck}
        autocapitalize={attrs().autocapitalize}
        placeholder={props.placeholder}
        value={typeof props.value === 'string' ? props.value : ''}
        onInput={(e) => props.onInput(e.currentTarget.value, e.currentTarget.validity?.badInput)}
      />
    </Show>
  );
}
