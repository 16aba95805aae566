/**
 * Building a struct message to send from scenario values: numbers, bytes, the
 * current time, seeded random values and the lengths of other fields, each checked
 * against its field's type and range before anything is packed.
 */
import { CodecError } from './errors.js';
import { toHalfBits } from './half-float.js';
import { bytesOfSpec, findField, isBytesField, isBytesSpec, isIntegerField, showValue, structFields, type BytesSpec, type FieldRef, type StructField } from './struct-fields.js';
import { fixStarLengths, parseStructFormat, type StructLayout } from './struct-format.js';
import { intRange, packLayout } from './struct-pack.js';
import type { StructValue } from './struct.js';

/**
 * A value to send in one struct field: a number, bigint, boolean or bytes as they
 * are; bytes spelled as text, hex or escapes; the byte length of the fields named
 * (or of every field after this one, `'rest'`); the current Unix time in seconds
 * (+ `offset`; whole for integer fields); or a random value over the field's range.
 */
export type StructSendValue =
  | StructValue
  | BytesSpec
  | { lengthOf: FieldRef | readonly FieldRef[] | 'rest' }
  | { now: true; offset?: number }
  | { random: true };

/** Where time and randomness come from. */
export interface StructSendEnv {
  /** The current time in milliseconds (default `Date.now`). */
  nowMs?: () => number;
  /** Uniform 32-bit unsigned integers, e.g. `createRandom(seed)`; required by `{ random: true }`. */
  random?: () => number;
}

/** A packed message and the value sent in each field (lengths and random values filled in). */
export interface PackedStruct {
  bytes: Uint8Array;
  values: StructValue[];
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !(v instanceof Uint8Array);

function rangeError(field: StructField, message: string): CodecError {
  return new CodecError('struct-value-range', `field ${field.label} ('${field.code}'): ${message}`);
}

function typeError(field: StructField, message: string): CodecError {
  return new CodecError('struct-value-type', `field ${field.label} ('${field.code}'): ${message}`);
}

/** A 64-bit unsigned random integer from two draws. */
function random64(random: () => number): bigint {
  return (BigInt(random() >>> 0) << 32n) | BigInt(random() >>> 0);
}

/** A random value for `field`, uniform over its range (floats: in [0, 1)). */
function randomValue(field: StructField, env: StructSendEnv): StructValue {
  if (field.code === '*s') throw typeError(field, '{ random: true } needs a length: give `*s` bytes, or a fixed `Ns` field');
  const random = randomSource(field, env);
  if (isBytesField(field)) {
    const n = field.code === 'p' ? Math.max(0, field.size - 1) : field.size;
    return Uint8Array.from({ length: n }, () => random() & 0xff);
  }
  if (field.code === '?') return (random() & 1) === 1;
  if (!isIntegerField(field)) return (random() >>> 0) / 2 ** 32;
  const [min, max] = intRange(field.code, field.size);
  const n = min + (random64(random) % (max - min + 1n));
  return integerValue(field, n);
}

/** An integer as unpack gives it: bigint for `q`/`Q` and beyond 2^53, else a number. */
function integerValue(field: StructField, n: bigint): number | bigint {
  if (field.code === 'q' || field.code === 'Q') return n;
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}

/** The value of `given` for `field` before lengths are known (lengths as 0), checked for its type. */
function firstPass(field: StructField, given: StructSendValue, env: StructSendEnv): StructValue {
  if (isBytesSpec(given)) given = bytesOfSpec(given);
  if (given instanceof Uint8Array) {
    if (!isBytesField(field)) throw typeError(field, `a number field cannot take bytes ${showValue(given)}`);
    return given;
  }
  if (isBytesField(field)) {
    if (isObject(given) && 'random' in given && given.random === true) return randomValue(field, env);
    throw typeError(field, `a byte-string field takes bytes, { text }, { hex } or { bytes }, not ${describe(given)}`);
  }
  if (typeof given === 'number' || typeof given === 'bigint' || typeof given === 'boolean') return given;
  if (isObject(given) && 'random' in given && given.random === true) return randomValue(field, env);
  if (isObject(given) && 'now' in given && given.now === true && (given.offset === undefined || typeof given.offset === 'number')) {
    const seconds = (env.nowMs ?? Date.now)() / 1000 + (given.offset ?? 0);
    return isIntegerField(field) ? Math.floor(seconds) : seconds;
  }
  if (isObject(given) && 'lengthOf' in given) {
    if (!isIntegerField(field)) throw typeError(field, '{ lengthOf } goes in an integer field');
    return 0;
  }
  throw new CodecError('bad-struct-values', `field ${field.label}: a value is a number, bytes, { text }, { hex }, { bytes }, { lengthOf }, { now: true, offset } or { random: true }; got ${describe(given)}`);
}

function randomSource(field: StructField, env: StructSendEnv): () => number {
  if (env.random === undefined) throw new CodecError('bad-struct-values', `field ${field.label}: { random: true } needs a random source (env.random)`);
  return env.random;
}

function describe(v: unknown): string {
  return JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? `${x}` : x)) ?? String(v);
}

/** The byte length `spec` names, from the concrete layout's field spans. */
function lengthOf(spec: FieldRef | readonly FieldRef[] | 'rest', field: StructField, fields: readonly StructField[], spans: readonly [number, number][], size: number): number {
  if (spec === 'rest') return size - spans[field.index]![1];
  const refs: readonly FieldRef[] = Array.isArray(spec) ? spec : [spec as FieldRef];
  return refs.reduce<number>((sum, ref) => {
    const [from, to] = spans[findField(fields, ref).index]!;
    return sum + (to - from);
  }, 0);
}

/** The byte span of each field of a fixed layout: [offset, end). */
function fieldSpans(layout: StructLayout): [number, number][] {
  const out: [number, number][] = [];
  for (const it of layout.items) {
    if (it.code === 's' || it.code === 'p') out.push([it.offset, it.offset + it.count]);
    else if (it.code !== 'x') for (let k = 0; k < it.count; k++) out.push([it.offset + k * it.size, it.offset + (k + 1) * it.size]);
  }
  return out;
}

/** Throws `struct-value-range` / `struct-value-type` when `v` does not fit `field`. */
function checkFits(field: StructField, v: StructValue, native: boolean): void {
  if (v instanceof Uint8Array) {
    const room = field.code === 'c' ? 1 : field.code === 'p' ? Math.max(0, field.size - 1) : field.code === 's' ? field.size : Infinity;
    if (field.code === 'c' && v.length !== 1) throw rangeError(field, `takes exactly 1 byte, got ${v.length}`);
    if (v.length > room) throw rangeError(field, `${v.length} bytes do not fit in ${room}`);
    return;
  }
  if (field.code === '?') return;
  if (isIntegerField(field)) {
    if (typeof v === 'number' && !Number.isInteger(v)) throw typeError(field, `an integer field cannot take ${v}`);
    const [min, max] = intRange(field.code, field.size);
    const n = BigInt(v);
    if (n < min || n > max) throw rangeError(field, `${showValue(v)} is out of range ${min}..${max}`);
    return;
  }
  const x = Number(v);
  const overflows = field.code === 'e' ? toHalfBits(x) === undefined : field.code === 'f' && !native && Number.isFinite(x) && !Number.isFinite(Math.fround(x));
  if (overflows) throw rangeError(field, `${x} is too large for '${field.code}'`);
}

/**
 * Pack `values` (one per field) by `format`, fields named by `names`. Lengths are
 * filled in once every other value is known (so a length may count a `*s` string
 * or other lengths); every value is checked against its field first. Throws
 * `CodecError`: `struct-values` (wrong count), `struct-value-type` (bytes for a
 * number or the reverse), `struct-value-range` (out of range, too many bytes; a
 * shorter string is padded with zeros as Python does), `struct-unknown-field`.
 */
export function packStructValues(format: string, names: readonly string[] | undefined, values: readonly StructSendValue[], env: StructSendEnv = {}): PackedStruct {
  const layout = parseStructFormat(format);
  const fields = structFields(layout, names);
  if (!Array.isArray(values) || values.length !== fields.length) {
    throw new CodecError('struct-values', `"${format}" has ${fields.length} field${fields.length === 1 ? '' : 's'}, so give ${fields.length} values, not ${Array.isArray(values) ? values.length : 0}`);
  }
  const out = fields.map((field, k) => firstPass(field, values[k]!, env));
  const fixed = layout.variable ? fixStarLengths(layout, fields.filter((f) => f.code === '*s').map((f) => (out[f.index] as Uint8Array).length)) : layout;
  const spans = fieldSpans(fixed);
  fields.forEach((field, k) => {
    const given = values[k];
    if (isObject(given) && 'lengthOf' in given) out[k] = lengthOf(given.lengthOf as FieldRef | FieldRef[] | 'rest', field, fields, spans, fixed.size);
    checkFits(field, out[k]!, layout.native);
  });
  return { bytes: packLayout(fixed, out), values: out };
}
