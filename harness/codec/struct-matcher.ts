/**
 * Matching a Python `struct` record whose fields are checked one by one.
 */
import { CodecError } from './errors.js';
import { matched, mismatch, MORE } from './mismatch.js';
import { assertValueChecks, checkStructValues, type ValueCheck } from './struct-checks.js';
import { fieldCodes, fieldOffsets, parseStructFormat, type StructLayout } from './struct-format.js';
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
  return structMatcher(layout, `a ${layout.size}-byte "${format}" record (${values.map(describeValueSpec).join(', ')})`, (fields, now) => {
    for (let k = 0; k < fields.length; k++) {
      const problem = checkValue(fields[k]!, values[k]!, k, now);
      if (problem) return { at: offsets[k]!, problem };
    }
    return undefined;
  });
}

/**
 * Expects a `format` record whose fields (named by `names`) hold `checks`, one per
 * field (see `checkStructValues`): other fields, masked bits, bytes, values named
 * by the scenario (already resolved). Throws `CodecError` when the checks do not
 * fit the layout.
 */
export function matchStructChecks(format: string, names: readonly string[] | undefined, checks: readonly ValueCheck[]): Matcher {
  const layout = parseStructFormat(format);
  assertValueChecks(layout, names, checks);
  const offsets = fieldOffsets(layout);
  return structMatcher(layout, `a "${format}" record`, (fields, now) => {
    const [first] = checkStructValues(layout, names, checks, fields, now);
    return first ? { at: offsets[first.index] ?? 0, problem: first.message } : undefined;
  });
}

/** A matcher of `layout` records whose decoded fields `check` judges: where and why one breaks, or undefined. */
function structMatcher(layout: StructLayout, description: string, check: (fields: StructValue[], now: () => number) => { at: number; problem: string } | undefined): Matcher {
  const { size, format } = layout;
  return {
    description,
    test(received, ended, whole, now) {
      const checkFields = (fields: StructValue[]) => {
        const bad = check(fields, now);
        return bad ? mismatch(bad.at, bad.problem, received) : undefined;
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
