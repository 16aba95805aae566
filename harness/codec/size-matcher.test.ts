import { describe, it, expect } from 'vitest';
import { CodecError } from './errors.js';
import { matchSize } from './size-matcher.js';

const now = () => 0;

describe('matchSize', () => {
  it('takes any n bytes from a stream', () => {
    const m = matchSize(4);
    expect(m.description).toBe('4 bytes');
    expect(m.test(new Uint8Array(3), false, false, now)).toEqual({ status: 'more' });
    expect(m.test(new Uint8Array(6), false, false, now)).toEqual({ status: 'match', consumed: 4 });
    expect(m.test(new Uint8Array(3), true, false, now)).toMatchObject({ status: 'mismatch', at: 3, reason: 'expected 4 bytes, got 3' });
  });

  it('needs a datagram of exactly n bytes', () => {
    const m = matchSize(4);
    expect(m.test(new Uint8Array(4), true, true, now)).toEqual({ status: 'match', consumed: 4 });
    expect(m.test(new Uint8Array(8), true, true, now)).toMatchObject({ status: 'mismatch', at: 4, reason: 'expected a 4-byte datagram, got 8 bytes' });
    expect(m.test(new Uint8Array(0), true, true, now)).toMatchObject({ status: 'mismatch', at: 0 });
  });

  it('refuses a size that is not a whole number of bytes', () => {
    expect(() => matchSize(-1)).toThrow(CodecError);
    expect(() => matchSize(1.5)).toThrow(/whole number/);
  });
});
