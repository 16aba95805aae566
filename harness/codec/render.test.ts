import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseEscapedBytes } from './byte-escapes.js';
import { describeDifference, escapeBytes, hexBytes } from './render.js';
import { makePrintableLine } from '../report/printable-text.js';

const utf8 = (s: string) => new TextEncoder().encode(s);

/** Code points a reader cannot see, that reorder text or that print like others. */
const TRICKY = [
  0x00, 0x09, 0x0a, 0x1b, 0x5c, 0x7f, 0x85, 0x9b, 0xa0, 0xad, 0x300, 0x301, 0x34f, 0x37e, 0x61c, 0x1100, 0x1161, 0x11a8, 0x115f, 0x180e,
  0x200b, 0x200c, 0x200d, 0x200e, 0x200f, 0x2026, 0x2028, 0x2029, 0x202a, 0x202e, 0x2060, 0x2064, 0x2066, 0x2069, 0x212b, 0x2800,
  0x3000, 0x3164, 0xac00, 0xe000, 0xf8ff, 0xfe0f, 0xfeff, 0xfffe, 0xffff, 0xe0001, 0xe0041, 0xe0100, 0xf0000, 0x10fffd, 0x10ffff,
];

/** Bytes mixing any bytes, ASCII, any UTF-8 characters and the tricky ones above. */
const anyBytes = fc
  .array(
    fc.oneof(
      fc.integer({ min: 0, max: 255 }).map((b) => [b]),
      fc.constantFrom('a', 'e', 'x', '1', ' ', '\\', '"', '…').map((c) => [...utf8(c)]),
      // Runs long enough to be rendered at once (ASCII_RUN), ending on a base or not.
      fc.string({ unit: fc.constantFrom(...'aZ09 .~"'), minLength: 16, maxLength: 40 }).map((s) => [...utf8(s)]),
      fc.constantFrom(...TRICKY).map((cp) => [...utf8(String.fromCodePoint(cp))]),
      fc.integer({ min: 0x80, max: 0x10ffff }).filter((cp) => cp < 0xd800 || cp > 0xdfff).map((cp) => [...utf8(String.fromCodePoint(cp))]),
    ),
    { maxLength: 12 },
  )
  .map((parts) => Uint8Array.from(parts.flat()));

/** What no rendering may hold: controls, format, private-use, unassigned, surrogates, separators, spaces but U+0020, ignorables. */
const UNSEEN = /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Cs}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}]|(?! )\p{Zs}|(?<![\p{L}\p{N}\p{M}])\p{M}/u;

describe('escapeBytes: one rule for every rendering', () => {
  it('escapes what a reader cannot see as \\u{XXXX}', () => {
    const cases: [string, string][] = [
      ['a\u200Bb', 'a\\u{200B}b'],
      ['\u202Eevil\u202C', '\\u{202E}evil\\u{202C}'],
      ['\u2066x\u2069\u061C\u200E\u200F', '\\u{2066}x\\u{2069}\\u{061C}\\u{200E}\\u{200F}'],
      ['\uE000\u{F0000}\u{10FFFD}', '\\u{E000}\\u{F0000}\\u{10FFFD}'],
      ['\uFEFFhi\u2060\u2064', '\\u{FEFF}hi\\u{2060}\\u{2064}'],
      ['soft\u00ADhyphen', 'soft\\u{00AD}hyphen'],
      ['\u0301start', '\\u{0301}start'],
      ['x\uFE0F \u{E0100}', 'x\\u{FE0F} \\u{E0100}'],
      ['nb\u00A0sp\u3000', 'nb\\u{00A0}sp\\u{3000}'],
      ['\u0085\u009B', '\\u{0085}\\u{009B}'],
      ['\uFFFF\u{E0041}', '\\u{FFFF}\\u{E0041}'],
    ];
    for (const [text, shown] of cases) expect(escapeBytes(utf8(text)), text).toBe(shown);
  });

  it('keeps visible text, marks on a base included, as it is', () => {
    expect(escapeBytes(utf8('é ü 😀 日本 q\u0302 नमस्ते'))).toBe('é ü 😀 日本 q\u0302 नमस्ते');
  });

  it('never prints two texts NFC makes alike the same way', () => {
    expect(escapeBytes(utf8('e\u0301'))).toBe('e\\u{0301}');
    expect(escapeBytes(utf8('\u212B'))).toBe('\\u{212B}');
    expect(escapeBytes(utf8(';\u037E'))).toBe(';\\u{037E}');
    expect(escapeBytes(utf8('\u1100\u1161'))).toBe('\u1100\\u{1161}');
    expect(escapeBytes(utf8('\\u{0301}'))).toBe('\\\\u{0301}');
  });

  it('renders a long run of ASCII as it renders a short one: a mark after it joins a letter, not a dot', () => {
    // (q with an acute accent has no precomposed form: NFC leaves the pair as it is.)
    for (const n of [1, 15, 16, 100]) {
      expect(escapeBytes(utf8(`${'.'.repeat(n)}q\u0301`))).toBe(`${'.'.repeat(n)}q\u0301`);
      expect(escapeBytes(utf8(`${'a'.repeat(n)}.\u0301`))).toBe(`${'a'.repeat(n)}.\\u{0301}`);
      expect(escapeBytes(utf8(`${'x'.repeat(n)}\\\t\u2026`))).toBe(`${'x'.repeat(n)}\\\\\\t\\u{2026}`);
    }
  });

  it('escapes a backslash, so bytes sent as escapes never look like escaped bytes', () => {
    expect(escapeBytes(utf8('\\x41'))).toBe('\\\\x41');
    expect(escapeBytes(Uint8Array.of(0x41))).toBe('A');
    expect(escapeBytes(utf8('\\n'))).not.toBe(escapeBytes(utf8('\n')));
  });

  it('escapes the … it uses as a cut mark', () => {
    expect(escapeBytes(utf8('… 3 bytes …'))).toBe('\\u{2026} 3 bytes \\u{2026}');
  });

  it('renders different bytes differently, only printable, NFC-stable characters, read back exactly', () => {
    fc.assert(
      fc.property(anyBytes, anyBytes, (a, b) => {
        const [ra, rb] = [escapeBytes(a), escapeBytes(b)];
        expect(UNSEEN.test(ra), ra).toBe(false);
        expect(ra.normalize('NFC')).toBe(ra);
        expect([...parseEscapedBytes(ra)]).toEqual([...a]);
        if (Buffer.compare(a, b) !== 0) expect(ra).not.toBe(rb);
        // Messages quote renderings: the printable-text rule leaves them as they are.
        expect(makePrintableLine(ra)).toBe(ra);
      }),
      { numRuns: 2000 },
    );
  });

  it('makes any text printable the same way', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const shown = makePrintableLine(s);
        expect(UNSEEN.test(shown), shown).toBe(false);
        expect(shown.normalize('NFC')).toBe(shown);
      }),
      { numRuns: 1000 },
    );
  });
});

/** 100,000 dots, and a copy with byte `at` changed to `to`. */
function changedAt(at: number, to: number): [Uint8Array, Uint8Array] {
  const expected = new Uint8Array(100_000).fill(0x2e);
  const actual = Uint8Array.from(expected);
  actual[at] = to;
  return [expected, actual];
}

describe('long values', () => {
  it('shows the head and the tail, the cut marked with how many bytes it leaves out', () => {
    const b = Uint8Array.from({ length: 20_000 }, (_, i) => 0x61 + (i % 26));
    expect(escapeBytes(b, 30)).toBe(`${'abcdefghijklmnopqrst'}… 19,970 bytes …${escapeBytes(b.subarray(-10))}`);
    expect(hexBytes(Uint8Array.from({ length: 30 }, (_, i) => i), 6)).toBe('00 01 02 03 … 24 bytes … 1c 1d');
    // Long ranges are made natively: the same pairs, from the view's own offset.
    const all = Uint8Array.from({ length: 300 }, (_, i) => (i * 7) & 255);
    const pairs = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, '0')).join(' ');
    for (const view of [all, all.subarray(3, 200), all.subarray(5, 69), all.subarray(5, 68)]) expect(hexBytes(view)).toBe(pairs(view));
    expect(hexBytes(all, 150)).toBe(`${pairs(all.subarray(0, 100))} … 150 bytes … ${pairs(all.subarray(250))}`);
    expect(escapeBytes(b, 20_000)).toBe(escapeBytes(b));
  });

  it('shows the first difference with its context and both tails, however long the values', () => {
    const [expected, actual] = changedAt(70_000, 0x21);
    const lines = describeDifference(expected, actual).split('\n');
    expect(lines[0]).toBe('first difference at byte 70,000 (expected 100,000 bytes, got 100,000)');
    expect(lines[1]).toBe(`  expected: … 69,984 bytes …${'.'.repeat(32)}… 29,968 bytes …${'.'.repeat(16)}`);
    expect(lines[2]).toBe(`  actual:   … 69,984 bytes …${'.'.repeat(16)}!${'.'.repeat(15)}… 29,968 bytes …${'.'.repeat(16)}`);
    expect(lines[4]).toBe(`  actual hex:   … 69,984 bytes … ${'2e '.repeat(16)}21 ${'2e '.repeat(15)}… 29,968 bytes … ${'2e '.repeat(15)}2e`);
  });

  it('shows a difference in the last byte, and one where a value is longer', () => {
    const [expected, actual] = changedAt(99_999, 0);
    const lines = describeDifference(expected, actual).split('\n');
    expect(lines[0]).toBe('first difference at byte 99,999 (expected 100,000 bytes, got 100,000)');
    expect(lines[2]).toBe(`  actual:   … 99,983 bytes …${'.'.repeat(16)}\\0`);
    const longer = describeDifference(expected.subarray(0, 50), expected).split('\n');
    expect(longer[0]).toBe('first difference at byte 50 (expected 50 bytes, got 100,000)');
    expect(longer[2]).toBe(`  actual:   … 34 bytes …${'.'.repeat(32)}… 99,918 bytes …${'.'.repeat(16)}`);
  });
});
