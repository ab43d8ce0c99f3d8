import { render } from '@solidjs/testing-library';
import { createSignal } from 'solid-js';
import { describe, expect, it } from 'vitest';
import { ConfigForm } from '../../web/src/form/index.ts';
import type { ServerFieldError } from '../../web/src/form/types.ts';
import type { FieldSpec } from '../../plugins/sdk/index.ts';
import { fieldOf, fireEvent, renderForm, screen, type, within } from './helpers.tsx';

const urls: FieldSpec = { key: 'hooks', label: 'Hooks', type: 'ARRAY', itemType: 'URL' };
const items = (container: HTMLElement, key = 'hooks') =>
  within(fieldOf(container, key)).queryAllByRole('listitem').map((li) => li.querySelector('input')!);

describe('ARRAY editor', () => {
  it('is a group named by the field, with inputs of the item type', () => {
    const { container } = renderForm({ fields: [urls], mode: 'edit', values: { hooks: ['https://a.test', 'https://b.test'] } });
    const group = screen.getByRole('group', { name: 'Hooks' });
    expect(group).toBeTruthy();
    const inputs = items(container);
    expect(inputs.map((i) => i.value)).toEqual(['https://a.test', 'https://b.test']);
    expect(inputs.every((i) => i.type === 'url')).toBe(true);
    expect(screen.getByLabelText('Hooks, item 2')).toBe(inputs[1]);
  });

  it('adds an empty item and puts the caret in it; blank items are not values', () => {
    const { container, lastChange } = renderForm({ fields: [urls] });
    expect(screen.getByText('No items yet.')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: /Add item/ }));
    const [first] = items(container);
    expect(document.activeElement).toBe(first);
    expect(lastChange()?.values).not.toHaveProperty('hooks');
    type(first!, 'https://x.test');
    expect(lastChange()?.values.hooks).toEqual(['https://x.test']);
  });

  it('removes an item and moves focus to the one that took its place', () => {
    const { container, lastChange } = renderForm({ fields: [urls], mode: 'edit', values: { hooks: ['a', 'b', 'c'] } });
    fireEvent.click(screen.getByRole('button', { name: 'Remove item 2' }));
    expect(items(container).map((i) => i.value)).toEqual(['a', 'c']);
    expect(lastChange()?.values.hooks).toEqual(['a', 'c']);
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Remove item 2' }));
    fireEvent.click(screen.getByRole('button', { name: 'Remove item 2' }));
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Remove item 1' }));
    fireEvent.click(screen.getByRole('button', { name: 'Remove item 1' }));
    expect(lastChange()?.values).not.toHaveProperty('hooks');
    expect(document.activeElement).toBe(screen.getByRole('button', { name: /Add item/ }));
  });

  it('reorders items up and down, keeping the moved DOM node and focus', () => {
    const { container, lastChange } = renderForm({ fields: [urls], mode: 'edit', values: { hooks: ['a', 'b', 'c'] } });
    const cNode = items(container)[2];
    fireEvent.click(screen.getByRole('button', { name: 'Move item 3 up' }));
    expect(lastChange()?.values.hooks).toEqual(['a', 'c', 'b']);
    expect(items(container)[1]).toBe(cNode); // same input element: what was typed in it stays
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Move item 2 up' }));
    fireEvent.click(screen.getByRole('button', { name: 'Move item 2 up' }));
    expect(lastChange()?.values.hooks).toEqual(['c', 'a', 'b']);
    // At the top, Up is disabled, so focus goes to Down on the same row.
    expect((screen.getByRole('button', { name: 'Move item 1 up' }) as HTMLButtonElement).disabled).toBe(true);
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Move item 1 down' }));
    fireEvent.click(screen.getByRole('button', { name: 'Move item 1 down' }));
    expect(lastChange()?.values.hooks).toEqual(['a', 'c', 'b']);
    expect((screen.getByRole('button', { name: 'Move item 3 down' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('INTEGER items are numbers; a non-number item is an input error', () => {
    const { container, lastChange } = renderForm({
      fields: [{ key: 'codes', label: 'Codes', type: 'ARRAY', itemType: 'INTEGER' }],
      mode: 'edit',
      values: { codes: [500, 502] },
    });
    const inputs = items(container, 'codes');
    expect(inputs.every((i) => i.type === 'number' && i.step === '1')).toBe(true);
    type(inputs[1]!, '503');
    expect(lastChange()?.values.codes).toEqual([500, 503]);
    // What a browser reports for text a number input cannot read: '' with badInput set.
    Object.defineProperty(inputs[0]!, 'validity', { value: { badInput: true } });
    type(inputs[0]!, '');
    expect(within(fieldOf(container, 'codes')).getByText('Item 1: Enter a number.')).toBeTruthy();
  });

  it('BOOLEAN items are checkboxes emitting booleans', () => {
    const { lastChange } = renderForm({ fields: [{ key: 'flags', label: 'Flags', type: 'ARRAY', itemType: 'BOOLEAN' }] });
    fireEvent.click(screen.getByRole('button', { name: /Add item/ }));
    fireEvent.click(screen.getByRole('button', { name: /Add item/ }));
    expect(lastChange()?.values.flags).toEqual([false, false]);
    fireEvent.click(screen.getByRole('checkbox', { name: 'Flags, item 2' }));
    expect(lastChange()?.values.flags).toEqual([false, true]);
  });

  it('an item error from the validator (key[index]) sits by its row, on its input, which gets the focus', () => {
    const { container, submit } = renderForm({
      fields: [{ ...urls, itemType: 'EMAIL' }],
      mode: 'edit',
      values: { hooks: ['ok@example.com', 'nope'] },
    });
    submit();
    const group = screen.getByRole('group', { name: 'Hooks' });
    expect(group.getAttribute('aria-invalid')).toBe('true');
    const [first, second] = items(container);
    expect(first!.hasAttribute('aria-invalid')).toBe(false);
    expect(second!.getAttribute('aria-invalid')).toBe('true');
    // The message is inside the second row and is what its input's aria-describedby names.
    const row = second!.closest('li')!;
    const message = within(row).getByText(/item 2/i);
    expect(second!.getAttribute('aria-describedby')).toBe(message.closest('[id]')!.id);
    // Not repeated under the list, away from the row.
    expect(fieldOf(container, 'hooks').querySelector(':scope > .pf-field__error-slot > .pf-field__error')).toBeNull();
    expect(document.activeElement).toBe(second);
  });

  it('an item error follows its item past blank rows, and leaves the row when fixed', () => {
    const { container, submit } = renderForm({ fields: [{ ...urls, itemType: 'EMAIL' }], mode: 'edit', values: { hooks: ['nope'] } });
    fireEvent.click(screen.getByRole('button', { name: /Add item/ }));
    fireEvent.click(screen.getByRole('button', { name: 'Move item 2 up' })); // a blank row first, then "nope"
    submit();
    const [blank, bad] = items(container);
    expect(blank!.hasAttribute('aria-invalid')).toBe(false);
    expect(bad!.getAttribute('aria-invalid')).toBe('true');
    type(bad!, 'fine@example.com');
    expect(bad!.hasAttribute('aria-invalid')).toBe(false);
    expect(within(fieldOf(container, 'hooks')).queryByText(/item 1/i)).toBeNull();
  });

  it('server errors on items land by their rows too', () => {
    const [errors, setErrors] = createSignal<ServerFieldError[]>([]);
    const { container } = render(() => (
      <ConfigForm fields={[urls]} mode="edit" values={{ hooks: ['https://a.test', 'https://b.test'] }} serverErrors={errors()} />
    ));
    setErrors([{ field: 'hooks[1]', message: 'Hooks item 2 does not answer' }]);
    const [, second] = items(container);
    expect(second!.getAttribute('aria-invalid')).toBe('true');
    expect(within(second!.closest('li')!).getByText('Hooks item 2 does not answer')).toBeTruthy();
    expect(document.activeElement).toBe(second);
  });
});
