/**
 * Matching one whole message of a framed stream: the stream's first frame is
 * decoded (whatever pieces it arrived in) and only its content is matched.
 */
import { FrameError, type Framer, type FrameDecoder } from './framer.js';
import { CodecError } from './errors.js';
import { mismatch, MORE } from './mismatch.js';
import { escapeBytes } from './render.js';
import type { Matcher } from './types.js';

/** The start of a framing problem's reason (the runner gives it the code `framing`). */
export const FRAMING_REASON = 'framing: ';

/** How a message is matched: whole (bytes, struct, size) or searched (a regex). */
export interface FramedMatchOptions {
  /** Bytes the framing adds to each message on the stream (a length prefix, a delimiter). */
  overhead: number;
  /** Search the content for a match instead of matching all of it. */
  search?: boolean;
  /** Called with the message when it matched. */
  seen?: (message: Uint8Array) => void;
}

/**
 * A stream matcher holding when the first message framed by `framer` satisfies
 * `content`; it consumes that message and its framing. A frame that cannot be read,
 * or a stream ending inside one, is a mismatch whose reason starts `framing: `.
 * The matcher decodes incrementally: it is for one expectation on one stream.
 */
export function framedMatcher(framer: Framer, content: Matcher, options: FramedMatchOptions): Matcher {
  let decoder: FrameDecoder = framer.decoder();
  let fed = 0;
  let message: Uint8Array | undefined;
  let problem: string | undefined;
  const arrived = (received: Uint8Array) => `; ${received.length} bytes arrived: "${escapeBytes(received, 80)}"`;
  return {
    get description() {
      return `a message (${framer.description}) of ${content.description}`;
    },
    test(received, ended, _whole, now) {
      if (received.length < fed) {
        decoder = framer.decoder();
        fed = 0;
      }
      if (message === undefined && problem === undefined && received.length > fed) {
        try {
          message = decoder.push(received.subarray(fed))[0];
        } catch (e) {
          // A frame error may still hand over the frames before it; any other codec error (a `continued` regex out of time) ends the framing.
          if (!(e instanceof CodecError)) throw e;
          message = e instanceof FrameError ? e.frames[0] : undefined;
          if (message === undefined) problem = e.message;
        }
        fed = received.length;
      }
      if (problem !== undefined) return mismatch(0, `${FRAMING_REASON}${problem}${arrived(received)}`, received);
      if (message === undefined) {
        if (!ended) return MORE;
        if (received.length === 0) return mismatch(0, `expected a message (${framer.description}), the stream ended before one began`, received);
        let why = `the stream ended inside a message (${framer.description})`;
        try {
          decoder.end();
        } catch (e) {
          if (!(e instanceof CodecError)) throw e;
          why = e.message;
        }
        return mismatch(received.length, `${FRAMING_REASON}${why}${arrived(received)}`, received);
      }
      const m = content.test(message, true, !options.search, now);
      if (m.status === 'match') {
        options.seen?.(message);
        return { status: 'match', consumed: message.length + options.overhead };
      }
      if (m.status === 'more') return mismatch(message.length, `incomplete message for ${content.description}: ${message.length} bytes "${escapeBytes(message, 80)}"`, message);
      return { ...m, reason: m.reason.replace(/datagram/g, 'message') };
    },
  };
}
