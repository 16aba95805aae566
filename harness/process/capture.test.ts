import { describe, it, expect } from 'vitest';
import { Capture } from './capture.js';

describe('Capture', () => {
  it('keeps everything under the limit', () => {
    const c = new Capture(16);
    c.add(Buffer.from('hello '));
    c.add(Buffer.from('world'));
    expect(c.text()).toBe('hello world');
    expect(c.truncated).toBe(0);
    expect(c.tail(5)).toBe('world');
    expect(c.tail(100)).toBe('hello world');
  });

  it('keeps the first and the last half and counts what it dropped', () => {
    const c = new Capture(8);
    for (const ch of 'abcdefghijklmnopqrstuvwxyz') c.add(Buffer.from(ch));
    expect(c.bytes().toString()).toBe('abcdwxyz');
    expect(c.truncated).toBe(18);
    expect(c.total).toBe(26);
    expect(c.size).toBe(8);
    expect(c.text()).toBe('abcd\n[… 18 bytes not kept …]\nwxyz');
    expect(c.tail(3)).toBe('xyz');
  });

  it('handles one chunk bigger than the limit', () => {
    const c = new Capture(8);
    c.add(Buffer.from('0123456789ABCDEF'));
    expect(c.bytes().toString()).toBe('0123CDEF');
    expect(c.truncated).toBe(8);
    c.add(Buffer.from('G'));
    expect(c.bytes().toString()).toBe('0123DEFG');
    expect(c.truncated).toBe(9);
  });

  it('never starts a tail in the middle of a character', () => {
    const c = new Capture(64);
    c.add(Buffer.from('a€b'));
    expect(c.tail(3)).toBe('b'); // the last 3 bytes are two of '€' and 'b'
    expect(c.tail(4)).toBe('€b');
  });
});
