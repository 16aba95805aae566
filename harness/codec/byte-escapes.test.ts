import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { parseEscapedBytes } from './byte-escapes.js';
import { CodecError } from './errors.js';
import { escapeBytes } from './render.js';

const list = (b: Uint8Array) => [...b];

describe('parseEscapedBytes', () => {
  it('reads every named escape', () => {
    expect(list(parseEscapedBytes('\\\\\\n\\r\\t\\0\\a\\b\\f\\v\\e\\"\\\''))).toEqual([0x5c, 10, 13, 9, 0, 7, 8, 12, 11, 0x1b, 0x22, 0x27]);
  });

  it('reads \\xHH as one raw byte, in either case', () => {
    expect(list(parseEscapedBytes('\\xff\\x00\\xAb'))).toEqual([0xff, 0, 0xab]);
  });

  it('writes other characters as UTF-8', () => {
    expect(list(parseEscapedBytes('a€\\x80b'))).toEqual([0x61, 0xe2, 0x82, 0xac, 0x80, 0x62]);
    expect(list(parseEscapedBytes('😀'))).toEqual([0xf0, 0x9f, 0x98, 0x80]);
    expect(list(parseEscapedBytes(''))).toEqual([]);
  });

  it('takes \\0 alone: digits after it are text', () => {
    expect(list(parseEscapedBytes('\\012'))).toEqual([0, 0x31, 0x32]);
  });

  const bad: Array<[string, RegExp]> = [
    ['ab\\q', /unknown escape "\\\\q" at offset 2/],
    ['\\x4', /bad escape "\\\\x4" at offset 0: \\x takes exactly two hex digits/],
    ['€\\xg0', /bad escape "\\\\xg0" at offset 1/],
    ['abc\\', /lone backslash ends the text at offset 3/],
    ['\\u0041', /bad escape "\\\\u0041" at offset 0: \\u takes a code point of 1 to 6 hex digits in braces/],
    ['a\\u{D800}', /bad escape "\\\\u\{D800\}" at offset 1/],
    ['\\u{110000}', /bad escape/],
    ['\\u{}', /bad escape/],
  ];
  it.each(bad)('refuses %j, naming the offset', (text, message) => {
    expect(() => parseEscapedBytes(text)).toThrow(CodecError);
    expect(() => parseEscapedBytes(text)).toThrow(message);
  });

  it('reads back what escapeBytes (render) writes, for any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        expect(list(parseEscapedBytes(escapeBytes(b)))).toEqual(list(b));
      }),
      { numRuns: 200 },
    );
  });

  it('reads back any mix of \\xHH, named escapes and plain ASCII', () => {
    const named: Record<number, string> = { 0x5c: '\\\\', 10: '\\n', 13: '\\r', 9: '\\t', 0: '\\0', 7: '\\a', 8: '\\b', 12: '\\f', 11: '\\v', 0x1b: '\\e', 0x22: '\\"', 0x27: "\\'" };
    const arb = fc.array(fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 2 })), { maxLength: 64 });
    fc.assert(
      fc.property(arb, (pairs) => {
        const text = pairs
          .map(([b, how]) => {
            const hex = b.toString(16).padStart(2, '0');
            if (how === 0) return `\\x${how === 0 && b % 2 ? hex.toUpperCase() : hex}`;
            if (how === 1 && named[b]) return named[b];
            return b >= 0x20 && b < 0x7f && b !== 0x5c ? String.fromCharCode(b) : `\\x${hex}`;
          })
          .join('');
        expect(list(parseEscapedBytes(text))).toEqual(pairs.map(([b]) => b));
      }),
      { numRuns: 200 },
    );
  });
});
