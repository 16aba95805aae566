/**
 * Generated scenario values (property scenarios): how each is drawn, what it is,
 * and how a generated split cuts a payload. No fast-check here: loading a scenario
 * must not load the generator library.
 */
import { isBytesField, structFields } from './struct-fields.js';
import { parseStructFormat } from './struct-format.js';
import { pack, type StructValue } from './struct.js';

export type GeneratorSpec =
  | { bytes: { min?: number; max?: number; alphabet?: 'any' | 'ascii' | 'utf8' | 'invalid-utf8' } }
  | { text: { min?: number; max?: number; alphabet?: 'ascii' | 'utf8' } }
  | { integer: { min: number; max: number } }
  | { message: { struct: MessageStruct } }
  | { split: { of?: string; pieces?: { min?: number; max?: number }; pause?: { min?: number; max?: number } } };

/** A generated message's struct layout, and per field what is drawn: `any` (default), a number, or a range. */
export interface MessageStruct {
  format: string;
  values?: ('any' | number | { min: number; max: number })[];
}

/** The plainest message of `m`: every field zero (or its fixed value, or the bottom of its range), packed; no bytes for a layout that cannot be packed (validation says why). */
export function plainMessage(m: MessageStruct): Uint8Array {
  try {
    return pack(m.format, plainValues(m));
  } catch {
    return new Uint8Array(0);
  }
}

function plainValues(m: MessageStruct): StructValue[] {
  const fields = structFields(parseStructFormat(m.format));
  return fields.map((f, i) => {
    const given = m.values?.[i];
    const n = typeof given === 'number' ? given : typeof given === 'object' ? given.min : 0;
    if (isBytesField(f)) return new Uint8Array(f.code === 's' ? f.size : f.code === 'c' ? 1 : 0);
    return f.code === '?' ? n !== 0 : n;
  });
}

/** Where a payload is cut, as fractions of its length, and the pause between pieces. */
export interface SplitValue {
  cuts: number[];
  pause: number;
}

export type GeneratedValue = Uint8Array | string | number | SplitValue;

/** The piece sizes a split gives a payload of `length` bytes (empty pieces dropped). */
export function splitSizes(split: SplitValue, length: number): number[] {
  const points = [...new Set(split.cuts.map((c) => Math.floor(c * length)).filter((p) => p > 0 && p < length))].sort((a, b) => a - b);
  const sizes: number[] = [];
  let at = 0;
  for (const p of points) {
    sizes.push(p - at);
    at = p;
  }
  if (length > at) sizes.push(length - at);
  return sizes;
}
