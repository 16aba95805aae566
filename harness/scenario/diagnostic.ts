/**
 * Located, coded problems in user input, and the one way they are rendered.
 */
import { makePrintableLine } from '../report/printable-text.js';

export interface Diagnostic {
  file: string;
  /** 1-based; 0 when the problem has no place in the file (e.g. it cannot be read). */
  line: number;
  col: number;
  code: string;
  message: string;
  hint?: string;
  severity: 'error' | 'warning';
}

/**
 * `file:line:col: code: message (hint)`, the form every tool prints, on one line: text
 * taken from the file (a key, a value, a path) is escaped, so that no control character
 * or terminal escape sequence in a scenario reaches the terminal.
 */
export function formatDiagnostic(d: Diagnostic): string {
  const file = makePrintableLine(d.file);
  const where = d.line > 0 ? `${file}:${d.line}:${d.col}` : file;
  const hint = d.hint ? ` (${makePrintableLine(d.hint)})` : '';
  return `${where}: ${makePrintableLine(d.code)}: ${makePrintableLine(d.message)}${hint}`;
}

/** Edit distance between two short strings, a swap of neighbours counting as one edit (for "did you mean"). */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** The closest of `choices` to `word`, if it is close enough to be a likely typo. */
export function suggest(word: string, choices: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of choices) {
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) [best, bestD] = [c, d];
  }
  return best !== undefined && bestD <= Math.max(1, Math.floor(best.length / 3)) ? best : undefined;
}

/** A "did you mean" hint, or undefined. */
export function didYouMean(word: string, choices: readonly string[]): string | undefined {
  const s = suggest(word, choices);
  return s === undefined ? undefined : `did you mean \`${s}\`?`;
}
