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
  // Printable ASCII is shown as it is: no need to walk it.
  if (/^[\x20-\x7e]*$/.test(text)) return text;
  const out = new PrintableText();
  for (let i = 0; i < text.length; ) {
    const cp = text.codePointAt(i)!;
    i += cp > 0xffff ? 2 : 1;
    if (cp < 0x20 || cp === 0x7f) out.raw(NAMED[cp] ?? `\\x${cp.toString(16).padStart(2, '0')}`);
    else out.codePoint(cp);
  }
  return out.toString();
}

/** `text` as printable lines: its line breaks kept as breaks, everything else as `makePrintableLine`. */
export function makePrintableLines(text: string): string[] {
  return text.split(/\r?\n/).map(makePrintableLine);
}
