/**
 * Packing values into the bytes of a parsed Python `struct` layout, with the
 * type and range checks of CPython.
 */
import { quoteBytes } from './bytes.js';
import { CodecError } from './errors.js';
import { toHalfBits } from './half-float.js';
import { fixStarLengths, type StructLayout } from './struct-format.js';
import type { StructValue } from './struct.js';

/** The largest struct `pack` builds: 1 GiB. */
const MAX_PACK_SIZE = 2 ** 30;

function show(v: unknown): string {
  if (v instanceof Uint8Array) return `b${quoteBytes(v)}`;
  if (typeof v === 'bigint') return `${v}`;
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

/** The smallest and largest integer a code of `size` bytes packs. */
export function intRange(code: string, size: number): [bigint, bigint] {
  const bits = BigInt(size * 8);
  if (code === 'P') return [-(1n << (bits - 1n)), (1n << bits) - 1n];
  if ('BHILQN'.includes(code)) return [0n, (1n << bits) - 1n];
  return [-(1n << (bits - 1n)), (1n << (bits - 1n)) - 1n];
}

function toInteger(v: StructValue, code: string, index: number): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'boolean') return v ? 1n : 0n;
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  throw new CodecError('struct-type', `required argument is not an integer (item ${index} for '${code}' is ${show(v)})`);
}

function toFloat(v: StructValue, code: string, index: number): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'bigint' && Number.isFinite(Number(v))) return Number(v);
  throw new CodecError('struct-type', `required argument is not a float (item ${index} for '${code}' is ${show(v)})`);
}

function toBytes(v: StructValue, code: string, index: number): Uint8Array {
  if (v instanceof Uint8Array) return v;
  throw new CodecError('struct-type', `argument for '${code}' must be a bytes object (item ${index} is ${show(v)})`);
}

function packInteger(view: DataView, at: number, size: number, code: string, n: bigint, le: boolean, index: number): void {
  const [min, max] = intRange(code, size);
  if (n < min || n > max) {
    throw new CodecError('struct-range', `'${code}' format requires ${min} <= number <= ${max} (item ${index} is ${n})`);
  }
  if (size === 8) view.setBigUint64(at, BigInt.asUintN(64, n), le);
  else if (size === 4) view.setUint32(at, Number(BigInt.asUintN(32, n)), le);
  else if (size === 2) view.setUint16(at, Number(BigInt.asUintN(16, n)), le);
  else view.setUint8(at, Number(BigInt.asUintN(8, n)));
}

function packFloat(view: DataView, at: number, code: string, x: number, layout: StructLayout): void {
  const le = layout.littleEndian;
  if (code === 'd') return view.setFloat64(at, x, le);
  if (code === 'f') {
    // CPython checks for overflow with standard sizes only; native `f` stores infinity.
    if (!layout.native && Number.isFinite(x) && !Number.isFinite(Math.fround(x))) {
      throw new CodecError('struct-range', `float too large to pack with f format (${x})`);
    }
    return view.setFloat32(at, x, le);
  }
  const bits = toHalfBits(x);
  if (bits === undefined) throw new CodecError('struct-range', `float too large to pack with e format (${x})`);
  view.setUint16(at, bits, le);
}

function isTruthy(v: StructValue): boolean {
  if (v instanceof Uint8Array) return v.length > 0;
  return typeof v === 'bigint' ? v !== 0n : Boolean(v) || Number.isNaN(v as number);
}

/** The values given for the `*s` fields of a layout, in order, checked to be bytes. */
function starValues(layout: StructLayout, values: readonly StructValue[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let index = 0;
  for (const it of layout.items) {
    if (it.star) out.push(toBytes(values[index]!, '*s', index));
    if (it.code === 's' || it.code === 'p') index++;
    else if (it.code !== 'x') index += it.count;
  }
  return out;
}

/** Bytes of `values` laid out by a parsed format (see `pack`); a `*s` field takes its value's length. */
export function packLayout(layout: StructLayout, values: readonly StructValue[]): Uint8Array {
  if (values.length !== layout.fields) {
    throw new CodecError('struct-item-count', `pack expected ${layout.fields} items for packing (got ${values.length}) for "${layout.format}"`);
  }
  if (layout.variable) return packLayout(fixStarLengths(layout, starValues(layout, values).map((b) => b.length)), values);
  if (layout.size > MAX_PACK_SIZE) throw new CodecError('struct-too-large', `"${layout.format}" is ${layout.size} bytes, more than pack builds (1 GiB)`);
  const out = new Uint8Array(layout.size);
  const view = new DataView(out.buffer);
  let index = 0;
  for (const it of layout.items) {
    const { code } = it;
    if (code === 'x') continue;
    if (code === 's' || code === 'p') {
      const b = toBytes(values[index]!, code, index);
      index++;
      if (code === 's') out.set(b.subarray(0, it.count), it.offset);
      else if (it.count > 0) {
        const n = Math.min(b.length, it.count - 1);
        out.set(b.subarray(0, n), it.offset + 1);
        out[it.offset] = Math.min(n, 255);
      }
      continue;
    }
    for (let k = 0; k < it.count; k++, index++) {
      const v = values[index]!;
      const at = it.offset + k * it.size;
      if (code === 'c') {
        if (!(v instanceof Uint8Array) || v.length !== 1) {
          throw new CodecError('struct-type', `char format requires a bytes object of length 1 (item ${index} is ${show(v)})`);
        }
        out[at] = v[0]!;
      } else if (code === '?') out[at] = isTruthy(v) ? 1 : 0;
      else if (code === 'e' || code === 'f' || code === 'd') packFloat(view, at, code, toFloat(v, code, index), layout);
      else packInteger(view, at, it.size, code, toInteger(v, code, index), layout.littleEndian, index);
    }
  }
  return out;
}
