import { createMemo, For, Show, untrack } from 'solid-js';
import { createStore, produce } from 'solid-js/store';
import { FieldType } from '../../sdk.ts';
import { ErrorLine } from '../FieldShell.tsx';
import { describedBy } from '../ids.ts';
import { arrayToRows, itemTypeOf, rowItemIndexes, rowsToArray, type ArrayRow, type ArrayRowValue } from '../values.ts';
import { ItemInput } from './ItemInput.tsx';
import type { WidgetProps } from './types.ts';

interface Row extends ArrayRow {
  /** Stable identity, so moving a row moves its DOM node (and the caret stays in it). */
  id: number;
}

type RowButton = 'input' | 'up' | 'down' | 'remove';

/**
 * ARRAY: a list editor for items of the field's item type. Each row has its own input and
 * Move up / Move down / Remove buttons; Add appends an empty row and puts the caret in it.
 * Focus is placed deliberately after every action, because the button that was pressed
 * may have moved, become disabled or disappeared.
 */
export function ArrayEditor(props: WidgetProps) {
  const itemType = untrack(() => itemTypeOf(props.field));
  let nextId = 0;
  const [rows, setRows] = createStore<Row[]>(
    untrack(() => arrayToRows(props.value, itemType)).map((value) => ({ id: nextId++, value })),
  );
  let container!: HTMLDivElement;
  // Errors about `key[i]` are about the i-th item of the value, which skips blank rows.
  const itemIndexes = createMemo(() => rowItemIndexes(rows));
  const rowErrors = (index: number): readonly string[] => {
    const item = itemIndexes()[index];
    return item === undefined ? [] : (props.itemErrors?.[item] ?? []);
  };

  const emit = () => {
    const result = rowsToArray(rows, itemType);
    props.onInputError(result.error);
    props.onChange(result.value);
  };

  const focus = (id: number | undefined, part: RowButton) => {
    const target =
      id === undefined ? null : container.querySelector<HTMLElement>(`[data-row="${id}"] [data-part="${part}"]`);
    const usable = target && !(target as HTMLButtonElement).disabled ? target : null;
    (usable ?? container.querySelector<HTMLElement>('[data-part="add"]'))?.focus();
  };

  const setRow = (index: number, value: ArrayRowValue, badInput = false) => {
    setRows(index, { value, badInput });
    emit();
  };

  const add = () => {
    const id = nextId++;
    setRows(rows.length, { id, value: itemType === FieldType.BOOLEAN ? false : '' });
    emit();
    focus(id, 'input');
  };

  const remove = (index: number) => {
    setRows(produce((list) => void list.splice(index, 1)));
    emit();
    // The row that slid into this place, else the one before, else Add.
    focus((rows[index] ?? rows[index - 1])?.id, 'remove');
  };

  const move = (index: number, delta: -1 | 1) => {
    const target = index + delta;
    const row = rows[index];
    if (!row || target < 0 || target >= rows.length) return;
    setRows(
      produce((list) => {
        const [moved] = list.splice(index, 1);
        if (moved) list.splice(target, 0, moved);
      }),
    );
    emit();
    // Keep pressing the same arrow; at the end of the list, offer the other direction.
    const atEdge = delta < 0 ? target === 0 : target === rows.length - 1;
    focus(row.id, atEdge ? (delta < 0 ? 'down' : 'up') : delta < 0 ? 'up' : 'down');
  };

  return (
    <div
      ref={container}
      class="pf-array"
      id={props.ids.control}
      role="group"
      tabIndex={-1}
      aria-labelledby={props.ids.label}
      aria-describedby={props.describedBy}
      aria-invalid={props.invalid || undefined}
    >
      <Show when={rows.length > 0} fallback={<p class="pf-array__empty">No items yet.</p>}>
        <ol class="pf-array__list">
          <For each={rows}>
            {(row, index) => {
              const n = () => index() + 1;
              const errors = () => rowErrors(index());
              const errorId = `${props.ids.control}-item-${row.id}-error`;
              return (
                <li class="pf-array__row" classList={{ 'pf-array__row--invalid': errors().length > 0 }} data-row={row.id}>
                  <span class="pf-array__index" aria-hidden="true">
                    {n()}.
                  </span>
                  <ItemInput
                    type={itemType}
                    value={row.value}
                    label={`${props.field.label}, item ${n()}`}
                    placeholder={props.field.placeholder}
                    invalid={errors().length > 0}
                    describedBy={describedBy(errors().length > 0 && errorId)}
                    onInput={(value, badInput) => setRow(index(), value, badInput)}
                  />
                  <div class="pf-array__actions">
                    <button
                      type="button"
                      class="pf-icon-button"
                      data-part="up"
                      aria-label={`Move item ${n()} up`}
                      title="Move up"
                      disabled={index() === 0}
                      onClick={() => move(index(), -1)}
                    >
                      <span aria-hidden="true">↑</span>
                    </button>
                    <button
                      type="button"
                      class="pf-icon-button"
                      data-part="down"
                      aria-label={`Move item ${n()} down`}
                      title="Move down"
                      disabled={index() === rows.length - 1}
                      onClick={() => move(index(), 1)}
                    >
                      <span aria-hidden="true">↓</span>
                    </button>
                    <button
                      type="button"
                      class="pf-icon-button pf-icon-button--danger"
                      data-part="remove"
                      aria-label={`Remove item ${n()}`}
                      title="Remove"
                      onClick={() => remove(index())}
                    >
                      <span aria-hidden="true">×</span>
                    </button>
                  </div>
                  <Show when={errors().length > 0}>
                    <div class="pf-field__error pf-array__error" id={errorId}>
                      <For each={errors()}>{(message) => <ErrorLine message={message} />}</For>
                    </div>
                  </Show>
                </li>
              );
            }}
          </For>
        </ol>
      </Show>
      <button type="button" class="pf-button pf-button--secondary pf-button--small" data-part="add" onClick={add}>
        <span aria-hidden="true">+ </span>Add item
      </button>
    </div>
  );
}
