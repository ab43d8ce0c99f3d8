import { Select } from '@kobalte/core/select';
import { Show } from 'solid-js';
import type { SelectOption } from '../../sdk.ts';
import type { Adopted } from './lazy.ts';
import type { WidgetProps } from './types.ts';
import { LazySelect } from './LazySelect.tsx';
import { OptionItem } from './OptionItem.tsx';

/**
 * SELECT: Kobalte's Select (a button that opens a listbox; arrows, type-ahead, Enter and
 * Escape work), mounted on first use (LazySelect). An optional field gets a Clear button,
 * since a listbox cannot pick "nothing".
 */
export function SelectWidget(props: WidgetProps) {
  const options = () => [...(props.field.options ?? [])];
  const selected = () => options().find((o) => o.value === props.value) ?? null;
  const placeholder = () => props.field.placeholder ?? 'Choose…';
  return (
    <div class="pf-select">
      <LazySelect
        widget={props}
        rootClass="pf-select__root"
        text={() => selected()?.label}
        placeholder={placeholder()}
        select={(as, parts) => (
          <Select<SelectOption, never, Adopted>
            as={as}
            class="pf-select__root"
            options={options()}
            optionValue="value"
            optionTextValue="label"
            value={selected()}
            onChange={(option) => props.onChange(option?.value)}
            placeholder={placeholder()}
            itemComponent={(item) => <OptionItem item={item.item} />}
          >
            {parts()}
          </Select>
        )}
      />
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
