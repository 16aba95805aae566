import { describe, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { expectCodecError } from '../../test/codec-properties.js';
import { matchStruct } from './struct-matcher.js';
import { calcSize, pack, unpack } from './struct.js';

const bytesArb = fc.uint8Array({ maxLength: 40 });

describe('*s: a byte string as long as its value', () => {
  test.prop([fc.integer({ min: 0, max: 0xffff }), bytesArb])('">H*s" packs the string after its length and unpacks it as the rest', (n, b) => {
    const packed = pack('>H*s', [n, b]);
    expect(packed.length).toBe(2 + b.length);
    expect(unpack('>H*s', packed)).toEqual([n, b]);
  });

  test.prop([bytesArb, bytesArb, fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })])('fields after a *s move with it, native alignment included', (a, b, i) => {
    expect(pack('@*sB*si', [a, 7, b, i])).toEqual(pack(`@${a.length}sB${b.length}si`, [a, 7, b, i]));
  });

  test('calcSize leaves the strings out; parse refuses a * not before s', () => {
    expect(calcSize('!HH*s')).toBe(4);
    expectCodecError(() => calcSize('!*H'), 'bad-struct-format');
    expectCodecError(() => calcSize('!3*s'), 'bad-struct-format');
    expectCodecError(() => calcSize('!*'), 'bad-struct-format');
  });

  test('unpack: *s only as the last item, and at least the fixed part', () => {
    expect(unpack('!*s', new Uint8Array(0))).toEqual([new Uint8Array(0)]);
    expect(expectCodecError(() => unpack('!*sH', new Uint8Array(4)), 'bad-struct-format').message).toContain('last item');
    expectCodecError(() => unpack('!H*s', new Uint8Array(1)), 'struct-buffer-size');
    expectCodecError(() => pack('!H*s', [1, 2]), 'struct-type');
  });

  test('the struct matcher takes the whole datagram, or the stream up to its end', () => {
    const m = matchStruct('!H*s', [1, 'any']);
    const bytes = pack('!H*s', [1, new Uint8Array([9, 9, 9])]);
    expect(m.test(bytes, false, true, Date.now)).toMatchObject({ status: 'match', consumed: 5 });
    expect(m.test(bytes, false, false, Date.now)).toEqual({ status: 'more' });
    expect(m.test(bytes, true, false, Date.now)).toMatchObject({ status: 'match', consumed: 5 });
    expect(m.test(bytes.subarray(0, 1), true, false, Date.now)).toMatchObject({ status: 'mismatch' });
    expect(m.test(pack('!H*s', [2, new Uint8Array(0)]), false, true, Date.now)).toMatchObject({ status: 'mismatch' });
  });
});
