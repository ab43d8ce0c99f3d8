import { describe, expect, it } from 'vitest';
import type { FieldSpec } from '../../plugins/sdk/index.ts';
import { fieldOf, renderForm, screen, within } from './helpers.tsx';

const fields: FieldSpec[] = [
  { key: 'mode', label: 'Sandbox', type: 'BOOLEAN', group: 'Environment', order: 2 },
  { key: 'name', label: 'Name', type: 'STRING', order: 2 },
  { key: 'phone', label: 'Phone', type: 'PHONE', group: 'Basic', order: 2, required: true },
  { key: 'token', label: 'Token', type: 'SECRET', group: 'Basic', order: 1, required: true },
  { key: 'version', label: 'Version', type: 'SELECT', group: 'Environment', order: 1, options: [{ value: 'a', label: 'A' }] },
  { key: 'notes', label: 'Notes', type: 'TEXT' },
  { key: 'id', label: 'Id', type: 'STRING', order: 1 },
  { key: 'retries', label: 'Retries', type: 'INTEGER', group: 'Advanced' },
];

const legends = (c: HTMLElement) => [...c.querySelectorAll('fieldset > legend')].map((l) => l.textContent);
const keysIn = (el: Element) => [...el.querySelectorAll('[data-field]')].map((f) => f.getAttribute('data-field'));

describe('sections and order', () => {
  it('puts ungrouped fields first, then groups in the schema order, fields by `order`', () => {
    const { container } = renderForm({ fields, groups: ['Basic', 'Environment'] });
    expect(legends(container)).toEqual(['Basic', 'Environment', 'Advanced']);
    expect(keysIn(container)).toEqual(['id', 'name', 'notes', 'token', 'phone', 'version', 'mode', 'retries']);
    const basic = screen.getByRole('group', { name: 'Basic' });
    expect(basic.tagName).toBe('FIELDSET');
    expect(keysIn(basic)).toEqual(['token', 'phone']);
  });

  it('without `groups`, groups follow their first appearance', () => {
    const { container } = renderForm({ fields });
    expect(legends(container)).toEqual(['Environment', 'Basic', 'Advanced']);
  });
});

describe('labels, required marks and help', () => {
  it('marks required fields visually and with aria-required', () => {
    const { container } = renderForm({ fields });
    const phone = screen.getByLabelText(/^Phone/);
    expect(phone.getAttribute('aria-required')).toBe('true');
    expect(within(fieldOf(container, 'phone')).getByText('*').getAttribute('aria-hidden')).toBe('true');
    expect(screen.getByLabelText('Name').hasAttribute('aria-required')).toBe(false);
    expect(fieldOf(container, 'name').querySelector('.pf-required')).toBeNull();
    expect(screen.getByText(/are required/)).toBeTruthy();
  });

  it('a select says "required" in its name, since a button cannot carry aria-required', () => {
    renderForm({ fields: [{ key: 'v', label: 'Version', type: 'SELECT', required: true, options: [{ value: 'a', label: 'A' }] }] });
    expect(screen.getByRole('button', { name: /^Version, required/ })).toBeTruthy();
  });

  it('shows placeholders', () => {
    renderForm({ fields: [{ key: 'u', label: 'Url', type: 'URL', placeholder: 'https://example.com' }] });
    expect(screen.getByPlaceholderText('https://example.com')).toBeTruthy();
  });

  it('shows short description and help text under the field, and reads them with it; no tooltip', () => {
    const { container } = renderForm({
      fields: [{ key: 'phone', label: 'Phone', type: 'PHONE', description: 'Your verified number.', helpText: 'Use +country code.' }],
    });
    const input = screen.getByLabelText('Phone');
    const hintId = input.getAttribute('aria-describedby')!.split(' ')[0]!;
    const hint = document.getElementById(hintId)!;
    expect(hint.textContent).toBe('Your verified number.Use +country code.');
    expect(fieldOf(container, 'phone').contains(hint)).toBe(true);
    expect(hint.classList.contains('pf-sr-only')).toBe(false); // on screen, not only for screen readers
    expect(screen.queryByRole('button', { name: /about Phone/ })).toBeNull(); // no extra tab stop
  });

  it('shows long help too, clamped to two lines, with a More/Less button that opens it in place', () => {
    const long = `Meta shows this number in WhatsApp Manager under Phone numbers. ${'It must be the one registered for the app. '.repeat(4)}`.trim();
    const { container } = renderForm({ fields: [{ key: 'phone', label: 'Phone', type: 'PHONE', description: 'Your verified number.', helpText: long }] });
    const input = screen.getByLabelText('Phone');
    const hint = document.getElementById(input.getAttribute('aria-describedby')!.split(' ')[0]!)!;
    // Screen readers get all of it with the field, and nothing of the button.
    expect(hint.textContent).toBe(`Your verified number.${long}`);
    const paragraph = within(hint).getByText(long);
    expect(paragraph.classList.contains('pf-sr-only')).toBe(false); // on screen
    expect(paragraph.classList.contains('pf-field__help--clamped')).toBe(true);
    expect(within(hint).getByText('Your verified number.').classList.contains('pf-field__help--clamped')).toBe(false);
    expect(screen.queryByRole('tooltip')).toBeNull();

    const more = within(fieldOf(container, 'phone')).getByRole('button', { name: 'More about Phone' });
    expect(more.getAttribute('aria-expanded')).toBe('false');
    expect(more.getAttribute('aria-controls')).toBe(paragraph.id);
    more.click(); // a <button>: Enter and Space click it too
    expect(more.getAttribute('aria-expanded')).toBe('true');
    expect(more.textContent).toBe('Less about Phone');
    expect(paragraph.classList.contains('pf-field__help--clamped')).toBe(false);
    more.click();
    expect(paragraph.classList.contains('pf-field__help--clamped')).toBe(true);
    expect(more.getAttribute('type')).toBe('button'); // never submits the form
  });

  it('states constraints before the user errs, from the rules the validator checks', () => {
    const { container } = renderForm({
      fields: [
        { key: 'token', label: 'Token', type: 'STRING', minLength: 8, maxLength: 64 },
        { key: 'retries', label: 'Retries', type: 'INTEGER', minValue: 0, maxValue: 5, validationRules: [{ type: 'max', value: 3 }] },
        { key: 'ratio', label: 'Ratio', type: 'FLOAT', minValue: 0 },
        { key: 'tags', label: 'Tags', type: 'ARRAY', maxLength: 3 },
        { key: 'rows', label: 'Rows', type: 'JSON', jsonShape: 'array' },
        { key: 'mode', label: 'Mode', type: 'STRING', validationRules: [{ type: 'enum', value: ['fast', 'safe'] }] },
        { key: 'id', label: 'Id', type: 'STRING', pattern: '^\\d+$', validationRules: [{ type: 'pattern', value: '^\\d{10}$', message: 'Ten digits.' }] },
      ],
    });
    const hintOf = (key: string) => fieldOf(container, key).querySelector('.pf-field__constraints')?.textContent;
    expect(hintOf('token')).toBe('8–64 characters');
    expect(hintOf('retries')).toBe('Whole number from 0 to 3'); // the tighter of maxValue 5 and the rule's 3
    expect(hintOf('ratio')).toBe('Number, at least 0');
    expect(hintOf('tags')).toBe('At most 3 items');
    expect(hintOf('rows')).toBe('A JSON array');
    expect(hintOf('mode')).toBe('One of: fast, safe');
    // A rule's own words over its regex; " · " is what is seen, "; " what is read.
    expect(hintOf('id')).toBe('Matches ^\\d+$ · ; Ten digits.');
    // Nothing has been typed, so nothing is an error yet.
    expect(container.querySelector('.pf-field__error')).toBeNull();
  });

  it('renders no help button for a field without description or help', () => {
    renderForm({ fields: [{ key: 'n', label: 'Name', type: 'STRING' }] });
    expect(screen.queryByRole('button', { name: /about Name/ })).toBeNull();
    expect(screen.getByLabelText('Name').hasAttribute('aria-describedby')).toBe(false);
  });
});

describe('every field type', () => {
  it('renders one control per field type', () => {
    const all: FieldSpec[] = [
      { key: 's', label: 'S', type: 'STRING' },
      { key: 't', label: 'T', type: 'TEXT' },
      { key: 'i', label: 'I', type: 'INTEGER' },
      { key: 'f', label: 'F', type: 'FLOAT' },
      { key: 'b', label: 'B', type: 'BOOLEAN' },
      { key: 'sel', label: 'Sel', type: 'SELECT', options: [{ value: 'x', label: 'X' }] },
      { key: 'ms', label: 'Ms', type: 'MULTI_SELECT', options: [{ value: 'x', label: 'X' }] },
      { key: 'sec', label: 'Sec', type: 'SECRET' },
      { key: 'u', label: 'U', type: 'URL' },
      { key: 'e', label: 'E', type: 'EMAIL' },
      { key: 'p', label: 'P', type: 'PHONE' },
      { key: 'j', label: 'J', type: 'JSON' },
      { key: 'a', label: 'A', type: 'ARRAY' },
    ];
    renderForm({ fields: all });
    const control = (label: string) => screen.getByLabelText(label) as HTMLInputElement;
    expect(control('S').type).toBe('text');
    expect(control('T').tagName).toBe('TEXTAREA');
    expect(control('I').type).toBe('number');
    expect(control('F').type).toBe('number');
    expect(screen.getByRole('switch', { name: 'B' })).toBeTruthy();
    expect(screen.getByRole('button', { name: /^Sel/ }).getAttribute('aria-haspopup')).toBe('listbox');
    expect(screen.getByRole('button', { name: /^Ms/ }).getAttribute('aria-haspopup')).toBe('listbox');
    expect(control('Sec').type).toBe('password');
    expect(control('U').type).toBe('url');
    expect(control('E').type).toBe('email');
    expect(control('P').type).toBe('tel');
    expect(control('J').tagName).toBe('TEXTAREA');
    expect(screen.getByRole('group', { name: 'A' })).toBeTruthy();
  });
});
