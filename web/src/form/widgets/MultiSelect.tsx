import { Select } from '@kobalte/core/select';
import type { SelectOption } from '../../sdk.ts';
import type { WidgetProps } from './types.ts';
import { OptionItem } from './OptionItem.tsx';

/**
 * MULTI_SELECT: Kobalte's Select in `multiple` mode. The listbox stays open while the user
 * toggles options (Space/Enter or click); the trigger lists what is chosen. Values are kept
 * in the schema's option order, and a stored value that is no longer an option is kept too,
 * so the validator can say so instead of the form silently dropping it.
 */
export function MultiSelect(props: WidgetProps) {
  const options = () => [...(props.field.options ?? [])];
  const current = () => (Array.isArray(props.value) ? (props.value as unknown[]) : []);
  const selected = () => options().filter((o) => current().includes(o.value));
  const valueId = () => `${props.ids.control}-value`;

  const change = (chosen: SelectOption[]) => {
    const picked = new Set(chosen.map((o) => o.value));
    const known = new Set(options().map((o) => o.value));
    const next = [
      ...options().filter((o) => picked.has(o.value)).map((o) => o.value),
      ...current().filter((v) => typeof v !== 'string' || !known.has(v)),
    ];
    props.onChange(next.length > 0 ? next : undefined);
  };

  return (
    <Select<SelectOption>
      class="pf-select pf-select__root"
      multiple
      options={options()}
      optionValue="value"
      optionTextValue="label"
      value={selected()}
      onChange={change}
      placeholder={props.field.placeholder ?? 'Choose any…'}
      itemComponent={(item) => <OptionItem item={item.item} />}
    >
      <Select.Trigger
        class="pf-input pf-select__trigger"
        id={props.ids.control}
        // Kobalte appends the value's id, so the name reads "<label> <choice>".
        aria-labelledby={props.ids.label}
        aria-describedby={props.describedBy}
        aria-invalid={props.invalid || undefined}
      >
        <Select.Value<SelectOption> class="pf-select__value" id={valueId()}>
          {(state) => state.selectedOptions().map((o) => o.label).join(', ')}
        </Select.Value>
        <Select.Icon class="pf-select__icon" aria-hidden="true">
          ▾
        </Select.Icon>
      </Select.Trigger>
      <Select.Portal>
        <Select.Content class="pf-popover" data-pf-owner={props.field.key}>
          <Select.Listbox class="pf-listbox" />
        </Select.Content>
      </Select.Portal>
    </Select>
  );
}
