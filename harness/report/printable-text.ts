/**
 * Text from the program under test or the system (messages, stderr tails, notes,
 * names) made safe to show, under the one rule of `escapeBytes`: no control, format,
 * private-use, unassigned or otherwise hidden character reaches a terminal or a report.
 * Backslashes are left alone, as messages already hold `escapeBytes` text.
 */
import { PrintableText } from '../codec/render.js';

const NAMED: Record<number, string> = { 0: '\\0', 9: '\\t', 10: '\\n', 13: '\\r' };

/** `text` on one line: newlines, ASCII controls (`\n`, `\x1b`) and hidden code points (`\u{200B}`, `\u{D800}`) escaped. */
export function makePrintableLine(text: string): string {
  // Printable ASCII is shown as it is: only the other characters are walked.
  if (/^[\x20-\x7e]*$/.test(text)) return text;
  const out = new PrintableText();
  let i = 0;
  for (const m of text.matchAll(/[\x20-\x7e]{8,}/g)) {
    addCodePoints(out, text, i, m.index);
    out.ascii(m[0]);
    i = m.index + m[0].length;
  }
  addCodePoints(out, text, i, text.length);
  return out.toString();
}

/** Adds the code points of `text[from, to)` to `out`, ASCII controls as `\n` or `\xHH`. */
function addCodePoints(out: PrintableText, text: string, from: number, to: number): void {
  for (let i = from; i < to; ) {
    const cp = text.codePointAt(i)!;
    i += cp > 0xffff ? 2 : 1;
    if (cp < 0x20 || cp === 0x7f) out.raw(NAMED[cp] ?? `\\x${cp.toString(16).padStart(2, '0')}`);
    else out.codePoint(cp);
  }
}

/** `text` as printable lines: its line breaks kept as breaks, everything else as `makePrintableLine`. */
export function makePrintableLines(text: string): string[] {
  return text.split(/\r?\n/).map(makePrintableLine);
}

/** `text` cut to `max` characters ending in `…`, never inside a surrogate pair; as it is when short enough. */
export function shortenLine(text: string, max: number): string {
  if (text.length <= max) return text;
  const end = /[\uD800-\uDBFF]/.test(text[max - 2] ?? '') ? max - 2 : max - 1;
  return `${text.slice(0, end)}…`;
}
