import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { CodecError } from './errors.js';
import { parseHex } from './hex-text.js';
import { hexBytes } from './render.js';

const list = (b: Uint8Array) => [...b];

describe('parseHex', () => {
  it('reads pairs with whitespace or ":" between them', () => {
    expect(list(parseHex('de ad:be\tef\n00'))).toEqual([0xde, 0xad, 0xbe, 0xef, 0]);
    expect(list(parseHex('DEADbeef'))).toEqual([0xde, 0xad, 0xbe, 0xef]);
    expect(list(parseHex('  '))).toEqual([]);
  });

  const bad: Array<[string, RegExp]> = [
    ['abc', /lone hex digit "c" at offset 2: hex digits come in pairs/],
    ['a b', /lone hex digit "a" at offset 0/],
    ['0xde', /"x" at offset 1 is not a hex digit/],
    ['de gg', /"g" at offset 3 is not a hex digit/],
    ['dé', /"é" at offset 1 is not a hex digit/],
  ];
  it.each(bad)('refuses %j, naming the offset', (text, message) => {
    expect(() => parseHex(text)).toThrow(CodecError);
    expect(() => parseHex(text)).toThrow(message);
  });

  it('reads back what hexBytes (render) writes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        expect(list(parseHex(hexBytes(b)))).toEqual(list(b));
      }),
      { numRuns: 100 },
    );
  });
});
