/**
 * Decoding received bytes as UTF-8 text (invalid sequences as U+FFFD, as the
 * WHATWG decoder does) and mapping positions in that text back to byte offsets.
 */

const decoderOptions = { fatal: false, ignoreBOM: true } as const;

/**
 * Length of the character at `i`: `bytes` consumed and UTF-16 `units` produced.
 * `units` is 0 for an incomplete sequence cut by the end of the bytes.
 */
function stepAt(bytes: Uint8Array, i: number): { bytes: number; units: number } {
  const c = bytes[i]!;
  if (c < 0x80) return { bytes: 1, units: 1 };
  let needed: number;
  let lower = 0x80;
  let upper = 0xbf;
  if (c >= 0xc2 && c <= 0xdf) needed = 1;
  else if (c >= 0xe0 && c <= 0xef) {
    needed = 2;
    if (c === 0xe0) lower = 0xa0;
    if (c === 0xed) upper = 0x9f;
  } else if (c >= 0xf0 && c <= 0xf4) {
    needed = 3;
    if (c === 0xf0) lower = 0x90;
    if (c === 0xf4) upper = 0x8f;
  } else return { bytes: 1, units: 1 }; // not a lead byte: one U+FFFD
  for (let k = 1; k <= needed; k++) {
    const d = bytes[i + k];
    if (d === undefined) return { bytes: k, units: 0 };
    if (d < lower || d > upper) return { bytes: k, units: 1 }; // U+FFFD; `d` starts the next character
    lower = 0x80;
    upper = 0xbf;
  }
  return { bytes: needed + 1, units: needed === 3 ? 2 : 1 };
}

/**
 * Number of bytes that decode completely: an incomplete sequence at the end is
 * left out, since more bytes may complete it.
 */
export function completeUtf8Length(bytes: Uint8Array): number {
  // An incomplete sequence is at most 3 bytes long: look only at the tail.
  let i = Math.max(0, bytes.length - 3);
  while (i > 0 && (bytes[i]! & 0xc0) === 0x80) i--;
  while (i < bytes.length) {
    const s = stepAt(bytes, i);
    if (s.units === 0) return i;
    i += s.bytes;
  }
  return bytes.length;
}

/** UTF-8 text of `bytes`, invalid sequences (including a cut one at the end) as U+FFFD. */
export function decodeUtf8(bytes: Uint8Array): string {
  return new TextDecoder('utf-8', decoderOptions).decode(bytes);
}

/**
 * Byte offset in `bytes` where UTF-16 index `unit` of `decodeUtf8(bytes)` begins.
 * An index inside a surrogate pair maps to the end of its 4-byte character.
 */
export function byteOffsetOfUnit(bytes: Uint8Array, unit: number): number {
  let units = 0;
  let i = 0;
  while (i < bytes.length && units < unit) {
    const s = stepAt(bytes, i);
    units += s.units === 0 ? 1 : s.units; // a cut sequence at the end decodes as one U+FFFD
    i += s.bytes;
  }
  return i;
}
