/**
 * Stripe wants amounts as integers in the currency's smallest unit
 * (https://docs.stripe.com/currencies#minor-units): 12.50 EUR is 1250, but 1250 JPY is 1250
 * (zero-decimal), and 1.250 KWD is 1250 with the last digit always 0 (three-decimal).
 * A wrong factor charges a hundred times too much or too little, so amounts that do not fit
 * the currency are refused rather than rounded.
 */

const ZERO_DECIMAL = new Set(['bif', 'clp', 'djf', 'gnf', 'jpy', 'kmf', 'krw', 'mga', 'pyg', 'rwf', 'ugx', 'vnd', 'vuv', 'xaf', 'xof', 'xpf']);
const THREE_DECIMAL = new Set(['bhd', 'jod', 'kwd', 'omr', 'tnd']);
/** Zero-decimal in practice, but Stripe still expects it as two-decimal with "00" cents. */
const WHOLE_UNITS_AS_TWO_DECIMAL = new Set(['isk']);

/** How many minor units make one major unit in Stripe's API. */
export function minorUnitFactor(currency: string): number {
  const code = currency.toLowerCase();
  if (ZERO_DECIMAL.has(code)) return 1;
  if (THREE_DECIMAL.has(code)) return 1000;
  return 100;
}

export function normalizeCurrency(currency: string): string {
  if (!/^[A-Za-z]{3}$/.test(currency)) throw new Error(`Stripe: "${currency}" is not a three-letter ISO currency code`);
  return currency.toLowerCase();
}

/** 12.5 EUR → 1250; 1250 JPY → 1250; 1.25 KWD → 1250. Throws when the amount does not fit. */
export function toMinorUnits(amount: number, currency: string): number {
  const code = normalizeCurrency(currency);
  const label = code.toUpperCase();
  if (!Number.isFinite(amount) || amount <= 0) throw new Error(`Stripe: the amount must be a positive number (got ${amount})`);
  if (ZERO_DECIMAL.has(code) || WHOLE_UNITS_AS_TWO_DECIMAL.has(code)) {
    if (!Number.isInteger(amount)) throw new Error(`Stripe: ${label} has no minor unit, so the amount must be a whole number (got ${amount})`);
    return WHOLE_UNITS_AS_TWO_DECIMAL.has(code) ? amount * 100 : amount;
  }
  const factor = minorUnitFactor(code);
  const minor = Math.round(amount * factor);
  // 19.99 * 100 is 1998.9999999999998: allow float noise, refuse real extra decimals.
  if (Math.abs(minor - amount * factor) > 1e-6) {
    throw new Error(`Stripe: ${label} amounts have at most ${Math.log10(factor)} decimals (got ${amount})`);
  }
  if (factor === 1000 && minor % 10 !== 0) {
    throw new Error(`Stripe: ${label} amounts must be a multiple of 0.010 (Stripe requires the last digit to be 0; got ${amount})`);
  }
  return minor;
}

/** The inverse, for reporting what was charged. */
export function fromMinorUnits(minor: number, currency: string): number {
  const code = currency.toLowerCase();
  if (WHOLE_UNITS_AS_TWO_DECIMAL.has(code)) return minor / 100;
  return minor / minorUnitFactor(code);
}
