/**
 * Plain data shared by the codec layer and its users. Everything here is pure:
 * no I/O, no timers.
 */

/** How a scenario spells a byte string. Exactly one field is set. */
export type PayloadSpec =
  | { text: string }
  | { bytes: string }
  | { hex: string }
  | { fill: FillSpec }
  | { var: string }
  | { concat: PayloadSpec[] }
  | { head: { var: string; size: number } };

/** `size` bytes made by repeating `pattern` (UTF-8 text), or pseudo-random bytes from `random` (a seed). */
export interface FillSpec {
  size: number;
  pattern?: string;
  random?: number;
}

/** A value check for one field of a struct. */
export type ValueSpec =
  | number
  | 'any'
  | { min?: number; max?: number }
  | { now: number; offset?: number };

/** The verdict of a matcher on the bytes received so far. */
export type MatchResult =
  | { status: 'match'; consumed: number; detail?: string }
  | { status: 'more' }
  | { status: 'mismatch'; at: number; reason: string; expected?: Uint8Array; actual: Uint8Array };

/**
 * An expectation over a byte stream (TCP) or one whole message (UDP datagram).
 * `test` is called with everything received since the expectation began; `ended`
 * is true once no more bytes can come. It must answer `mismatch` as soon as no
 * continuation of `received` could match, and never return `more` when `ended`.
 * For a datagram, `whole` is true: the matcher must consume all of it or mismatch.
 * `unchanged`, when given, is how many bytes at the start of `received` are the ones
 * it was last called with (a stream that grew): a matcher may skip looking at them again.
 */
export interface Matcher {
  readonly description: string;
  test(received: Uint8Array, ended: boolean, whole: boolean, now: () => number, unchanged?: number): MatchResult;
}
