/**
 * `fill` payloads: a size filled with a repeated pattern or with deterministic
 * pseudo-random bytes from a seed.
 */
import { encodeUtf8 } from './bytes.js';
import { CodecError } from './errors.js';
import type { FillSpec } from './types.js';

/** The largest `fill.size`: 16 MiB. */
export const MAX_FILL_SIZE = 16 * 1024 * 1024;

/** The default pattern: the 62 ASCII letters and digits (as Python's `ascii_letters + digits`). */
export const DEFAULT_FILL_PATTERN = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** A mulberry32 generator: the same seed always gives the same 32-bit numbers. */
export function createRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** The problem with a fill spec, or undefined when it can be filled. */
export function checkFill(spec: FillSpec): string | undefined {
  const { size, pattern, random } = spec;
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 0 || size > MAX_FILL_SIZE) {
    return `fill.size must be a whole number of bytes from 0 to ${MAX_FILL_SIZE} (16 MiB), got ${String(size)}`;
  }
  if (pattern !== undefined && random !== undefined) return 'give fill.pattern or fill.random, not both';
  if (pattern !== undefined && (typeof pattern !== 'string' || (pattern === '' && size > 0))) {
    return 'fill.pattern must be non-empty text (leave it out for letters and digits)';
  }
  if (random !== undefined && (typeof random !== 'number' || !Number.isInteger(random) || random < 0 || random > 0xffffffff)) {
    return `fill.random is a seed: a whole number from 0 to 4294967295, got ${String(random)}`;
  }
  return undefined;
}

/**
 * Pseudo-random bytes from `seed`. The first 256 are a shuffle of all byte values,
 * so any size from 256 up contains every byte value; the rest are uniform.
 */
export function fillRandom(size: number, seed: number): Uint8Array {
  const next = createRandom(seed);
  const out = new Uint8Array(size);
  const perm = new Uint8Array(256);
  for (let i = 0; i < 256; i++) perm[i] = i;
  for (let i = 255; i > 0; i--) {
    const j = next() % (i + 1);
    const t = perm[i]!;
    perm[i] = perm[j]!;
    perm[j] = t;
  }
  out.set(perm.subarray(0, Math.min(256, size)));
  for (let i = 256; i < size; i += 4) {
    const r = next();
    out[i] = r & 0xff;
    if (i + 1 < size) out[i + 1] = (r >>> 8) & 0xff;
    if (i + 2 < size) out[i + 2] = (r >>> 16) & 0xff;
    if (i + 3 < size) out[i + 3] = r >>> 24;
  }
  return out;
}

/** Bytes of a fill spec; throws `CodecError` `bad-fill` when the spec is invalid. */
export function fillBytes(spec: FillSpec): Uint8Array {
  const problem = checkFill(spec);
  if (problem) throw new CodecError('bad-fill', problem);
  if (spec.random !== undefined) return fillRandom(spec.size, spec.random);
  const pattern = encodeUtf8(spec.pattern ?? DEFAULT_FILL_PATTERN);
  const out = new Uint8Array(spec.size);
  if (spec.size === 0) return out;
  out.set(pattern.subarray(0, Math.min(pattern.length, spec.size)));
  // Double the filled prefix each time: a handful of native copies.
  for (let filled = pattern.length; filled < spec.size; filled *= 2) {
    out.copyWithin(filled, 0, Math.min(filled, spec.size - filled));
  }
  return out;
}
