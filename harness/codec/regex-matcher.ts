/**
 * Matching a regular expression against the UTF-8 text of the received bytes.
 */
import { quoteBytes } from './bytes.js';
import { CodecError } from './errors.js';
import { matched, mismatch, MORE } from './mismatch.js';
import { RegexBudgetError, SafeRegex, type RegexHit } from './safe-regex.js';
import type { Matcher, MatchResult } from './types.js';
import { byteOffsetOfUnit, completeUtf8Length, decodeUtf8 } from './utf8-text.js';

/** How many bytes a regex expectation reads before giving up, by default: 1 MiB. */
export const DEFAULT_REGEX_MAX_BYTES = 1024 * 1024;

/** Options of `matchRegex`. */
export interface RegexOptions {
  /** Give up (mismatch) when this many bytes came without a match. */
  maxBytes?: number;
  /** A further check of a match (its groups): why it does not hold, or undefined; a match it refuses is a mismatch. */
  check?: (hit: RegexHit) => string | undefined;
}

/**
 * Byte offset of the end of the first match in `bytes`, undefined when none, or the
 * mismatch of a match out of time or refused by `check`.
 */
function matchEnd(re: SafeRegex, bytes: Uint8Array, received: Uint8Array, check?: RegexOptions['check']): number | undefined | MatchResult {
  try {
    const m = re.exec(decodeUtf8(bytes));
    if (!m) return undefined;
    const end = byteOffsetOfUnit(bytes, m.end);
    const problem = check?.(m);
    return problem === undefined ? end : mismatch(byteOffsetOfUnit(bytes, m.index), problem, received);
  } catch (e) {
    if (e instanceof RegexBudgetError) return mismatch(bytes.length, `regex-budget: ${e.message}`, received);
    throw e;
  }
}

/**
 * Expects text matching `/source/flags` (searched anywhere, as `RegExp.exec`);
 * consumes up to the end of the first match. It cannot tell early that a match
 * is impossible: it waits until the stream ends or `maxBytes` came.
 */
export function matchRegex(source: string, flags = '', options: RegexOptions = {}): Matcher {
  const maxBytes = options.maxBytes ?? DEFAULT_REGEX_MAX_BYTES;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) throw new CodecError('bad-regex', `maxBytes must be a whole number of bytes, got ${String(maxBytes)}`);
  const re = new SafeRegex(source, flags);
  // A datagram must match whole: the same pattern anchored at the end of input
  // (`$` is that without the `m` flag, and keeps the pattern linear-time).
  const wholeRe = new SafeRegex(flags.includes('m') ? `(?:${source})(?![\\s\\S])` : `(?:${source})$`, flags);
  const description = `text matching /${source}/${flags}`;
  return {
    description,
    test(received, ended, whole) {
      if (whole) {
        const end = matchEnd(wholeRe, received, received, options.check);
        if (typeof end === 'object') return end;
        return end === undefined ? mismatch(received.length, `no match for /${source}/${flags} in the ${received.length}-byte datagram ${quoteBytes(received, 80)}`, received) : matched(end);
      }
      const atLimit = received.length >= maxBytes;
      const window = atLimit ? received.subarray(0, maxBytes) : received;
      // Until more bytes can come, leave out a character still being received.
      const text = ended || atLimit ? window : window.subarray(0, completeUtf8Length(window));
      const end = matchEnd(re, text, received, options.check);
      if (typeof end === 'object') return end;
      if (end !== undefined) return matched(end);
      if (atLimit) {
        return mismatch(maxBytes, `no match for /${source}/${flags} in the first ${maxBytes} bytes: ${quoteBytes(received, 80)}`, received);
      }
      if (ended) return mismatch(received.length, `no match for /${source}/${flags} in ${received.length} bytes: ${quoteBytes(received, 80)}`, received);
      return MORE;
    },
  };
}
