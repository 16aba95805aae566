/**
 * Unpacking the values of a parsed Python `struct` layout from bytes.
 */
import { CodecError } from './errors.js';
import { fromHalfBits } from './half-float.js';
import { fixStarLengths, type StructLayout } from './struct-format.js';
import type { StructValue } from './struct.js';

function unpackInteger(view: DataView, at: number, code: string, size: number, le: boolean): number | bigint {
  const signed = !'BHILQNP'.includes(code);
  if (size === 1) return signed ? view.getInt8(at) : view.getUint8(at);
  if (size === 2) return signed ? view.getInt16(at, le) : view.getUint16(at, le);
  if (size === 4) return signed ? view.getInt32(at, le) : view.getUint32(at, le);
  const n = signed ? view.getBigInt64(at, le) : view.getBigUint64(at, le);
  if (code === 'q' || code === 'Q') return n;
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}

/**
 * The values in `bytes` laid out by a parsed format (see `unpack`). A `*s` field
 * takes the rest of the bytes, so it must be the format's last item.
 */
export function unpackLayout(layout: StructLayout, bytes: Uint8Array): StructValue[] {
  if (layout.variable) {
    if (layout.items.findIndex((it) => it.star) !== layout.items.length - 1) {
      throw new CodecError('bad-struct-format', `"*s" takes the rest of the bytes, so it can only be unpacked as the last item of "${layout.format}"`);
    }
    if (bytes.length < layout.size) {
      throw new CodecError('struct-buffer-size', `unpack requires a buffer of at least ${layout.size} bytes (got ${bytes.length}) for "${layout.format}"`);
    }
    return unpackLayout(fixStarLengths(layout, [bytes.length - layout.size]), bytes);
  }
  if (bytes.length !== layout.size) {
    throw new CodecError('struct-buffer-size', `unpack requires a buffer of ${layout.size} bytes (got ${bytes.length}) for "${layout.format}"`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = layout.littleEndian;
  const out: StructValue[] = [];
  for (const it of layout.items) {
    const { code, offset } = it;
    if (code === 'x') continue;
    if (code === 's') out.push(bytes.slice(offset, offset + it.count));
    else if (code === 'p') {
      // CPython fails on `0p`; an empty string is the only sensible answer.
      const n = it.count === 0 ? 0 : Math.min(bytes[offset]!, it.count - 1);
      out.push(bytes.slice(offset + 1, offset + 1 + n));
    } else {
      for (let k = 0; k < it.count; k++) {
        const at = offset + k * it.size;
        if (code === 'c') out.push(bytes.slice(at, at + 1));
        else if (code === '?') out.push(bytes[at] !== 0);
        else if (code === 'e') out.push(fromHalfBits(view.getUint16(at, le)));
        else if (code === 'f') out.push(view.getFloat32(at, le));
        else if (code === 'd') out.push(view.getFloat64(at, le));
        else out.push(unpackInteger(view, at, code, it.size, le));
      }
    }
  }
  return out;
}
