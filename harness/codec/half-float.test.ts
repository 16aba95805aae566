import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { fromHalfBits, toHalfBits } from './half-float.js';

// Bits from CPython 3.11 `struct.pack('<e', x)`.
const PYTHON: Array<[number, number]> = [
  [1.5, 0x3e00], [-2.5, 0xc100], [65504, 0x7bff], [65519.99, 0x7bff], [5.960464477539063e-8, 0x0001],
  [2 ** -25, 0x0000], [2.980232536792755e-8, 0x0001], [8.940696716308594e-8, 0x0002], [1.4901161193847656e-7, 0x0002],
  [1.0009765625, 0x3c01], [1.00048828125, 0x3c00], [1.00146484375, 0x3c02], [6.103515625e-5, 0x0400],
  [1e-10, 0x0000], [-0, 0x8000], [0, 0x0000], [Infinity, 0x7c00], [-Infinity, 0xfc00], [NaN, 0x7e00],
];

describe('toHalfBits', () => {
  it.each(PYTHON)('%d packs to %i as in Python (round half to even)', (x, bits) => {
    expect(toHalfBits(x)).toBe(bits);
  });

  it('keeps the sign of a NaN, as CPython', () => {
    const v = new DataView(new ArrayBuffer(8));
    v.setUint32(0, 0xfff80000);
    expect(toHalfBits(v.getFloat64(0))).toBe(0xfe00);
  });

  it('refuses finite values that round to infinity', () => {
    expect(toHalfBits(65520)).toBeUndefined();
    expect(toHalfBits(-70000)).toBeUndefined();
    expect(toHalfBits(1e300)).toBeUndefined();
  });

  it('round-trips every non-NaN bit pattern', () => {
    const wrong: number[] = [];
    for (let bits = 0; bits < 0x10000; bits++) {
      if ((bits & 0x7c00) === 0x7c00 && bits & 0x3ff) continue;
      if (toHalfBits(fromHalfBits(bits)) !== bits) wrong.push(bits);
    }
    expect(wrong).toEqual([]);
  });

  it('picks the nearest half for any double in range', () => {
    fc.assert(
      fc.property(fc.double({ min: -65504, max: 65504, noNaN: true }), (x) => {
        const y = fromHalfBits(toHalfBits(x)!);
        const bits = toHalfBits(x)!;
        // Neighbours are no closer than the chosen value.
        for (const n of [bits - 1, bits + 1]) {
          if (n < 0 || (n & 0x7fff) >= 0x7c00 || (n & 0x8000) !== (bits & 0x8000)) continue;
          expect(Math.abs(fromHalfBits(n) - x)).toBeGreaterThanOrEqual(Math.abs(y - x));
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('fromHalfBits', () => {
  it('reads normals, subnormals, infinities and NaN', () => {
    expect(fromHalfBits(0x3c00)).toBe(1);
    expect(fromHalfBits(0x0001)).toBe(2 ** -24);
    expect(fromHalfBits(0x8000)).toBe(-0);
    expect(fromHalfBits(0x7c00)).toBe(Infinity);
    expect(fromHalfBits(0xfc00)).toBe(-Infinity);
    expect(fromHalfBits(0x7e00)).toBeNaN();
    expect(fromHalfBits(0x7c01)).toBeNaN();
  });
});
