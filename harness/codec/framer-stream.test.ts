import { describe, it, expect } from 'vitest';
import { CodecError } from './errors.js';
import { createFrameDecoder } from './framer-stream.js';
import { FrameError } from './framer.js';

/** Frames of one byte each; a zero byte is a bad frame. */
const oneByteFrames = () =>
  createFrameDecoder(
    (buffer) => {
      if (buffer.length === 0) return undefined;
      if (buffer.view()[0] === 0) throw new CodecError('bad-frame', 'zero byte');
      return buffer.take(1);
    },
    (buffer) => `${buffer.length} bytes`,
    'one-byte frames',
  );

describe('createFrameDecoder', () => {
  it('returns every frame a push completes', () => {
    const d = oneByteFrames();
    expect(d.push(Uint8Array.of(1, 2, 3))).toEqual([Uint8Array.of(1), Uint8Array.of(2), Uint8Array.of(3)]);
    expect(d.pending).toBe(0);
    expect(() => d.end()).not.toThrow();
  });

  it('keeps the frames before a fault in the error, and fails every later call the same way', () => {
    const d = oneByteFrames();
    let error: unknown;
    try {
      d.push(Uint8Array.of(1, 2, 0, 3));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FrameError);
    expect((error as FrameError).code).toBe('bad-frame');
    expect((error as FrameError).frames).toEqual([Uint8Array.of(1), Uint8Array.of(2)]);
    expect(() => d.push(Uint8Array.of(4))).toThrow(expect.objectContaining({ code: 'bad-frame', frames: [] }));
    expect(() => d.push(Uint8Array.of(4))).toThrow('the stream already failed (one-byte frames): zero byte');
    expect(() => d.end()).toThrow(expect.objectContaining({ code: 'bad-frame' }));
  });

  it('refuses bytes after the end and input that is not bytes', () => {
    const d = oneByteFrames();
    expect(() => d.push('ab' as unknown as Uint8Array)).toThrow(expect.objectContaining({ code: 'bad-frame-input' }));
    expect(() => d.push(null as unknown as Uint8Array)).toThrow('push takes a Uint8Array, got null');
    d.end();
    expect(() => d.push(Uint8Array.of(1))).toThrow(expect.objectContaining({ code: 'stream-ended' }));
  });

  it('lets an error that is not a CodecError through unchanged', () => {
    const d = createFrameDecoder(() => {
      throw new RangeError('bug');
    }, () => '', 'x');
    expect(() => d.push(Uint8Array.of(1))).toThrow(RangeError);
  });
});
