import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { byteOffsetOfUnit, completeUtf8Length, decodeUtf8 } from './utf8-text.js';

const enc = (s: string) => new TextEncoder().encode(s);

/** Bytes that mix valid UTF-8 of any characters with arbitrary (often invalid) bytes. */
const mixedBytes = fc
  .array(fc.oneof(fc.string({ unit: 'binary', maxLength: 4 }).map(enc), fc.uint8Array({ maxLength: 4 }), fc.constantFrom(...[[0xe0], [0xf0, 0x9f], [0xed, 0xa0], [0xc3], [0x80], [0xef, 0xbb, 0xbf]].map((a) => Uint8Array.from(a)))), { maxLength: 12 })
  .map((parts) => Uint8Array.from(parts.flatMap((p) => [...p])));

describe('decodeUtf8', () => {
  it('keeps a byte order mark and replaces invalid sequences', () => {
    expect(decodeUtf8(Uint8Array.from([0xef, 0xbb, 0xbf, 0x41]))).toBe('\ufeffA');
    expect(decodeUtf8(Uint8Array.from([0x41, 0xe0, 0x80, 0x42]))).toBe('A\ufffd\ufffdB');
  });
});

describe('byteOffsetOfUnit', () => {
  it('maps text positions to byte offsets across multi-byte and invalid bytes', () => {
    const b = Uint8Array.from([0x68, 0xc3, 0xa9, 0xff, 0xf0, 0x9f, 0x98, 0x80, 0x21]); // h é \xff 😀 !
    expect(decodeUtf8(b)).toBe('hé\ufffd😀!');
    expect([0, 1, 2, 3, 5, 6].map((u) => byteOffsetOfUnit(b, u))).toEqual([0, 1, 3, 4, 8, 9]);
    expect(byteOffsetOfUnit(b, 4)).toBe(8); // inside the surrogate pair: after the character
  });

  it('agrees with TextDecoder at every character boundary', () => {
    fc.assert(
      fc.property(mixedBytes, (b) => {
        const text = decodeUtf8(b);
        expect(byteOffsetOfUnit(b, text.length)).toBe(b.length);
        for (let u = 0; u <= text.length; u++) {
          const c = text.charCodeAt(u - 1);
          if (c >= 0xd800 && c <= 0xdbff) continue; // between the halves of a pair
          expect(decodeUtf8(b.subarray(0, byteOffsetOfUnit(b, u)))).toBe(text.slice(0, u));
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('completeUtf8Length', () => {
  it('leaves out a character still arriving', () => {
    expect(completeUtf8Length(Uint8Array.from([0x41, 0xe2, 0x82]))).toBe(1);
    expect(completeUtf8Length(Uint8Array.from([0x41, 0xe2, 0x82, 0xac]))).toBe(4);
    expect(completeUtf8Length(Uint8Array.from([0x41, 0xe2, 0x41]))).toBe(3);
    expect(completeUtf8Length(Uint8Array.from([0xff]))).toBe(1);
  });

  it('holds back exactly what a streaming TextDecoder holds back', () => {
    fc.assert(
      fc.property(mixedBytes, (b) => {
        const streamed = new TextDecoder('utf-8', { ignoreBOM: true }).decode(b, { stream: true });
        expect(decodeUtf8(b.subarray(0, completeUtf8Length(b)))).toBe(streamed);
      }),
      { numRuns: 200 },
    );
  });
});
