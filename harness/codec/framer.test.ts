import { describe, it, expect } from 'vitest';
import { CodecError } from './errors.js';
import { checkMessage, checkWholeOption, DEFAULT_MAX_FRAME_LENGTH, FrameError } from './framer.js';
import * as codec from './index.js';

describe('FrameError', () => {
  it('is a CodecError carrying the messages completed before the fault', () => {
    const frames = [Uint8Array.of(1)];
    const e = new FrameError('frame-too-long', 'too long', frames);
    expect(e).toBeInstanceOf(CodecError);
    expect(e.name).toBe('FrameError');
    expect(e.code).toBe('frame-too-long');
    expect(e.frames).toBe(frames);
    expect(new FrameError('x', 'y').frames).toEqual([]);
  });
});

describe('framer options', () => {
  it('takes whole numbers in range, and names the option otherwise', () => {
    expect(checkWholeOption('size', 3, 1)).toBe(3);
    for (const bad of [0, 1.5, -1, NaN, '3', undefined, 2 ** 53]) {
      expect(() => checkWholeOption('size', bad, 1)).toThrow(CodecError);
    }
    expect(() => checkWholeOption('maxLength', 256, 0, 255)).toThrow('maxLength must be a whole number from 0 to 255, got 256');
  });

  it('takes Uint8Array messages only', () => {
    const m = Uint8Array.of(1);
    expect(checkMessage(m)).toBe(m);
    expect(() => checkMessage('abc')).toThrow(expect.objectContaining({ code: 'bad-frame-input' }));
    expect(() => checkMessage(null)).toThrow('got null');
  });

  it('defaults to 1 MiB messages', () => {
    expect(DEFAULT_MAX_FRAME_LENGTH).toBe(1048576);
  });
});

describe('codec index', () => {
  it('exports the framers', () => {
    for (const name of ['delimiterFramer', 'lengthPrefixFramer', 'fixedSizeFramer', 'FrameError']) {
      expect(typeof (codec as Record<string, unknown>)[name], name).toBe('function');
    }
    expect(codec.DEFAULT_MAX_FRAME_LENGTH).toBe(DEFAULT_MAX_FRAME_LENGTH);
  });
});
