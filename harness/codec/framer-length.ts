/**
 * Length-prefix framing: each message after its length in 1, 2, 4 or 8 bytes,
 * big- or little-endian. A prefix announcing too much is refused at once.
 */
import { CodecError } from './errors.js';
import { createFrameDecoder } from './framer-stream.js';
import { checkMessage, checkWholeOption, DEFAULT_MAX_FRAME_LENGTH, type Framer } from './framer.js';

/** A length-prefix framing: prefix width and byte order, and the longest message. */
export interface LengthPrefixFramerOptions {
  width: 1 | 2 | 4 | 8;
  /** Default `'big'` (network order). */
  byteOrder?: 'big' | 'little';
  /** Default the smaller of `DEFAULT_MAX_FRAME_LENGTH` (1 MiB) and what the prefix can say. */
  maxLength?: number;
  /** The prefix counts its own bytes too (default false: only the message's). */
  countsPrefix?: boolean;
}

/** The length the `width`-byte prefix at the start of `bytes` says, as a bigint so that 8-byte lengths stay exact. */
function readPrefix(bytes: Uint8Array, width: number, le: boolean): bigint {
  const view = new DataView(bytes.buffer, bytes.byteOffset, width);
  if (width === 8) return view.getBigUint64(0, le);
  if (width === 4) return BigInt(view.getUint32(0, le));
  return BigInt(width === 2 ? view.getUint16(0, le) : view.getUint8(0));
}

/** Write `n` as a prefix of `width` bytes at the start of `view`. */
function writePrefix(view: DataView, width: number, n: number, le: boolean): void {
  if (width === 8) view.setBigUint64(0, BigInt(n), le);
  else if (width === 4) view.setUint32(0, n, le);
  else if (width === 2) view.setUint16(0, n, le);
  else view.setUint8(0, n);
}

/** Messages each after its length; a length above `maxLength` is `frame-too-long`. */
export function lengthPrefixFramer(options: LengthPrefixFramerOptions): Framer {
  const width = options?.width;
  if (width !== 1 && width !== 2 && width !== 4 && width !== 8) {
    throw new CodecError('bad-framer', `a length prefix is 1, 2, 4 or 8 bytes wide, got ${String(width)}`);
  }
  const order = options.byteOrder ?? 'big';
  if (order !== 'big' && order !== 'little') throw new CodecError('bad-framer', `byteOrder must be "big" or "little", got ${String(order)}`);
  const le = order === 'little';
  const own = options.countsPrefix ? width : 0;
  const capacity = (width === 8 ? Number.MAX_SAFE_INTEGER : 2 ** (8 * width) - 1) - own;
  const max = checkWholeOption('maxLength', options.maxLength ?? Math.min(DEFAULT_MAX_FRAME_LENGTH, capacity), 0, capacity);
  const description = `messages after a ${width}-byte ${order}-endian length${own ? ' counting itself' : ''}`;
  const tooLong = (n: number | bigint) => new CodecError('frame-too-long', `a message of ${n} bytes is longer than the maximum ${max} (${description})`);
  return {
    description,
    encode(message) {
      if (checkMessage(message).length > max) throw tooLong(message.length);
      const out = new Uint8Array(width + message.length);
      writePrefix(new DataView(out.buffer), width, message.length + own, le);
      out.set(message, width);
      return out;
    },
    decoder() {
      return createFrameDecoder(
        (buffer) => {
          if (buffer.length < width) return undefined;
          const said = readPrefix(buffer.view(), width, le);
          if (said < BigInt(own)) throw new CodecError('bad-length', `a length prefix of ${said} is less than its own ${width} bytes (${description})`);
          const n = said - BigInt(own);
          if (n > BigInt(max)) throw tooLong(n);
          if (buffer.length < width + Number(n)) return undefined;
          buffer.skip(width);
          return buffer.take(Number(n));
        },
        (buffer) =>
          buffer.length < width
            ? `${buffer.length} of the ${width} bytes of a length prefix`
            : `${buffer.length - width} of the ${readPrefix(buffer.view(), width, le) - BigInt(own)} bytes of a message`,
        description,
      );
    },
  };
}
