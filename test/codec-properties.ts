/**
 * Property-test building blocks the codec tests share: splitting a stream into
 * pieces, feeding a framer's decoder, the properties every framer must have, and
 * generators of Python `struct` formats and values (valid, out of range, garbage).
 */
import { expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { CodecError } from '../harness/codec/errors.js';
import { FrameError, type Framer } from '../harness/codec/framer.js';
import { fromHalfBits } from '../harness/codec/half-float.js';
import type { StructValue } from '../harness/codec/struct.js';

// ---------------------------------------------------------------- errors

/** The `CodecError` `run` throws, or undefined if it returns; any other exception is rethrown. */
export function codecErrorOf(run: () => unknown): CodecError | undefined {
  try {
    run();
  } catch (e) {
    if (e instanceof CodecError) return e;
    throw e;
  }
  return undefined;
}

/** `run` throws a `CodecError` with `code` (and a message); anything else fails the test. */
export function expectCodecError(run: () => unknown, code: string): CodecError {
  const error = codecErrorOf(run);
  expect(error, `expected CodecError ${code}`).toBeInstanceOf(CodecError);
  expect(error!.code).toBe(code);
  expect(error!.message.length).toBeGreaterThan(0);
  return error!;
}

// ---------------------------------------------------------------- streams

/** Where a stream is cut: whole, one byte at a time, or at generated points. */
export type Split = 'whole' | 'bytewise' | number[];

/** Any way to cut a stream, independent of its length (points are taken modulo it). */
export const splitArb: fc.Arbitrary<Split> = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom<Split>('whole', 'bytewise') },
  { weight: 6, arbitrary: fc.array(fc.nat(), { maxLength: 12 }) },
);

/** The pieces `bytes` is cut into by `split` (fresh copies; empty pieces included). */
export function splitBytes(bytes: Uint8Array, split: Split): Uint8Array[] {
  if (split === 'whole') return [bytes.slice()];
  if (split === 'bytewise') return Array.from(bytes, (_, i) => bytes.slice(i, i + 1));
  const cuts = split.map((p) => p % (bytes.length + 1)).sort((a, b) => a - b);
  const points = [0, ...cuts, bytes.length];
  return points.slice(1).map((to, i) => bytes.slice(points[i]!, to));
}

/** One array holding `parts` one after another. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** What a decoder made of a stream: its messages, then either its error code or what it left pending. */
export interface DecodeOutcome {
  messages: Uint8Array[];
  error?: string;
  pending?: number;
}

/**
 * Feed `pieces` to a fresh decoder of `framer`, then end the stream. Each piece is
 * overwritten once pushed, so a decoder keeping the caller's bytes is caught.
 */
export function decodePieces(framer: Framer, pieces: readonly Uint8Array[], end = true): DecodeOutcome {
  const decoder = framer.decoder();
  const messages: Uint8Array[] = [];
  for (const piece of pieces) {
    const error = codecErrorOf(() => messages.push(...decoder.push(piece)));
    piece.fill(0xa5);
    if (error) {
      expect(error, 'a failing push is a FrameError').toBeInstanceOf(FrameError);
      return { messages: [...messages, ...(error as FrameError).frames], error: error.code };
    }
  }
  const pending = decoder.pending;
  const error = end ? codecErrorOf(() => decoder.end()) : undefined;
  return error ? { messages, error: error.code, pending } : { messages, pending };
}

/** A framer and messages it can encode. */
export interface FramerCase {
  framer: Framer;
  messages: Uint8Array[];
}

/** Bytes over a small alphabet (so delimiters and boundaries collide often) or any bytes. */
export function messageBytesArb(alphabet: readonly number[], maxLength: number): fc.Arbitrary<Uint8Array> {
  const byte = fc.oneof(fc.constantFrom(...alphabet), fc.integer({ min: 0, max: 255 }));
  return fc.array(byte, { maxLength }).map((b) => Uint8Array.from(b));
}

/** Messages `framer` can encode, drawn from `bytes`. */
export function encodableArb(framer: Framer, bytes: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  return bytes.filter((m) => codecErrorOf(() => framer.encode(m)) === undefined);
}

/**
 * The properties every framer has, for the framers and messages `cases` makes:
 * decode(encode(x)) = x for any split, each message as soon as its last byte is in,
 * a partial frame at the end is `truncated-frame`, and any bytes at all give the same
 * messages and error whatever the split, and never an exception other than `CodecError`.
 */
export function framerProperties(cases: fc.Arbitrary<FramerCase>, numRuns = 300): void {
  test.prop([cases, splitArb], { numRuns })('decode(encode(messages)) gives the messages back, for any split of the stream', ({ framer, messages }, split) => {
    const stream = concat(messages.map((m) => framer.encode(m)));
    expect(decodePieces(framer, splitBytes(stream, split))).toEqual({ messages, pending: 0 });
  });

  test.prop([cases, fc.nat()], { numRuns })('push returns each message once its last byte is in, and pending counts the rest', ({ framer, messages }, cutSeed) => {
    const frames = messages.map((m) => framer.encode(m));
    const stream = concat(frames);
    const cut = cutSeed % (stream.length + 1);
    const decoder = framer.decoder();
    const got = decoder.push(stream.slice(0, cut));
    let complete = 0;
    let used = 0;
    while (complete < frames.length && used + frames[complete]!.length <= cut) used += frames[complete++]!.length;
    expect(got).toEqual(messages.slice(0, complete));
    expect(decoder.pending).toBe(cut - used);
    expect(decoder.push(stream.slice(cut))).toEqual(messages.slice(complete));
    expect(decoder.pending).toBe(0);
  });

  test.prop([cases, fc.nat(), splitArb], { numRuns })('a stream ending inside a frame is truncated-frame, after the whole messages', ({ framer, messages }, cutSeed, split) => {
    fc.pre(messages.length > 0);
    const frames = messages.map((m) => framer.encode(m));
    const last = frames.at(-1)!;
    const partial = 1 + (cutSeed % Math.max(1, last.length - 1));
    fc.pre(partial < last.length);
    const stream = concat([...frames.slice(0, -1), last.subarray(0, partial)]);
    expect(decodePieces(framer, splitBytes(stream, split))).toEqual({ messages: messages.slice(0, -1), error: 'truncated-frame', pending: partial });
  });

  const garbage = fc.tuple(cases, fc.array(fc.oneof(messageBytesArb([0, 1, 10, 13], 24), fc.uint8Array({ maxLength: 24 })), { maxLength: 4 }));
  test.prop([garbage, splitArb], { numRuns })('any bytes decode to the same messages and error whatever the split', ([{ framer, messages }, junk], split) => {
    const stream = concat([...messages.map((m) => framer.encode(m)), ...junk]);
    const whole = decodePieces(framer, [stream.slice()]);
    expect(decodePieces(framer, splitBytes(stream, split))).toEqual(whole);
    if (whole.error) expect(['truncated-frame', 'frame-too-long']).toContain(whole.error);
  });
}

// ---------------------------------------------------------------- struct

/** The codes of every byte order; `n N P` exist only with native order (`@` or none). */
export const STRUCT_CODES = [...'xcbB?hHiIlLqQefdsp'];
export const NATIVE_ONLY_CODES = [...'nNP'];
export const BYTE_ORDERS = ['', '@', '=', '<', '>', '!'];

const INT_SIZES: Record<string, [standard: number, native: number]> = {
  b: [1, 1], B: [1, 1], h: [2, 2], H: [2, 2], i: [4, 4], I: [4, 4], l: [4, 8], L: [4, 8],
  q: [8, 8], Q: [8, 8], n: [8, 8], N: [8, 8], P: [8, 8],
};

/** Whether a code packs an integer. */
export const isIntCode = (code: string): boolean => Object.hasOwn(INT_SIZES, code);

/** The range Python accepts for an integer code (`P` takes negatives too, as CPython). */
export function intBounds(code: string, native: boolean): [bigint, bigint] {
  const bits = BigInt(8 * INT_SIZES[code]![native ? 1 : 0]);
  if ('BHILQN'.includes(code)) return [0n, (1n << bits) - 1n];
  if (code === 'P') return [-(1n << (bits - 1n)), (1n << bits) - 1n];
  return [-(1n << (bits - 1n)), (1n << (bits - 1n)) - 1n];
}

/** How `unpack` returns an integer: bigint for `q Q` and beyond 2^53, else a number. */
function asUnpacked(code: string, n: bigint): StructValue {
  const safe = n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER);
  return code === 'q' || code === 'Q' || !safe ? n : Number(n);
}

/** Python truthiness, as `?` packs it. */
export function truthy(v: StructValue): boolean {
  if (v instanceof Uint8Array) return v.length > 0;
  if (typeof v === 'number') return v !== 0; // NaN is true, as in Python
  return typeof v === 'bigint' ? v !== 0n : v;
}

/** A value packed by a code, with what `unpack` gives back. */
type Pair = [value: StructValue, expected: StructValue];

function intPairArb(code: string, native: boolean): fc.Arbitrary<Pair> {
  const [min, max] = intBounds(code, native);
  const n = fc.oneof(fc.bigInt(min, max), fc.constantFrom(min, max, 0n, 1n));
  return fc.tuple(n, fc.constantFrom('number', 'bigint', 'boolean')).map(([v, as]): Pair => {
    const expected = asUnpacked(code, code === 'P' ? BigInt.asUintN(64, v) : v);
    if (as === 'boolean' && (v === 0n || v === 1n)) return [v === 1n, expected];
    return [as === 'number' && Number.isSafeInteger(Number(v)) ? Number(v) : v, expected];
  });
}

function pairArb(code: string, native: boolean, count: number): fc.Arbitrary<Pair> {
  const same = (a: fc.Arbitrary<StructValue>) => a.map((v): Pair => [v, v]);
  if (isIntCode(code)) return intPairArb(code, native);
  if (code === 'c') return same(fc.uint8Array({ minLength: 1, maxLength: 1 }));
  if (code === '?') return anyStructValueArb.map((v): Pair => [v, truthy(v)]);
  if (code === 'd') return same(fc.double());
  if (code === 'f') return native ? fc.double().map((x): Pair => [x, Math.fround(x)]) : same(fc.float());
  if (code === 'e') return same(fc.integer({ min: 0, max: 0xffff }).map(fromHalfBits));
  if (code === 's') return fc.uint8Array({ maxLength: count + 3 }).map((v): Pair => [v, concat([v, new Uint8Array(count)]).slice(0, count)]);
  return fc.uint8Array({ maxLength: count + 3 }).map((v): Pair => [v, v.slice(0, Math.max(0, Math.min(count - 1, 255)))]); // p
}

/** A valid format with values for it and what `unpack(pack(values))` gives back. */
export interface StructCase {
  format: string;
  values: StructValue[];
  expected: StructValue[];
}

const countArb = (code: string) =>
  fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 0, max: 4 }) }, { weight: 1, arbitrary: fc.integer({ min: 5, max: code === 's' || code === 'p' ? 300 : 12 }) });

function itemArb(native: boolean): fc.Arbitrary<StructCase> {
  const codes = native ? [...STRUCT_CODES, ...NATIVE_ONLY_CODES] : STRUCT_CODES;
  return fc.constantFrom(...codes).chain((code) =>
    fc.tuple(countArb(code), fc.constantFrom('', '', '', ' ', '\t', '\n', '  '), fc.constantFrom('plain', 'plain', 'plain', 'implicit', 'zero')).chain(([count, space, spelling]) => {
      const written = count === 1 && spelling === 'implicit' ? '' : spelling === 'zero' ? `0${count}` : `${count}`;
      const format = `${space}${written}${code}`;
      if (code === 'x') return fc.constant({ format, values: [], expected: [] });
      const n = code === 's' || code === 'p' ? 1 : count;
      return fc.array(pairArb(code, native, count), { minLength: n, maxLength: n }).map((pairs) => ({
        format,
        values: pairs.map((p) => p[0]),
        expected: pairs.map((p) => p[1]),
      }));
    }),
  );
}

/** Valid formats of every byte order, code and count, with matching values. */
export const structCaseArb: fc.Arbitrary<StructCase> = fc.constantFrom(...BYTE_ORDERS).chain((order) =>
  fc.array(itemArb(order === '' || order === '@'), { maxLength: 6 }).map((items) => ({
    format: order + items.map((i) => i.format).join(''),
    values: items.flatMap((i) => i.values),
    expected: items.flatMap((i) => i.expected),
  })),
);

/** Numbers at the edges of what the codes hold: ranges, float overflow, half rounding, NaN. */
const EDGE_NUMBERS = [
  0, -0, 1, -1, 127, 128, -129, 255, 256, 32767, 32768, -32769, 65535, 65536, 2 ** 31, -(2 ** 31) - 1, 2 ** 32, 2 ** 53, -(2 ** 53),
  0.5, -1.5, 1e-310, 65504, 65519.99, 65520, -65520, 3.4028234663852886e38, 3.4028235677973366e38, 1e39, Infinity, -Infinity, NaN,
];
const EDGE_BIGINTS = [2n ** 63n - 1n, 2n ** 63n, -(2n ** 63n), -(2n ** 63n) - 1n, 2n ** 64n - 1n, 2n ** 64n, 2n ** 1024n - 2n ** 970n, 2n ** 1024n - 2n ** 970n - 1n];

/** Any value at all: integers, bigints, doubles, booleans, bytes, and edge cases of each. */
export const anyStructValueArb: fc.Arbitrary<StructValue> = fc.oneof(
  fc.integer(),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
  fc.double(),
  fc.boolean(),
  fc.uint8Array({ maxLength: 3 }),
  fc.constantFrom(...EDGE_NUMBERS),
  fc.constantFrom(...EDGE_BIGINTS),
);

/** Characters no format may hold anywhere (`\0`, letters that are no code, non-ASCII). */
export const BAD_FORMAT_CHARS = ['z', 'Z', 'a', 'u', '#', '-', '+', '.', '\0', 'é', '\u{1f600}'];

/**
 * Format-like text: byte orders, codes, counts of at most `maxDigits` digits, white
 * space and bad characters in any order; some parse, most do not.
 */
export function wildFormatArb(maxDigits: number): fc.Arbitrary<string> {
  const token = fc.oneof(
    { weight: 2, arbitrary: fc.constantFrom('@', '=', '<', '>', '!') },
    { weight: 6, arbitrary: fc.constantFrom(...STRUCT_CODES, ...NATIVE_ONLY_CODES) },
    { weight: 3, arbitrary: fc.array(fc.constantFrom(...'0123456789'), { minLength: 1, maxLength: maxDigits }).map((d) => d.join('')) },
    { weight: 2, arbitrary: fc.constantFrom(' ', '\t', '\n', '\r', '\v', '\f') },
    { weight: 1, arbitrary: fc.constantFrom(...BAD_FORMAT_CHARS) },
  );
  const capped = new RegExp(`(\\d{${maxDigits}})\\d+`, 'g'); // digit tokens side by side make one longer count
  return fc.array(token, { maxLength: 8 }).map((t) => t.join('').replace(capped, '$1'));
}
