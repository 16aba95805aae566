/**
 * fast-check arbitraries for users' own codecs: the values of a Python `struct`
 * layout, and framed streams of messages cut into pieces.
 */
import fc from 'fast-check';
import { concatBytes } from './bytes.js';
import type { Framer } from './framer.js';
import { fromHalfBits } from './half-float.js';
import { isIntegerField, structFields, type StructField } from './struct-fields.js';
import { parseStructFormat } from './struct-format.js';
import { intRange } from './struct-pack.js';
import type { StructValue } from './struct.js';

/** What `structArbitrary` draws beyond plain in-range values. */
export interface StructArbitraryOptions {
  /** Include NaN and ±Infinity for `e`/`f`/`d` (default false: finite values only). */
  nonFinite?: boolean;
  /** 8-byte `q`/`Q` as `'bigint'` (default, as `unpack` gives them) or as safe-integer numbers. */
  int64?: 'bigint' | 'number';
  /** The longest `*s` string (default 64 bytes). */
  maxStarLength?: number;
}

/** The arbitrary for one field, its values as `unpack` gives them back. */
function fieldArbitrary(field: StructField, options: StructArbitraryOptions): fc.Arbitrary<StructValue> {
  const { code, size } = field;
  const nonFinite = options.nonFinite ?? false;
  if (code === 's') return fc.uint8Array({ minLength: size, maxLength: size });
  if (code === 'p') return fc.uint8Array({ maxLength: Math.min(255, Math.max(0, size - 1)) });
  if (code === '*s') return fc.uint8Array({ maxLength: options.maxStarLength ?? 64 });
  if (code === 'c') return fc.uint8Array({ minLength: 1, maxLength: 1 });
  if (code === '?') return fc.boolean();
  if (code === 'd') return fc.double({ noNaN: !nonFinite, noDefaultInfinity: !nonFinite });
  if (code === 'f') return fc.float({ noNaN: !nonFinite, noDefaultInfinity: !nonFinite });
  if (code === 'e') return fc.integer({ min: 0, max: 0xffff }).map(fromHalfBits).filter((x) => nonFinite || Number.isFinite(x));
  if (!isIntegerField(field)) throw new Error(`no arbitrary for '${code}'`);
  const [lowest, max] = intRange(code, size);
  // `P` packs negative numbers but unpacks unsigned: only 0 and up come back.
  const min = code === 'P' ? 0n : lowest;
  if (size < 8) return fc.integer({ min: Number(min), max: Number(max) });
  if ((code === 'q' || code === 'Q') && options.int64 !== 'number') return fc.bigInt({ min, max });
  const safe = (n: bigint) => n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER);
  if (code === 'q' || code === 'Q') return fc.bigInt({ min, max }).filter(safe).map(Number);
  // Native 8-byte codes unpack to a number when it is safe, else to a bigint.
  return fc.bigInt({ min, max }).map((n) => (safe(n) ? Number(n) : n));
}

/**
 * Arrays of values valid for `format`, one per field, as `unpack` gives them back:
 * integers within each field's range (bigint for `q`/`Q` by default), `s` bytes of
 * the field's length, `p` bytes that fit, `*s` bytes up to `maxStarLength`, `c` one
 * byte, `?` booleans, floats the field can hold (NaN and ±Infinity only with
 * `nonFinite`). Throws `CodecError` `bad-struct-format` for a bad format.
 */
export function structArbitrary(format: string, options: StructArbitraryOptions = {}): fc.Arbitrary<StructValue[]> {
  const fields = structFields(parseStructFormat(format));
  return fc.tuple(...fields.map((f) => fieldArbitrary(f, options)));
}

/** Options of `framedStreamArbitrary`. */
export interface FramedStreamOptions {
  /** The fewest messages (default 1). */
  minMessages?: number;
  /** The most messages (default 8). */
  maxMessages?: number;
  /** The most cuts made in the stream (default 16). */
  maxCuts?: number;
}

/** Messages, their framed stream, and the stream cut into pieces. */
export interface FramedStream {
  messages: Uint8Array[];
  /** The framed messages one after another. */
  stream: Uint8Array;
  /** Where the stream is cut: increasing offsets strictly inside it. */
  splits: number[];
  /** The stream cut at `splits`: every piece non-empty, together the whole stream. */
  pieces: Uint8Array[];
}

/** The pieces `bytes` is cut into at increasing `cuts` (copies). */
export function cutBytes(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [0, ...cuts, bytes.length];
  return points.slice(1).map((to, i) => bytes.slice(points[i]!, to));
}

/** Increasing cut points strictly inside `length` bytes, from any naturals. */
export function cutPoints(length: number, seeds: readonly number[]): number[] {
  if (length < 2) return [];
  return [...new Set(seeds.map((s) => 1 + (s % (length - 1))))].sort((a, b) => a - b);
}

/**
 * Arrays of messages from `messageArb` that `framer` can encode (others are
 * skipped), framed and concatenated into one stream, with a random cut of that
 * stream into pieces (shrinking toward fewer messages and no cuts).
 */
export function framedStreamArbitrary(framer: Framer, messageArb: fc.Arbitrary<Uint8Array>, options: FramedStreamOptions = {}): fc.Arbitrary<FramedStream> {
  const encodable = messageArb.filter((m) => {
    try {
      framer.encode(m);
      return true;
    } catch {
      return false;
    }
  });
  return fc
    .tuple(fc.array(encodable, { minLength: options.minMessages ?? 1, maxLength: options.maxMessages ?? 8 }), fc.array(fc.nat(), { maxLength: options.maxCuts ?? 16 }))
    .map(([messages, seeds]) => {
      const stream = concatBytes(messages.map((m) => framer.encode(m)));
      const splits = cutPoints(stream.length, seeds);
      return { messages, stream, splits, pieces: cutBytes(stream, splits) };
    });
}
