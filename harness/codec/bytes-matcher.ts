/**
 * Matching exact bytes at the start of a stream, or as a whole datagram.
 */
import { quoteBytes, showBytes } from './bytes.js';
import { matched, mismatch, MORE } from './mismatch.js';
import type { Matcher } from './types.js';

/** Whether the first `n` bytes of `a` and `b` are the same (a native comparison of views, nothing copied). */
function sameBytes(a: Uint8Array, b: Uint8Array, n: number): boolean {
  return Buffer.from(a.buffer, a.byteOffset, n).equals(Buffer.from(b.buffer, b.byteOffset, n));
}

/** Expects exactly `expected` next (a datagram: exactly it); fails at the first wrong byte. */
export function matchBytes(expected: Uint8Array): Matcher {
  const want = Uint8Array.from(expected);
  let description: string | undefined;
  return {
    // Made when a message asks for it: most expectations hold, and quoting the bytes is most of their cost.
    get description() {
      return (description ??= `${want.length} bytes ${quoteBytes(want, 60)}`);
    },
    test(received, ended, whole, _now, unchanged = 0) {
      const n = Math.min(received.length, want.length);
      // Called again as each piece of a stream comes: only what came since is compared (a 6 MiB expectation
      // arriving in 64 KiB reads would otherwise compare 200 MiB), natively; the byte-by-byte walk only finds where it differs.
      const from = Math.min(unchanged, n);
      if (!sameBytes(received.subarray(from), want.subarray(from), n - from)) {
        let i = 0;
        while (received[i] === want[i]) i++;
        const got = received.subarray(i, i + 16);
        return mismatch(i, `byte ${i}: expected ${showBytes(want.subarray(i, i + 16))}, got ${showBytes(got)}`, received, want);
      }
      if (whole && received.length > want.length) {
        const extra = received.subarray(want.length);
        return mismatch(want.length, `expected a ${want.length}-byte datagram, got ${received.length} bytes (${extra.length} more: ${quoteBytes(extra)})`, received, want);
      }
      if (received.length >= want.length) return matched(want.length);
      if (ended || whole) {
        const missing = want.subarray(received.length);
        const what = whole ? `expected a ${want.length}-byte datagram, got ${received.length} bytes` : `got ${received.length} of ${want.length} bytes`;
        return mismatch(received.length, `${what}; missing ${quoteBytes(missing)}`, received, want);
      }
      return MORE;
    },
  };
}
