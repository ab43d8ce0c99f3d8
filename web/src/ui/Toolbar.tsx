import { For } from 'solid-js';

/** The search box of a list's filter toolbar (catalog, instances). */
export function ToolbarSearch(props: { id: string; placeholder: string; value: string; onInput: (text: string) => void }) {
  return (
    <div class="pf-toolbar__field pf-toolbar__field--grow">
      <label for={props.id} class="pf-toolbar__label">
        Search
      </label>
      <input
        id={props.id}
        class="pf-input pf-input--search"
        type="search"
        placeholder={props.placeholder}
        autocomplete="off"
        value={props.value}
        onInput={(e) => props.onInput(e.currentTarget.value)}
      />
    </div>
  );
}

/** One filter of a toolbar: a native select whose first choice, `''`, means "any". */
export function ToolbarSelect<T extends string>(props: {
  id: string;
  label: string;
  value: T | '';
  anyLabel: string;
  options: readonly { value: T; label: string }[];
  onChange: (value: T | '') => void;
}) {
  return (
    <div class="pf-toolbar__field">
      <label for={props.id} class="pf-toolbar__label">
        {props.label}
      </label>
      <select id={props.id} class="pf-input pf-select-native" value={props.value} onChange={(e) => props.onChange(e.currentTarget.value as T | '')}>
        <option value="">{props.anyLabel}</option>
        <For each={props.options}>{(option) => <option value={option.value}>{option.label}</option>}</For>
      </select>
    </div>
  );
}
