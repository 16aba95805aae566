import { describe, it, expect } from 'vitest';
import { CodecError } from './errors.js';
import { calcSize, pack, unpack } from './struct.js';
import type { StructValue } from './struct.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytes = (s: string) => new TextEncoder().encode(s);

// Expected bytes from CPython 3.11 `struct.pack` on x86-64 Linux.
const PYTHON_PACKS: Array<[string, StructValue[], string]> = [
  ['!I', [1], '00000001'],
  ['<I', [1], '01000000'],
  ['>h', [-2], 'fffe'],
  ['<q', [-1n], 'ffffffffffffffff'],
  ['!Q', [2n ** 64n - 1n], 'ffffffffffffffff'],
  ['<i', [-(2 ** 31)], '00000080'],
  ['@bi', [1, 2], '0100000002000000'],
  ['=bi', [1, 2], '0102000000'],
  ['@ci', [bytes('a'), 7], '6100000007000000'],
  ['@lh', [-1, 3], 'ffffffffffffffff0300'],
  ['@bq', [1, 2n], '01000000000000000200000000000000'],
  ['@b2h', [1, 2, 3], '010002000300'],
  ['@b0i', [1], '01000000'],
  ['!3sx2p', [bytes('ab'), bytes('xyz')], '616200000178'],
  ['<5p', [bytes('hello world')], '0468656c6c'],
  ['<3s', [bytes('a')], '610000'],
  ['!?', [true], '01'],
  ['<e', [1.5], '003e'],
  ['>e', [-2.5], 'c100'],
  ['<f', [1.1], 'cdcc8c3f'],
  ['>d', [Math.PI], '400921fb54442d18'],
  ['<hHiIqQ', [-2, 2, -3, 3, -4n, 4n], 'feff0200fdffffff03000000fcffffffffffffff0400000000000000'],
  ['@bhbibqbd', [1, 2, 3, 4, 5, 6n, 7, 8], '0100020003000000040000000500000006000000000000000700000000000000' + '0000000000002040'],
  ['@?l', [true, -5], '0100000000000000fbffffffffffffff'],
  ['@hd', [1, 0.5], '0100000000000000000000000000e03f'],
  ['@cl0h', [bytes('z'), 1], '7a000000000000000100000000000000'],
  ['@bL', [1, 2n ** 63n], '010000000000000000000000000000' + '80'],
  ['!4B', [1, 2, 3, 255], '010203ff'],
  ['0p', [bytes('abc')], ''],
  ['1p', [bytes('abc')], '00'],
  ['0s', [bytes('abc')], ''],
  ['?', [5], '01'],
  ['b', [true], '01'],
  ['@P', [-1], 'ffffffffffffffff'],
  ['@f', [1e39], '0000807f'],
  ['<f', [Infinity], '0000807f'],
  ['<e', [-0], '0080'],
];

describe('pack', () => {
  it.each(PYTHON_PACKS.map(([format, values, expected]) => ({ format, values, expected })))('pack($format, …) gives "$expected" as in Python', ({ format, values, expected }) => {
    expect(hex(pack(format, values))).toBe(expected);
  });

  const refused: Array<[string, StructValue[], string, string]> = [
    ['h', [40000], 'struct-range', "'h' format requires -32768 <= number <= 32767"],
    ['H', [-1], 'struct-range', "'H' format requires 0 <= number <= 65535"],
    ['b', [200], 'struct-range', "'b' format requires -128 <= number <= 127"],
    ['<l', [2 ** 31], 'struct-range', "'l' format requires -2147483648 <= number <= 2147483647"],
    ['Q', [-1], 'struct-range', "'Q' format requires 0 <= number <= 18446744073709551615"],
    ['q', [2n ** 63n], 'struct-range', "'q' format requires -9223372036854775808 <= number <= 9223372036854775807"],
    ['i', [1.5], 'struct-type', 'required argument is not an integer'],
    ['d', [bytes('x')], 'struct-type', 'required argument is not a float'],
    ['c', [bytes('ab')], 'struct-type', 'char format requires a bytes object of length 1'],
    ['s', [1], 'struct-type', "argument for 's' must be a bytes object"],
    ['hh', [1], 'struct-item-count', 'pack expected 2 items for packing (got 1)'],
    ['x', [1], 'struct-item-count', 'pack expected 0 items for packing (got 1)'],
    ['<e', [65520], 'struct-range', 'float too large to pack with e format'],
    ['<f', [1e39], 'struct-range', 'float too large to pack with f format'],
    ['2000000000s', [bytes('')], 'struct-too-large', 'more than pack builds'],
  ];
  it.each(refused.map(([format, values, code, message]) => ({ format, values, code, message })))('pack($format, …) is refused ($code): $message', ({ format, values, code, message }) => {
    let error: unknown;
    try {
      pack(format, values);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CodecError);
    expect((error as CodecError).code).toBe(code);
    expect((error as CodecError).message).toContain(message);
  });
});

describe('unpack', () => {
  it('reads what Python wrote', () => {
    expect(unpack('!I', Uint8Array.from([0, 0, 0, 1]))).toEqual([1]);
    expect(unpack('@2s2h', Uint8Array.from([0x61, 0x62, 1, 0, 2, 0]))).toEqual([bytes('ab'), 1, 2]);
    expect(unpack('3p', Uint8Array.from([5, 0x61, 0x62]))).toEqual([bytes('ab')]);
    expect(unpack('1p', Uint8Array.from([5]))).toEqual([new Uint8Array(0)]);
    expect(unpack('0p', new Uint8Array(0))).toEqual([new Uint8Array(0)]); // CPython raises SystemError here
    expect(unpack('?', Uint8Array.from([5]))).toEqual([true]);
    expect(unpack('<q', Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]))).toEqual([-1n]);
    expect(unpack('<e', Uint8Array.from([0x00, 0x7e]))[0]).toBeNaN();
  });

  it('returns 8-byte native ints as numbers when exact, bigints beyond 2^53', () => {
    expect(unpack('@l', pack('@l', [-5]))).toEqual([-5]);
    expect(unpack('@L', pack('@L', [2n ** 63n]))).toEqual([2n ** 63n]);
    expect(unpack('@P', pack('@P', [-1]))).toEqual([2n ** 64n - 1n]);
  });

  it('refuses a buffer of the wrong size, as Python', () => {
    expect(() => unpack('!I', bytes('abc'))).toThrow('unpack requires a buffer of 4 bytes (got 3)');
    expect(() => unpack('!I', bytes('abcde'))).toThrow('unpack requires a buffer of 4 bytes');
  });

  it('reads from a view into a larger buffer', () => {
    const buf = Uint8Array.from([9, 9, 0, 0, 0, 7, 9]);
    expect(unpack('!I', buf.subarray(2, 6))).toEqual([7]);
  });
});
