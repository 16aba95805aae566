/**
 * Words and bytes for what a rounds stream could have continued with, for
 * mismatch messages.
 */
import { concatBytes, showBytes } from './bytes.js';
import type { RoundsState } from './rounds-parser.js';

/** At most this many alternatives are spelled out in a message. */
const MAX_ALTERNATIVES = 4;

function describeState(s: RoundsState, data: Uint8Array, trailer: Uint8Array): string[] {
  const t = trailer.length;
  const nextData = showBytes(data.subarray(s.i, s.i + 1));
  if (s.j === t && t > 0) return [s.i === 0 ? `the echo to start with ${nextData}` : `the next echo to start with ${nextData}`];
  if (s.j === 0) {
    const out: string[] = [];
    if (s.i < data.length) out.push(s.i === 0 && t === 0 ? `the echo to start with ${nextData}` : `the echo to continue with ${nextData}`);
    if (t > 0) out.push(`the trailer ${showBytes(trailer, 16)}`);
    return out;
  }
  return [`the trailer to continue with ${showBytes(trailer.subarray(s.j), 16)}`];
}

/** "the echo to continue with "l" (6c) or the trailer "\n…"": what the states accept next. */
export function describeExpected(states: readonly RoundsState[], data: Uint8Array, trailer: Uint8Array): string {
  const all = new Set<string>();
  for (const s of states) for (const d of describeState(s, data, trailer)) all.add(d);
  const list = [...all];
  const shown = list.slice(0, MAX_ALTERNATIVES).join(' or ');
  return list.length > MAX_ALTERNATIVES ? `${shown} (or ${list.length - MAX_ALTERNATIVES} other continuations)` : shown;
}

/**
 * A full stream for comparison: the bytes received before `at`, then the rest
 * of the most advanced parse sent as one final round.
 */
export function expectedStream(received: Uint8Array, at: number, states: readonly RoundsState[], data: Uint8Array, trailer: Uint8Array): Uint8Array {
  let best: RoundsState | undefined;
  for (const s of states) if (!best || s.i > best.i) best = s;
  const t = trailer.length;
  const parts = [received.subarray(0, at)];
  if (best) {
    const inTrailer = best.j > 0 && best.j < t;
    if (inTrailer) parts.push(trailer.subarray(best.j));
    if (best.i < data.length || (!inTrailer && t > 0)) parts.push(data.subarray(best.i), trailer);
  }
  return concatBytes(parts);
}
