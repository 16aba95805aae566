/**
 * The decoder every framer shares: it queues the bytes pushed, reads frames off
 * the queue with the framer's reader, and keeps a failure once it happens.
 */
import { CodecError } from './errors.js';
import { FrameBuffer } from './framer-buffer.js';
import { FrameError, type FrameDecoder } from './framer.js';

/**
 * Reads one frame off the front of `buffer`: its message (removed from the
 * buffer), or undefined until more bytes come. Throws `CodecError` on a bad frame.
 */
export type FrameReader = (buffer: FrameBuffer) => Uint8Array | undefined;

/** What the `truncated-frame` error says about the partial frame left in `buffer`. */
export type PartialFrame = (buffer: FrameBuffer) => string;

/** A decoder reading frames with `read`; `describe` names the framing in errors. */
export function createFrameDecoder(read: FrameReader, partial: PartialFrame, describe: string): FrameDecoder {
  const buffer = new FrameBuffer();
  let failure: CodecError | undefined;
  let ended = false;
  return {
    get pending() {
      return buffer.length;
    },
    push(bytes) {
      if (failure) throw new FrameError(failure.code, `the stream already failed (${describe}): ${failure.message}`);
      if (ended) throw new CodecError('stream-ended', `bytes pushed after the end of the stream (${describe})`);
      if (!(bytes instanceof Uint8Array)) {
        throw new CodecError('bad-frame-input', `push takes a Uint8Array, got ${bytes === null ? 'null' : typeof bytes}`);
      }
      buffer.append(bytes);
      const frames: Uint8Array[] = [];
      try {
        for (let m = read(buffer); m !== undefined; m = read(buffer)) frames.push(m);
      } catch (e) {
        if (!(e instanceof CodecError)) throw e;
        failure = e;
        throw new FrameError(e.code, e.message, frames);
      }
      return frames;
    },
    end() {
      ended = true;
      if (failure) throw new FrameError(failure.code, `the stream already failed (${describe}): ${failure.message}`);
      if (buffer.length > 0) {
        throw new CodecError('truncated-frame', `the stream ended inside a frame (${describe}): ${partial(buffer)}`);
      }
    },
  };
}
