/**
 * Removing secret values from anything that leaves a plugin or the platform: messages,
 * details, log lines, the stored health history. Browser-safe and pure.
 *
 * A secret leaks in the forms code is likely to write it in, so each of these is removed too:
 * - inside a JSON text (quotes, backslashes and control characters escaped; once or twice, as
 *   in JSON inside a log line; also with every non-ASCII character as `\uXXXX` and `/` as `\/`);
 * - percent-encoded (upper- or lower-case hex, `+` for spaces as in a form), and HTML-escaped
 *   (named or numeric entities), as vendors echo it in URLs and error pages;
 * - as hex, base64 and base64url of its UTF-8 bytes, alone or inside a longer encoded value
 *   such as HTTP Basic `base64(user:secret)`: base64 of a secret at each of the three byte
 *   offsets it can start at has a stable middle, which is what is removed (the one or two
 *   characters at either end mix in the neighbouring bytes and carry no more than a few bits).
 * A bearer form (`Bearer <secret>`) contains the secret itself, so the forms above cover it.
 */
export const REDACTED = '[redacted]';

export interface RedactOptions {
  /** Secrets shorter than this are left alone (default 1: every non-empty secret). */
  minLength?: number;
}

/**
 * Encoded forms are only looked for when the secret has at least this many characters, and
 * only when the form itself is this long: shorter ones occur by chance in ordinary text (the
 * hex of a one-letter secret is two digits), and a secret that short protects nothing anyway.
 */
const ENCODED_MIN_LENGTH = 4;

/**
 * `value` with every form of every secret replaced by `[redacted]`: a string directly, any
 * other value as plain JSON data (strings and keys walked; cycles throw a TypeError).
 */
export function redact<T>(value: T, secrets: readonly (string | undefined)[], options: RedactOptions = {}): T {
  const forms = formsOf(secrets, Math.max(1, options.minLength ?? 1));
  if (forms.length === 0) return value;
  const scrub = (text: string) => forms.reduce((out, form) => out.split(form).join(REDACTED), text);
  if (typeof value === 'string') return scrub(value) as T;
  if (value === null || typeof value !== 'object') return value;
  const walk = (node: unknown): unknown => {
    if (typeof node === 'string') return scrub(node);
    if (Array.isArray(node)) return node.map(walk);
    if (node === null || typeof node !== 'object') return node;
    return Object.fromEntries(Object.entries(node).map(([key, item]) => [scrub(key), walk(item)]));
  };
  const plain: unknown = JSON.parse(JSON.stringify(value) ?? 'null');
  return walk(plain) as T;
}

/**
 * The forms of a list of secrets, longest first, kept while the list lives: a provider's secrets
 * are one list for its life, and computing the forms is most of what a redaction costs (every
 * health check redacts its result). The list is compared with a copy, so one changed in place
 * is computed again.
 */
const formsCache = new WeakMap<readonly (string | undefined)[], { secrets: (string | undefined)[]; minLength: number; forms: string[] }>();

function formsOf(secrets: readonly (string | undefined)[], minLength: number): string[] {
  const cached = formsCache.get(secrets);
  if (cached && cached.minLength === minLength && cached.secrets.length === secrets.length && cached.secrets.every((secret, i) => secret === secrets[i])) {
    return cached.forms;
  }
  const forms = [
    ...new Set(secrets.filter((s): s is string => s !== undefined && s.length >= minLength).flatMap(secretForms)),
  ].sort((a, b) => b.length - a.length);
  formsCache.set(secrets, { secrets: [...secrets], minLength, forms });
  return forms;
}

/** Every form of one secret that redaction removes. */
export function secretForms(secret: string): string[] {
  const jsonEscaped = JSON.stringify(secret).slice(1, -1);
  const textForms = [secret, jsonEscaped, JSON.stringify(jsonEscaped).slice(1, -1), encodeURIComponent(secret)];
  if (secret.length < ENCODED_MIN_LENGTH) return unique(textForms);

  const bytes = new TextEncoder().encode(secret);
  const base64Forms = base64Variants(bytes).flatMap((form) => [form, form.replace(/\+/g, '-').replace(/\//g, '_')]);
  const forms = [
    ...textForms,
    asciiJson(secret),
    asciiJson(secret).replace(/\//g, '\\/'),
    lowerPercent(encodeURIComponent(secret)),
    encodeURIComponent(secret).replace(/%20/g, '+'),
    ...htmlEscapes(secret),
    hex(bytes),
    hex(bytes).toUpperCase(),
    ...base64Forms,
    // base64 inside a URL or a JSON text.
    ...base64Forms.map((form) => encodeURIComponent(form)),
    ...base64Forms.map((form) => form.replace(/\//g, '\\/')),
  ];
  return unique(forms.filter((form) => form.length >= ENCODED_MIN_LENGTH || form === secret));
}

const unique = (forms: string[]): string[] => [...new Set(forms.filter((form) => form !== ''))];

/** JSON escaping as encoders that emit ASCII only write it: every non-ASCII unit as `\uXXXX`. */
function asciiJson(text: string): string {
  return JSON.stringify(text)
    .slice(1, -1)
    .replace(/[\u007f-\uffff]/g, (unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function lowerPercent(text: string): string {
  return text.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase());
}

/** The secret as HTML writes it: named entities, and decimal and hex numeric ones. */
function htmlEscapes(text: string): string[] {
  const named: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
  const special = /[&<>"']/g;
  if (!special.test(text)) return [];
  return [
    text.replace(special, (char) => named[char]!),
    text.replace(special, (char) => (char === "'" ? '&#x27;' : named[char]!)),
    text.replace(special, (char) => `&#${char.charCodeAt(0)};`),
    text.replace(special, (char) => `&#x${char.charCodeAt(0).toString(16)};`),
  ];
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

function base64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/**
 * base64 of the secret alone (with and without padding), and the stable middle of its base64
 * when it starts 0, 1 or 2 bytes into a group of three (so after any prefix, such as `user:`)
 * and is followed by anything (such as `:` when it is the user of a Basic header).
 */
function base64Variants(bytes: Uint8Array): string[] {
  const whole = base64(bytes);
  const variants = [whole, whole.replace(/=+$/, '')];
  for (let offset = 0; offset < 3; offset++) {
    const shifted = new Uint8Array(offset + bytes.length);
    shifted.set(bytes, offset);
    const encoded = base64(shifted);
    // Characters of groups that also hold prefix bytes (the first group when offset > 0) or
    // that a following byte would change (the last, partial group) are not stable.
    const start = offset === 0 ? 0 : 4;
    const end = Math.floor(shifted.length / 3) * 4;
    if (end > start) variants.push(encoded.slice(start, end));
  }
  return variants;
}
