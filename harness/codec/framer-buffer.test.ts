import { describe, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { FrameBuffer } from './framer-buffer.js';

type Op = { append: number[] } | { take: number } | { skip: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 90 }).map((append) => ({ append })),
  fc.nat({ max: 120 }).map((take) => ({ take })),
  fc.nat({ max: 120 }).map((skip) => ({ skip })),
);

describe('FrameBuffer', () => {
  test('starts empty', () => {
    const b = new FrameBuffer();
    expect(b.length).toBe(0);
    expect(b.view()).toEqual(new Uint8Array(0));
    expect(b.take(3)).toEqual(new Uint8Array(0));
  });

  test.prop([fc.array(opArb, { maxLength: 40 })], { numRuns: 300 })('behaves as a plain queue of bytes, and taken bytes are copies', (ops) => {
    const buffer = new FrameBuffer();
    const model: number[] = [];
    const taken: Array<[Uint8Array, number[]]> = [];
    for (const op of ops) {
      if ('append' in op) {
        const piece = Uint8Array.from(op.append);
        buffer.append(piece);
        piece.fill(0xee); // the queue holds its own copy
        model.push(...op.append);
      } else if ('take' in op) {
        taken.push([buffer.take(op.take), model.splice(0, op.take)]);
      } else {
        buffer.skip(op.skip);
        model.splice(0, op.skip);
      }
      expect(buffer.length).toBe(model.length);
      expect([...buffer.view()]).toEqual(model);
    }
    for (const [got, want] of taken) expect([...got]).toEqual(want);
  });
});
