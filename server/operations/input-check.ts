/**
 * Checks of an operation's input. Each problem becomes a field error naming the field and
 * the rule; the messages never quote the value (it may be a password or personal data).
 */
import type { FieldError } from '../../plugins/sdk/index.ts';
import { ValidationError } from '../instances/errors.ts';

const ISO_CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

export class InputCheck {
  readonly errors: FieldError[] = [];

  fail(field: string, rule: string, message: string): void {
    this.errors.push({ field, rule, message });
  }

  /** A string: required ones may not be blank; `max` counts characters. */
  string(field: string, value: unknown, options: { required?: boolean; max: number; pattern?: RegExp; patternHint?: string }): string | undefined {
    if (value === undefined || value === null) {
      if (options.required) this.fail(field, 'required', `${field} is required`);
      return undefined;
    }
    if (typeof value !== 'string') {
      this.fail(field, 'type', `${field} must be a string`);
      return undefined;
    }
    if (options.required && value.trim() === '') {
      this.fail(field, 'required', `${field} must not be empty`);
      return undefined;
    }
    if (value.length > options.max) {
      this.fail(field, 'maxLength', `${field} must be at most ${options.max} characters`);
      return undefined;
    }
    if (options.pattern && !options.pattern.test(value)) {
      this.fail(field, 'pattern', `${field} ${options.patternHint ?? 'has an invalid format'}`);
      return undefined;
    }
    return value;
  }

  integer(field: string, value: unknown, options: { required?: boolean; min: number; max: number }): number | undefined {
    if (value === undefined || value === null) {
      if (options.required) this.fail(field, 'required', `${field} is required`);
      return undefined;
    }
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
      this.fail(field, 'type', `${field} must be a whole number`);
      return undefined;
    }
    if (value < options.min || value > options.max) {
      this.fail(field, 'range', `${field} must be from ${options.min} to ${options.max}`);
      return undefined;
    }
    return value;
  }

  /** A JSON object of at most `maxBytes` serialised. */
  object(field: string, value: unknown, options: { required?: boolean; maxBytes: number }): Record<string, unknown> | undefined {
    if (value === undefined || value === null) {
      if (options.required) this.fail(field, 'required', `${field} is required`);
      return undefined;
    }
    if (typeof value !== 'object' || Array.isArray(value)) {
      this.fail(field, 'type', `${field} must be a JSON object`);
      return undefined;
    }
    if (Buffer.byteLength(JSON.stringify(value)) > options.maxBytes) {
      this.fail(field, 'maxSize', `${field} must be at most ${options.maxBytes} bytes as JSON`);
      return undefined;
    }
    return value as Record<string, unknown>;
  }

  /** An ISO 4217 code, returned upper-case. */
  currency(field: string, value: unknown, options: { required?: boolean } = {}): string | undefined {
    const code = this.string(field, value, { required: options.required ?? false, max: 3 });
    if (code === undefined) return undefined;
    const upper = code.toUpperCase();
    if (!ISO_CURRENCIES.has(upper)) {
      this.fail(field, 'currency', `${field} must be an ISO 4217 currency code (EUR, USD, JPY …)`);
      return undefined;
    }
    return upper;
  }

  /** Throws a ValidationError naming every problem found so far. */
  done(): void {
    if (this.errors.length > 0) throw new ValidationError(this.errors, `Invalid input: ${this.errors.map((e) => e.message).join('; ')}`);
  }
}

/** How many decimals the currency's minor unit has (EUR 2, JPY 0, KWD 3). */
export function minorUnitDigits(currency: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

export function toMajorUnits(amountMinor: number, currency: string): number {
  const digits = minorUnitDigits(currency);
  return Number((amountMinor / 10 ** digits).toFixed(digits));
}

export function toMinorUnits(amountMajor: number, currency: string): number {
  return Math.round(amountMajor * 10 ** minorUnitDigits(currency));
}
