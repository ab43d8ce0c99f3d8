import { describe, expect, it } from 'vitest';
import type { FieldSpec } from '../../plugins/sdk/index.ts';
import { choose, fieldOf, fireEvent, press, renderForm, screen, type, within } from './helpers.tsx';

const field = (spec: Partial<FieldSpec> & Pick<FieldSpec, 'key' | 'type'>): FieldSpec => ({ label: spec.key, ...spec });

describe('text-like widgets', () => {
  it.each([
    ['STRING', 'text', null],
    ['URL', 'url', 'url'],
    ['EMAIL', 'email', 'email'],
    ['PHONE', 'tel', 'tel'],
  ] as const)('%s renders <input type=%s> with inputmode %s and emits strings', (fieldType, inputType, inputMode) => {
    const { lastChange } = renderForm({
      fields: [field({ key: 'f', label: 'The field', type: fieldType, placeholder: 'Type here' })],
    });
    const input = screen.getByLabelText('The field') as HTMLInputElement;
    expect(input.tagName).toBe('INPUT');
    expect(input.type).toBe(inputType);
    expect(input.getAttribute('inputmode')).toBe(inputMode);
    // Plugin settings are not the admin's own contact data: browsers must not autofill them.
    expect(input.getAttribute('autocomplete')).toBe('off');
    expect(input.placeholder).toBe('Type here');
    type(input, 'hello');
    expect(lastChange()?.values).toEqual({ f: 'hello' });
    type(input, '');
    expect(lastChange()?.values).toEqual({});
  });

  it.each([
    ['STRING', 'input'],
    ['TEXT', 'textarea'],
    ['INTEGER', 'input'],
  ] as const)('%s: the placeholder is there while the %s is empty, and only then', (fieldType, tag) => {
    // Chromium restyles a placeholder on every key press while there is one, shown or not.
    renderForm({ fields: [field({ key: 'f', label: 'The field', type: fieldType, placeholder: 'e.g. 42' })] });
    const control = screen.getByLabelText('The field') as HTMLInputElement | HTMLTextAreaElement;
    expect(control.tagName.toLowerCase()).toBe(tag);
    expect(control.getAttribute('placeholder')).toBe('e.g. 42');
    type(control, '42');
    expect(control.hasAttribute('placeholder')).toBe(false);
    type(control, '');
    expect(control.getAttribute('placeholder')).toBe('e.g. 42');
  });

  it('a field that starts with a value has no placeholder until it is emptied', () => {
    renderForm({ fields: [field({ key: 'f', label: 'The field', type: 'STRING', placeholder: 'Type here' })], values: { f: 'set' }, mode: 'edit' });
    const input = screen.getByLabelText('The field') as HTMLInputElement;
    expect(input.hasAttribute('placeholder')).toBe(false);
    type(input, '');
    expect(input.placeholder).toBe('Type here');
  });

  it('TEXT renders a textarea', () => {
    const { lastChange } = renderForm({ fields: [field({ key: 'body', label: 'Body', type: 'TEXT' })] });
    const area = screen.getByLabelText('Body');
    expect(area.tagName).toBe('TEXTAREA');
    type(area, 'line 1\nline 2');
    expect(lastChange()?.values).toEqual({ body: 'line 1\nline 2' });
  });
});

describe('number widgets', () => {
  it('INTEGER: number input, step 1, numeric keypad, bounds, emits numbers', () => {
    const { lastChange } = renderForm({
      fields: [field({ key: 'n', label: 'Count', type: 'INTEGER', minValue: 1, maxValue: 10 })],
    });
    const input = screen.getByLabelText('Count') as HTMLInputElement;
    expect(input.type).toBe('number');
    expect(input.step).toBe('1');
    expect(input.min).toBe('1');
    expect(input.max).toBe('10');
    expect(input.getAttribute('inputmode')).toBe('numeric');
    type(input, '7');
    expect(lastChange()?.values.n).toBe(7);
    type(input, '');
    expect(lastChange()?.values).not.toHaveProperty('n');
  });

  it('FLOAT: step any, decimal keypad, emits fractional numbers', () => {
    const { lastChange } = renderForm({ fields: [field({ key: 'x', label: 'Ratio', type: 'FLOAT' })] });
    const input = screen.getByLabelText('Ratio') as HTMLInputElement;
    expect(input.step).toBe('any');
    expect(input.getAttribute('inputmode')).toBe('decimal');
    type(input, '0.25');
    expect(lastChange()?.values.x).toBe(0.25);
  });

  it('prefills a default on create and the stored value on edit', () => {
    const fields = [field({ key: 'n', label: 'Count', type: 'INTEGER', default: 5 })];
    const { unmount } = renderForm({ fields });
    expect((screen.getByLabelText('Count') as HTMLInputElement).value).toBe('5');
    unmount();
    renderForm({ fields, mode: 'edit', values: { n: 9 } });
    expect((screen.getByLabelText('Count') as HTMLInputElement).value).toBe('9');
  });

  it('does not prefill defaults in edit mode', () => {
    renderForm({ fields: [field({ key: 'n', label: 'Count', type: 'INTEGER', default: 5 })], mode: 'edit', values: {} });
    expect((screen.getByLabelText('Count') as HTMLInputElement).value).toBe('');
  });
});

describe('BOOLEAN', () => {
  it('is a Kobalte switch (role=switch) labelled by the field, emitting booleans', () => {
    const { lastChange } = renderForm({ fields: [field({ key: 'on', label: 'Sandbox Mode', type: 'BOOLEAN' })] });
    const sw = screen.getByRole('switch', { name: 'Sandbox Mode' }) as HTMLInputElement;
    expect(sw.checked).toBe(false);
    fireEvent.click(sw);
    expect(sw.checked).toBe(true);
    expect(lastChange()?.values.on).toBe(true);
    fireEvent.click(sw);
    expect(lastChange()?.values.on).toBe(false);
  });

  it('clicking the label toggles it too', () => {
    const { lastChange } = renderForm({
      fields: [field({ key: 'on', label: 'Sandbox Mode', type: 'BOOLEAN', default: true })],
    });
    expect((screen.getByRole('switch') as HTMLInputElement).checked).toBe(true);
    fireEvent.click(screen.getByText('Sandbox Mode'));
    expect(lastChange()?.values.on).toBe(false);
  });
});

describe('SELECT', () => {
  const options = [
    { value: 'v18.0', label: 'v18.0 (Latest)', description: 'Recommended' },
    { value: 'v17.0', label: 'v17.0' },
  ];

  it('is a Kobalte select: a button naming the field and the choice, a listbox of options', async () => {
    const { lastChange } = renderForm({ fields: [field({ key: 'ver', label: 'API Version', type: 'SELECT', options })] });
    const trigger = screen.getByRole('button', { name: /^API Version/ });
    expect(trigger.getAttribute('aria-haspopup')).toBe('listbox');
    await choose(trigger, 'v17.0');
    expect(lastChange()?.values.ver).toBe('v17.0');
    expect(screen.getByRole('button', { name: 'API Version v17.0' })).toBe(trigger);
  });

  it('works from the keyboard', async () => {
    const { lastChange } = renderForm({
      fields: [field({ key: 'ver', label: 'API Version', type: 'SELECT', options, default: 'v18.0' })],
    });
    const trigger = screen.getByRole('button', { name: /^API Version/ });
    expect(trigger.textContent).toContain('v18.0 (Latest)');
    trigger.focus();
    fireEvent.keyDown(trigger, { key: 'ArrowDown' });
    await screen.findByRole('listbox');
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowDown' });
    fireEvent.keyDown(document.activeElement!, { key: 'Enter' });
    expect(lastChange()?.values.ver).toBe('v17.0');
  });

  it('shows option descriptions and a Clear button only for an optional field with a value', async () => {
    const { lastChange } = renderForm({ fields: [field({ key: 'ver', label: 'API Version', type: 'SELECT', options })] });
    expect(screen.queryByRole('button', { name: 'Clear API Version' })).toBeNull();
    const trigger = screen.getByRole('button', { name: /^API Version/ });
    press(trigger);
    expect(await screen.findByText('Recommended')).toBeTruthy();
    press(screen.getByRole('option', { name: /^v18/ }));
    press(screen.getByRole('button', { name: 'Clear API Version' }));
    expect(lastChange()?.values).toEqual({});
  });
});

describe('MULTI_SELECT', () => {
  const options = [
    { value: 'sent', label: 'Sent' },
    { value: 'delivered', label: 'Delivered' },
    { value: 'read', label: 'Read' },
  ];

  it('is a multi-selectable listbox and emits arrays in option order', async () => {
    const { lastChange } = renderForm({
      fields: [field({ key: 'ev', label: 'Events', type: 'MULTI_SELECT', options })],
    });
    const trigger = screen.getByRole('button', { name: /^Events/ });
    await choose(trigger, 'Read', 'Sent');
    expect(screen.getByRole('listbox').getAttribute('aria-multiselectable')).toBe('true');
    expect(lastChange()?.values.ev).toEqual(['sent', 'read']);
    // The picks are chips (in option order), the trigger says how many.
    expect(trigger.textContent).toContain('2 selected');
    const chips = screen.getByRole('list', { name: 'Events: chosen' });
    expect(within(chips).getAllByRole('listitem').map((li) => li.firstChild?.textContent)).toEqual(['Sent', 'Read']);
    // Toggling an option off removes it; removing all leaves no value.
    press(screen.getByRole('option', { name: 'Sent' }));
    press(screen.getByRole('option', { name: 'Read' }));
    expect(lastChange()?.values).not.toHaveProperty('ev');
  });

  it('shows the stored selection on edit', () => {
    renderForm({
      fields: [field({ key: 'ev', label: 'Events', type: 'MULTI_SELECT', options })],
      mode: 'edit',
      values: { ev: ['delivered', 'read'] },
    });
    expect(screen.getByRole('button', { name: /^Events/ }).textContent).toContain('2 selected');
    const chips = screen.getByRole('list', { name: 'Events: chosen' });
    expect(within(chips).getAllByRole('listitem').map((li) => li.firstChild?.textContent)).toEqual(['Delivered', 'Read']);
  });

  it('a chip’s remove button drops that pick and keeps the focus on the chips', () => {
    const { lastChange } = renderForm({
      fields: [field({ key: 'ev', label: 'Events', type: 'MULTI_SELECT', options })],
      mode: 'edit',
      values: { ev: ['sent', 'delivered', 'read'] },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Remove Delivered from Events' }));
    expect(lastChange()?.values.ev).toEqual(['sent', 'read']);
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Remove Read from Events' }));
    fireEvent.click(screen.getByRole('button', { name: 'Remove Read from Events' }));
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Remove Sent from Events' }));
    fireEvent.click(screen.getByRole('button', { name: 'Remove Sent from Events' }));
    expect(lastChange()?.values).not.toHaveProperty('ev');
    expect(screen.queryByRole('list', { name: 'Events: chosen' })).toBeNull();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: /^Events/ }));
  });
});

describe('JSON', () => {
  it('is a textarea prefilled with pretty JSON that emits parsed values', () => {
    const { lastChange } = renderForm({
      fields: [field({ key: 'h', label: 'Headers', type: 'JSON', default: { a: 1 } })],
    });
    const area = screen.getByLabelText('Headers') as HTMLTextAreaElement;
    expect(area.tagName).toBe('TEXTAREA');
    expect(area.value).toBe('{\n  "a": 1\n}');
    type(area, '{"b": [1, true, null]}');
    expect(lastChange()?.values.h).toEqual({ b: [1, true, null] });
  });

  it('shows a parse error at once, linked to the editor, and blocks submit', () => {
    const { container, onSubmit, submit } = renderForm({ fields: [field({ key: 'h', label: 'Headers', type: 'JSON' })] });
    const area = screen.getByLabelText('Headers');
    type(area, '{"a": 1,}');
    const error = within(fieldOf(container, 'h')).getByText(/Invalid JSON at line 1, column 9/);
    expect(area.getAttribute('aria-invalid')).toBe('true');
    expect(area.getAttribute('aria-describedby')).toContain(error.closest('[id]')!.id);
    submit();
    expect(onSubmit).not.toHaveBeenCalled();
    expect(document.activeElement).toBe(area);
    type(area, '{"a": 1}');
    expect(within(fieldOf(container, 'h')).queryByText(/Invalid JSON/)).toBeNull();
    expect(area.hasAttribute('aria-invalid')).toBe(false);
  });

  it('Format pretty-prints valid JSON', () => {
    renderForm({ fields: [field({ key: 'h', label: 'Headers', type: 'JSON' })] });
    const area = screen.getByLabelText('Headers') as HTMLTextAreaElement;
    const format = screen.getByRole('button', { name: 'Format' });
    expect((format as HTMLButtonElement).disabled).toBe(true);
    type(area, '{"a":{"b":2}}');
    fireEvent.click(format);
    expect(area.value).toBe('{\n  "a": {\n    "b": 2\n  }\n}');
  });
});

describe('lazy widgets: a stand-in until first use, then the Kobalte widget on the same elements', () => {
  const options = [
    { value: 'v18.0', label: 'v18.0 (Latest)' },
    { value: 'v17.0', label: 'v17.0' },
  ];
  const selectForm = () =>
    renderForm({ fields: [field({ key: 'ver', label: 'API Version', type: 'SELECT', options, default: 'v18.0' })] });
  /** What assistive technology and the tests read off a control. */
  const accessible = (el: HTMLElement) => ({
    tag: el.tagName,
    id: el.id,
    type: el.getAttribute('type'),
    role: el.getAttribute('role'),
    labelledBy: el.getAttribute('aria-labelledby'),
    describedBy: el.getAttribute('aria-describedby'),
    popup: el.getAttribute('aria-haspopup'),
    expanded: el.getAttribute('aria-expanded'),
    checked: el.getAttribute('aria-checked'),
    text: el.textContent,
    tabIndex: el.tabIndex,
  });
  // Kobalte's root carries its own generated id; the stand-in's has none.
  const upgraded = (control: HTMLElement) => control.closest('[role="group"]')!.id !== '';

  it('a select starts as a stand-in with the same role, name, value and attributes the Select has', () => {
    selectForm();
    const trigger = screen.getByRole('button', { name: 'API Version v18.0 (Latest)' });
    expect(upgraded(trigger)).toBe(false);
    const before = accessible(trigger);
    fireEvent.pointerEnter(trigger);
    expect(upgraded(trigger)).toBe(true);
    expect(screen.getByRole('button', { name: 'API Version v18.0 (Latest)' })).toBe(trigger);
    expect(accessible(trigger)).toEqual(before);
  });

  it.each(['Enter', ' ', 'ArrowDown'])('a stand-in select opens on %j like the Select', async (key) => {
    const { lastChange } = selectForm();
    const trigger = screen.getByRole('button', { name: /^API Version/ });
    trigger.focus();
    expect(document.activeElement).toBe(trigger);
    fireEvent.keyDown(trigger, { key });
    const listbox = await screen.findByRole('listbox');
    expect(trigger.getAttribute('aria-expanded')).toBe('true');
    expect(trigger.getAttribute('aria-controls')).toBe(listbox.id);
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowDown' });
    fireEvent.keyDown(document.activeElement!, { key: 'Enter' });
    expect(lastChange()?.values.ver).toBe('v17.0');
    expect(screen.getByRole('button', { name: 'API Version v17.0' })).toBe(trigger);
  });

  it('a stand-in select opens on a press, and ArrowRight picks the next option without opening, as the Select does', async () => {
    const { lastChange } = selectForm();
    const trigger = screen.getByRole('button', { name: /^API Version/ });
    fireEvent.keyDown(trigger, { key: 'ArrowRight' });
    expect(lastChange()?.values.ver).toBe('v17.0');
    expect(screen.queryByRole('listbox')).toBeNull();
    press(trigger);
    expect(await screen.findByRole('listbox')).toBeTruthy();
  });

  it('a multi-select stand-in names the count and opens on a press', async () => {
    const { lastChange } = renderForm({
      fields: [field({ key: 'ev', label: 'Events', type: 'MULTI_SELECT', options })],
      mode: 'edit',
      values: { ev: ['v17.0'] },
    });
    const trigger = screen.getByRole('button', { name: 'Events 1 selected' });
    expect(upgraded(trigger)).toBe(false);
    await choose(trigger, 'v18.0');
    expect(lastChange()?.values.ev).toEqual(['v18.0', 'v17.0']);
    expect(screen.getByRole('button', { name: 'Events 2 selected' })).toBe(trigger);
  });

  it('a switch stand-in toggles by click and by its label, then keeps working as the Switch, and submits the same value', () => {
    const { lastChange, onChange, onSubmit, submit } = renderForm({ fields: [field({ key: 'on', label: 'Sandbox Mode', type: 'BOOLEAN' })] });
    const sw = screen.getByRole('switch', { name: 'Sandbox Mode' }) as HTMLInputElement;
    expect(upgraded(sw)).toBe(false);
    const before = accessible(sw);
    fireEvent.click(screen.getByText('Sandbox Mode'));
    expect(sw.checked).toBe(true);
    expect(lastChange()?.values.on).toBe(true);
    expect(upgraded(sw)).toBe(true);
    expect(screen.getByRole('switch', { name: 'Sandbox Mode' })).toBe(sw);
    expect(accessible(sw)).toEqual({ ...before, checked: 'true' });
    const changes = onChange.mock.calls.length;
    fireEvent.click(sw);
    expect(sw.checked).toBe(false);
    expect(onChange.mock.calls.length).toBe(changes + 1); // one change per click, after the upgrade too
    expect(sw.closest('.pf-switch')!.querySelector('.pf-switch__control')!.hasAttribute('data-checked')).toBe(false);
    fireEvent.click(sw);
    submit();
    expect(onSubmit).toHaveBeenCalledWith(expect.objectContaining({ values: { on: true } }));
  });

  it('a switch upgraded by focus toggles on its first click', () => {
    const { lastChange } = renderForm({ fields: [field({ key: 'on', label: 'Sandbox Mode', type: 'BOOLEAN', default: true })] });
    const sw = screen.getByRole('switch', { name: 'Sandbox Mode' }) as HTMLInputElement;
    sw.focus();
    expect(upgraded(sw)).toBe(true);
    expect(document.activeElement).toBe(sw);
    fireEvent.click(sw);
    expect(lastChange()?.values.on).toBe(false);
    expect(sw.getAttribute('aria-checked')).toBe('false');
  });
});
