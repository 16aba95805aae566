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
 * folded into a newline), DEL and C1 controls, lone surrogates (with the `u` flag a
 * pair is one code point and does not match), and the noncharacters.
 */
const NOT_TEXT = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\uD800-\uDFFF\uFDD0-\uFDEF\uFFFE\uFFFF\u{1FFFE}\u{1FFFF}\u{2FFFE}\u{2FFFF}\u{3FFFE}\u{3FFFF}\u{4FFFE}\u{4FFFF}\u{5FFFE}\u{5FFFF}\u{6FFFE}\u{6FFFF}\u{7FFFE}\u{7FFFF}\u{8FFFE}\u{8FFFF}\u{9FFFE}\u{9FFFF}\u{AFFFE}\u{AFFFF}\u{BFFFE}\u{BFFFF}\u{CFFFE}\u{CFFFF}\u{DFFFE}\u{DFFFF}\u{EFFFE}\u{EFFFF}\u{FFFFE}\u{FFFFF}\u{10FFFE}\u{10FFFF}]/gu;

const MARKUP: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** `text` for element content or a quoted attribute value: markup escaped, what HTML does not allow as text shown as `\u{XXXX}`. */
export function escapeHtml(text: string): string {
  return text.replace(NOT_TEXT, (c) => codePointEscape(c.codePointAt(0)!)).replace(/[&<>"']/g, (c) => MARKUP[c]!);
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
