/**
 * Checking one unpacked struct value against a `ValueSpec`.
 */
import { CodecError } from './errors.js';
import type { StructValue } from './struct.js';
import type { ValueSpec } from './types.js';

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object';
}

function isNumber(v: unknown): v is number {
  return typeof v === 'number' && !Number.isNaN(v);
}

/** Throws `CodecError` `bad-struct-values` when `spec` is not a value check. */
export function assertValueSpec(spec: unknown, index: number): asserts spec is ValueSpec {
  const ok =
    isNumber(spec) ||
    spec === 'any' ||
    (isObject(spec) && 'now' in spec
      ? isNumber(spec.now) && spec.now >= 0 && (spec.offset === undefined || isNumber(spec.offset)) && Object.keys(spec).every((k) => k === 'now' || k === 'offset')
      : isObject(spec) && (spec.min === undefined || isNumber(spec.min)) && (spec.max === undefined || isNumber(spec.max)) && Object.keys(spec).every((k) => k === 'min' || k === 'max'));
  if (!ok) {
    throw new CodecError('bad-struct-values', `value ${index} must be a number, "any", { min, max } or { now: SECONDS, offset }; got ${JSON.stringify(spec)}`);
  }
}

/** A number of seconds for messages: at most 3 decimals, no trailing zeros. */
function seconds(x: number): string {
  return String(Number(x.toFixed(3)));
}

function show(v: StructValue): string {
  return typeof v === 'bigint' ? `${v}` : String(v);
}

/** What an expectation says, for messages: `5`, `any`, `0..255`, `now ±2 s`. */
export function describeValueSpec(spec: ValueSpec): string {
  if (typeof spec === 'number') return String(spec);
  if (spec === 'any') return 'any';
  if ('now' in spec) return `now${spec.offset ? `${spec.offset > 0 ? '+' : ''}${seconds(spec.offset)} s` : ''} ±${seconds(spec.now)} s`;
  return `${spec.min ?? '-∞'}..${spec.max ?? '∞'}`;
}

/**
 * Why `value` breaks `spec` (the message names field `index`), or undefined when
 * it holds. `nowMs` gives the current time in milliseconds, for `{ now }`.
 */
export function checkValue(value: StructValue, spec: ValueSpec, index: number | string, nowMs: () => number): string | undefined {
  if (spec === 'any') return undefined;
  if (value instanceof Uint8Array) return `field ${index}: got bytes, expected ${describeValueSpec(spec)}`;
  // bigint compares exactly with number: 2n ** 60n === 2 ** 60 holds as `<`/`>` do.
  const v = typeof value === 'boolean' ? Number(value) : value;
  if (typeof spec === 'number') {
    return v < spec || v > spec || Number.isNaN(v) ? `field ${index}: got ${show(value)}, expected ${spec}` : undefined;
  }
  if ('now' in spec) {
    const offset = spec.offset ?? 0;
    const diff = Number(v) - (nowMs() / 1000 + offset);
    if (Math.abs(diff) <= spec.now) return undefined;
    const from = offset ? `now${offset > 0 ? '+' : ''}${seconds(offset)} s` : 'now';
    return `field ${index}: ${show(value)} is ${seconds(diff)} s from ${from} (allowed ±${seconds(spec.now)} s)`;
  }
  if (spec.min !== undefined && !(v >= spec.min)) return `field ${index}: ${show(value)} is below the minimum ${spec.min} (expected ${describeValueSpec(spec)})`;
  if (spec.max !== undefined && !(v <= spec.max)) return `field ${index}: ${show(value)} is above the maximum ${spec.max} (expected ${describeValueSpec(spec)})`;
  return undefined;
}
