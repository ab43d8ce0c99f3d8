import { Select } from '@kobalte/core/select';
import { Show } from 'solid-js';
import type { SelectOption } from '../../sdk.ts';
import type { WidgetProps } from './types.ts';
import { OptionItem } from './OptionItem.tsx';
import { SelectParts } from './SelectParts.tsx';

/**
 * SELECT: Kobalte's Select (a button that opens a listbox; arrows, type-ahead, Enter and
 * Escape work). An optional field gets a Clear button, since a listbox cannot pick "nothing".
 */
export function SelectWidget(props: WidgetProps) {
  const options = () => [...(props.field.options ?? [])];
  const selected = () => options().find((o) => o.value === props.value) ?? null;
  return (
    <div class="pf-select">
      <Select<SelectOption>
        class="pf-select__root"
        options={options()}
        optionValue="value"
        optionTextValue="label"
        value={selected()}
        onChange={(option) => props.onChange(option?.value)}
        placeholder={props.field.placeholder ?? 'Choose…'}
        itemComponent={(item) => <OptionItem item={item.item} />}
      >
        <SelectParts widget={props} text={() => selected()?.label ?? ''} />
      </Select>
      <Show when={!props.required && selected()}>
        <button
          type="button"
          class="pf-button pf-button--ghost pf-button--small"
          aria-label={`Clear ${props.field.label}`}
          onClick={() => {
            props.onChange(undefined);
            document.getElementById(props.ids.control)?.focus();
          }}
        >
          Clear
        </button>
      </Show>
    </div>
  );
}
