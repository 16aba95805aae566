/**
 * Fixed-size framing: every message exactly `size` bytes, one after another.
 */
import { CodecError } from './errors.js';
import { createFrameDecoder } from './framer-stream.js';
import { checkMessage, checkWholeOption, type Framer } from './framer.js';

/** A fixed-size framing: the size of every message, 1 byte or more. */
export interface FixedSizeFramerOptions {
  size: number;
}

/** Messages of exactly `size` bytes; encoding any other length is refused. */
export function fixedSizeFramer(options: FixedSizeFramerOptions): Framer {
  const size = checkWholeOption('size', options?.size, 1);
  const description = `${size}-byte messages`;
  return {
    description,
    encode(message) {
      const n = checkMessage(message).length;
      if (n > size) throw new CodecError('frame-too-long', `a message of ${n} bytes is longer than ${size} (${description})`);
      if (n < size) throw new CodecError('frame-too-short', `a message of ${n} bytes is shorter than ${size} (${description})`);
      return message.slice();
    },
    decoder() {
      return createFrameDecoder(
        (buffer) => (buffer.length >= size ? buffer.take(size) : undefined),
        (buffer) => `${buffer.length} of the ${size} bytes of a message`,
        description,
      );
    },
  };
}
