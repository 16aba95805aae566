/**
 * Value checks of `expect`: struct fields checked one by one (`names`, `{ field }`,
 * `{ bits }`, bytes, `{ var }`), and regex groups checked by `groups`. Checked at
 * validation; `{ var }` is resolved when the step runs.
 */
import { CodecError } from '../codec/errors.js';
import { assertValueChecks, type ValueCheck } from '../codec/struct-checks.js';
import { parseStructFormat } from '../codec/struct-format.js';
import type { GroupCheck, VarRef } from '../run/values.js';
import type { Expectation } from '../scenario/model.js';
import type { DataPath } from '../scenario/yaml-source.js';
import { namedGroups, valueIndex } from './struct-payload.js';
import type { Scope, ValidateCtx } from './types.js';

/** `struct:` of an `expect` as written. */
export interface StructChecksBody {
  format: string;
  names?: string[];
  values: (ValueCheck | VarRef)[];
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isVar = (v: unknown): v is VarRef => isObj(v) && typeof v.var === 'string';

/** Report each `{ var }` of a check (or of its bounds) not defined before this step; the check with stand-ins for them (any, no bound). */
function standIn(v: ValidateCtx, c: unknown, path: DataPath, scope: Scope): unknown {
  if (isVar(c)) {
    v.refer(c.var, [...path, 'var'], scope);
    return 'any';
  }
  if (!isObj(c) || !('min' in c || 'max' in c)) return c;
  v.range(c, path);
  const out: Record<string, unknown> = {};
  for (const k of ['min', 'max'] as const) {
    if (isVar(c[k])) v.refer((c[k] as VarRef).var, [...path, k, 'var'], scope);
    else if (c[k] !== undefined) out[k] = c[k];
  }
  return Object.keys(out).length ? out : 'any';
}

/** The expectation of a `struct:` check, or undefined after reporting why the checks do not fit the format. */
export function structExpectation(v: ValidateCtx, s: StructChecksBody, path: DataPath, scope: Scope): Expectation | undefined {
  let layout;
  try {
    layout = parseStructFormat(s.format);
  } catch (e) {
    v.error([...path, 'format'], 'bad-struct', (e as Error).message);
    return undefined;
  }
  const stands = s.values.map((c, i) => standIn(v, c, [...path, 'values', i], scope)) as ValueCheck[];
  if (s.values.length > layout.fields) {
    v.error([...path, 'values', layout.fields], 'struct-values', `\`${s.format}\` has ${layout.fields} field${layout.fields === 1 ? '' : 's'}, but ${s.values.length} values are given`);
    return undefined;
  }
  try {
    assertValueChecks(layout, s.names, stands);
  } catch (e) {
    if (!(e instanceof CodecError)) throw e;
    const i = valueIndex(e.message);
    v.error([...path, ...(e.code === 'struct-names' ? ['names'] : ['values', ...(i === undefined || e.code === 'struct-values' ? [] : [i])])], e.code, e.message);
    return undefined;
  }
  return { kind: 'struct', format: s.format, ...(s.names ? { names: s.names } : {}), values: s.values };
}

/** Report `groups` keys that name no group of `source`, and `{ var }`s not defined before this step. */
export function checkGroups(v: ValidateCtx, source: string, groups: Record<string, GroupCheck | VarRef>, path: DataPath, scope: Scope): void {
  const named = namedGroups(source);
  for (const [k, c] of Object.entries(groups)) {
    if (!/^[1-9]\d*$/.test(k) && !named.includes(k)) v.error([...path, k], 'unknown-group', `the regex has no group named \`${k}\``, named.length ? `its named groups: ${named.join(', ')}` : 'name a group with (?<NAME>…), or give its number', true);
    standIn(v, c, [...path, k], scope);
  }
}
