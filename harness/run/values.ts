/**
 * The named values of a running scenario: captures, repeat indices, and how steps
 * use them (text templates, payloads built at run time, value checks resolved to
 * the values they name, captures taken from what a step matched or sent).
 */
import { webcrypto } from 'node:crypto';
import { concatBytes, encodeUtf8 } from '../codec/bytes.js';
import { findField, structFields, type StructField } from '../codec/struct-fields.js';
import { parseStructFormat } from '../codec/struct-format.js';
import type { ValueBound, ValueCheck } from '../codec/struct-checks.js';
import { unpackLayout } from '../codec/struct-unpack.js';
import type { StructValue } from '../codec/struct.js';
import { SafeRegex } from '../codec/safe-regex.js';
import { decodeUtf8 } from '../codec/utf8-text.js';
import { checkValue } from '../codec/value-check.js';
import type { Expectation, Step } from '../scenario/model.js';
import { fail, senderOf, type Conn, type Context } from './context.js';
import type { Datagram } from '../net/udp-peer.js';

/** A named value: a number (bigint beyond 2^53) or bytes (text as its UTF-8). */
export type Value = number | bigint | Uint8Array;

/** A reference in a text: `{NAME}`, `{NAME.length}` (its length in bytes, in decimal), or `{CONN.port}` / `{CONN.address}`. */
export interface TemplateRef {
  name: string;
  field?: 'port' | 'address' | 'length';
}

/** A text split into literal pieces and references (`{{` is a literal `{`). */
export type TemplatePart = string | TemplateRef;

/** Bytes a step makes at run time, and for a struct the fields and values it packed. */
export interface Built {
  bytes: Uint8Array;
  struct?: { fields: StructField[]; values: StructValue[] };
}

/** Bytes known only when the step runs, made from the run's values. */
export type BuildBytes = (ctx: Context, step: Step) => Built;

/** Where a capture takes its value from: `message`, `sender.port`, `sender.address`, a regex group or a struct field. */
export type CaptureSource = string | number;

/** One capture of a step: NAME ← SOURCE. */
export interface Capture {
  name: string;
  source: CaptureSource;
}

/** A value check that may name run-time values: `{ var }` for a check or a bound. */
export type VarRef = { var: string };

/** A regex group check, `{ var }`s resolved: compared as text, or its decimal text as a number. */
export type GroupCheck = number | 'any' | { text: string } | { min?: number | bigint; max?: number | bigint } | { now: number; offset?: number } | { bits: number | bigint; equals: number | bigint };

const TEMPLATE_REF = /\{\{|\{([A-Za-z_][\w-]*)(?:\.(port|address|length))?\}/g;

/** `text` as literal pieces and references; `{{` is a literal `{`, any other `{` that does not open a name is left as it is. */
export function parseTemplate(text: string): TemplatePart[] {
  const out: TemplatePart[] = [];
  let lit = '';
  let at = 0;
  for (const m of text.matchAll(TEMPLATE_REF)) {
    lit += text.slice(at, m.index);
    at = m.index + m[0].length;
    if (m[0] === '{{') {
      lit += '{';
      continue;
    }
    if (lit) out.push(lit);
    lit = '';
    out.push(m[2] ? { name: m[1]!, field: m[2] as TemplateRef['field'] } : { name: m[1]! });
  }
  lit += text.slice(at);
  if (lit) out.push(lit);
  return out;
}

/** Whether a reference names a run-time fact of the harness (`{port}`, `{CONN.port}`), not a value. */
export function isHarnessRef(ref: TemplateRef): boolean {
  return ref.field === 'port' || ref.field === 'address' || (ref.field === undefined && ref.name === 'port');
}

/** The bytes a value reference stands for: the value's own, or for `{NAME.length}` the decimal length of its bytes. */
export function refBytes(ref: TemplateRef, v: Value): Uint8Array {
  const bytes = valueBytes(v);
  return ref.field === 'length' ? encodeUtf8(String(bytes.length)) : bytes;
}

/** A number as a value: a number when exact, else a bigint. */
export function numericValue(n: number | bigint | boolean): number | bigint {
  if (typeof n === 'boolean') return Number(n);
  if (typeof n === 'number') return n;
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}

/** A struct field's value as a named value (booleans as 0/1). */
export function structValue(v: StructValue): Value {
  return v instanceof Uint8Array ? Uint8Array.from(v) : numericValue(v);
}

/** The bytes of a value: its own, or a number's decimal text. */
export function valueBytes(v: Value): Uint8Array {
  return v instanceof Uint8Array ? v : encodeUtf8(String(v));
}

/** The text of a value: a number in decimal, bytes as UTF-8. */
export function valueText(v: Value): string {
  return v instanceof Uint8Array ? decodeUtf8(v) : String(v);
}

/** A value as a number: a number itself, or bytes holding decimal text; undefined otherwise. */
export function valueNumber(v: Value): number | bigint | undefined {
  if (!(v instanceof Uint8Array)) return v;
  const text = decodeUtf8(v).trim();
  if (/^[-+]?\d+$/.test(text)) return numericValue(BigInt(text));
  const x = text === '' ? NaN : Number(text);
  return Number.isFinite(x) ? x : undefined;
}

/** The value `name` at this point of the run, or a failure of `step`. */
export function lookup(ctx: Context, step: Step, name: string): Value {
  const v = ctx.values.get(name);
  if (v === undefined) fail(step, 'unknown-value', `no value named \`${name}\` was captured before this step (a capture in a \`one-of\` alternative that did not hold, or in another \`parallel\` branch)`);
  return v;
}

/** A reference as it was written. */
const writtenRef = (ref: TemplateRef): string => `{${ref.name}${ref.field ? `.${ref.field}` : ''}}`;

/** The text of a harness reference (`{port}`, `{CONN.port}`, `{CONN.address}`); undefined for a connection not open. */
function harnessText(ref: TemplateRef, ctx: Context): string | undefined {
  if (!ref.field) return String(ctx.port);
  const c = ctx.conns.get(ref.name);
  if (!c) return undefined;
  return ref.field === 'port' ? String(c.peer.localPort) : c.kind === 'tcp' ? c.peer.localAddress : '127.0.0.1';
}

/**
 * `text` (a note, a `stdout` pattern) with `{port}`, `{CONN.port}`, `{CONN.address}`,
 * `{NAME}` and `{NAME.length}` filled in from this run; a reference to a connection or
 * value not there yet is left as written.
 */
export function interpolate(text: string, ctx: Context): string {
  return parseTemplate(text)
    .map((p) => {
      if (typeof p === 'string') return p;
      if (isHarnessRef(p)) return harnessText(p, ctx) ?? writtenRef(p);
      const v = ctx.values.get(p.name);
      return v === undefined ? writtenRef(p) : decodeUtf8(refBytes(p, v));
    })
    .join('');
}

/** The bytes of a template: literal pieces by `literal`, references by this run's values. */
export function templateBytes(parts: readonly (Uint8Array | TemplateRef)[], ctx: Context, step: Step): Uint8Array {
  return concatBytes(parts.map((p) => (p instanceof Uint8Array ? p : isHarnessRef(p) ? encodeUtf8(harnessText(p, ctx) ?? writtenRef(p)) : refBytes(p, lookup(ctx, step, p.name)))));
}

/** A uniform 32-bit random number from the system (struct `{ random: true }` without a seed). */
export function systemRandom(): number {
  return webcrypto.getRandomValues(new Uint32Array(1))[0]!;
}

/** The named and numbered groups of `e`'s match in `bytes` (a datagram is matched whole). */
function regexGroups(e: Extract<Expectation, { kind: 'regex' }>, bytes: Uint8Array, whole: boolean): Map<string | number, string> {
  const re = new SafeRegex(whole ? (e.flags.includes('m') ? `(?:${e.source})(?![\\s\\S])` : `(?:${e.source})$`) : e.source, e.flags);
  const hit = re.exec(decodeUtf8(bytes));
  const out = new Map<string | number, string>();
  if (hit?.text === undefined) return out;
  out.set(0, hit.text);
  hit.groups?.forEach((g, i) => g !== undefined && out.set(i + 1, g));
  for (const [k, g] of Object.entries(hit.named ?? {})) if (g !== undefined) out.set(k, g);
  return out;
}

/** What a step matched or sent, for its captures. */
export interface Taken {
  bytes: Uint8Array;
  /** The expectation that held (the alternative of a `one-of`). */
  expectation?: Expectation;
  /** A struct sent: its fields and values. */
  struct?: Built['struct'];
  /** Whether the bytes are one whole message (a datagram, a framed message). */
  whole: boolean;
  /** UDP: the datagram taken, with its sender. */
  datagram?: Datagram;
}

const maybe = <T, U>(x: T | undefined, f: (x: T) => U): U | undefined => (x === undefined ? undefined : f(x));

/** The fields and values of a struct expectation that held over `bytes`. */
function structOf(e: Extract<Expectation, { kind: 'struct' }>, bytes: Uint8Array): NonNullable<Built['struct']> {
  const layout = parseStructFormat(e.format);
  return { fields: structFields(layout, e.names), values: unpackLayout(layout, bytes) };
}

/**
 * Store the captures of a step in `ctx.values` from what it matched or sent; the
 * named groups of a regex that held are captured under their own names. Returns
 * the values captured.
 */
export function takeCaptures(ctx: Context, step: Step, c: Conn, captures: readonly Capture[], got: Taken): Record<string, Value> {
  const e = got.expectation;
  const groups = e?.kind === 'regex' ? regexGroups(e, got.bytes, got.whole) : undefined;
  const struct = got.struct ?? (e?.kind === 'struct' ? structOf(e, got.bytes) : undefined);
  const out: Record<string, Value> = {};
  for (const [k, g] of groups ?? []) if (typeof k === 'string') out[k] = encodeUtf8(g);
  for (const { name, source } of captures) {
    let v: Value | undefined;
    if (source === 'message') v = Uint8Array.from(got.bytes);
    else if (source === 'sender.port') v = senderOf(c, got.datagram)?.port;
    else if (source === 'sender.address') v = maybe(senderOf(c, got.datagram)?.address, encodeUtf8);
    else if (groups) {
      const g = groups.get(source);
      if (g !== undefined) v = encodeUtf8(g);
    } else if (struct) {
      const i = fieldIndex(struct.fields, source);
      if (i !== undefined) v = structValue(struct.values[i]!);
    }
    if (v === undefined) fail(step, 'capture-failed', `cannot capture \`${name}\`: the message has no ${typeof source === 'number' ? `group or field ${source}` : `\`${source}\``}`);
    out[name] = v;
  }
  for (const [name, v] of Object.entries(out)) ctx.values.set(name, v);
  return out;
}

function fieldIndex(fields: readonly StructField[], ref: string | number): number | undefined {
  try {
    return findField(fields, ref).index;
  } catch {
    return undefined;
  }
}

const isVar = (x: unknown): x is VarRef => typeof x === 'object' && x !== null && 'var' in x;

/** A bound of `{ min, max }` with its `{ var }` resolved to a number. */
function resolveBound<B>(b: B | VarRef | undefined, ctx: Context, step: Step): B | number | bigint | undefined {
  if (!isVar(b)) return b;
  const n = valueNumber(lookup(ctx, step, b.var));
  if (n === undefined) fail(step, 'value-type', `\`${b.var}\` is not a number, so it cannot bound a value`);
  return n;
}

type Range<B> = { min?: B | VarRef; max?: B | VarRef };

/** `{ min, max }` with a bound given as `{ var }` resolved to its number. */
function resolveRange<B>(r: Range<B>, ctx: Context, step: Step): { min?: B | number | bigint; max?: B | number | bigint } {
  const min = resolveBound(r.min, ctx, step);
  const max = resolveBound(r.max, ctx, step);
  return { ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) };
}

/** Struct checks with every `{ var }` replaced by `{ equals: value }` (a bound by its number). */
export function resolveStructChecks(checks: readonly (ValueCheck | VarRef)[], ctx: Context, step: Step): ValueCheck[] {
  return checks.map((c) => {
    if (isVar(c)) return { equals: lookup(ctx, step, c.var) };
    if (typeof c === 'object' && ('min' in c || 'max' in c)) return resolveRange(c as Range<ValueBound>, ctx, step);
    return c;
  });
}

/** Regex group checks with every `{ var }` resolved: a check to its text, a bound to its number. */
export function resolveGroupChecks(checks: Record<string, GroupCheck | VarRef>, ctx: Context, step: Step): Record<string, GroupCheck> {
  return Object.fromEntries(
    Object.entries(checks).map(([k, c]) => {
      if (isVar(c)) return [k, { text: valueText(lookup(ctx, step, c.var)) }];
      if (typeof c === 'object' && ('min' in c || 'max' in c)) return [k, resolveRange(c as Range<number>, ctx, step)];
      return [k, c];
    }),
  );
}

/** Why group `name`'s text breaks `check`, or undefined when it holds (numbers are its decimal text). */
export function groupProblem(name: string, text: string | undefined, check: GroupCheck, nowMs: () => number): string | undefined {
  if (check === 'any') return undefined;
  if (text === undefined) return `group \`${name}\` did not take part in the match`;
  if (typeof check === 'object' && 'text' in check) return text === check.text ? undefined : `group \`${name}\`: expected "${check.text}", got "${text}"`;
  const n = valueNumber(encodeUtf8(text));
  if (n === undefined) return `group \`${name}\`: "${text}" is not a number`;
  if (typeof check === 'object' && 'bits' in check) {
    if (typeof n === 'number' && !Number.isInteger(n)) return `group \`${name}\`: ${text} is not an integer`;
    const got = BigInt(n) & BigInt(check.bits);
    return got === BigInt(check.equals) ? undefined : `group \`${name}\`: expected bits ${check.bits} to be ${check.equals}, got ${got} (the value is ${text})`;
  }
  const spec = check as number | { min?: number; max?: number } | { now: number; offset?: number };
  return checkValue(n, spec, `\`${name}\``, nowMs)?.replace(/^field /, 'group ');
}

/** `e` with what it takes from the run resolved: bytes built, `{ var }` checks replaced by the values they name. */
export function resolveExpectation(e: Expectation, ctx: Context, step: Step): Expectation {
  switch (e.kind) {
    case 'bytes':
      return e.build ? { kind: 'bytes', data: e.build(ctx, step).bytes } : e;
    case 'regex':
      return e.groups ? { ...e, groups: resolveGroupChecks(e.groups, ctx, step) } : e;
    case 'struct':
      return e.values.some((c) => typeof c === 'object' && ('var' in c || 'min' in c || 'max' in c)) ? { ...e, values: resolveStructChecks(e.values, ctx, step) } : e;
    case 'one-of':
      return { ...e, alternatives: e.alternatives.map((x) => resolveExpectation(x, ctx, step)) };
    default:
      return e;
  }
}
