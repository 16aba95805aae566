import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { matchBytes } from './bytes-matcher.js';
import type { MatchResult } from './types.js';

const enc = (s: string) => new TextEncoder().encode(s);
const now = () => 0;

describe('matchBytes', () => {
  const m = matchBytes(enc('hello'));

  it('describes itself', () => {
    expect(m.description).toBe('5 bytes "hello"');
  });

  it('waits for a prefix, matches the bytes and leaves the rest', () => {
    expect(m.test(enc('hel'), false, false, now)).toEqual({ status: 'more' });
    expect(m.test(enc('hello'), false, false, now)).toEqual({ status: 'match', consumed: 5 });
    expect(m.test(enc('hello world'), false, false, now)).toEqual({ status: 'match', consumed: 5 });
  });

  it('fails at the first wrong byte at once', () => {
    const r = m.test(enc('heLp'), false, false, now);
    expect(r).toMatchObject({ status: 'mismatch', at: 2, reason: 'byte 2: expected "llo" (6c 6c 6f), got "Lp" (4c 70)' });
    if (r.status === 'mismatch') {
      expect(r.expected).toEqual(enc('hello'));
      expect(r.actual).toEqual(enc('heLp'));
    }
  });

  it('finds the first wrong byte of any view, whatever its offset in its buffer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 300 }), fc.nat(), fc.nat(40), (want, at, pad) => {
        const i = at % want.length;
        const backing = new Uint8Array(pad + want.length);
        backing.set(want, pad);
        const got = backing.subarray(pad);
        expect(matchBytes(want).test(got, false, false, now)).toEqual({ status: 'match', consumed: want.length });
        got[i] = got[i]! ^ 0xff;
        expect(matchBytes(want).test(got, false, false, now)).toMatchObject({ status: 'mismatch', at: i });
      }),
    );
  });

  it('fails when the stream ends short', () => {
    expect(m.test(enc('hel'), true, false, now)).toMatchObject({ status: 'mismatch', at: 3, reason: 'got 3 of 5 bytes; missing "lo"' });
  });

  it('as a datagram needs the exact length', () => {
    expect(m.test(enc('hello'), true, true, now)).toEqual({ status: 'match', consumed: 5 });
    expect(m.test(enc('hello!'), true, true, now)).toMatchObject({ status: 'mismatch', at: 5, reason: 'expected a 5-byte datagram, got 6 bytes (1 more: "!")' });
    expect(m.test(enc('hell'), true, true, now)).toMatchObject({ status: 'mismatch', at: 4, reason: 'expected a 5-byte datagram, got 4 bytes; missing "o"' });
  });

  it('escapes what it shows', () => {
    const r = matchBytes(Uint8Array.of(0, 10, 0xff)).test(Uint8Array.of(0, 13), false, false, now);
    expect(r).toMatchObject({ status: 'mismatch', at: 1, reason: 'byte 1: expected "\\n\\xff" (0a ff), got "\\r" (0d)' });
  });

  it('matches empty bytes at once', () => {
    expect(matchBytes(new Uint8Array(0)).test(new Uint8Array(0), false, false, now)).toEqual({ status: 'match', consumed: 0 });
  });

  it('keeps its own copy of the expected bytes', () => {
    const want = enc('ab');
    const mm = matchBytes(want);
    want[0] = 0x7a;
    expect(mm.test(enc('ab'), false, false, now).status).toBe('match');
  });
});

describe('matchBytes properties', () => {
  /** Expected bytes and a stream close to them: equal, cut, extended or with one byte changed. */
  const arb = fc.uint8Array({ maxLength: 24 }).chain((want) =>
    fc.tuple(
      fc.constant(want),
      fc.oneof(
        fc.constant(want),
        fc.nat().map((k) => want.subarray(0, want.length ? k % want.length : 0)),
        fc.uint8Array({ maxLength: 8 }).map((extra) => Uint8Array.from([...want, ...extra])),
        fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })).map(([k, d]) => {
          const s = Uint8Array.from(want);
          if (s.length) s[k % s.length] = (s[k % s.length]! + d) & 0xff;
          return s;
        }),
      ),
      fc.array(fc.integer({ min: 1, max: 6 }), { maxLength: 30 }),
    ),
  );

  it('answers the same whatever pieces the stream is fed in, and decides at the deciding byte', () => {
    fc.assert(
      fc.property(arb, ([want, stream, steps]) => {
        const m = matchBytes(want);
        const diff = [...stream].findIndex((b, k) => k < want.length && b !== want[k]);
        let end = 0;
        for (const step of [...steps, stream.length]) {
          end = Math.min(stream.length, end + step);
          const r: MatchResult = m.test(stream.subarray(0, end), false, false, now);
          expect(r).toEqual(matchBytes(want).test(stream.subarray(0, end), false, false, now));
          if (diff >= 0 && end > diff) expect(r).toMatchObject({ status: 'mismatch', at: diff });
          else if (end >= want.length) expect(r).toEqual({ status: 'match', consumed: want.length });
          else expect(r).toEqual({ status: 'more' });
        }
        expect(m.test(stream, true, false, now).status).not.toBe('more');
      }),
      { numRuns: 200 },
    );
  });
});

describe('matchBytes on a growing stream', () => {
  const want = new Uint8Array(256 * 1024).map((_, i) => (i * 7) & 0xff);
  const feed = (stream: Uint8Array, step: number) => {
    const m = matchBytes(want);
    let r;
    for (let n = step, seen = 0; ; n = Math.min(stream.length, n + step)) {
      r = m.test(stream.subarray(0, n), n === stream.length && n >= want.length, false, Date.now, seen);
      if (r.status !== 'more') return r;
      seen = n;
    }
  };

  it('holds once all has come, each piece looked at once', () => {
    expect(feed(want, 4096)).toMatchObject({ status: 'match', consumed: want.length });
  });

  it('fails at the first wrong byte of a later piece', () => {
    const bad = Uint8Array.from(want);
    bad[200_001] = bad[200_001]! ^ 0xff;
    expect(feed(bad, 4096)).toMatchObject({ status: 'mismatch', at: 200_001 });
  });
});
