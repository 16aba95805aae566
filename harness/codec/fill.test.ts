import { describe, it, expect } from 'vitest';
import { CodecError } from './errors.js';
import { DEFAULT_FILL_PATTERN, MAX_FILL_SIZE, checkFill, createRandom, fillBytes } from './fill.js';

const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe('fillBytes', () => {
  it('repeats the 62 letters and digits by default', () => {
    expect(DEFAULT_FILL_PATTERN).toHaveLength(62);
    expect(text(fillBytes({ size: 64 }))).toBe(DEFAULT_FILL_PATTERN + 'ab');
  });

  it('repeats a pattern, cut at the size', () => {
    expect(text(fillBytes({ size: 7, pattern: 'ab' }))).toBe('abababa');
    expect(text(fillBytes({ size: 1, pattern: 'xyz' }))).toBe('x');
    expect(fillBytes({ size: 0, pattern: '' })).toHaveLength(0);
    expect([...fillBytes({ size: 5, pattern: '€' })]).toEqual([0xe2, 0x82, 0xac, 0xe2, 0x82]);
  });

  it('fills a large size quickly and correctly', () => {
    const b = fillBytes({ size: 1_000_003, pattern: 'abc' });
    expect(b).toHaveLength(1_000_003);
    let wrong = 0;
    for (let i = 0; i < b.length; i++) if (b[i] !== 0x61 + (i % 3)) wrong++;
    expect(wrong).toBe(0);
  });

  it('gives the same random bytes for the same seed, others for another', () => {
    const a = fillBytes({ size: 4096, random: 7 });
    expect(fillBytes({ size: 4096, random: 7 })).toEqual(a);
    expect(fillBytes({ size: 4096, random: 8 })).not.toEqual(a);
    expect(fillBytes({ size: 100, random: 7 })).toEqual(a.subarray(0, 100));
  });

  it('covers every byte value from 256 bytes on', () => {
    for (const seed of [0, 1, 7, 4294967295]) {
      expect(new Set(fillBytes({ size: 256, random: seed })).size).toBe(256);
    }
  });

  it('spreads the bytes after the first 256 evenly', () => {
    const counts = new Array<number>(256).fill(0);
    for (const b of fillBytes({ size: 256 * 1000, random: 3 }).subarray(256)) counts[b]!++;
    expect(Math.min(...counts)).toBeGreaterThan(850);
    expect(Math.max(...counts)).toBeLessThan(1150);
  });

  it('refuses bad specs with a CodecError saying what is allowed', () => {
    expect(() => fillBytes({ size: -1 })).toThrow(CodecError);
    expect(() => fillBytes({ size: MAX_FILL_SIZE + 1 })).toThrow(/from 0 to 16777216/);
    expect(() => fillBytes({ size: 1.5 })).toThrow(/whole number/);
    expect(() => fillBytes({ size: 3, pattern: '' })).toThrow(/non-empty/);
    expect(() => fillBytes({ size: 3, pattern: 'a', random: 1 })).toThrow(/not both/);
    expect(() => fillBytes({ size: 3, random: -1 })).toThrow(/seed/);
    expect(() => fillBytes({ size: 3, random: 0.5 })).toThrow(/seed/);
  });

  it('checkFill answers undefined for good specs', () => {
    expect(checkFill({ size: MAX_FILL_SIZE })).toBeUndefined();
    expect(checkFill({ size: 10, random: 0 })).toBeUndefined();
  });
});

describe('createRandom', () => {
  it('is deterministic 32-bit output', () => {
    const a = createRandom(42);
    const b = createRandom(42);
    const xs = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(xs);
    for (const x of xs) expect(Number.isInteger(x) && x >= 0 && x < 2 ** 32).toBe(true);
  });
});
