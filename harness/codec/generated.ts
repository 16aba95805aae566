/**
 * Generated scenario values (property scenarios): how each is drawn, what it is,
 * and how a generated split cuts a payload. No fast-check here: loading a scenario
 * must not load the generator library.
 */

export type GeneratorSpec =
  | { bytes: { min?: number; max?: number; alphabet?: 'any' | 'ascii' | 'utf8' | 'invalid-utf8' } }
  | { text: { min?: number; max?: number; alphabet?: 'ascii' | 'utf8' } }
  | { integer: { min: number; max: number } }
  | { split: { of?: string; pieces?: { min?: number; max?: number }; pause?: { min?: number; max?: number } } };

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
