/**
 * Framers: how whole messages are written on a byte stream and read back from
 * it, whatever pieces the stream arrives in. Pure code: the caller feeds bytes.
 */
import { CodecError } from './errors.js';

/** The default largest message a framer writes or reads: 1 MiB. */
export const DEFAULT_MAX_FRAME_LENGTH = 1024 * 1024;

/** A streaming decoder: bytes in as they arrive, complete messages out. */
export interface FrameDecoder {
  /** Take the next bytes of the stream; the messages they complete, in order (copies). */
  push(bytes: Uint8Array): Uint8Array[];
  /** The stream has ended; throws `CodecError` `truncated-frame` if a partial frame is left. */
  end(): void;
  /** Bytes buffered that are not yet part of a complete message. */
  readonly pending: number;
}

/** A framing of messages on a stream: encode one message, or decode a stream. */
export interface Framer {
  /** What the framing is, for messages: `lines ending "\n"`. */
  readonly description: string;
  /** The bytes of one message with its framing. */
  encode(message: Uint8Array): Uint8Array;
  /** A fresh decoder for one stream. */
  decoder(): FrameDecoder;
}

/**
 * A stream that cannot be decoded further (a frame too long, say). `frames` holds
 * the messages the failing `push` completed before the fault, so that no message
 * is lost whatever pieces the stream came in.
 */
export class FrameError extends CodecError {
  readonly frames: Uint8Array[];

  constructor(code: string, message: string, frames: Uint8Array[] = []) {
    super(code, message);
    this.name = 'FrameError';
    this.frames = frames;
  }
}

/** A framer option that must be a whole number from `min` to `max`; throws `CodecError` `bad-framer`. */
export function checkWholeOption(name: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new CodecError('bad-framer', `${name} must be a whole number from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}

/** The message bytes given to `encode`, checked; throws `CodecError` `bad-frame-input`. */
export function checkMessage(message: unknown): Uint8Array {
  if (!(message instanceof Uint8Array)) {
    throw new CodecError('bad-frame-input', `a message must be a Uint8Array, got ${message === null ? 'null' : typeof message}`);
  }
  return message;
}
