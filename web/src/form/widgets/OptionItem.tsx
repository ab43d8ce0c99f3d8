import { Select } from '@kobalte/core/select';
import { Show } from 'solid-js';
import type { SelectOption } from '../../sdk.ts';

type CollectionNode = Parameters<typeof Select.Item>[0]['item'];

/** One option of a SELECT or MULTI_SELECT listbox: label, optional description, a check. */
export function OptionItem(props: { item: CollectionNode }) {
  const option = () => props.item.rawValue as SelectOption;
  return (
    <Select.Item item={props.item} class="pf-option">
      <span class="pf-option__text">
        <Select.ItemLabel class="pf-option__label">{option().label}</Select.ItemLabel>
        <Show when={option().description}>
          <Select.ItemDescription class="pf-option__description">{option().description}</Select.ItemDescription>
        </Show>
      </span>
      <Select.ItemIndicator class="pf-option__check">✓</Select.ItemIndicator>
    </Select.Item>
  );
}
