/**
 * Native input attributes per text-like field type, shared by the single-value inputs and
 * the ARRAY editor's item inputs so both behave the same on phones and in password managers.
 */
import { FieldType } from '../../sdk.ts';

export interface TextInputAttrs {
  type: 'text' | 'url' | 'email' | 'tel' | 'number';
  inputmode?: 'text' | 'url' | 'email' | 'tel' | 'numeric' | 'decimal';
  /**
   * Always "off": these are a plugin's settings (a sender address, a webhook URL, a business
   * phone), not the admin's own contact data, which is what browsers would autofill.
   */
  autocomplete: 'off';
  spellcheck?: boolean;
  autocapitalize?: 'off';
  step?: string;
}

export function textInputAttrs(type: string): TextInputAttrs {
  switch (type) {
    case FieldType.URL:
      return { type: 'url', inputmode: 'url', autocomplete: 'off', spellcheck: false, autocapitalize: 'off' };
    case FieldType.EMAIL:
      return { type: 'email', inputmode: 'email', autocomplete: 'off', spellcheck: false, autocapitalize: 'off' };
    case FieldType.PHONE:
      return { type: 'tel', inputmode: 'tel', autocomplete: 'off', spellcheck: false };
    case FieldType.INTEGER:
      // `numeric` brings up a digits keypad; step 1 makes the arrows move whole numbers.
      return { type: 'number', inputmode: 'numeric', autocomplete: 'off', step: '1' };
    case FieldType.FLOAT:
      // `any`: the browser must not flag 0.15 as "not a valid value" for a step of 1.
      return { type: 'number', inputmode: 'decimal', autocomplete: 'off', step: 'any' };
    default:
      return { type: 'text', autocomplete: 'off' };
  }
}

/**
 * The field's placeholder while the control has no value, none once it has one (it is not
 * shown then either). While an input has a placeholder, Chromium restyles it on every key
 * press, shown or not: in a long form that is a style pass per key that nothing needs.
 */
export function placeholderWhileEmpty(placeholder: string | null | undefined, value: unknown): string | undefined {
  return value === undefined || value === '' ? (placeholder ?? undefined) : undefined;
}
