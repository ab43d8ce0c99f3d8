/**
 * Issue 15, points 4, 5 and 7 in the form renderer: nothing moves under a click, errors by
 * their place (slot, summary), visible help, JSON shape status, the secret reveal toggle
 * and field widths.
 */
import { waitFor } from '@solidjs/testing-library';
import { describe, expect, it } from 'vitest';
import type { FieldSpec } from '../../plugins/sdk/index.ts';
import { fieldOf, fireEvent, leave, renderForm, screen, type, within } from './helpers.tsx';

const mouse = { pointerType: 'mouse', button: 0 } as const;
const phone: FieldSpec = { key: 'phone', label: 'Phone', type: 'PHONE', required: true, pattern: '^\\+\\d{7,15}$' };
const tags: FieldSpec = { key: 'tags', label: 'Tags', type: 'ARRAY' };
const shownError = (container: HTMLElement, key: string) =>
  fieldOf(container, key).querySelector('.pf-field__error')?.textContent ?? null;

describe('errors reserved in layout (lost clicks)', () => {
  it('every field has its error slot before any error, and the message appears inside it', () => {
    const { container } = renderForm({ fields: [phone, tags] });
    const slot = fieldOf(container, 'phone').querySelector('.pf-field__error-slot');
    expect(slot).not.toBeNull();
    expect(fieldOf(container, 'tags').querySelector('.pf-field__error-slot')).not.toBeNull();
    const childrenBefore = fieldOf(container, 'phone').children.length;
    const input = screen.getByLabelText(/^Phone/);
    type(input, '12');
    leave(input);
    expect(slot!.textContent).toMatch(/^Phone must be/);
    expect(fieldOf(container, 'phone').children.length).toBe(childrenBefore); // nothing inserted around the control
  });

  it('an error caused by a mouse-down elsewhere waits until that click is done, so the click lands', async () => {
    const { container } = renderForm({ fields: [phone, tags] });
    const input = screen.getByLabelText(/^Phone/);
    type(input, '12');
    input.focus();
    const add = screen.getByRole('button', { name: /Add item/ });
    fireEvent.pointerDown(add, mouse);
    input.blur(); // the browser moves focus away on mouse-down
    expect(shownError(container, 'phone')).toBeNull(); // nothing has moved under the pointer yet
    fireEvent.pointerUp(add, mouse);
    fireEvent.click(add, mouse);
    expect(screen.getByRole('textbox', { name: 'Tags, item 1' })).toBeTruthy(); // the click did its job
    await waitFor(() => expect(shownError(container, 'phone')).toMatch(/^Phone must be/));
  });

  it('leaving with the keyboard shows the error at once', () => {
    const { container } = renderForm({ fields: [phone, tags] });
    const input = screen.getByLabelText(/^Phone/);
    type(input, '12');
    leave(input);
    expect(shownError(container, 'phone')).toMatch(/^Phone must be/);
  });
});

describe('error summary after a failed save', () => {
  const fields: FieldSpec[] = [
    { key: 'name', label: 'Sender name', type: 'STRING', required: true },
    phone,
    { key: 'note', label: 'Note', type: 'STRING' },
  ];

  it('lists each invalid field as a link that focuses it, follows the fixes, and goes when all are fixed', () => {
    const { submit, onSubmit } = renderForm({ fields });
    expect(screen.queryByTestId('error-summary')).toBeNull();
    submit();
    expect(onSubmit).not.toHaveBeenCalled();
    const summary = screen.getByTestId('error-summary');
    expect(within(summary).getByRole('heading', { name: '2 fields need attention' })).toBeTruthy();
    const links = within(summary).getAllByRole('link');
    expect(links.map((a) => a.textContent)).toEqual(['Sender name', 'Phone']);
    expect(summary.textContent).toContain('Phone is required');

    fireEvent.click(within(summary).getByRole('link', { name: 'Phone' }));
    expect(document.activeElement).toBe(screen.getByLabelText(/^Phone/));

    type(screen.getByLabelText(/^Phone/), '+4915112345678');
    expect(within(screen.getByTestId('error-summary')).getAllByRole('link').map((a) => a.textContent)).toEqual(['Sender name']);
    type(screen.getByLabelText(/^Sender name/), 'Shop');
    expect(screen.queryByTestId('error-summary')).toBeNull();
  });

  it('is not shown while the user is only filling in the form', () => {
    renderForm({ fields });
    const input = screen.getByLabelText(/^Phone/);
    type(input, '12');
    leave(input);
    expect(screen.queryByTestId('error-summary')).toBeNull();
  });
});

describe('JSON status', () => {
  const rows: FieldSpec = { key: 'rows', label: 'Rows', type: 'JSON', jsonShape: 'array' };

  it('an object in an array-shaped field is never "Valid JSON", neither while typing nor beside the error', () => {
    const { container } = renderForm({ fields: [rows] });
    const area = screen.getByLabelText('Rows');
    type(area, '{"a": 1}');
    const status = () => fieldOf(container, 'rows').querySelector('.pf-json__status')!;
    expect(status().textContent).not.toContain('Valid JSON');
    expect(status().textContent).toBe('This is a JSON object; a JSON array is expected');
    expect(status().classList.contains('pf-json__status--ok')).toBe(false);
    leave(area);
    expect(shownError(container, 'rows')).toMatch(/must be a JSON array/);
    expect(status().textContent).not.toContain('Valid JSON');
    type(area, '[{"a": 1}]');
    expect(status().textContent).toBe('Valid JSON');
    expect(shownError(container, 'rows')).toBeNull();
  });
});

describe('secret reveal', () => {
  it('shows and hides what is being typed, without putting it in the markup or changing the payload', () => {
    const { container, lastChange } = renderForm({ fields: [{ key: 'apiKey', label: 'API Key', type: 'SECRET' }] });
    const input = screen.getByLabelText('API Key') as HTMLInputElement;
    type(input, 'sk-live-123456');
    expect(input.type).toBe('password');
    fireEvent.click(screen.getByRole('button', { name: 'Show API Key' }));
    expect(input.type).toBe('text');
    expect(input.value).toBe('sk-live-123456');
    expect(screen.getByRole('button', { name: 'Hide API Key' }).getAttribute('aria-controls')).toBe(input.id);
    expect(container.innerHTML).not.toContain('sk-live-123456');
    expect(lastChange()?.secrets).toEqual({ apiKey: 'sk-live-123456' });
    fireEvent.click(screen.getByRole('button', { name: 'Hide API Key' }));
    expect(input.type).toBe('password');
  });
});

describe('layout', () => {
  it('multi-line and list editors take a whole row of the two-column grid; one-line controls half', () => {
    const { container } = renderForm({
      fields: [
        { key: 's', label: 'S', type: 'STRING' },
        { key: 't', label: 'T', type: 'TEXT' },
        { key: 'j', label: 'J', type: 'JSON' },
        { key: 'a', label: 'A', type: 'ARRAY' },
        { key: 'n', label: 'N', type: 'INTEGER' },
      ],
    });
    const full = (key: string) => fieldOf(container, key).classList.contains('pf-field--full');
    expect(['s', 't', 'j', 'a', 'n'].map(full)).toEqual([false, true, true, true, false]);
  });
});
