import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { RoundsParser } from './rounds-parser.js';
import type { FeedResult } from './rounds-parser.js';

const enc = (s: string) => new TextEncoder().encode(s);

function feedEach(p: RoundsParser, bytes: Uint8Array): FeedResult {
  for (const b of bytes) {
    const r = p.feed(b);
    if (r !== 'live') return r;
  }
  return 'live';
}

describe('RoundsParser', () => {
  it('starts at the start of a round with nothing echoed', () => {
    expect(new RoundsParser(enc('ab'), enc('!')).states).toEqual([{ i: 0, j: 1 }]);
  });

  it('keeps every parse a byte allows', () => {
    const p = new RoundsParser(enc('a!b'), enc('!'));
    expect(feedEach(p, enc('a!'))).toBe('live');
    // "a!" is the echo so far, or "a" then the trailer: both stay possible.
    expect(p.states).toEqual(expect.arrayContaining([{ i: 1, j: 1 }, { i: 2, j: 0 }]));
    expect(p.states).toHaveLength(2);
  });

  it('counts the deciding byte as fed and keeps the states before it', () => {
    const p = new RoundsParser(enc('ab'), enc('!'));
    expect(feedEach(p, enc('aX'))).toBe('dead');
    expect(p.position).toBe(2);
    expect(p.states).toEqual([{ i: 1, j: 0 }]);
  });

  it('answers ambiguous once the work budget is spent', () => {
    const p = new RoundsParser(new Uint8Array(1000).fill(97), enc('a'), 5000);
    expect(p.feedAll(new Uint8Array(2000).fill(97), 0, 2000)).toBe('ambiguous');
    expect(p.position).toBeLessThan(1000);
  });

  it('feedAll (with its fast path) decides like feeding byte by byte', () => {
    const arb = fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 12, min: 97, max: 100 }), fc.uint8Array({ maxLength: 3, min: 97, max: 100 }), fc.uint8Array({ maxLength: 40, min: 97, max: 100 }));
    fc.assert(
      fc.property(arb, ([data, trailer, stream]) => {
        const a = new RoundsParser(data, trailer);
        const b = new RoundsParser(data, trailer);
        expect(a.feedAll(stream, 0, stream.length)).toBe(feedEach(b, stream));
        expect(a.position).toBe(b.position);
        expect(a.states).toEqual(b.states);
      }),
      { numRuns: 200 },
    );
  });
});
