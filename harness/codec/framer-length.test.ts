import { describe, it, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { codecErrorOf, concat, decodePieces, encodableArb, expectCodecError, framerProperties, messageBytesArb, splitArb, splitBytes } from '../../test/codec-properties.js';
import { lengthPrefixFramer, type LengthPrefixFramerOptions } from './framer-length.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const abc = Uint8Array.of(0x61, 0x62, 0x63);

describe('lengthPrefixFramer', () => {
  it.each([
    [1, 'big', '03616263'], [1, 'little', '03616263'], [2, 'big', '0003616263'], [2, 'little', '0300616263'],
    [4, 'big', '00000003616263'], [4, 'little', '03000000616263'], [8, 'big', '0000000000000003616263'], [8, 'little', '0300000000000000616263'],
  ] as const)('writes a %i-byte %s-endian length before the message', (width, byteOrder, expected) => {
    const f = lengthPrefixFramer({ width, byteOrder });
    expect(hex(f.encode(abc))).toBe(expected);
    expect(f.decoder().push(Buffer.from(expected, 'hex'))).toEqual([abc]);
  });

  it('is big-endian unless told otherwise, and says so', () => {
    const f = lengthPrefixFramer({ width: 2 });
    expect(f.description).toBe('messages after a 2-byte big-endian length');
    expect(hex(f.encode(new Uint8Array(258)).subarray(0, 2))).toBe('0102');
  });

  it('waits for the whole prefix and message, then returns it', () => {
    const d = lengthPrefixFramer({ width: 4 }).decoder();
    expect(d.push(Uint8Array.of(0, 0))).toEqual([]);
    expect(d.push(Uint8Array.of(0, 2, 9))).toEqual([]);
    expect(d.pending).toBe(5);
    expect(d.push(Uint8Array.of(8, 0, 0, 0, 0))).toEqual([Uint8Array.of(9, 8), new Uint8Array(0)]);
    expect(d.pending).toBe(0);
  });

  it('refuses a prefix announcing more than maxLength as soon as the prefix is in', () => {
    const d = lengthPrefixFramer({ width: 2, maxLength: 10 }).decoder();
    expect(d.push(Uint8Array.of(0, 1, 7, 0))).toEqual([Uint8Array.of(7)]);
    const e = codecErrorOf(() => d.push(Uint8Array.of(11)));
    expect(e).toMatchObject({ code: 'frame-too-long', frames: [] });
    expect(e!.message).toBe('a message of 11 bytes is longer than the maximum 10 (messages after a 2-byte big-endian length)');
  });

  it('reads 8-byte lengths exactly, beyond 2^53', () => {
    const d = lengthPrefixFramer({ width: 8, maxLength: Number.MAX_SAFE_INTEGER }).decoder();
    const e = codecErrorOf(() => d.push(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)));
    expect(e).toMatchObject({ code: 'frame-too-long' });
    expect(e!.message).toContain('18446744073709551615 bytes');
    const safe = lengthPrefixFramer({ width: 8, byteOrder: 'little', maxLength: Number.MAX_SAFE_INTEGER }).decoder();
    expect(safe.push(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f, 0))).toEqual([]); // 2^53 - 1: waits for it
    expect(safe.pending).toBe(8);
    expect(codecErrorOf(() => lengthPrefixFramer({ width: 8 }).decoder().push(Uint8Array.of(0, 0, 0, 0, 0, 0x10, 0, 1)))).toMatchObject({ code: 'frame-too-long' });
  });

  it('refuses to encode a message longer than maxLength or than the prefix can say', () => {
    expectCodecError(() => lengthPrefixFramer({ width: 1 }).encode(new Uint8Array(256)), 'frame-too-long');
    expect(lengthPrefixFramer({ width: 1 }).encode(new Uint8Array(255)).length).toBe(256);
    expectCodecError(() => lengthPrefixFramer({ width: 4, maxLength: 2 }).encode(abc), 'frame-too-long');
    expectCodecError(() => lengthPrefixFramer({ width: 4 }).encode('abc' as never), 'bad-frame-input');
  });

  it('says what is missing when the stream ends inside a frame', () => {
    const d = lengthPrefixFramer({ width: 4 }).decoder();
    d.push(Uint8Array.of(0, 0));
    expect(expectCodecError(() => d.end(), 'truncated-frame').message).toContain('2 of the 4 bytes of a length prefix');
    const e = lengthPrefixFramer({ width: 1 }).decoder();
    e.push(Uint8Array.of(5, 1, 2));
    expect(expectCodecError(() => e.end(), 'truncated-frame').message).toContain('2 of the 5 bytes of a message');
  });

  it('refuses options it cannot use', () => {
    const bad: unknown[] = [{ width: 3 }, { width: '2' }, {}, undefined, { width: 2, byteOrder: 'middle' }, { width: 1, maxLength: 256 }, { width: 2, maxLength: -1 }, { width: 8, maxLength: 2 ** 53 }];
    for (const options of bad) expectCodecError(() => lengthPrefixFramer(options as LengthPrefixFramerOptions), 'bad-framer');
  });
});

const optionsArb: fc.Arbitrary<LengthPrefixFramerOptions> = fc.record(
  {
    width: fc.constantFrom<1 | 2 | 4 | 8>(1, 2, 4, 8),
    byteOrder: fc.constantFrom<'big' | 'little'>('big', 'little'),
    maxLength: fc.integer({ min: 0, max: 255 }),
  },
  { requiredKeys: ['width'] },
);

const casesArb = optionsArb.chain((options) => {
  const framer = lengthPrefixFramer(options);
  return fc.array(encodableArb(framer, messageBytesArb([0, 1, 255], Math.min(options.maxLength ?? 300, 300))), { maxLength: 5 }).map((messages) => ({ framer, messages, options }));
});

describe('lengthPrefixFramer properties', () => {
  framerProperties(casesArb);

  test.prop([casesArb, fc.bigInt({ min: 0n, max: 2n ** 64n }), splitArb], { numRuns: 300 })(
    'a prefix announcing more than maxLength is frame-too-long once the prefix is in, whatever the split',
    ({ framer, messages, options }, excess, split) => {
      const { width } = options;
      const max = BigInt(options.maxLength ?? Math.min(2 ** 20, 2 ** (8 * width) - 1));
      const room = (1n << BigInt(8 * width)) - 1n - max;
      fc.pre(room > 0n);
      const n = max + 1n + (excess % room);
      const prefix = new Uint8Array(width);
      for (let i = 0; i < width; i++) prefix[options.byteOrder === 'little' ? i : width - 1 - i] = Number((n >> BigInt(8 * i)) & 0xffn);
      const stream = concat([...messages.map((m) => framer.encode(m)), prefix]);
      expect(decodePieces(framer, splitBytes(stream, split), false)).toEqual({ messages, error: 'frame-too-long' });
    },
  );
});
