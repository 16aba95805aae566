/**
 * The segmentation-insensitive match of an echo protocol: the stream must be
 * one or more rounds `echo_k + trailer` whose non-empty echoes concatenate to
 * `data`, however the server split them.
 */
import { quoteBytes, showBytes } from './bytes.js';
import { CodecError } from './errors.js';
import { matched, mismatch, MORE } from './mismatch.js';
import { RoundsParser } from './rounds-parser.js';
import { describeExpected, expectedStream } from './rounds-report.js';
import type { Matcher, MatchResult } from './types.js';

type Verdict = { kind: 'match'; consumed: number } | { kind: 'mismatch'; at: number; reason: string; expected: Uint8Array };

/**
 * Expects rounds of `data` echoed in non-empty pieces, each followed by `trailer`;
 * matches once all of `data` is echoed and the last trailer is complete, and fails
 * at the first byte no segmentation can explain. Keeps its parse between calls
 * while `received` grows (starting over for a buffer that is not an extension;
 * the bytes the caller says are unchanged are not compared again).
 */
export function matchRounds(data: Uint8Array, trailer: Uint8Array): Matcher {
  if (data.length === 0) throw new CodecError('bad-rounds', 'rounds data must not be empty: an echo of nothing has no rounds');
  const want = Uint8Array.from(data);
  const tail = Uint8Array.from(trailer);
  // Enough for any realistic stream (usually 1-2 states per byte), bounded for data that repeats the trailer.
  const budget = 2 ** 27 + 16 * (want.length + tail.length);
  let parser = new RoundsParser(want, tail, budget);
  let seen = new Uint8Array(0); // a copy of the bytes fed so far (the first `parser.position`)
  let verdict: Verdict | undefined;
  let description: string | undefined;

  // Whether `received` starts with the bytes fed so far; its first `unchanged` bytes are known to be the same.
  const isExtension = (received: Uint8Array, unchanged: number): boolean => {
    const n = parser.position;
    if (received.length < n) return false;
    for (let k = Math.min(unchanged, n); k < n; k++) if (received[k] !== seen[k]) return false;
    return true;
  };

  const remember = (received: Uint8Array, from: number, to: number) => {
    if (to > seen.length) {
      const grown = new Uint8Array(Math.max(to, seen.length * 2, 64));
      grown.set(seen.subarray(0, from));
      seen = grown;
    }
    seen.set(received.subarray(from, to), from);
  };

  const feed = (received: Uint8Array) => {
    const from = parser.position;
    const r = parser.feedAll(received, from, received.length);
    const p = parser.position; // just after the byte that decided, if any
    if (r === 'accept') verdict = { kind: 'match', consumed: p };
    else if (r === 'dead') {
      const states = parser.states;
      const reason = `byte ${p - 1}: expected ${describeExpected(states, want, tail)}, got ${showBytes(received.subarray(p - 1, p))}`;
      verdict = { kind: 'mismatch', at: p - 1, reason, expected: expectedStream(received, p - 1, states, want, tail) };
    } else if (r === 'ambiguous') {
      const reason = `byte ${p}: cannot judge these rounds: the data repeats the trailer so often that too many ways to split the stream remain (more than ${budget} steps of work); use data that does not contain the trailer`;
      verdict = { kind: 'mismatch', at: p, reason, expected: expectedStream(received, p, parser.states, want, tail) };
    }
    remember(received, from, p);
  };

  const rounds = (consumed: number): string => {
    if (tail.length === 0) return 'at least 1 round (the trailer is empty)';
    const r = (consumed - want.length) / tail.length;
    return `${r} round${r === 1 ? '' : 's'}`;
  };

  return {
    // Made when a message asks for it: most expectations hold, and quoting the bytes is most of their cost.
    get description() {
      return (description ??= `${want.length} bytes ${quoteBytes(want, 40)} echoed in rounds, each followed by ${quoteBytes(tail, 40)}`);
    },
    test(received, ended, whole, _now, unchanged = 0): MatchResult {
      // A stream that grew is not looked at again from its start: only its new bytes are parsed, and compared with nothing.
      if (!isExtension(received, unchanged)) {
        parser = new RoundsParser(want, tail, budget);
        verdict = undefined;
      }
      if (!verdict) feed(received);
      if (verdict?.kind === 'mismatch') return mismatch(verdict.at, verdict.reason, received, verdict.expected);
      if (verdict?.kind === 'match') {
        const { consumed } = verdict;
        if (whole && consumed < received.length) {
          const extra = received.subarray(consumed);
          return mismatch(consumed, `${extra.length} bytes after the last round: ${quoteBytes(extra)}`, received, received.subarray(0, consumed));
        }
        return matched(consumed, rounds(consumed));
      }
      if (ended || whole) {
        const at = received.length;
        const states = parser.states;
        const reason = `byte ${at}: expected ${describeExpected(states, want, tail)}, but the ${whole ? 'datagram' : 'stream'} ended`;
        return mismatch(at, reason, received, expectedStream(received, at, states, want, tail));
      }
      return MORE;
    },
  };
}
