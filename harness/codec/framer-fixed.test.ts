import { describe, it, expect } from 'vitest';
import { fc } from '@fast-check/vitest';
import { expectCodecError, framerProperties } from '../../test/codec-properties.js';
import { fixedSizeFramer } from './framer-fixed.js';

describe('fixedSizeFramer', () => {
  it('writes messages as they are and cuts the stream every size bytes', () => {
    const f = fixedSizeFramer({ size: 2 });
    expect(f.description).toBe('2-byte messages');
    const m = Uint8Array.of(1, 2);
    expect(f.encode(m)).toEqual(m);
    expect(f.encode(m)).not.toBe(m);
    const d = f.decoder();
    expect(d.push(Uint8Array.of(1, 2, 3))).toEqual([Uint8Array.of(1, 2)]);
    expect(d.pending).toBe(1);
    expect(d.push(Uint8Array.of(4, 5, 6))).toEqual([Uint8Array.of(3, 4), Uint8Array.of(5, 6)]);
    d.end();
  });

  it('refuses to encode a message of another size', () => {
    const f = fixedSizeFramer({ size: 4 });
    expectCodecError(() => f.encode(new Uint8Array(5)), 'frame-too-long');
    expect(expectCodecError(() => f.encode(new Uint8Array(3)), 'frame-too-short').message).toBe('a message of 3 bytes is shorter than 4 (4-byte messages)');
  });

  it('says how much of a message came when the stream ends inside it', () => {
    const d = fixedSizeFramer({ size: 4 }).decoder();
    d.push(Uint8Array.of(1));
    expect(expectCodecError(() => d.end(), 'truncated-frame').message).toContain('1 of the 4 bytes of a message');
  });

  it('refuses a size that is not a whole number of bytes, 1 or more', () => {
    for (const size of [0, -1, 1.5, '4', undefined]) expectCodecError(() => fixedSizeFramer({ size } as never), 'bad-framer');
    expectCodecError(() => fixedSizeFramer(undefined as never), 'bad-framer');
  });
});

const casesArb = fc.integer({ min: 1, max: 16 }).chain((size) =>
  fc.array(fc.uint8Array({ minLength: size, maxLength: size }), { maxLength: 6 }).map((messages) => ({ framer: fixedSizeFramer({ size }), messages })),
);

describe('fixedSizeFramer properties', () => {
  framerProperties(casesArb);
});
