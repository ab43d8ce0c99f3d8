/**
 * The URL, EMAIL and PHONE formats as regular-expression sources.
 *
 * They are plain patterns (not `new URL()` or an engine-specific parser) so that the
 * validator and the JSON Schema (`pattern`) apply exactly the same test in every JavaScript
 * engine and in every JSON Schema tool. Each accepts a subset of what the corresponding
 * JSON Schema `format` (`uri`, `email`) accepts, so adding `format` never changes a verdict.
 */

const HEX = '[0-9A-Fa-f]';
const H16 = `${HEX}{1,4}`;
const DEC_OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = `${DEC_OCTET}(?:\\.${DEC_OCTET}){3}`;
const LS32 = `(?:${H16}:${H16}|${IPV4})`;
/** `n` groups of `h16:`. */
const groups = (n: number): string => `(?:${H16}:){${n}}`;
/** Up to `n` groups of `h16:` followed by one `h16`: the part before `::`. */
const head = (n: number): string => (n === 0 ? `(?:${H16})?` : `(?:(?:${H16}:){0,${n}}${H16})?`);

/** RFC 3986 `IPv6address`, one alternative per line of the grammar. */
const IPV6 = [
  `${groups(6)}${LS32}`,
  `::${groups(5)}${LS32}`,
  `${head(0)}::${groups(4)}${LS32}`,
  `${head(1)}::${groups(3)}${LS32}`,
  `${head(2)}::${groups(2)}${LS32}`,
  `${head(3)}::${H16}:${LS32}`,
  `${head(4)}::${LS32}`,
  `${head(5)}::${H16}`,
  `${head(6)}::`,
].join('|');

const PCT_ENCODED = `%${HEX}{2}`;
const USERINFO = `(?:(?:[A-Za-z0-9\\-._~!$&'()*+,;=:]|${PCT_ENCODED})*@)?`;
/** Host names as DNS and Docker use them (labels of letters, digits, `-`, `_`), or `[IPv6]`. */
const HOST = `(?:[A-Za-z0-9_-]+(?:\\.[A-Za-z0-9_-]+)*\\.?|\\[(?:${IPV6})\\])`;
const PORT = '(?::(?:[1-9]\\d{0,3}|[1-5]\\d{4}|6[0-4]\\d{3}|65[0-4]\\d{2}|655[0-2]\\d|6553[0-5]))?';
const PCHAR = `(?:[A-Za-z0-9\\-._~!$&'()*+,;=:@]|${PCT_ENCODED})`;

/** An absolute `http:` or `https:` URL with a host (scheme in any case). */
export const URL_PATTERN =
  `^[Hh][Tt][Tt][Pp][Ss]?://${USERINFO}${HOST}${PORT}` +
  `(?:/${PCHAR}*)*(?:\\?(?:${PCHAR}|[/?])*)?(?:#(?:${PCHAR}|[/?])*)?$`;

const ATOM = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+";
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?';
/** `local@domain.tld`: a dot-atom local part and a dotted domain whose last label starts with a letter. */
export const EMAIL_PATTERN = `^${ATOM}(?:\\.${ATOM})*@(?:${LABEL}\\.)+[A-Za-z](?:[A-Za-z0-9-]*[A-Za-z0-9])?$`;

/** E.164: a plus sign, a non-zero first digit, at most fifteen digits in all. */
export const PHONE_PATTERN = '^\\+[1-9]\\d{1,14}$';

export interface FormatSpec {
  pattern: string;
  /** The JSON Schema `format` that names the same idea, if there is one. */
  jsonFormat?: 'uri' | 'email';
  /** Completes "<label> …". */
  message: string;
}

export const FORMATS: Readonly<Record<'URL' | 'EMAIL' | 'PHONE', FormatSpec>> = {
  URL: { pattern: URL_PATTERN, jsonFormat: 'uri', message: 'must be an http or https URL' },
  EMAIL: { pattern: EMAIL_PATTERN, jsonFormat: 'email', message: 'must be a valid email address' },
  PHONE: { pattern: PHONE_PATTERN, message: 'must be a phone number in E.164 format, like +14155550123' },
};

export function formatOf(type: string): FormatSpec | undefined {
  return type === 'URL' || type === 'EMAIL' || type === 'PHONE' ? FORMATS[type] : undefined;
}
