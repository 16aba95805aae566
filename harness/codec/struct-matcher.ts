/**
 * Matching a Python `struct` record whose fields are checked one by one.
 */
import { CodecError } from './errors.js';
import { matched, mismatch, MORE } from './mismatch.js';
import { fieldCodes, fieldOffsets, parseStructFormat } from './struct-format.js';
import { unpackLayout } from './struct-unpack.js';
import type { StructValue } from './struct.js';
import type { Matcher, ValueSpec } from './types.js';
import { assertValueSpec, checkValue, describeValueSpec } from './value-check.js';

function show(v: StructValue): string {
  if (v instanceof Uint8Array) return `${v.length} bytes`;
  return typeof v === 'bigint' ? `${v}` : String(v);
}

/**
 * Expects `calcSize(format)` bytes whose unpacked fields satisfy `values`, one
 * check per field; a format ending in `*s` takes the whole datagram, or the stream
 * up to its end. Throws `CodecError` for a bad format or a wrong count of checks.
 */
export function matchStruct(format: string, values: readonly ValueSpec[]): Matcher {
  const layout = parseStructFormat(format);
  if (!Array.isArray(values) || values.length !== layout.fields) {
    const got = Array.isArray(values) ? values.length : 0;
    throw new CodecError('bad-struct-values', `"${format}" has ${layout.fields} field${layout.fields === 1 ? '' : 's'}, so give ${layout.fields} value check${layout.fields === 1 ? '' : 's'}, not ${got}`);
  }
  const codes = fieldCodes(layout);
  const offsets = fieldOffsets(layout);
  values.forEach((spec, k) => {
    assertValueSpec(spec, k);
    const code = codes[k]!;
    if ((code === 's' || code === 'p' || code === 'c') && spec !== 'any') {
      throw new CodecError('bad-struct-values', `value ${k} is for '${code}' (bytes): only "any" can check it`);
    }
  });
  const { size } = layout;
  return {
    description: `a ${size}-byte "${format}" record (${values.map(describeValueSpec).join(', ')})`,
    test(received, ended, whole, now) {
      const checkFields = (fields: StructValue[]) => {
        for (let k = 0; k < fields.length; k++) {
          const problem = checkValue(fields[k]!, values[k]!, k, now);
          if (problem) return mismatch(offsets[k]!, problem, received);
        }
        return undefined;
      };
      if (layout.variable) {
        // A closing `*s` takes the rest: the whole datagram, or the stream up to its end.
        if (!whole && !ended) return MORE;
        if (received.length < size) return mismatch(received.length, `expected at least ${size} bytes for "${format}", got ${received.length}`, received);
        const fields = unpackLayout(layout, received);
        return checkFields(fields) ?? matched(received.length, fields.map(show).join(', '));
      }
      if (whole && received.length !== size) {
        return mismatch(Math.min(size, received.length), `expected a ${size}-byte datagram, got ${received.length} bytes`, received);
      }
      if (received.length < size) {
        return ended ? mismatch(received.length, `expected ${size} bytes for "${format}", got ${received.length}`, received) : MORE;
      }
      const fields = unpackLayout(layout, received.subarray(0, size));
      return checkFields(fields) ?? matched(size, fields.map(show).join(', '));
    },
  };
}
