/**
 * Python `struct` compatibility: `calcsize`, `pack` and `unpack` with the same
 * layouts, ranges and refusals as CPython on x86-64 Linux.
 */
import { parseStructFormat } from './struct-format.js';
import { packLayout } from './struct-pack.js';
import { unpackLayout } from './struct-unpack.js';

export { packLayout } from './struct-pack.js';
export { unpackLayout } from './struct-unpack.js';

/** A value packed or unpacked: bigint for `q Q` (and 8-byte native ints beyond 2^53), bytes for `c s p`. */
export type StructValue = number | bigint | boolean | Uint8Array;

/** The size in bytes of a format, as Python's `struct.calcsize` (with `*s` fields: without their strings). */
export function calcSize(format: string): number {
  return parseStructFormat(format).size;
}

/** Bytes of `values` packed by a Python `struct` format, as `struct.pack`. */
export function pack(format: string, values: readonly StructValue[]): Uint8Array {
  return packLayout(parseStructFormat(format), values);
}

/** The values in `bytes` (exactly `calcSize(format)` long), as `struct.unpack`. */
export function unpack(format: string, bytes: Uint8Array): StructValue[] {
  return unpackLayout(parseStructFormat(format), bytes);
}
