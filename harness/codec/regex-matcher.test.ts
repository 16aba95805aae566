import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { CodecError } from './errors.js';
import { matchRegex } from './regex-matcher.js';

const enc = (s: string) => new TextEncoder().encode(s);
const now = () => 0;
const cat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));

describe('matchRegex', () => {
  it('waits for a match, then consumes up to its end', () => {
    const m = matchRegex('wor.d');
    expect(m.description).toBe('text matching /wor.d/');
    expect(m.test(enc('hello wo'), false, false, now)).toEqual({ status: 'more' });
    expect(m.test(enc('hello world!'), false, false, now)).toEqual({ status: 'match', consumed: 11 });
  });

  it('gives the byte offset of the match end across multi-byte characters', () => {
    expect(matchRegex('é+').test(enc('aéé b'), false, false, now)).toEqual({ status: 'match', consumed: 5 });
    expect(matchRegex('😀', 'u').test(enc('x😀y'), false, false, now)).toEqual({ status: 'match', consumed: 5 });
    expect(matchRegex('b').test(cat(enc('a'), Uint8Array.of(0xff, 0xe2, 0x82), enc('b!')), false, false, now)).toEqual({ status: 'match', consumed: 5 });
    expect(matchRegex('\ufffd').test(Uint8Array.of(0x41, 0xc3, 0x41), false, false, now)).toEqual({ status: 'match', consumed: 2 });
  });

  it('does not match half a character still arriving', () => {
    const m = matchRegex('h.', 's');
    expect(m.test(Uint8Array.of(0x68, 0xc3), false, false, now)).toEqual({ status: 'more' });
    expect(m.test(Uint8Array.of(0x68, 0xc3, 0xa9), false, false, now)).toEqual({ status: 'match', consumed: 3 });
    expect(m.test(Uint8Array.of(0x68, 0xc3), true, false, now)).toEqual({ status: 'match', consumed: 2 });
  });

  it('honours flags, and g or y do not carry state between calls', () => {
    expect(matchRegex('HELLO', 'i').test(enc('oh hello'), false, false, now)).toEqual({ status: 'match', consumed: 8 });
    const g = matchRegex('a', 'g');
    expect(g.test(enc('xa'), false, false, now)).toEqual({ status: 'match', consumed: 2 });
    expect(g.test(enc('xa'), false, false, now)).toEqual({ status: 'match', consumed: 2 });
    expect(matchRegex('a', 'y').test(enc('xa'), true, false, now).status).toBe('mismatch');
  });

  it('fails when the stream ends without a match', () => {
    expect(matchRegex('\\d+').test(enc('abc'), true, false, now)).toMatchObject({ status: 'mismatch', at: 3, reason: 'no match for /\\d+/ in 3 bytes: "abc"' });
  });

  it('fails after maxBytes without a match', () => {
    const m = matchRegex('z', '', { maxBytes: 4 });
    expect(m.test(enc('abc'), false, false, now)).toEqual({ status: 'more' });
    expect(m.test(enc('abcdz'), false, false, now)).toMatchObject({ status: 'mismatch', at: 4, reason: expect.stringContaining('in the first 4 bytes') });
    expect(matchRegex('d', '', { maxBytes: 4 }).test(enc('abcd'), false, false, now)).toEqual({ status: 'match', consumed: 4 });
  });

  it('as a datagram must match up to its end', () => {
    expect(matchRegex('\\d+').test(enc('ab12'), true, true, now)).toEqual({ status: 'match', consumed: 4 });
    expect(matchRegex('\\d+').test(enc('12ab'), true, true, now)).toMatchObject({ status: 'mismatch', at: 4 });
    expect(matchRegex('a|b$', 'm').test(enc('a\nb'), true, true, now)).toEqual({ status: 'match', consumed: 3 });
  });

  it('refuses an invalid regular expression or flags', () => {
    expect(() => matchRegex('(')).toThrow(CodecError);
    expect(() => matchRegex('(')).toThrow(/invalid regular expression \/\(\//);
    expect(() => matchRegex('a', 'q')).toThrow(CodecError);
    expect(() => matchRegex('a', '', { maxBytes: -1 })).toThrow(/maxBytes/);
  });

  it('consumes exactly the UTF-8 bytes of the text up to the match end', () => {
    const arb = fc.tuple(fc.string({ unit: 'binary', maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 12 }));
    fc.assert(
      fc.property(arb, ([before, after]) => {
        const text = `${before}#MARK#${after}`;
        const r = matchRegex('#MARK#').test(enc(text), true, false, now);
        expect(r).toEqual({ status: 'match', consumed: enc(text.slice(0, text.indexOf('#MARK#') + 6)).length });
      }),
      { numRuns: 100 },
    );
  });
});

describe('matchRegex against a catastrophic pattern', () => {
  const long = enc('a'.repeat(50_000) + '!');

  it('answers `more`, then a mismatch at the end of the stream, in bounded time', () => {
    const m = matchRegex('(a+)+$');
    expect(m.test(long, false, false, now)).toEqual({ status: 'more' });
    expect(m.test(long, true, false, now)).toMatchObject({ status: 'mismatch', at: 50_001 });
  });

  it('a pattern the linear-time engine cannot run fails with regex-budget instead of hanging', () => {
    const r = matchRegex('(a+)+$', 'i').test(long, false, false, now);
    expect(r).toMatchObject({ status: 'mismatch', reason: expect.stringMatching(/^regex-budget: matching \/\(a\+\)\+\$\/i against 50001 characters took more than 1000 ms/) });
  });

  it('a datagram must still match up to its end, with or without the m flag', () => {
    expect(matchRegex('(a+)+b').test(long, true, true, now)).toMatchObject({ status: 'mismatch' });
    expect(matchRegex('a+!').test(long, true, true, now)).toEqual({ status: 'match', consumed: 50_001 });
    expect(matchRegex('^a$', 'm').test(enc('a\nb'), true, true, now)).toMatchObject({ status: 'mismatch' });
  });
});
