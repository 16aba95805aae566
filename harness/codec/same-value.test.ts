import { describe, expect, it } from 'vitest';
import { sameValue } from './same-value.js';

describe('sameValue', () => {
  it('compares deeply, NaN equal to NaN, 0 and -0 apart, plain objects whatever their prototype', () => {
    expect(sameValue({ a: [1, NaN, 2n, Uint8Array.of(1)] }, Object.assign(Object.create(null), { a: [1, NaN, 2n, Uint8Array.of(1)] }))).toBe(true);
    expect(sameValue(0, -0)).toBe(false);
    expect(sameValue(Uint8Array.of(1), [1])).toBe(false);
    expect(sameValue(Uint8Array.of(1, 2), Uint8Array.of(1, 3))).toBe(false);
    expect(sameValue(new Map([[1, { x: 1 }]]), new Map([[1, { x: 1 }]]))).toBe(true);
    expect(sameValue({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(sameValue(new Date(5), new Date(5))).toBe(true);
  });
});
