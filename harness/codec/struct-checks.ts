/**
 * Checking the decoded fields of a struct message against one resolved check per
 * field: equal to a number, a captured value or another field, within bounds, near
 * the current time, masked bits, or equal bytes. Pure: the caller passes the clock.
 */
import { CodecError } from './errors.js';
import { bytesOfSpec, findField, isBytesField, isBytesSpec, isIntegerField, showValue, structFields, type BytesSpec, type FieldRef, type StructField } from './struct-fields.js';
import { parseStructFormat, type StructLayout } from './struct-format.js';
import type { StructValue } from './struct.js';
import { checkValue } from './value-check.js';

/** A bound of `{ min, max }`: a number, or another field of the same message. */
export type ValueBound = number | bigint | { field: FieldRef };

/**
 * A check of one struct field, with every `{ var: NAME }` already replaced by
 * `{ equals: value }` (numbers stay numbers, bigint beyond 2^53, bytes as Uint8Array).
 */
export type ValueCheck =
  | number
  | bigint
  | 'any'
  | { equals: number | bigint | Uint8Array }
  | { field: FieldRef }
  | { min?: ValueBound; max?: ValueBound }
  | { now: number; offset?: number }
  | { bits: number | bigint; equals: number | bigint }
  | BytesSpec;

/** One field whose value breaks its check. */
export interface FieldMismatch {
  index: number;
  name?: string;
  /** `field id (0): expected 6699 (0x1a2b), got 6700 (0x1a2c)`. */
  message: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object';
const isNumeric = (v: unknown): v is number | bigint => (typeof v === 'number' && !Number.isNaN(v)) || typeof v === 'bigint';
const isBound = (v: unknown) => v === undefined || isNumeric(v) || (isObject(v) && Object.keys(v).length === 1 && (typeof v.field === 'string' || typeof v.field === 'number'));
const hasOnly = (v: object, ...keys: string[]) => Object.keys(v).every((k) => keys.includes(k));

function typeError(field: StructField, message: string): CodecError {
  return new CodecError('struct-value-type', `field ${field.label} ('${field.code}'): ${message}`);
}

/** The field references a check makes (`{ field }`, and bounds given as fields). */
function referencesOf(check: ValueCheck): FieldRef[] {
  if (!isObject(check)) return [];
  if ('field' in check) return [check.field];
  if (!('min' in check || 'max' in check)) return [];
  return [check.min, check.max].flatMap((b) => (isObject(b) ? [b.field] : []));
}

/**
 * Throws `CodecError` when `checks` cannot check the fields of `layout`: a wrong
 * count (`struct-values`), a check of the wrong kind for its field, such as text for
 * a number or a number for bytes (`struct-value-type`), an unknown field
 * (`struct-unknown-field`), or a check of no known shape (`bad-struct-values`).
 */
export function assertValueChecks(layout: StructLayout, names: readonly string[] | undefined, checks: readonly ValueCheck[]): StructField[] {
  const fields = structFields(layout, names);
  if (!Array.isArray(checks) || checks.length !== fields.length) {
    throw new CodecError('struct-values', `"${layout.format}" has ${fields.length} field${fields.length === 1 ? '' : 's'}, so give ${fields.length} value checks, not ${Array.isArray(checks) ? checks.length : 0}`);
  }
  checks.forEach((check, k) => {
    const field = fields[k]!;
    const bytes = isBytesField(field);
    if (check === 'any' || (isObject(check) && 'equals' in check && !('bits' in check))) return;
    if (isBytesSpec(check)) {
      if (!bytes) throw typeError(field, `a number field cannot be checked against ${Object.keys(check)[0]}`);
      bytesOfSpec(check);
      return;
    }
    if (isNumeric(check) || (isObject(check) && ('now' in check || 'bits' in check || 'min' in check || 'max' in check))) {
      if (bytes) throw typeError(field, `a byte-string field takes { text }, { hex }, { bytes }, { var } or any, not ${JSON.stringify(check, (_, v) => (typeof v === 'bigint' ? `${v}` : v))}`);
      if (isObject(check) && 'bits' in check && !isIntegerField(field)) throw typeError(field, '{ bits, equals } checks integer fields only');
    }
    const shaped =
      isNumeric(check) ||
      (isObject(check) &&
        (('field' in check && referencesOf(check).length === 1 && hasOnly(check, 'field')) ||
          ('now' in check && isNumeric(check.now) && (check.offset === undefined || isNumeric(check.offset)) && hasOnly(check, 'now', 'offset')) ||
          ('bits' in check && isNumeric(check.bits) && isNumeric(check.equals) && hasOnly(check, 'bits', 'equals')) ||
          (('min' in check || 'max' in check) && isBound(check.min) && isBound(check.max) && hasOnly(check, 'min', 'max'))));
    if (!shaped) {
      throw new CodecError('bad-struct-values', `field ${field.label}: a check is a number, any, { var }, { field }, { min, max }, { now, offset }, { bits, equals }, { text }, { hex } or { bytes }; got ${JSON.stringify(check, (_, v) => (typeof v === 'bigint' ? `${v}` : v))}`);
    }
    for (const ref of referencesOf(check)) findField(fields, ref);
  });
  return fields;
}

/** Equality across number, bigint, boolean and bytes (NaN equals nothing). */
function same(a: StructValue, b: StructValue | number | bigint): boolean {
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    return a instanceof Uint8Array && b instanceof Uint8Array && a.length === b.length && a.every((x, i) => x === b[i]);
  }
  const x = typeof a === 'boolean' ? Number(a) : a;
  const y = typeof b === 'boolean' ? Number(b) : b;
  // bigint and number compare exactly with < and >.
  return !(x < y || x > y) && x === x && y === y;
}

/** Why `value` breaks `check` (without the field's name), or undefined when it holds; `{ now }` is left to `checkValue`. */
function problemOf(value: StructValue, check: Exclude<ValueCheck, { now: number }>, fields: readonly StructField[], decoded: readonly StructValue[]): string | undefined {
  if (check === 'any') return undefined;
  if (isNumeric(check) || (isObject(check) && 'equals' in check && !('bits' in check))) {
    const expected = isNumeric(check) ? check : check.equals;
    return same(value, expected) ? undefined : `expected ${showValue(expected)}, got ${showValue(value)}`;
  }
  if (isBytesSpec(check)) {
    const expected = bytesOfSpec(check);
    return same(value, expected) ? undefined : `expected ${showValue(expected)}, got ${showValue(value)}`;
  }
  if ('field' in check) {
    const other = findField(fields, check.field);
    const expected = decoded[other.index]!;
    return same(value, expected) ? undefined : `expected ${showValue(expected)} (field ${other.label}), got ${showValue(value)}`;
  }
  if (value instanceof Uint8Array) return `got bytes ${showValue(value)}, expected a number`;
  const n = typeof value === 'boolean' ? BigInt(value) : value;
  if ('bits' in check) {
    if (typeof n === 'number' && !Number.isInteger(n)) return `got ${showValue(value)}, expected an integer for { bits }`;
    const got = BigInt(n) & BigInt(check.bits);
    return got === BigInt(check.equals) ? undefined : `expected bits ${showValue(check.bits)} to be ${showValue(check.equals)}, got ${showValue(got)} (the field is ${showValue(value)})`;
  }
  const bound = (b: ValueBound | undefined) => (b === undefined || isNumeric(b) ? b : (decoded[findField(fields, b.field).index] as number | bigint));
  const min = bound(check.min);
  const max = bound(check.max);
  const range = `${min === undefined ? '-∞' : showValue(min)}..${max === undefined ? '∞' : showValue(max)}`;
  if (min !== undefined && !(n >= min)) return `${showValue(value)} is below the minimum ${showValue(min)} (expected ${range})`;
  if (max !== undefined && !(n <= max)) return `${showValue(value)} is above the maximum ${showValue(max)} (expected ${range})`;
  return undefined;
}

const withLabel = (field: StructField, problem: string | undefined) => (problem === undefined ? undefined : `field ${field.label}: ${problem}`);

/**
 * The fields of a decoded struct message that break their checks (empty when all
 * hold), each with a message naming the field. `layout` is a format or a parsed
 * one, `names` the optional field names, `decoded` what `unpack` gave, `nowMs` the
 * clock for `{ now }` (default `Date.now`). Throws `CodecError` as
 * `assertValueChecks` does when the checks do not fit the layout.
 */
export function checkStructValues(
  layout: StructLayout | string,
  names: readonly string[] | undefined,
  checks: readonly ValueCheck[],
  decoded: readonly StructValue[],
  nowMs: () => number = Date.now,
): FieldMismatch[] {
  const parsed = typeof layout === 'string' ? parseStructFormat(layout) : layout;
  const fields = assertValueChecks(parsed, names, checks);
  if (decoded.length !== fields.length) throw new CodecError('struct-values', `"${parsed.format}" has ${fields.length} fields, but ${decoded.length} values were decoded`);
  const out: FieldMismatch[] = [];
  fields.forEach((field, k) => {
    const check = checks[k]!;
    const value = decoded[k]!;
    const message = isObject(check) && 'now' in check
      ? value instanceof Uint8Array ? withLabel(field, `got bytes ${showValue(value)}, expected a number`) : checkValue(value, check, field.label, nowMs)
      : withLabel(field, problemOf(value, check, fields, decoded));
    if (message === undefined) return;
    const mismatch: FieldMismatch = { index: k, message };
    out.push(field.name === undefined ? mismatch : { ...mismatch, name: field.name });
  });
  return out;
}
