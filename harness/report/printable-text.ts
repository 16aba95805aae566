/**
 * Text from the program under test or the system (messages, stderr tails, notes,
 * names) made safe to show: no control character reaches a terminal or a report.
 * Backslashes are left alone, as messages already hold `escapeBytes` text.
 */

/** C0 and C1 controls, DEL, line and paragraph separators, U+FFFE/U+FFFF and lone surrogates. */
const UNPRINTABLE = /[\u0000-\u001F\u007F-\u009F\u2028\u2029\uFFFE\uFFFF\uD800-\uDFFF]/gu;
const NAMED: Record<string, string> = { '\0': '\\0', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function escapeChar(c: string): string {
  const code = c.charCodeAt(0);
  return NAMED[c] ?? (code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).toUpperCase()}`);
}

/** `text` on one line: newlines and every other unprintable character escaped (`\n`, `\x1b`, `\uD800`). */
export function makePrintableLine(text: string): string {
  return text.replace(UNPRINTABLE, escapeChar);
}

/** `text` as printable lines: its line breaks kept as breaks, everything else as `makePrintableLine`. */
export function makePrintableLines(text: string): string[] {
  return text.split(/\r?\n/).map(makePrintableLine);
}
