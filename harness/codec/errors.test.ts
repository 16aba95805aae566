import { describe, it, expect } from 'vitest';
import { CodecError } from './errors.js';

describe('CodecError', () => {
  it('is an Error with a stable code', () => {
    const e = new CodecError('bad-hex', 'write pairs');
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('CodecError');
    expect(e.code).toBe('bad-hex');
    expect(e.message).toBe('write pairs');
  });
});
