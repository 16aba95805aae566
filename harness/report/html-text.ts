/**
 * Text that is always inert and valid inside an HTML document: the markup characters
 * escaped, and every character HTML does not allow as text (controls, lone
 * surrogates, noncharacters) shown as a visible `\u{XXXX}`, whatever bytes a program
 * sent. Text from the program or the system goes through `makePrintableLine` first,
 * so these are a second line of defence for the page's validity.
 */
import { codePointEscape } from '../codec/render.js';
import { makePrintableLine, makePrintableLines } from './printable-text.js';

/**
 * What HTML forbids or rewrites in text: C0 controls but tab and newline (CR would be
 * folded into a newline), DEL and C1 controls, lone surrogates, and the noncharacters
 * (U+FDD0–U+FDEF, and the last two code points of every plane: their high surrogate
 * is one of D83F, D87F … DBFF), matched as pairs: a `u` flag would make it several times slower.
 */
const NOT_TEXT_OR_MARKUP =
  /[&<>"'\u0000-\u0008\u000B-\u001F\u007F-\u009F\uFDD0-\uFDEF\uFFFE\uFFFF]|[\uD83F\uD87F\uD8BF\uD8FF\uD93F\uD97F\uD9BF\uD9FF\uDA3F\uDA7F\uDABF\uDAFF\uDB3F\uDB7F\uDBBF\uDBFF][\uDFFE\uDFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const MARKUP: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** `text` for element content or a quoted attribute value: markup escaped, what HTML does not allow as text shown as `\u{XXXX}`. */
export function escapeHtml(text: string): string {
  return text.replace(NOT_TEXT_OR_MARKUP, (c) => MARKUP[c] ?? codePointEscape(c.codePointAt(0)!));
}

/** A string from the program, the system or a file, on one printable line, escaped for HTML. */
export function htmlLine(text: string): string {
  return escapeHtml(makePrintableLine(text));
}

/** A string of several lines (a message, a note), each printable, escaped for HTML, joined by newlines. */
export function htmlLines(text: string): string {
  return makePrintableLines(text).map(escapeHtml).join('\n');
}

/** `name="value" …` for the attributes that are set (`true`: the bare name), each value escaped. */
export function htmlAttributes(attributes: Record<string, string | number | boolean | undefined>): string {
  let out = '';
  for (const [k, v] of Object.entries(attributes)) {
    if (v === undefined || v === false) continue;
    out += v === true ? ` ${k}` : ` ${k}="${escapeHtml(String(v))}"`;
  }
  return out;
}

/** `url` when it is an absolute http or https address (the only links a report follows), else undefined. */
export function safeLink(url: string | undefined): string | undefined {
  if (url === undefined || !/^https?:\/\/[^\s]+$/i.test(url.trim())) return undefined;
  try {
    const u = new URL(url.trim());
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}
