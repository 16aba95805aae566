/**
 * Rendering bytes for people: escaped text that is always valid, printable UTF-8,
 * and hex. Used by messages, transcripts and every reporter.
 */

const HEX = '0123456789abcdef';
const NAMED: Record<number, string> = { 0: '\\0', 9: '\\t', 10: '\\n', 13: '\\r', 92: '\\\\' };

/** Length of the valid UTF-8 sequence starting at `i`, or 0 if it is not one. */
function utf8SequenceLength(b: Uint8Array, i: number): number {
  const c = b[i]!;
  let n: number;
  let min: number;
  if (c >= 0xc2 && c <= 0xdf) [n, min] = [2, 0x80];
  else if (c >= 0xe0 && c <= 0xef) [n, min] = [3, 0x800];
  else if (c >= 0xf0 && c <= 0xf4) [n, min] = [4, 0x10000];
  else return 0;
  if (i + n > b.length) return 0;
  let cp = c & (0xff >> (n + 1));
  for (let k = 1; k < n; k++) {
    const d = b[i + k]!;
    if ((d & 0xc0) !== 0x80) return 0;
    cp = (cp << 6) | (d & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return n;
}

function byteEscape(c: number): string {
  return `\\x${HEX[c >> 4]}${HEX[c & 15]}`;
}

/**
 * Escaped text of `bytes`: printable ASCII and valid UTF-8 characters as they are,
 * `\n \r \t \0 \\` named, every other byte as `\xHH`. At most `max` bytes are shown;
 * a cut is marked with `…(+N bytes)`.
 */
export function escapeBytes(bytes: Uint8Array, max = Infinity): string {
  const end = Math.min(bytes.length, max);
  let out = '';
  let i = 0;
  while (i < end) {
    const c = bytes[i]!;
    if (c in NAMED) {
      out += NAMED[c];
      i++;
    } else if (c >= 0x20 && c < 0x7f) {
      out += String.fromCharCode(c);
      i++;
    } else {
      const n = c >= 0x80 ? utf8SequenceLength(bytes, i) : 0;
      const cp = n > 0 ? new TextDecoder().decode(bytes.subarray(i, i + n)).codePointAt(0)! : -1;
      // C1 controls, line/paragraph separators and noncharacters stay escaped.
      if (n > 0 && cp >= 0xa0 && cp !== 0x2028 && cp !== 0x2029 && (cp & 0xfffe) !== 0xfffe) {
        out += String.fromCodePoint(cp);
        i += n;
      } else {
        out += byteEscape(c);
        i++;
      }
    }
  }
  if (bytes.length > end) out += `…(+${bytes.length - end} bytes)`;
  return out;
}

/** Hex of `bytes` as space-separated pairs, at most `max` bytes, a cut marked. */
export function hexBytes(bytes: Uint8Array, max = Infinity): string {
  const end = Math.min(bytes.length, max);
  const parts: string[] = [];
  for (let i = 0; i < end; i++) parts.push(HEX[bytes[i]! >> 4]! + HEX[bytes[i]! & 15]!);
  return parts.join(' ') + (bytes.length > end ? ` …(+${bytes.length - end} bytes)` : '');
}

/** Offset of the first byte where `a` and `b` differ, or -1 if they are equal. */
export function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

/**
 * A few lines showing where `actual` departs from `expected`: the offset, then a
 * window of each around it as escaped text and as hex.
 */
export function describeDifference(expected: Uint8Array, actual: Uint8Array, window = 32): string {
  const at = firstDifference(expected, actual);
  if (at < 0) return `identical (${expected.length} bytes)`;
  const from = Math.max(0, at - Math.floor(window / 2));
  const pick = (b: Uint8Array) => b.subarray(from, Math.min(b.length, from + window));
  const prefix = from > 0 ? `…[${from}] ` : '';
  const lines = [
    `first difference at byte ${at} (expected ${expected.length} bytes, got ${actual.length})`,
    `  expected: ${prefix}${escapeBytes(pick(expected))}`,
    `  actual:   ${prefix}${escapeBytes(pick(actual))}`,
    `  expected hex: ${hexBytes(pick(expected))}`,
    `  actual hex:   ${hexBytes(pick(actual))}`,
  ];
  return lines.join('\n');
}
