/**
 * Multi-line replies (SMTP, FTP): lines ending with a delimiter, where a line that
 * says it is continued (`250-…`) is joined with the lines after it, delimiters
 * kept between them, into one message ending at the first line that is not.
 */
import { concatBytes, encodeUtf8 } from './bytes.js';
import { CodecError } from './errors.js';
import { delimiterFramer } from './framer-delimiter.js';
import { checkMessage, checkWholeOption, DEFAULT_MAX_FRAME_LENGTH, FrameError, type Framer } from './framer.js';
import { safeRegexOf } from './safe-regex.js';
import { decodeUtf8 } from './utf8-text.js';

/** A multi-line framing: the line delimiter, which lines continue, and the longest message. */
export interface ContinuedFramerOptions {
  delimiter: string | Uint8Array;
  /** A line (its UTF-8 text, delimiter excluded) matching this is continued by the next one. */
  continued: RegExp;
  /** Default `DEFAULT_MAX_FRAME_LENGTH` (1 MiB), for a whole message. */
  maxLength?: number;
}

/** Messages of one or more lines: every line but the last matches `continued`. */
export function continuedFramer(options: ContinuedFramerOptions): Framer {
  const lines = delimiterFramer({ delimiter: options.delimiter, ...(options.maxLength !== undefined ? { maxLength: options.maxLength } : {}) });
  const delimiter = typeof options.delimiter === 'string' ? encodeUtf8(options.delimiter) : options.delimiter.slice();
  const max = checkWholeOption('maxLength', options.maxLength ?? DEFAULT_MAX_FRAME_LENGTH, 0);
  const continued = new RegExp(options.continued.source, options.continued.flags.replace(/[gy]/g, ''));
  const description = `${lines.description}, lines matching /${continued.source}/ continued`;
  return {
    description,
    encode(message) {
      if (checkMessage(message).length > max) throw new CodecError('frame-too-long', `a message of ${message.length} bytes is longer than the maximum ${max} (${description})`);
      return concatBytes([message, delimiter]);
    },
    decoder() {
      const inner = lines.decoder();
      let open: Uint8Array[] = [];
      let held = 0;
      const join = (more: Uint8Array[]): Uint8Array[] => {
        const out: Uint8Array[] = [];
        for (const line of more) {
          open.push(line);
          held += line.length + delimiter.length;
          if (held > max + delimiter.length) throw new FrameError('frame-too-long', `a message of more than ${max} bytes (${description})`, out);
          // A line comes from the peer: matched within the time bound of scenario regexes (RegexBudgetError past it).
          if (safeRegexOf(continued).exec(decodeUtf8(line)) !== undefined) continue;
          out.push(concatBytes(open.flatMap((l, i) => (i === 0 ? [l] : [delimiter, l]))));
          open = [];
          held = 0;
        }
        return out;
      };
      return {
        get pending() {
          return inner.pending + held;
        },
        push(bytes) {
          let more: Uint8Array[];
          try {
            more = inner.push(bytes);
          } catch (e) {
            if (!(e instanceof FrameError)) throw e;
            throw new FrameError(e.code, e.message, join(e.frames));
          }
          return join(more);
        },
        end() {
          inner.end();
          if (open.length > 0) throw new CodecError('truncated-frame', `the stream ended inside a message (${description}): ${open.length} continued line${open.length === 1 ? '' : 's'} and no last line`);
        },
      };
    },
  };
}
