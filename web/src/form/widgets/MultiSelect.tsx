import { Select } from '@kobalte/core/select';
import { For, Show } from 'solid-js';
import type { SelectOption } from '../../sdk.ts';
import type { Adopted } from './lazy.ts';
import type { WidgetProps } from './types.ts';
import { LazySelect } from './LazySelect.tsx';
import { OptionItem } from './OptionItem.tsx';

/**
 * MULTI_SELECT: Kobalte's Select in `multiple` mode, mounted on first use (LazySelect). The listbox stays open while the user
 * toggles options (Space/Enter or click); the trigger says how many are chosen and the picks
 * are chips below it, each with its own remove button (outside the trigger: a button cannot
 * hold buttons). Values are kept
 * in the schema's option order, and a stored value that is no longer an option is kept too,
 * so the validator can say so instead of the form silently dropping it.
 */
export function MultiSelect(props: WidgetProps) {
  const options = () => [...(props.field.options ?? [])];
  const current = () => (Array.isArray(props.value) ? (props.value as unknown[]) : []);
  const selected = () => options().filter((o) => current().includes(o.value));
  const placeholder = () => props.field.placeholder ?? 'Choose any…';

  const change = (chosen: SelectOption[]) => {
    const picked = new Set(chosen.map((o) => o.value));
    const known = new Set(options().map((o) => o.value));
    const next = [
      ...options().filter((o) => picked.has(o.value)).map((o) => o.value),
      ...current().filter((v) => typeof v !== 'string' || !known.has(v)),
    ];
    props.onChange(next.length > 0 ? next : undefined);
  };

  /** One chip per chosen value: options by their label, a stored value that is no option as itself. */
  const chips = () => {
    const known = new Map(options().map((o) => [o.value, o.label]));
    return current().map((value) => ({ value, label: typeof value === 'string' ? (known.get(value) ?? value) : String(value) }));
  };
  let chipList: HTMLUListElement | undefined;
  const remove = (index: number) => {
    const value = chips()[index]?.value;
    const next = current().filter((v) => v !== value);
    props.onChange(next.length > 0 ? next : undefined);
    // The chip that took its place, else the one before, else the trigger.
    const buttons = chipList?.isConnected ? [...chipList.querySelectorAll<HTMLButtonElement>('button')] : [];
    (buttons[index] ?? buttons[index - 1] ?? document.getElementById(props.ids.control))?.focus();
  };

  return (
    <div class="pf-multi">
      <LazySelect
        widget={props}
        rootClass="pf-select pf-select__root"
        text={() => (selected().length > 0 ? `${selected().length} selected` : undefined)}
        placeholder={placeholder()}
        select={(as, parts) => (
          <Select<SelectOption, never, Adopted>
            as={as}
            class="pf-select pf-select__root"
            multiple
            options={options()}
            optionValue="value"
            optionTextValue="label"
            value={selected()}
            onChange={change}
            placeholder={placeholder()}
            itemComponent={(item) => <OptionItem item={item.item} />}
          >
            {parts()}
          </Select>
        )}
      />
      <Show when={chips().length > 0}>
        <ul class="pf-chips" ref={chipList} aria-label={`${props.field.label}: chosen`}>
          <For each={chips()}>
            {(chip, index) => (
              <li class="pf-chip">
                <span>{chip.label}</span>
                <button
                  type="button"
                  class="pf-chip__remove"
                  aria-label={`Remove ${chip.label} from ${props.field.label}`}
                  title="Remove"
                  onClick={() => remove(index())}
                >
                  <span aria-hidden="true">×</span>
                </button>
              </li>
            )}
          </For>
        </ul>
      </Show>
    </div>
  );
}
