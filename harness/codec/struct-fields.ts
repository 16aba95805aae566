/**
 * The fields of a Python `struct` layout as scenarios name them: an index, an
 * optional name from `names:`, the format code, and how values refer to them.
 */
import { parseEscapedBytes } from './byte-escapes.js';
import { encodeUtf8, showBytes } from './bytes.js';
import { CodecError } from './errors.js';
import { parseHex } from './hex-text.js';
import type { StructLayout } from './struct-format.js';
import type { StructValue } from './struct.js';

/** One value of a layout: its position, name (if given), code and element size. */
export interface StructField {
  index: number;
  name?: string;
  /** The format code: `s`, `p` and `*s` (written `*s`) hold bytes, `c` one byte, the rest numbers. */
  code: string;
  /** Bytes it takes: the string's length for `s`/`p`, 0 for `*s` until its value is known. */
  size: number;
  /** For messages: `id (0)`, or `0` without a name. */
  label: string;
}

/** A field named by its `names:` entry or its index. */
export type FieldRef = string | number;

/** Byte strings as scenarios spell them: UTF-8 text, hex, or escaped bytes. */
export type BytesSpec = { text: string } | { hex: string } | { bytes: string };

/** Whether a field holds bytes (`c`, `s`, `p`, `*s`) rather than a number. */
export function isBytesField(field: StructField): boolean {
  return field.code === 's' || field.code === 'p' || field.code === '*s' || field.code === 'c';
}

/** Whether a field holds an integer (not bytes, `?` or a float). */
export function isIntegerField(field: StructField): boolean {
  return !isBytesField(field) && !'?efd'.includes(field.code);
}

/**
 * The fields of `layout`, named by `names` (one per field, unique). Throws
 * `CodecError` `struct-names` when the names do not fit.
 */
export function structFields(layout: StructLayout, names?: readonly string[]): StructField[] {
  if (names !== undefined && (!Array.isArray(names) || names.length !== layout.fields)) {
    throw new CodecError('struct-names', `"${layout.format}" has ${layout.fields} field${layout.fields === 1 ? '' : 's'}, so give ${layout.fields} names, not ${Array.isArray(names) ? names.length : 0}`);
  }
  const seen = new Set<string>();
  for (const n of names ?? []) {
    if (typeof n !== 'string' || n === '' || seen.has(n)) throw new CodecError('struct-names', `field names must be distinct non-empty text, got ${JSON.stringify(n)} twice or empty`);
    seen.add(n);
  }
  const out: StructField[] = [];
  for (const it of layout.items) {
    if (it.code === 'x') continue;
    const bytes = it.code === 's' || it.code === 'p';
    for (let k = 0; k < (bytes ? 1 : it.count); k++) {
      const index = out.length;
      const name = names?.[index];
      const field: StructField = { index, code: it.star ? '*s' : it.code, size: bytes ? it.count : it.size, label: name === undefined ? String(index) : `${name} (${index})` };
      out.push(name === undefined ? field : { ...field, name });
    }
  }
  return out;
}

/** The field `ref` names; throws `CodecError` `struct-unknown-field` listing the fields there are. */
export function findField(fields: readonly StructField[], ref: FieldRef): StructField {
  const found = typeof ref === 'number' ? fields[ref] : fields.find((f) => f.name === ref);
  if (found === undefined || (typeof ref === 'number' && !Number.isInteger(ref))) {
    const named = fields.filter((f) => f.name !== undefined).map((f) => f.name);
    throw new CodecError('struct-unknown-field', `no field ${JSON.stringify(ref)}: the fields are ${named.length > 0 ? named.join(', ') + ' or ' : ''}0 to ${fields.length - 1}`);
  }
  return found;
}

/** Whether `v` is one of the byte-string spellings. */
export function isBytesSpec(v: unknown): v is BytesSpec {
  if (v === null || typeof v !== 'object' || Object.keys(v).length !== 1) return false;
  const [key, value] = Object.entries(v)[0]!;
  return (key === 'text' || key === 'hex' || key === 'bytes') && typeof value === 'string';
}

/** The bytes a byte-string spelling stands for (throws `CodecError` for bad hex or escapes). */
export function bytesOfSpec(spec: BytesSpec): Uint8Array {
  if ('text' in spec) return encodeUtf8(spec.text);
  return 'hex' in spec ? parseHex(spec.hex) : parseEscapedBytes(spec.bytes);
}

/** A value for messages: `26`, `6699 (0x1a2b)`, `-3`, `true`, `"ab" (61 62)`. */
export function showValue(v: StructValue): string {
  if (v instanceof Uint8Array) return showBytes(v);
  if (typeof v === 'boolean' || (typeof v === 'number' && !Number.isInteger(v))) return String(v);
  const n = BigInt(v);
  return n >= 10n ? `${n} (0x${n.toString(16)})` : String(n);
}
