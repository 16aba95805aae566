/**
 * Building matcher verdicts.
 */
import type { MatchResult } from './types.js';

/** A `mismatch` verdict at byte `at`, with the bytes received and, if known, those expected. */
export function mismatch(at: number, reason: string, actual: Uint8Array, expected?: Uint8Array): MatchResult {
  return expected ? { status: 'mismatch', at, reason, expected, actual } : { status: 'mismatch', at, reason, actual };
}

/** A `match` verdict consuming `consumed` bytes. */
export function matched(consumed: number, detail?: string): MatchResult {
  return detail === undefined ? { status: 'match', consumed } : { status: 'match', consumed, detail };
}

/** The `more` verdict: no decision yet. */
export const MORE: MatchResult = Object.freeze({ status: 'more' });
