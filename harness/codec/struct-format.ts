/**
 * Python `struct` format strings: byte order, sizes, alignment and offsets of
 * each code, as CPython lays them out on x86-64 Linux.
 */
import { CodecError } from './errors.js';

/** One format code with its repeat count, placed at `offset`. */
export interface StructItem {
  code: string;
  count: number;
  /** Size of one element (for `s` and `p`: one byte of the string). */
  size: number;
  offset: number;
  /** `*s`: a byte string as long as its value (`count` is 0 until the length is known). */
  star?: true;
}

/** A parsed format: byte order, whether native sizes apply, items and totals. */
export interface StructLayout {
  format: string;
  littleEndian: boolean;
  native: boolean;
  items: StructItem[];
  /** Total size in bytes (`calcsize`); with `*s` fields, the size without their strings. */
  size: number;
  /** Whether the format has `*s` fields, whose length comes from their values. */
  variable: boolean;
  /** Number of values packed or unpacked. */
  fields: number;
}

/** Native (`@`) size and alignment of x86-64 Linux CPython. */
const NATIVE: Readonly<Record<string, readonly [size: number, align: number]>> = {
  x: [1, 0], c: [1, 1], b: [1, 1], B: [1, 1], '?': [1, 1], h: [2, 2], H: [2, 2],
  i: [4, 4], I: [4, 4], l: [8, 8], L: [8, 8], q: [8, 8], Q: [8, 8], n: [8, 8], N: [8, 8],
  e: [2, 2], f: [4, 4], d: [8, 8], s: [1, 1], p: [1, 1], P: [8, 8],
};

/** Standard sizes (`= < > !`), no alignment. */
const STANDARD: Readonly<Record<string, readonly [size: number, align: number]>> = {
  x: [1, 0], c: [1, 0], b: [1, 0], B: [1, 0], '?': [1, 0], h: [2, 0], H: [2, 0], i: [4, 0], I: [4, 0],
  l: [4, 0], L: [4, 0], q: [8, 0], Q: [8, 0], e: [2, 0], f: [4, 0], d: [8, 0], s: [1, 0], p: [1, 0],
};

const CODES_HINT = 'codes: x c b B ? h H i I l L q Q e f d s p *s (and n N P with @), after an optional first @ = < > !';

function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\v' || c === '\f';
}

function formatError(message: string): CodecError {
  return new CodecError('bad-struct-format', message);
}

/** Parse a Python `struct` format; throws `CodecError` `bad-struct-format` as Python would refuse it. */
export function parseStructFormat(format: string): StructLayout {
  if (typeof format !== 'string') throw formatError(`struct format must be a string, got ${typeof format}`);
  const order = format[0];
  const hasOrder = order === '@' || order === '=' || order === '<' || order === '>' || order === '!';
  const native = !hasOrder || order === '@';
  const littleEndian = !(order === '>' || order === '!');
  const items: StructItem[] = [];
  let size = 0;
  let fields = 0;
  let i = hasOrder ? 1 : 0;
  while (i < format.length) {
    let c = format[i]!;
    if (isSpace(c)) {
      i++;
      continue;
    }
    let count = 1;
    const star = c === '*';
    if (star) {
      c = format[++i] ?? '';
      if (c !== 's') throw formatError(`"*" at offset ${i - 1} of "${format}" must be followed by "s" (a byte string as long as its value)`);
      count = 0;
    } else if (c >= '0' && c <= '9') {
      count = 0;
      while (c >= '0' && c <= '9') {
        count = count * 10 + (c.charCodeAt(0) - 48);
        if (count > Number.MAX_SAFE_INTEGER) throw formatError(`total struct size too long: repeat count at offset ${i} is too large`);
        c = format[++i] ?? '';
      }
      if (c === '') throw formatError(`repeat count given without format specifier at the end of "${format}"`);
    }
    const table = native ? NATIVE : STANDARD;
    const entry = Object.hasOwn(table, c) ? table[c] : undefined;
    if (entry === undefined) {
      throw formatError(`bad char in struct format: ${JSON.stringify(c)} at offset ${i} of "${format}" (${CODES_HINT})`);
    }
    const [itemSize, align] = entry;
    if (align > 0 && size > 0) size += (align - 1) - ((size - 1) % align);
    items.push(star ? { code: c, count, size: itemSize, offset: size, star } : { code: c, count, size: itemSize, offset: size });
    size += count * itemSize;
    if (size > Number.MAX_SAFE_INTEGER) throw formatError(`total struct size too long for "${format}"`);
    if (c === 's' || c === 'p') fields++;
    else if (c !== 'x') fields += count;
    i++;
  }
  return { format, littleEndian, native, items, size, fields, variable: items.some((it) => it.star) };
}

/**
 * The fixed layout a variable one takes once its `*s` strings have `lengths`
 * (in order): each `*s` read as `<length>s`, so later fields move and align.
 */
export function fixStarLengths(layout: StructLayout, lengths: readonly number[]): StructLayout {
  let k = 0;
  const fixed = parseStructFormat(layout.format.replace(/\*s/g, () => `${lengths[k++] ?? 0}s`));
  return { ...fixed, format: layout.format };
}

/** The byte offset of every value of a layout, in order. */
export function fieldOffsets(layout: StructLayout): number[] {
  const out: number[] = [];
  for (const it of layout.items) {
    if (it.code === 's' || it.code === 'p') out.push(it.offset);
    else if (it.code !== 'x') for (let k = 0; k < it.count; k++) out.push(it.offset + k * it.size);
  }
  return out;
}

/** The format code of every value of a layout, in order. */
export function fieldCodes(layout: StructLayout): string[] {
  const out: string[] = [];
  for (const it of layout.items) {
    if (it.code === 's' || it.code === 'p') out.push(it.code);
    else if (it.code !== 'x') for (let k = 0; k < it.count; k++) out.push(it.code);
  }
  return out;
}
