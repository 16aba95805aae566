import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { matchRounds } from './rounds-matcher.js';
import type { MatchResult } from './types.js';

const now = () => 0;
const cat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));

/** The stream of `data` cut at `cuts` (sorted, inside 1..n-1), each piece followed by `trailer`. */
function roundsStream(data: Uint8Array, trailer: Uint8Array, cuts: number[]): Uint8Array {
  const bounds = [0, ...cuts, data.length];
  return cat(...bounds.slice(1).flatMap((end, k) => [data.subarray(bounds[k], end), trailer]));
}

/**
 * Reference by enumeration (small inputs only): whether `s` is a complete rounds
 * stream, and whether it is the prefix of one.
 */
function reference(s: Uint8Array, data: Uint8Array, trailer: Uint8Array) {
  const n = data.length;
  const t = trailer.length;
  const startsWith = (at: number, what: Uint8Array) => what.every((b, k) => at + k >= s.length || s[at + k] === b);
  const memo = new Map<string, boolean>();
  // From a round start at `pos` with `i` data bytes echoed (i < n).
  const from = (pos: number, i: number, complete: boolean): boolean => {
    const key = `${pos},${i},${complete}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let ok = !complete && pos === s.length;
    for (let len = 1; !ok && i + len <= n; len++) {
      const echo = data.subarray(i, i + len);
      if (!startsWith(pos, echo)) continue;
      const afterEcho = pos + len;
      if (afterEcho >= s.length && !complete) ok = true;
      else if (startsWith(afterEcho, trailer)) {
        const end = afterEcho + t;
        if (end > s.length) ok = !complete;
        else if (i + len === n) ok = end === s.length;
        else ok = from(end, i + len, complete);
      }
    }
    memo.set(key, ok);
    return ok;
  };
  return { complete: from(0, 0, true), viable: from(0, 0, false) };
}

/** The verdict the contract asks for on `received` (earliest match, first impossible byte). */
function expectedVerdict(received: Uint8Array, data: Uint8Array, trailer: Uint8Array, ended: boolean): { status: string; at?: number; consumed?: number } {
  for (let k = 1; k <= received.length; k++) {
    const r = reference(received.subarray(0, k), data, trailer);
    if (r.complete) return { status: 'match', consumed: k };
    if (!r.viable) return { status: 'mismatch', at: k - 1 };
  }
  return ended ? { status: 'mismatch', at: received.length } : { status: 'more' };
}

function essence(r: MatchResult) {
  if (r.status === 'match') return { status: r.status, consumed: r.consumed };
  if (r.status === 'mismatch') return { status: r.status, at: r.at };
  return { status: r.status };
}

describe('matchRounds properties', () => {
  const trailerArb = fc.uint8Array({ maxLength: 5 });
  /** Data of any bytes, often bytes of the trailer, with cut points for its rounds. */
  const caseArb = trailerArb.chain((trailer) =>
    fc
      .array(trailer.length ? fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(...trailer)) : fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 40 })
      .chain((bytes) => {
        const data = Uint8Array.from(bytes);
        const cuts = data.length > 1 ? fc.uniqueArray(fc.integer({ min: 1, max: data.length - 1 })).map((c) => c.sort((a, b) => a - b)) : fc.constant([] as number[]);
        return cuts.map((c) => ({ data, trailer, cuts: c }));
      }),
  );

  it('accepts every segmentation into non-empty echoes, each followed by the trailer', () => {
    fc.assert(
      fc.property(caseArb, ({ data, trailer, cuts }) => {
        const stream = roundsStream(data, trailer, cuts);
        const r = matchRounds(data, trailer).test(stream, true, false, now);
        expect(r.status).toBe('match');
        if (r.status !== 'match') return;
        // The earliest complete parse: all of it, or a shorter parse of a prefix.
        expect(r.consumed).toBeLessThanOrEqual(stream.length);
        expect(reference(stream.subarray(0, r.consumed), data, trailer).complete).toBe(true);
        if (r.consumed === stream.length && trailer.length > 0) expect(r.detail).toBe(`${cuts.length + 1} round${cuts.length ? 's' : ''}`);
      }),
      { numRuns: 200 },
    );
  });

  /**
   * Data bytes below 0x80, trailer bytes from 0x80 (at least two, so that dropping
   * one cannot merge two rounds into one): the parse is unique and damage is fatal.
   */
  const disjointArb = fc
    .tuple(fc.uint8Array({ minLength: 1, maxLength: 40, max: 0x7f }), fc.uint8Array({ minLength: 2, maxLength: 5, min: 0x80 }))
    .chain(([data, trailer]) =>
      fc.tuple(fc.constant(data), fc.constant(trailer), data.length > 1 ? fc.uniqueArray(fc.integer({ min: 1, max: data.length - 1 })).map((c) => c.sort((a, b) => a - b)) : fc.constant([] as number[]), fc.nat(), fc.integer({ min: 1, max: 0x7f })),
    );

  it('rejects a stream in which one echo byte was changed, at that byte', () => {
    fc.assert(
      fc.property(disjointArb, ([data, trailer, cuts, pick, delta]) => {
        const stream = roundsStream(data, trailer, cuts);
        const echoAt = [...stream.keys()].filter((k) => stream[k]! < 0x80);
        const at = echoAt[pick % echoAt.length]!;
        const damaged = Uint8Array.from(stream);
        damaged[at] = (damaged[at]! + delta) & 0x7f;
        expect(essence(matchRounds(data, trailer).test(damaged, true, false, now))).toEqual({ status: 'mismatch', at });
      }),
      { numRuns: 200 },
    );
  });

  it('rejects a stream from which one byte was dropped', () => {
    fc.assert(
      fc.property(disjointArb, ([data, trailer, cuts, pick]) => {
        const stream = roundsStream(data, trailer, cuts);
        const at = pick % stream.length;
        const damaged = cat(stream.subarray(0, at), stream.subarray(at + 1));
        const r = matchRounds(data, trailer).test(damaged, true, false, now);
        expect(r.status).toBe('mismatch');
        if (r.status === 'mismatch') expect(r.at).toBeGreaterThanOrEqual(at);
      }),
      { numRuns: 200 },
    );
  });

  /** Small alphabets, so that parses are ambiguous and streams are often almost right. */
  const smallArb = fc
    .tuple(fc.uint8Array({ minLength: 1, maxLength: 6, min: 97, max: 99 }), fc.uint8Array({ maxLength: 3, min: 97, max: 99 }))
    .chain(([data, trailer]) => {
      const valid = (data.length > 1 ? fc.uniqueArray(fc.integer({ min: 1, max: data.length - 1 })) : fc.constant([] as number[])).map((c) => roundsStream(data, trailer, c.sort((a, b) => a - b)));
      const noisy = fc.tuple(valid, fc.nat(), fc.integer({ min: 97, max: 99 })).map(([s, k, b]) => {
        const out = Uint8Array.from(s);
        if (out.length) out[k % out.length] = b;
        return out;
      });
      const random = fc.uint8Array({ maxLength: 20, min: 97, max: 99 });
      return fc.tuple(fc.constant(data), fc.constant(trailer), fc.oneof(valid, noisy, random), fc.array(fc.integer({ min: 1, max: 5 }), { maxLength: 20 }));
    });

  it('answers on every prefix what an exhaustive parse says (earliest match, first impossible byte)', () => {
    fc.assert(
      fc.property(smallArb, ([data, trailer, stream]) => {
        for (let k = 0; k <= stream.length; k++) {
          const prefix = stream.subarray(0, k);
          expect(essence(matchRounds(data, trailer).test(prefix, false, false, now))).toEqual(expectedVerdict(prefix, data, trailer, false));
        }
        expect(essence(matchRounds(data, trailer).test(stream, true, false, now))).toEqual(expectedVerdict(stream, data, trailer, true));
      }),
      { numRuns: 200 },
    );
  });

  it('answers the same whatever pieces the stream is fed in', () => {
    fc.assert(
      fc.property(smallArb, ([data, trailer, stream, steps]) => {
        const m = matchRounds(data, trailer);
        let end = 0;
        for (const step of [...steps, stream.length]) {
          end = Math.min(stream.length, end + step);
          const prefix = stream.subarray(0, end);
          expect(m.test(prefix, false, false, now)).toEqual(matchRounds(data, trailer).test(prefix, false, false, now));
        }
        expect(m.test(stream, true, false, now)).toEqual(matchRounds(data, trailer).test(stream, true, false, now));
      }),
      { numRuns: 200 },
    );
  });
});
