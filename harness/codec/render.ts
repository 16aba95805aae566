/**
 * Rendering bytes for people: escaped text that is always valid, printable UTF-8,
 * and hex. Used by messages, transcripts and every reporter.
 *
 * One rule decides what a reader sees as itself: a character is shown only if it is
 * visible, does not reorder or join the text around it, and prints unlike any other
 * rendering. Everything else is escaped: named escapes and `\xHH` for ASCII controls
 * and bytes that are not UTF-8, `\u{XXXX}` for hidden code points (controls, format
 * characters such as zero-width and bidi marks, private use, unassigned, separators,
 * spaces other than U+0020, default-ignorables such as variation selectors, characters
 * NFC would replace, and combining characters that have no visible base or would
 * compose with it).
 */

const HEX = '0123456789abcdef';
const NAMED: Record<number, string> = { 0: '\\0', 9: '\\t', 10: '\\n', 13: '\\r', 92: '\\\\' };

/** Code points never shown as themselves (U+2800 is a blank, though a symbol). */
const HIDDEN = /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Cs}\p{Zl}\p{Zp}\p{Zs}\p{Default_Ignorable_Code_Point}\u2800]/u;
/** Code points that attach to the character before them: combining marks, Hangul vowel and final jamo. */
const JOINING = /[\p{M}\u1160-\u11ff\ud7b0-\ud7ff]/u;
/** Characters that can carry a shown combining mark. */
const BASE = /[\p{L}\p{N}]/u;
/** The most combining marks shown on one base; more are escaped, so none spills over other lines. */
const MAX_MARKS = 3;

/** Classes: shown, shown and able to carry a mark, escaped, joining the character before. */
const SHOWN = 1;
const SHOWN_BASE = 2;
const ESCAPED = 3;
const JOINS = 4;
/** Each code point's class, computed once. */
let classes: Uint8Array | undefined;

function classify(cp: number): number {
  if (cp >= 0x20 && cp < 0x7f) return (cp >= 0x30 && cp <= 0x39) || ((cp | 0x20) >= 0x61 && (cp | 0x20) <= 0x7a) ? SHOWN_BASE : SHOWN;
  classes ??= new Uint8Array(0x110000);
  let k = classes[cp]!;
  if (k === 0) {
    const c = String.fromCodePoint(cp);
    k = HIDDEN.test(c) && cp !== 0x20 ? ESCAPED : c.normalize('NFC') !== c ? ESCAPED : JOINING.test(c) ? JOINS : BASE.test(c) ? SHOWN_BASE : SHOWN;
    classes[cp] = k;
  }
  return k;
}

/** `\u{XXXX}`: the escape of a hidden code point, at least four hex digits. */
export function codePointEscape(cp: number): string {
  return `\\u{${cp.toString(16).toUpperCase().padStart(4, '0')}}`;
}

/** `\xHH`: the escape of one byte. */
function byteEscape(c: number): string {
  return `\\x${HEX[c >> 4]}${HEX[c & 15]}`;
}

/**
 * Builds printable text code point by code point under the rule above. `reserved`
 * code points are escaped too (a rendering escapes the `…` it uses as a cut mark).
 */
export class PrintableText {
  #out = '';
  /** The shown base and marks a combining mark would join, or '' when it would join nothing. */
  #cluster = '';
  #marks = 0;

  constructor(private readonly reserved: (cp: number) => boolean = () => false) {}

  /** Appends an escape (or any text the rule does not judge); nothing joins onto it. */
  raw(text: string): void {
    this.#out += text;
    this.#cluster = '';
  }

  /** Appends a run of printable ASCII, shown as it is. */
  ascii(run: string): void {
    const last = run.slice(-1);
    this.#out += run;
    this.#cluster = classify(last.charCodeAt(0)) === SHOWN_BASE ? last : '';
    this.#marks = 0;
  }

  /** Appends code point `cp`, as itself or as `\u{XXXX}`. */
  codePoint(cp: number): void {
    const k = this.reserved(cp) ? ESCAPED : classify(cp);
    if (k === SHOWN || k === SHOWN_BASE) {
      const c = String.fromCodePoint(cp);
      this.#out += c;
      this.#cluster = k === SHOWN_BASE ? c : '';
      this.#marks = 0;
    } else if (k === JOINS && this.#cluster !== '' && this.#marks < MAX_MARKS && this.#joinsUnchanged(String.fromCodePoint(cp))) {
      this.#out += String.fromCodePoint(cp);
      this.#marks++;
    } else {
      this.raw(codePointEscape(cp));
    }
  }

  /** Whether `c` joins the cluster before it without NFC changing them (then it is added to the cluster). */
  #joinsUnchanged(c: string): boolean {
    const joined = this.#cluster + c;
    if (joined.normalize('NFC') !== joined) return false;
    this.#cluster = joined;
    return true;
  }

  /** The text so far. */
  toString(): string {
    return this.#out;
  }
}

/** The code point of the valid UTF-8 sequence starting at `i` and its length, or undefined if it is not one. */
function utf8Sequence(b: Uint8Array, i: number, end: number): [cp: number, length: number] | undefined {
  const c = b[i]!;
  let n: number;
  let min: number;
  if (c >= 0xc2 && c <= 0xdf) [n, min] = [2, 0x80];
  else if (c >= 0xe0 && c <= 0xef) [n, min] = [3, 0x800];
  else if (c >= 0xf0 && c <= 0xf4) [n, min] = [4, 0x10000];
  else return undefined;
  if (i + n > end) return undefined;
  let cp = c & (0xff >> (n + 1));
  for (let k = 1; k < n; k++) {
    const d = b[i + k]!;
    if ((d & 0xc0) !== 0x80) return undefined;
    cp = (cp << 6) | (d & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return undefined;
  return [cp, n];
}

/** `… 12,345 bytes …`: the mark standing for bytes a rendering leaves out. */
export function cutMark(count: number): string {
  return `… ${count.toLocaleString('en-US')} byte${count === 1 ? '' : 's'} …`;
}

/** Runs of printable ASCII at least this long are appended at once, decoded natively. */
const ASCII_RUN = 16;

/** Appends the escaped text of `bytes[from, to)` to `text`. */
function writeBytes(text: PrintableText, bytes: Uint8Array, from: number, to: number): void {
  let i = from;
  while (i < to) {
    const c = bytes[i]!;
    const named = NAMED[c];
    if (named !== undefined) {
      text.raw(named);
      i++;
    } else if (c >= 0x20 && c < 0x7f) {
      // Printable ASCII is shown as it is, whatever surrounds it (the backslash is NAMED): a long run at once.
      let j = i + 1;
      while (j < to && bytes[j]! >= 0x20 && bytes[j]! < 0x7f && bytes[j] !== 92) j++;
      if (j - i >= ASCII_RUN) {
        text.ascii(Buffer.from(bytes.buffer, bytes.byteOffset + i, j - i).toString('latin1'));
        i = j;
      } else {
        for (; i < j; i++) text.codePoint(bytes[i]!);
      }
    } else {
      const seq = c >= 0x80 ? utf8Sequence(bytes, i, to) : undefined;
      if (seq) {
        text.codePoint(seq[0]);
        i += seq[1];
      } else {
        text.raw(byteEscape(c));
        i++;
      }
    }
  }
}

/** A byte range `[from, to)`. */
export type ByteRange = readonly [from: number, to: number];

/**
 * The parts of a `length`-byte value to show: `ranges` clipped, sorted and merged
 * (with any gap too small to be worth a cut mark).
 */
function shownRanges(length: number, ranges: readonly ByteRange[]): [number, number][] {
  const clipped = ranges
    .map(([a, b]) => [Math.max(0, Math.min(a, length)), Math.max(0, Math.min(b, length))] as [number, number])
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  const merged: [number, number][] = [];
  for (const r of clipped) {
    const last = merged.at(-1);
    if (last && r[0] - last[1] <= 8) last[1] = Math.max(last[1], r[1]);
    else merged.push(r);
  }
  return merged;
}

/** Renders the `ranges` of `bytes` with `part`, each cut marked with how many bytes it leaves out. */
function renderRanges(bytes: Uint8Array, ranges: readonly ByteRange[], part: (from: number, to: number) => string, sep: string): string {
  const parts: string[] = [];
  let at = 0;
  for (const [a, b] of shownRanges(bytes.length, ranges)) {
    if (a > at) parts.push(cutMark(a - at));
    parts.push(part(a, b));
    at = b;
  }
  if (bytes.length > at) parts.push(cutMark(bytes.length - at));
  return parts.join(sep);
}

const reservedInBytes = (cp: number) => cp === 0x2026;

/** Escaped text of the `ranges` of `bytes`, the parts between them marked `… N bytes …`. */
export function escapeByteRanges(bytes: Uint8Array, ranges: readonly ByteRange[]): string {
  return renderRanges(bytes, ranges, (a, b) => escapedPart(bytes, a, b), '');
}

/** Escaped text of `bytes[from, to)`. */
function escapedPart(bytes: Uint8Array, from: number, to: number): string {
  const text = new PrintableText(reservedInBytes);
  writeBytes(text, bytes, from, to);
  return text.toString();
}

/** Hex of the `ranges` of `bytes` as space-separated pairs, the parts between them marked. */
export function hexByteRanges(bytes: Uint8Array, ranges: readonly ByteRange[]): string {
  return renderRanges(bytes, ranges, (a, b) => hexPairs(bytes, a, b), ' ');
}

/** The hex digits as latin1 codes. */
const HEX_CODES = Buffer.from(HEX, 'latin1');

/**
 * Hex of `bytes[from, to)` as space-separated pairs, written into a buffer and decoded
 * natively: 2 to 12 times faster than pairs joined as strings or native hex spaced by a
 * regex (a report renders every transcript's data this way).
 */
function hexPairs(bytes: Uint8Array, from: number, to: number): string {
  if (to <= from) return '';
  const out = Buffer.allocUnsafe((to - from) * 3 - 1);
  let o = 0;
  for (let i = from; i < to; i++) {
    const b = bytes[i]!;
    if (o > 0) out[o++] = 0x20;
    out[o++] = HEX_CODES[b >> 4]!;
    out[o++] = HEX_CODES[b & 15]!;
  }
  return out.toString('latin1');
}

/** The head and tail of a `length`-byte value that together show at most `max` bytes. */
function headAndTail(length: number, max: number): ByteRange[] {
  if (length <= max) return [[0, length]];
  const tail = Math.floor(max / 3);
  return [[0, max - tail], [length - tail, length]];
}

/**
 * Escaped text of `bytes` under the rule above. At most `max` bytes are shown: the
 * first two thirds and the last third, the cut between them marked `… N bytes …`.
 * Whole renderings of different bytes always differ, and `parseEscapedBytes` reads
 * them back; `…` in the bytes is escaped, so a cut mark is never the program's text.
 */
export function escapeBytes(bytes: Uint8Array, max = Infinity): string {
  // All of it (most renderings: a report renders every entry of every transcript): no ranges to cut.
  return bytes.length <= max ? escapedPart(bytes, 0, bytes.length) : escapeByteRanges(bytes, headAndTail(bytes.length, max));
}

/** Hex of `bytes` as space-separated pairs, at most `max` bytes (head and tail), a cut marked. */
export function hexBytes(bytes: Uint8Array, max = Infinity): string {
  return bytes.length <= max ? hexPairs(bytes, 0, bytes.length) : hexByteRanges(bytes, headAndTail(bytes.length, max));
}

/** Offset of the first byte where `a` and `b` differ, or -1 if they are equal. */
export function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

/**
 * A few lines showing where `actual` departs from `expected`: the offset, then for
 * each the bytes around it and its last bytes, as escaped text and as hex, every
 * part left out marked with its size. However long the values, the first difference
 * and the tails are shown.
 */
export function describeDifference(expected: Uint8Array, actual: Uint8Array, window = 32): string {
  const at = firstDifference(expected, actual);
  const n = (v: number) => v.toLocaleString('en-US');
  if (at < 0) return `identical (${n(expected.length)} bytes)`;
  const from = Math.max(0, at - Math.floor(window / 2));
  const tail = Math.floor(window / 2);
  const ranges = (b: Uint8Array): ByteRange[] => [[from, from + window], [b.length - tail, b.length]];
  const lines = [
    `first difference at byte ${n(at)} (expected ${n(expected.length)} bytes, got ${n(actual.length)})`,
    `  expected: ${escapeByteRanges(expected, ranges(expected))}`,
    `  actual:   ${escapeByteRanges(actual, ranges(actual))}`,
    `  expected hex: ${hexByteRanges(expected, ranges(expected))}`,
    `  actual hex:   ${hexByteRanges(actual, ranges(actual))}`,
  ];
  return lines.join('\n');
}
