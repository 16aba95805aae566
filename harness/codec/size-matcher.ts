/**
 * Matching any bytes of a given count.
 */
import { CodecError } from './errors.js';
import { matched, mismatch, MORE } from './mismatch.js';
import type { Matcher } from './types.js';

/** Expects any `n` bytes (a datagram: exactly `n` bytes long). */
export function matchSize(n: number): Matcher {
  if (!Number.isSafeInteger(n) || n < 0) throw new CodecError('bad-size', `size must be a whole number of bytes, 0 or more; got ${String(n)}`);
  return {
    description: `${n} bytes`,
    test(received, ended, whole) {
      if (whole && received.length !== n) {
        return mismatch(Math.min(n, received.length), `expected a ${n}-byte datagram, got ${received.length} bytes`, received);
      }
      if (received.length >= n) return matched(n);
      if (ended) return mismatch(received.length, `expected ${n} bytes, got ${received.length}`, received);
      return MORE;
    },
  };
}
