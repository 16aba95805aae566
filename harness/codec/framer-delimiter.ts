/**
 * Delimiter framing: each message followed by a byte sequence such as `\n` or
 * `\r\n`, found even when it arrives split across pieces.
 */
import { encodeUtf8, quoteBytes } from './bytes.js';
import { CodecError } from './errors.js';
import { createFrameDecoder } from './framer-stream.js';
import { checkMessage, checkWholeOption, DEFAULT_MAX_FRAME_LENGTH, type Framer } from './framer.js';

/** A delimiter framing: the delimiter (text as UTF-8) and the longest message, delimiter excluded. */
export interface DelimiterFramerOptions {
  delimiter: string | Uint8Array;
  /** Default `DEFAULT_MAX_FRAME_LENGTH` (1 MiB). */
  maxLength?: number;
}

/** The first index from `from` where `needle` starts within `bytes[from, limit)`, or -1. */
function indexOfBytes(bytes: Uint8Array, needle: Uint8Array, from: number, limit: number): number {
  const last = limit - needle.length;
  for (let i = bytes.indexOf(needle[0]!, from); i >= 0 && i <= last; i = bytes.indexOf(needle[0]!, i + 1)) {
    let k = 1;
    while (k < needle.length && bytes[i + k] === needle[k]) k++;
    if (k === needle.length) return i;
  }
  return -1;
}

/** Messages each followed by `delimiter`; a message longer than `maxLength` is `frame-too-long`. */
export function delimiterFramer(options: DelimiterFramerOptions): Framer {
  const given = options?.delimiter;
  const delimiter = typeof given === 'string' ? encodeUtf8(given) : given instanceof Uint8Array ? given.slice() : undefined;
  if (delimiter === undefined || delimiter.length === 0) {
    throw new CodecError('bad-framer', 'delimiter must be non-empty text or bytes, such as "\\n" or "\\r\\n"');
  }
  const max = checkWholeOption('maxLength', options.maxLength ?? DEFAULT_MAX_FRAME_LENGTH, 0);
  const description = `messages ending ${quoteBytes(delimiter)}`;
  const tooLong = (n: string) => new CodecError('frame-too-long', `a message of ${n} bytes is longer than the maximum ${max} (${description})`);
  return {
    description,
    encode(message) {
      if (checkMessage(message).length > max) throw tooLong(String(message.length));
      const out = new Uint8Array(message.length + delimiter.length);
      out.set(message);
      out.set(delimiter, message.length);
      const at = indexOfBytes(out, delimiter, 0, out.length);
      if (at < message.length) {
        throw new CodecError('delimiter-in-message', `the delimiter ${quoteBytes(delimiter)} would be read at byte ${at} of the message, ending it early (${description})`);
      }
      return out;
    },
    decoder() {
      let scanned = 0; // the queue holds no delimiter starting before this
      return createFrameDecoder(
        (buffer) => {
          const bytes = buffer.view();
          const limit = Math.min(bytes.length, max + delimiter.length);
          const at = indexOfBytes(bytes, delimiter, scanned, limit);
          if (at >= 0) {
            scanned = 0;
            const message = buffer.take(at);
            buffer.skip(delimiter.length);
            return message;
          }
          scanned = Math.max(scanned, limit - delimiter.length + 1);
          if (bytes.length >= max + delimiter.length) throw tooLong(`more than ${max}`);
          return undefined;
        },
        (buffer) => `${buffer.length} bytes without the delimiter ${quoteBytes(delimiter)}`,
        description,
      );
    },
  };
}
