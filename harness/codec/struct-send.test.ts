import { describe, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { expectCodecError } from '../../test/codec-properties.js';
import { createRandom } from './fill.js';
import { packStructValues } from './struct-send.js';
import { unpack } from './struct.js';

const enc = (t: string) => new TextEncoder().encode(t);

describe('packStructValues', () => {
  test.prop([fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 8, minLength: 8 })])('lengths count named fields and the rest, *s strings included', (body, tag) => {
    const { bytes, values } = packStructValues('!BH8sH*s', ['kind', 'total', 'tag', 'blen', 'body'], [7, { lengthOf: 'rest' }, tag, { lengthOf: ['body'] }, body]);
    expect(bytes.length).toBe(13 + body.length);
    expect(values).toEqual([7, 10 + body.length, tag, body.length, body]);
    expect(unpack('!BH8sH*s', bytes)).toEqual(values);
  });

  test('rest counts padding and alignment after the field; a list sums its fields', () => {
    expect(packStructValues('@BxxxI', undefined, [{ lengthOf: 'rest' }, 1]).values[0]).toBe(7);
    expect(packStructValues('!HI4sB', ['n', 'a', 'b', 'c'], [{ lengthOf: ['a', 'b', 2] }, 0, enc('ab'), 0]).values[0]).toBe(12);
  });

  test('now, random and byte spellings', () => {
    const { values } = packStructValues('!Id3s2s', undefined, [{ now: true, offset: 2208988800 }, { now: true }, { text: 'ab' }, { hex: 'ff 00' }], { nowMs: () => 1500 });
    expect(values).toEqual([2208988801, 1.5, enc('ab'), Uint8Array.of(0xff, 0)]);
    const a = packStructValues('!HQ4s?', undefined, [{ random: true }, { random: true }, { random: true }, { random: true }], { random: createRandom(5) });
    const b = packStructValues('!HQ4s?', undefined, [{ random: true }, { random: true }, { random: true }, { random: true }], { random: createRandom(5) });
    expect(a).toEqual(b);
    expect(typeof a.values[1]).toBe('bigint');
    expect(unpack('!HQ4s?', a.bytes)).toEqual(a.values);
  });

  test.prop([fc.integer({ min: 0, max: 2 ** 32 - 1 })])('random values stay within every integer range', (seed) => {
    const { values } = packStructValues('<bBhHiIqQ', undefined, Array.from({ length: 8 }, () => ({ random: true as const })), { random: createRandom(seed) });
    expect(unpack('<bBhHiIqQ', packStructValues('<bBhHiIqQ', undefined, values).bytes)).toEqual(values);
  });

  test('bad values are refused with their code and field', () => {
    expect(expectCodecError(() => packStructValues('!HB', ['id', 'n'], [1, 256]), 'struct-value-range').message).toBe("field n (1) ('B'): 256 (0x100) is out of range 0..255");
    expectCodecError(() => packStructValues('!H', undefined, [1.5]), 'struct-value-type');
    expectCodecError(() => packStructValues('!4s', undefined, [4]), 'struct-value-type');
    expectCodecError(() => packStructValues('!H', undefined, [{ text: 'a' }]), 'struct-value-type');
    expectCodecError(() => packStructValues('!2s', undefined, [enc('abc')]), 'struct-value-range');
    expectCodecError(() => packStructValues('!B*s', undefined, [{ lengthOf: 'rest' }, new Uint8Array(300)]), 'struct-value-range');
    expectCodecError(() => packStructValues('!B', ['n'], [{ lengthOf: ['m'] }]), 'struct-unknown-field');
    expectCodecError(() => packStructValues('!BB', undefined, [1]), 'struct-values');
    expectCodecError(() => packStructValues('!e', undefined, [1e6]), 'struct-value-range');
    expectCodecError(() => packStructValues('!*s', undefined, [{ random: true }]), 'struct-value-type');
    expectCodecError(() => packStructValues('!B', undefined, [{ random: true }]), 'bad-struct-values');
  });
});
