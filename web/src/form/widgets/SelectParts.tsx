import { Select } from '@kobalte/core/select';
import type { SelectOption } from '../../sdk.ts';
import type { WidgetProps } from './types.ts';

/**
 * What SELECT and MULTI_SELECT show inside Kobalte's Select: the trigger with the chosen
 * value's text, and the listbox. Only `text` differs between the two.
 */
export function SelectParts(props: { widget: WidgetProps; text: () => string }) {
  return (
    <>
      <Select.Trigger
        class="pf-input pf-select__trigger"
        id={props.widget.ids.control}
        // Kobalte appends the value's id, so the name reads "<label> <choice>".
        aria-labelledby={props.widget.ids.label}
        aria-describedby={props.widget.describedBy}
        aria-invalid={props.widget.invalid || undefined}
      >
        <Select.Value<SelectOption> class="pf-select__value" id={`${props.widget.ids.control}-value`}>
          {() => props.text()}
        </Select.Value>
        <Select.Icon class="pf-select__icon" aria-hidden="true">
          ▾
        </Select.Icon>
      </Select.Trigger>
      <Select.Portal>
        <Select.Content class="pf-popover" data-pf-owner={props.widget.field.key}>
          <Select.Listbox class="pf-listbox" />
        </Select.Content>
      </Select.Portal>
    </>
  );
}
