import { describe, it, expect } from 'vitest';
import { CodecError } from './errors.js';
import { fieldCodes, fieldOffsets, parseStructFormat } from './struct-format.js';
import { calcSize } from './struct.js';

// Expected sizes from CPython 3.11 on x86-64 Linux (`struct.calcsize`).
const PYTHON_SIZES: Array<[string, number]> = [
  ['@bi', 8], ['=bi', 5], ['@ci', 8], ['@lh', 10], ['<lh', 6], ['@hi', 8], ['@ib', 5], ['@qb', 9],
  ['@bq', 16], ['@b e', 4], ['@3s i', 8], ['@?d', 16], ['@ 4h l', 16], ['=lL', 8], ['@Pb', 9],
  ['@bP', 16], ['@bn', 16], ['@bN', 16], ['@x i', 8], ['@xxi', 8], ['@cH', 4], ['@0l', 0], ['!0l', 0],
  ['@bf', 8], ['@bd', 16], ['@cici', 16], ['@5sq', 16], ['@hhh d', 16], ['@e?e', 6], ['bi', 8],
  ['@b0h', 2], ['@b0i', 4], ['bx', 2], ['0x', 0], ['10s', 10], ['0s', 0], ['0p', 0], ['5p', 5],
  ['3c', 3], ['\t i', 4], ['b\ni', 8], ['4h ', 8], ['<i ', 4], ['', 0], ['@bhbibqbd', 40],
  ['!hHiIqQ', 28], ['>e', 2], ['!f', 4], ['<d', 8],
];

describe('calcSize', () => {
  it.each(PYTHON_SIZES)('calcsize(%j) is %i as in Python', (format, size) => {
    expect(calcSize(format)).toBe(size);
  });

  const refused: Array<[string, string]> = [
    ['4 h', 'bad char in struct format'], // no space between count and code
    [' <i', 'bad char in struct format'], // the byte order must come first
    ['i<', 'bad char in struct format'],
    ['<P', 'bad char in struct format'], // native-only codes
    ['=n', 'bad char in struct format'],
    ['z', 'bad char in struct format'],
    ['4', 'repeat count given without format specifier'],
    ['h4', 'repeat count given without format specifier'],
    ['99999999999999999999s', 'total struct size too long'],
  ];
  it.each(refused)('refuses %j like Python: %s', (format, message) => {
    expect(() => calcSize(format)).toThrow(CodecError);
    try {
      calcSize(format);
    } catch (e) {
      expect((e as CodecError).code).toBe('bad-struct-format');
      expect((e as CodecError).message).toContain(message);
    }
  });

  it('names the offending character and its offset', () => {
    expect(() => calcSize('!Hz')).toThrow(/"z" at offset 2 of "!Hz"/);
  });
});

describe('parseStructFormat', () => {
  it('reads the byte order', () => {
    expect(parseStructFormat('!I')).toMatchObject({ littleEndian: false, native: false });
    expect(parseStructFormat('>I')).toMatchObject({ littleEndian: false, native: false });
    expect(parseStructFormat('<I')).toMatchObject({ littleEndian: true, native: false });
    expect(parseStructFormat('=I')).toMatchObject({ littleEndian: true, native: false });
    expect(parseStructFormat('@I')).toMatchObject({ littleEndian: true, native: true });
    expect(parseStructFormat('I')).toMatchObject({ littleEndian: true, native: true });
  });

  it('counts fields: a string is one, padding none', () => {
    expect(parseStructFormat('2h10sx3p?').fields).toBe(5);
    expect(parseStructFormat('0h').fields).toBe(0);
  });

  it('lists the offset and code of every field, with native padding', () => {
    const layout = parseStructFormat('@b2hxq3s');
    expect(fieldOffsets(layout)).toEqual([0, 2, 4, 8, 16]);
    expect(fieldCodes(layout)).toEqual(['b', 'h', 'h', 'q', 's']);
  });

  it('refuses a format that is not a string', () => {
    expect(() => parseStructFormat(42 as unknown as string)).toThrow(/must be a string/);
  });
});
