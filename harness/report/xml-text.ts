/**
 * Text that is always safe inside XML 1.0: the five markup characters escaped and
 * every character XML 1.0 forbids shown as a visible `\uXXXX` (never CDATA).
 */

/**
 * Characters XML 1.0 does not allow at all: C0 controls other than tab, newline and
 * carriage return, lone surrogates (with the `u` flag a pair is one code point and
 * does not match), U+FFFE and U+FFFF.
 */
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/gu;

const MARKUP: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Whitespace that attribute-value normalisation would turn into spaces, kept as references. */
const ATTRIBUTE_WHITESPACE: Record<string, string> = { '\t': '&#9;', '\n': '&#10;', '\r': '&#13;' };

/** `text` with each forbidden character replaced by `\uXXXX`. */
export function replaceForbiddenXmlChars(text: string): string {
  return text.replace(FORBIDDEN, (c) => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`);
}

/** `text` for element content: forbidden characters replaced, `& < > " '` escaped. */
export function escapeXmlText(text: string): string {
  return replaceForbiddenXmlChars(text).replace(/[&<>"']/g, (c) => MARKUP[c]!);
}

/** `text` for a quoted attribute value: as element content, and tab, newline and CR kept as references. */
export function escapeXmlAttribute(text: string): string {
  return escapeXmlText(text).replace(/[\t\n\r]/g, (c) => ATTRIBUTE_WHITESPACE[c]!);
}

/** `name="value" …` for the attributes that are set, each value escaped. */
export function formatXmlAttributes(attributes: Record<string, string | number | undefined>): string {
  return Object.entries(attributes)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${escapeXmlAttribute(String(v))}"`)
    .join('');
}
