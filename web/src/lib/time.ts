/**
 * Dates as the console shows them: absolute in the reader's locale, relative ("5 min ago")
 * where recency matters. Pure functions; `now` is passed in so tests and the ticking clock
 * (see clock.ts) decide what "now" is.
 */

const DATE_TIME = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const DATE_TIME_SECONDS = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const TIME = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });
const RELATIVE = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto', style: 'short' });

function toDate(iso: string): Date | undefined {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** "12 Mar 2025, 14:05" (the reader's locale); "" for an unreadable value. */
export function formatDateTime(iso: string, options: { seconds?: boolean } = {}): string {
  const date = toDate(iso);
  if (!date) return '';
  return (options.seconds ? DATE_TIME_SECONDS : DATE_TIME).format(date);
}

/** "14:05:09" */
export function formatTime(iso: string): string {
  const date = toDate(iso);
  return date ? TIME.format(date) : '';
}

const UNITS: readonly [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

/** "just now", "5 min. ago", "in 2 hr.", "3 days ago" … relative to `now` (ms since epoch). */
export function formatRelative(iso: string, now: number): string {
  const date = toDate(iso);
  if (!date) return '';
  const seconds = Math.round((date.getTime() - now) / 1000);
  const size = Math.abs(seconds);
  if (size < 45) return 'just now';
  for (const [unit, length] of UNITS) {
    if (size >= length) return RELATIVE.format(Math.round(seconds / length), unit);
  }
  return RELATIVE.format(Math.round(seconds / 60), 'minute');
}
