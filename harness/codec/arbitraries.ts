/**
 * fast-check arbitraries for generated scenario values: payload bytes of an
 * alphabet, text without line breaks, integers, and splits of a payload into
 * pieces with a pause.
 *
 * A payload is drawn as a length and a content seed, and its bytes are made from
 * them: shrinking then halves the length and walks the seed to 0 (the plainest
 * content) in a few dozen runs, where shrinking thousands of bytes one by one
 * would take a run per byte.
 */
import fc from 'fast-check';
import { encodeUtf8 } from './bytes.js';
import type { GeneratedValue, GeneratorSpec } from './generated.js';
import { messageArbitrary } from './message-arbitrary.js';

/** Byte sequences that are never valid UTF-8 (stray continuation, overlong, surrogate, truncated, 0xFF). */
const INVALID_UTF8 = [[0x80], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xff], [0xf8, 0x88, 0x80, 0x80, 0x80]];

/** A small deterministic generator (mulberry32): the same seed, the same bytes. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `length` characters from `pick` (seed 0: the first character throughout). */
function chars(length: number, seed: number, pick: (r: number) => string): string {
  const next = prng(seed);
  let out = '';
  for (let i = 0; i < length; i++) out += pick(seed === 0 ? 0 : next());
  return out;
}

const printable = (r: number) => String.fromCharCode(0x20 + Math.floor(r * 95));
/** Mostly ASCII, then two-, three- and four-byte characters (never a surrogate or a line break). */
function scalar(r: number): string {
  if (r < 0.5) return printable(r * 2);
  const ranges: [number, number][] = [[0xa0, 0x7ff], [0x800, 0xd7ff], [0xe000, 0xfffd], [0x10000, 0x10ffff]];
  const [lo, hi] = ranges[Math.floor((r - 0.5) * 8) % 4]!;
  return String.fromCodePoint(lo + Math.floor(((r * 1e6) % 1) * (hi - lo + 1)));
}

/** Bytes of `length` from the seed: any value, or 7-bit ASCII (seed 0: all zero). */
function bytesOf(length: number, seed: number, top: number): Uint8Array {
  const next = prng(seed);
  const out = new Uint8Array(length);
  if (seed !== 0) for (let i = 0; i < length; i++) out[i] = Math.floor(next() * (top + 1));
  return out;
}

/** UTF-8 of `length` characters, cut to at most `max` bytes on a character boundary. */
function utf8Of(length: number, seed: number, max: number): Uint8Array {
  let text = chars(length, seed, scalar);
  let bytes = encodeUtf8(text);
  while (bytes.length > max) {
    text = [...text].slice(0, -1).join('');
    bytes = encodeUtf8(text);
  }
  return bytes;
}

const lengthIn = (min: number, max: number) => fc.integer({ min, max: Math.max(min, max) });
const seed = fc.nat({ max: 0x7fffffff });

/** The arbitrary for one generated value. */
export function arbitraryFor(spec: GeneratorSpec): fc.Arbitrary<GeneratedValue> {
  if ('bytes' in spec) {
    const { min = 0, max = 64, alphabet = 'any' } = spec.bytes;
    if (alphabet === 'any' || alphabet === 'ascii') return fc.tuple(lengthIn(min, max), seed).map(([n, s]) => bytesOf(n, s, alphabet === 'any' ? 0xff : 0x7f));
    if (alphabet === 'utf8') return fc.tuple(lengthIn(min, max), seed).map(([n, s]) => utf8Of(n, s, max));
    // Valid UTF-8 around one invalid sequence, all within `max` bytes.
    return fc.tuple(lengthIn(Math.max(0, min - 1), Math.max(0, max - 5)), seed, fc.nat({ max: INVALID_UTF8.length - 1 }), fc.nat()).map(([n, s, which, at]) => {
      const bad = INVALID_UTF8[which]!;
      const valid = utf8Of(n, s, Math.max(0, max - bad.length));
      const i = at % (valid.length + 1);
      return Uint8Array.from([...valid.subarray(0, i), ...bad, ...valid.subarray(i)]);
    });
  }
  if ('text' in spec) {
    const { min = 0, max = 32, alphabet = 'ascii' } = spec.text;
    return fc.tuple(lengthIn(min, max), seed).map(([n, s]) => chars(n, s, alphabet === 'ascii' ? printable : scalar));
  }
  if ('integer' in spec) return fc.integer(spec.integer);
  if ('message' in spec) return messageArbitrary(spec.message.struct);
  const pieces = spec.split.pieces ?? {};
  const pause = spec.split.pause ?? {};
  return fc.record({
    // Cut points in ten-thousandths of the payload: integers shrink in few steps.
    cuts: fc
      .array(fc.integer({ min: 1, max: 9999 }), { minLength: Math.max(0, (pieces.min ?? 1) - 1), maxLength: Math.max(0, (pieces.max ?? 8) - 1), size: 'max' })
      .map((cs) => cs.map((c) => c / 10000)),
    pause: fc.integer({ min: pause.min ?? 0, max: pause.max ?? pause.min ?? 0 }),
  });
}
