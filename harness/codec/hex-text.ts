/**
 * The `hex` payload syntax: pairs of hex digits, with whitespace or `:` allowed
 * between (never inside) the pairs.
 */
import { CodecError } from './errors.js';

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  const lower = code | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

function isSeparator(c: string): boolean {
  return c === ':' || /^\s$/.test(c);
}

function describeChar(text: string, i: number): string {
  return JSON.stringify(String.fromCodePoint(text.codePointAt(i)!));
}

/**
 * Bytes of a `hex` payload such as `"de ad:be ef"`. Throws `CodecError`
 * `bad-hex` naming the offset of a non-hex character or a lone digit.
 */
export function parseHex(text: string): Uint8Array {
  const out = new Uint8Array(text.length >> 1);
  let n = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (isSeparator(c)) {
      i++;
      continue;
    }
    const hi = hexValue(text.charCodeAt(i));
    if (hi < 0) {
      throw new CodecError('bad-hex', `${describeChar(text, i)} at offset ${i} is not a hex digit: write bytes as pairs of 0-9 a-f, with spaces or ":" between them`);
    }
    const next = text[i + 1];
    const lo = next === undefined ? -1 : hexValue(text.charCodeAt(i + 1));
    if (lo < 0) {
      if (next === undefined || isSeparator(next)) {
        throw new CodecError('bad-hex', `lone hex digit ${describeChar(text, i)} at offset ${i}: hex digits come in pairs (an odd number of digits was given), write e.g. "0${c}"`);
      }
      throw new CodecError('bad-hex', `${describeChar(text, i + 1)} at offset ${i + 1} is not a hex digit: write bytes as pairs of 0-9 a-f, with spaces or ":" between them`);
    }
    out[n++] = (hi << 4) | lo;
    i += 2;
  }
  return out.slice(0, n);
}
