import { describe, it, expect } from 'vitest';
import { CodecError } from './errors.js';
import { checkPayload, encodePayload } from './payload.js';
import type { PayloadSpec } from './types.js';

const list = (b: Uint8Array) => [...b];

describe('encodePayload', () => {
  it('encodes each kind', () => {
    expect(list(encodePayload({ text: 'hé' }))).toEqual([0x68, 0xc3, 0xa9]);
    expect(list(encodePayload({ bytes: 'a\\n\\xff' }))).toEqual([0x61, 10, 0xff]);
    expect(list(encodePayload({ hex: 'de:ad' }))).toEqual([0xde, 0xad]);
    expect(list(encodePayload({ fill: { size: 3, pattern: 'xy' } }))).toEqual([0x78, 0x79, 0x78]);
    const vars = new Map([['greeting', Uint8Array.from([1, 2])]]);
    expect(list(encodePayload({ var: 'greeting' }, vars))).toEqual([1, 2]);
  });

  it('keeps a backslash in text as it is', () => {
    expect(list(encodePayload({ text: 'a\\n' }))).toEqual([0x61, 0x5c, 0x6e]);
  });

  it('refuses an unknown var, listing the known ones', () => {
    const vars = new Map([['a', new Uint8Array(0)]]);
    expect(() => encodePayload({ var: 'b' }, vars)).toThrow(/no payload named "b"; the names are a/);
    try {
      encodePayload({ var: 'b' });
    } catch (e) {
      expect(e).toBeInstanceOf(CodecError);
      expect((e as CodecError).code).toBe('unknown-var');
    }
  });

  it('refuses a spec with no kind or several', () => {
    expect(() => encodePayload({} as PayloadSpec)).toThrow(/give the bytes as one of text, bytes, hex, fill, var/);
    expect(() => encodePayload({ text: 'a', hex: '00' } as unknown as PayloadSpec)).toThrow(/not several/);
    expect(() => encodePayload({ text: 5 } as unknown as PayloadSpec)).toThrow(/must be a string/);
  });
});

describe('checkPayload', () => {
  it('answers undefined for good specs, without needing the vars', () => {
    expect(checkPayload({ text: '' })).toBeUndefined();
    expect(checkPayload({ bytes: '\\x00' })).toBeUndefined();
    expect(checkPayload({ hex: '' })).toBeUndefined();
    expect(checkPayload({ fill: { size: 16 * 1024 * 1024 } })).toBeUndefined();
    expect(checkPayload({ var: 'anything' })).toBeUndefined();
  });

  it('answers the problem as text', () => {
    expect(checkPayload({ bytes: 'ab\\q' })).toMatch(/unknown escape .* at offset 2/);
    expect(checkPayload({ hex: 'abc' })).toMatch(/lone hex digit/);
    expect(checkPayload({ fill: { size: -1 } })).toMatch(/fill.size/);
    expect(checkPayload({ fill: null } as unknown as PayloadSpec)).toMatch(/must be a map/);
    expect(checkPayload({ var: '' })).toMatch(/must name a payload/);
    expect(checkPayload({} as PayloadSpec)).toMatch(/give the bytes/);
  });
});
