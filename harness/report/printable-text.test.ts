import { describe, expect, it } from 'vitest';
import { makePrintableLine, makePrintableLines, shortenLine } from './printable-text.js';

describe('printable text', () => {
  it('escapes controls, separators and lone surrogates, and leaves backslashes and other text alone', () => {
    expect(makePrintableLine('a\0b\tc\nd\re\x1b[31m\x7f\x85\u2028\uD800\uFFFF')).toBe('a\\0b\\tc\\nd\\re\\x1b[31m\\x7f\\u{0085}\\u{2028}\\u{D800}\\u{FFFF}');
    expect(makePrintableLine('got "hello\\n" é \u{1F600} <&>')).toBe('got "hello\\n" é \u{1F600} <&>');
  });

  it('shortens a line with an ellipsis, never inside a surrogate pair', () => {
    expect(shortenLine('abcdef', 6)).toBe('abcdef');
    expect(shortenLine('abcdefg', 6)).toBe('abcde…');
    expect(shortenLine('abcd\u{1F600}g', 6)).toBe('abcd…');
    expect(shortenLine('abc\u{1F600}fg', 6)).toBe('abc\u{1F600}…');
  });

  it('keeps line breaks as separate lines', () => {
    expect(makePrintableLines('one\r\ntwo\n\u0001three')).toEqual(['one', 'two', '\\x01three']);
  });
});
