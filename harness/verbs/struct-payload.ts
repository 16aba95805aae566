/**
 * `struct:` payloads: a message packed by a Python struct format from values that
 * may be known only when the step runs (captured values, the time, random values).
 * Checked at validation with stand-ins; packed at validation when nothing is left
 * to the run.
 */
import { CodecError } from '../codec/errors.js';
import { isBytesField, structFields, type StructField } from '../codec/struct-fields.js';
import { parseStructFormat } from '../codec/struct-format.js';
import { packStructValues, type StructSendValue } from '../codec/struct-send.js';
import { fail } from '../run/context.js';
import { lookup, systemRandom, valueBytes, valueNumber, type Value } from '../run/values.js';
import type { DataPath } from '../scenario/yaml-source.js';
import type { Planned, Scope, ValidateCtx } from './types.js';

/** A `struct:` payload as written. */
export interface StructBody {
  format: string;
  names?: string[];
  values: unknown[];
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Whether a value is left to the run: a named value, the time or a random value. */
const atRunTime = (x: unknown) => isObj(x) && ('var' in x || 'now' in x || 'random' in x);

/** The value to pack for `x` in `field`, `{ var }` taken from `valueOf` (a number for a number field, bytes for a byte string). */
function sendValue(x: unknown, field: StructField, valueOf: (name: string) => Value): StructSendValue {
  if (!isObj(x)) return x as StructSendValue;
  if ('length-of' in x) return { lengthOf: x['length-of'] as string };
  if (!('var' in x)) return x as StructSendValue;
  const v = valueOf(x.var as string);
  if (isBytesField(field)) return valueBytes(v);
  const n = valueNumber(v);
  if (n === undefined) throw new CodecError('struct-value-type', `field ${field.label} ('${field.code}'): \`${x.var as string}\` is not a number`);
  return n;
}

/** The index of the value a struct error names (`field id (0): …`, `field 2: …`), if any. */
export function valueIndex(message: string): number | undefined {
  const m = /^field (?:\S+ \((\d+)\)|(\d+))/.exec(message);
  return m ? Number(m[1] ?? m[2]) : undefined;
}

/** The plan of a `struct:` payload: packed now, or at run time when a value is left to the run; undefined after reporting a problem. */
export function planStruct(v: ValidateCtx, s: StructBody, path: DataPath, scope: Scope | undefined): Planned | undefined {
  let fields: StructField[];
  try {
    fields = structFields(parseStructFormat(s.format), s.names);
  } catch (e) {
    if (!(e instanceof CodecError)) throw e;
    v.error([...path, e.code === 'struct-names' ? 'names' : 'format'], e.code, e.message);
    return undefined;
  }
  s.values.forEach((x, i) => {
    if (isObj(x) && typeof x.var === 'string') v.refer(x.var, [...path, 'values', i], scope);
  });
  const pack = (valueOf: (name: string) => Value, env: Parameters<typeof packStructValues>[3]) =>
    packStructValues(s.format, s.names, s.values.map((x, i) => (fields[i] ? sendValue(x, fields[i]!, valueOf) : (x as StructSendValue))), env);
  let packed;
  try {
    // Stand-ins for what the run gives: 0, empty bytes, the epoch.
    packed = pack((name) => (s.values.some((x, i) => isObj(x) && x.var === name && fields[i] && isBytesField(fields[i]!)) ? new Uint8Array(0) : 0), { random: () => 0, nowMs: () => 0 });
  } catch (e) {
    if (!(e instanceof CodecError)) throw e;
    const i = e.code === 'struct-values' ? undefined : valueIndex(e.message);
    v.error([...path, 'values', ...(i === undefined ? [] : [i])], e.code, e.message);
    return undefined;
  }
  if (!s.values.some(atRunTime)) return { data: packed.bytes, struct: { fields, values: packed.values } };
  return {
    build(ctx, step) {
      try {
        const r = pack((name) => lookup(ctx, step, name), { random: systemRandom });
        return { bytes: r.bytes, struct: { fields, values: r.values } };
      } catch (e) {
        if (!(e instanceof CodecError)) throw e;
        fail(step, e.code, e.message);
      }
    },
  };
}

/** The named groups of a regex source. */
export function namedGroups(source: string): string[] {
  return [...source.matchAll(/\(\?<([A-Za-z_$][\w$]*)>/g)].map((m) => m[1]!);
}
