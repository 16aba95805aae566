/**
 * Plain data (from YAML or a TS module) to a normalised Scenario, collecting every
 * problem with its place instead of stopping at the first.
 */
import type { z } from 'zod';
import { encodeUtf8 } from '../codec/bytes.js';
import { splitSizes, type GeneratedValue, type GeneratorSpec, type SplitValue } from '../codec/generated.js';
import { CodecError } from '../codec/errors.js';
import { regexProblem } from '../codec/safe-regex.js';
import { checkPayload, encodePayload } from '../codec/payload.js';
import { parseStructFormat } from '../codec/struct-format.js';
import type { PayloadSpec } from '../codec/types.js';
import { didYouMean, type Diagnostic } from './diagnostic.js';
import {
  DEFAULT_STEP_TIMEOUT_MS,
  DEFAULT_TIMEOUT_MS,
  type Expectation,
  type Scenario,
  type Step,
  type StepAction,
  type Transport,
} from './model.js';
import { expectMatcherKeys, payloadKeys, scenarioHeadSchema, stepBodies, stepCommonFields, stepVerbs, type StepVerb } from './schema.js';
import { allowedKeys, describeIssue, showPath } from './schema-walk.js';
import type { DataPath, Locate } from './yaml-source.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const SHORTHAND: Partial<Record<StepVerb, string>> = { connect: 'name', shutdown: 'on', close: 'on', reset: 'on' };
const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|localhost)$/;

/** Scope of connection names while walking steps. */
interface Scope {
  conns: Map<string, Transport>;
  last?: string;
}

class Validator {
  readonly diagnostics: Diagnostic[] = [];
  vars = new Map<string, Uint8Array>();
  transport: Transport = 'tcp';
  role: 'server' | 'client' = 'server';
  /** Generated splits by name, for `send: { split }`. */
  splits = new Map<string, SplitValue>();
  /** The pieces each split gave the payload it was sent with (for reports). */
  splitPieces = new Map<string, number[]>();

  constructor(
    readonly file: string,
    readonly locate: Locate,
    readonly requirementIds?: ReadonlySet<string>,
  ) {}

  error(path: DataPath, code: string, message: string, hint?: string, atKey = false): void {
    const { line, col } = this.locate(path, atKey);
    this.diagnostics.push({ file: this.file, line, col, code, message, severity: 'error', ...(hint ? { hint } : {}) });
  }

  /** Validate `value` against `schema`; report every issue; return the parsed value or undefined. */
  parse<T>(schema: z.ZodType<T>, value: unknown, base: DataPath): T | undefined {
    const r = schema.safeParse(value, { reportInput: true });
    if (r.success) return r.data;
    for (const issue of r.error.issues) {
      const path = [...base, ...(issue.path as (string | number)[])];
      if (issue.code === 'unrecognized_keys') {
        const allowed = allowedKeys(schema, issue.path as (string | number)[]);
        for (const key of issue.keys) {
          this.error([...path, key], 'unknown-key', `unknown key \`${key}\` in \`${showPath(path)}\``, didYouMean(key, allowed) ?? `allowed: ${allowed.join(', ')}`, true);
        }
      } else {
        const { code, message } = describeIssue(issue, path);
        this.error(path, code, message);
      }
    }
    return undefined;
  }

  payload(spec: Obj, path: DataPath, keys: readonly string[] = payloadKeys): Uint8Array | undefined {
    const given = keys.filter((k) => spec[k] !== undefined);
    if (given.length !== 1) {
      this.error(path, given.length ? 'ambiguous-payload' : 'missing-payload', given.length ? `give one of ${given.map((k) => `\`${k}\``).join(', ')}, not several` : `give the bytes as one of ${keys.map((k) => `\`${k}\``).join(', ')}`);
      return undefined;
    }
    const key = given[0]!;
    const ps = { [key]: spec[key] } as PayloadSpec;
    if ('var' in ps && !this.vars.has(ps.var)) {
      this.error([...path, 'var'], 'unknown-var', `no payload named \`${ps.var}\` under \`vars\``, didYouMean(ps.var, [...this.vars.keys()]));
      return undefined;
    }
    const problem = checkPayload(ps);
    if (problem) {
      this.error([...path, key], 'bad-payload', problem);
      return undefined;
    }
    try {
      return encodePayload(ps, this.vars);
    } catch (e) {
      // A `var` inside `concat` that names nothing.
      if (!(e instanceof CodecError)) throw e;
      this.error([...path, key], e.code, e.message);
      return undefined;
    }
  }

  connection(on: string | undefined, scope: Scope, path: DataPath): Transport | undefined {
    const name = on ?? scope.last;
    if (name === undefined) {
      this.error(path, 'no-connection', 'no connection is open at this step', 'add a `connect` step before it');
      return undefined;
    }
    const t = scope.conns.get(name);
    if (!t) this.error([...path, 'on'], 'unknown-connection', `no connection named \`${name}\` is open here`, didYouMean(name, [...scope.conns.keys()]));
    return t;
  }

  steps(list: unknown[], base: DataPath, scope: Scope, defaultReq: string[]): Step[] {
    const out: Step[] = [];
    list.forEach((raw, i) => {
      const s = this.step(raw, [...base, i], scope, defaultReq);
      if (s) out.push(s);
    });
    return out;
  }

  step(raw: unknown, path: DataPath, scope: Scope, defaultReq: string[]): Step | undefined {
    if (!isObj(raw)) {
      const hint = typeof raw === 'string' ? didYouMean(raw, stepVerbs) ?? 'a step is a map such as `shutdown: c`' : undefined;
      this.error(path, 'invalid-step', `a step must be a map with one verb, got ${JSON.stringify(raw) ?? String(raw)}`, hint);
      return undefined;
    }
    const keys = Object.keys(raw);
    const verbs = keys.filter((k): k is StepVerb => (stepVerbs as string[]).includes(k));
    for (const k of keys) {
      if (verbs.includes(k as StepVerb) || k in stepCommonFields) continue;
      const near = didYouMean(k, stepVerbs);
      this.error([...path, k], verbs.length === 0 ? 'unknown-step' : 'unknown-key', verbs.length === 0 ? `unknown step \`${k}\`` : `unknown key \`${k}\` beside \`${verbs[0]}\``, near ?? `steps are: ${stepVerbs.join(', ')}`, true);
    }
    if (verbs.length !== 1) {
      if (verbs.length > 1) this.error(path, 'several-verbs', `one verb per step, got ${verbs.map((v) => `\`${v}\``).join(' and ')}`);
      else if (keys.every((k) => k in stepCommonFields)) this.error(path, 'unknown-step', 'the step has no verb', `steps are: ${stepVerbs.join(', ')}`);
      return undefined;
    }
    const verb = verbs[0]!;
    const bodyPath = [...path, verb];
    let body = raw[verb];
    const short = SHORTHAND[verb];
    if (short && typeof body === 'string') body = { [short]: body };
    let req = defaultReq;
    if (raw.req !== undefined) {
      const r = typeof raw.req === 'string' ? [raw.req] : Array.isArray(raw.req) ? raw.req.filter((x): x is string => typeof x === 'string') : [];
      if (r.length === 0) this.error([...path, 'req'], 'invalid-type', 'expected `req` to be an id or a list of ids');
      r.forEach((id) => this.requirement(id, [...path, 'req']));
      if (r.length) req = r;
    }
    const { line, col } = this.locate(path);
    const label = `${showPath(path)} ${verb}`;
    const action = this.action(verb, body, bodyPath, scope, req);
    const level = typeof raw.level === 'string' && ['MUST', 'SHOULD', 'INFO'].includes(raw.level) ? (raw.level as Step['level']) : undefined;
    if (raw.level !== undefined && !level) this.error([...path, 'level'], 'invalid-value', `expected \`level\` to be MUST, SHOULD or INFO, got ${JSON.stringify(raw.level)}`);
    return action ? { action, req, label, line, col, ...(level ? { level } : {}) } : undefined;
  }

  requirement(id: string, path: DataPath): void {
    if (this.requirementIds && !this.requirementIds.has(id)) {
      this.error(path, 'unknown-requirement', `\`${id}\` is not in the requirement catalogue`, didYouMean(id, [...this.requirementIds]));
    }
  }

  action(verb: StepVerb, body: unknown, path: DataPath, scope: Scope, req: string[]): StepAction | undefined {
    if (verb === 'parallel') return this.parallel(body, path, scope, req);
    if (verb === 'repeat') return this.repeat(body, path, scope, req);
    const b = this.parse(stepBodies[verb] as z.ZodType, body, path) as Obj | string | number | true | undefined;
    if (b === undefined) return undefined;
    switch (verb) {
      case 'connect': {
        const c = b as { name?: string; transport?: Transport; host?: string; port?: number; expect?: string; within?: number };
        const name = c.name ?? `conn${scope.conns.size + 1}`;
        const host = c.host ?? '127.0.0.1';
        if (!LOOPBACK.test(host)) this.error([...path, 'host'], 'not-loopback', `\`${host}\` is not a loopback address`, 'sockspec only talks to 127.0.0.0/8 and ::1');
        scope.conns.set(name, c.transport ?? this.transport);
        scope.last = name;
        return { verb, name, transport: c.transport ?? this.transport, host, refused: c.expect === 'refused', ...(c.port ? { port: c.port } : {}), ...(c.within !== undefined ? { within: c.within } : {}) };
      }
      case 'send': {
        const s = b as Obj & { on?: string; chunks?: number[]; chunk?: number; pause?: number; split?: string };
        const t = this.connection(s.on, scope, path);
        if (t === 'udp' && (s.chunks || s.chunk || s.split)) this.error(path, 'chunks-on-udp', 'a UDP send is one datagram: `chunks`/`chunk`/`split` do not apply', 'use several `send` steps');
        if ([s.chunks, s.chunk, s.split].filter((x) => x !== undefined).length > 1) this.error(path, 'ambiguous-chunks', 'give one of `chunks`, `chunk` or `split`');
        const split = s.split === undefined ? undefined : this.splits.get(s.split);
        if (s.split !== undefined && !split) this.error([...path, 'split'], 'unknown-split', `no split named \`${s.split}\` under \`generate\``, didYouMean(s.split, [...this.splits.keys()]));
        const data = this.payload(s, path);
        if (!data) return undefined;
        if (split) {
          const chunks = splitSizes(split, data.length);
          this.splitPieces.set(s.split!, chunks);
          return { verb, ...(s.on ? { on: s.on } : {}), data, chunks, pause: split.pause };
        }
        return { verb, ...(s.on ? { on: s.on } : {}), data, ...(s.chunks ? { chunks: s.chunks } : {}), ...(s.chunk ? { chunk: s.chunk } : {}), pause: s.pause ?? 0, ...this.sendStall(s, path, t) };
      }
      case 'shutdown':
      case 'close':
      case 'reset': {
        const on = (b as { on?: string }).on;
        const t = this.connection(on, scope, path);
        if (t === 'udp' && verb !== 'close') this.error(path, 'not-for-udp', `\`${verb}\` applies to TCP connections only`);
        return { verb, ...(on ? { on } : {}) };
      }
      case 'expect':
        return this.expect(b as Obj, path, scope);
      case 'wait':
        return { verb, ms: b as number };
      case 'answer': {
        const s = b as { prompt?: string; regex?: string; line: string; once?: boolean };
        if ((s.prompt === undefined) === (s.regex === undefined)) this.error(path, 'missing-matcher', 'give one of `prompt` or `regex`');
        if (s.regex !== undefined) this.regex(s.regex, '', [...path, 'regex']);
        return { verb, ...s };
      }
      case 'accept': {
        const a = typeof b === 'string' ? { name: b } : (b as { name?: string; within?: number });
        if (this.role !== 'client') this.error(path, 'not-for-server', '`accept` is for a client under test (`role: client`): the harness listens for it');
        const name = a.name ?? `conn${scope.conns.size + 1}`;
        scope.conns.set(name, this.transport);
        scope.last = name;
        return { verb, name, transport: this.transport, ...(a.within !== undefined ? { within: a.within } : {}) };
      }
      case 'stdout':
      case 'output': {
        const s = b as Extract<StepAction, { verb: 'stdout' }>;
        const matchers = (['contains', 'regex', 'equals', 'without-line-breaks', 'ctime'] as const).filter((k) => s[k] !== undefined);
        if (matchers.length !== 1) this.error(path, matchers.length ? 'ambiguous-expect' : 'missing-matcher', matchers.length ? `one matcher per step, got ${matchers.map((k) => `\`${k}\``).join(', ')}` : 'give one of `contains`, `regex`, `equals`, `without-line-breaks` or `ctime`');
        if (s.regex !== undefined) this.regex(s.regex, '', [...path, 'regex']);
        return { ...s, verb: 'stdout' };
      }
      case 'type':
        return { verb, line: b as string };
      case 'close-stdin':
      case 'no-crash':
        return { verb };
      case 'exit':
        return { verb, ...(b as object) };
      case 'restart':
      case 'start':
        return { verb, ...(b as object) };
      case 'stop':
        return { verb };
      case 'occupy':
        return { verb, transport: (b as { transport?: Transport }).transport ?? this.transport };
      case 'listener':
        return { verb, ...(b as object) };
      case 'cpu':
        return { verb, ...(b as { below: number; for: number }) };
      case 'note':
        return { verb, text: b as string };
    }
  }

  /** A `{ min, max }` (of a struct value or a generator) whose min is above its max. */
  range(spec: unknown, path: DataPath): void {
    if (isObj(spec) && typeof spec.min === 'number' && typeof spec.max === 'number' && spec.min > spec.max) {
      this.error([...path, 'min'], 'empty-range', `\`min\` (${spec.min}) is above \`max\` (${spec.max}): no value fits`);
    }
  }

  regex(source: string, flags: string, path: DataPath): void {
    const problem = regexProblem(source, flags);
    if (problem !== undefined) this.error(path, 'bad-regex', problem);
  }

  expect(b: Obj, path: DataPath, scope: Scope): StepAction | undefined {
    const on = b.on as string | undefined;
    const t = this.connection(on, scope, path);
    const expectation = this.expectation(b, path, t);
    if (!expectation) return undefined;
    return {
      verb: 'expect',
      ...(on ? { on } : {}),
      expectation,
      ...(b.within !== undefined ? { within: b.within as number } : {}),
      ...this.stall(b, path, t, expectation),
      ...(b.measure !== undefined ? { measure: b.measure as string } : {}),
    };
  }

  /** `stall` of a `send`: for data a TCP peer takes, not for a datagram. */
  sendStall(s: Obj, path: DataPath, t: Transport | undefined): { stall?: number } {
    if (s.stall === undefined) return {};
    if (t === 'udp') this.error([...path, 'stall'], 'not-for-udp', '`stall` applies to data sent on a TCP connection', 'a datagram is sent whole');
    return { stall: s.stall as number };
  }

  /** `stall` of an `expect`: for bytes arriving on TCP, not for a datagram, silence or the end of a stream. */
  stall(b: Obj, path: DataPath, t: Transport | undefined, e: Expectation): { stall?: number } {
    if (b.stall === undefined) return {};
    if (t === 'udp') this.error([...path, 'stall'], 'not-for-udp', '`stall` applies to bytes arriving on a TCP connection', 'a datagram arrives whole: use `within`');
    else if (['silence', 'eof', 'reset'].includes(e.kind)) this.error([...path, 'stall'], 'stall-without-bytes', `\`stall\` restarts on every byte received; \`${e.kind}\` waits for none`, 'use `within`');
    return { stall: b.stall as number };
  }

  /** The one expectation of an `expect` body (or of one `one-of` alternative). */
  expectation(b: Obj, path: DataPath, t: Transport | undefined): Expectation | undefined {
    const given = expectMatcherKeys.filter((k) => b[k] !== undefined);
    const what = given.filter((k) => !(payloadKeys as string[]).includes(k));
    const payloadGiven = given.length > what.length;
    if (what.length + (payloadGiven ? 1 : 0) !== 1) {
      this.error(path, given.length ? 'ambiguous-expect' : 'missing-matcher', given.length ? `one expectation per step, got ${given.map((k) => `\`${k}\``).join(', ')}` : `say what to expect: one of ${expectMatcherKeys.map((k) => `\`${k}\``).join(', ')}`);
      return undefined;
    }
    let expectation: Expectation | undefined;
    const kind = what[0];
    if (kind === undefined) {
      const data = this.payload(b, path);
      if (data) expectation = { kind: 'bytes', data };
    } else if (kind === 'regex') {
      const flags = (b.flags as string | undefined) ?? '';
      this.regex(b.regex as string, flags, [...path, 'regex']);
      expectation = { kind: 'regex', source: b.regex as string, flags };
    } else if (kind === 'struct') {
      const s = b.struct as { format: string; values: Expectation extends never ? never : never[] };
      try {
        const fields = parseStructFormat(s.format).fields;
        if (s.values.length > fields) this.error([...path, 'struct', 'values', fields], 'struct-values', `\`${s.format}\` has ${fields} field${fields === 1 ? '' : 's'}, but ${s.values.length} values are given`);
        else expectation = { kind: 'struct', format: s.format, values: s.values };
        (s.values as unknown[]).forEach((v, i) => this.range(v, [...path, 'struct', 'values', i]));
      } catch (e) {
        this.error([...path, 'struct', 'format'], 'bad-struct', (e as Error).message);
      }
    } else if (kind === 'rounds') {
      const r = b.rounds as { data: Obj; trailer: Obj };
      const data = this.payload(r.data, [...path, 'rounds', 'data']);
      const trailer = this.payload(r.trailer, [...path, 'rounds', 'trailer']);
      if (data && data.length === 0) this.error([...path, 'rounds', 'data'], 'bad-payload', '`rounds.data` must not be empty');
      if (data && trailer) expectation = { kind: 'rounds', data, trailer };
    } else if (kind === 'one-of') {
      const alts = (b['one-of'] as Obj[]).map((alt, i) => this.expectation(alt, [...path, 'one-of', i], t));
      if (alts.every((x): x is Expectation => x !== undefined)) expectation = { kind: 'one-of', alternatives: alts };
    } else if (kind === 'size') expectation = { kind: 'size', size: b.size as number };
    else if (kind === 'silence') expectation = { kind: 'silence', ms: b.silence as number };
    else if (kind === 'rest') expectation = { kind: 'rest' };
    else expectation = { kind: kind as 'eof' | 'reset' };
    if (t === 'udp' && expectation && ['rounds', 'eof', 'reset', 'one-of'].includes(expectation.kind)) {
      this.error(path, 'not-for-udp', `\`${expectation.kind}\` does not apply to a UDP socket`, 'a datagram is matched whole: use bytes, `regex`, `size` or `struct`');
    }
    if (b.flags !== undefined && kind !== 'regex') this.error([...path, 'flags'], 'unknown-key', '`flags` goes with `regex`');
    return expectation;
  }

  parallel(body: unknown, path: DataPath, scope: Scope, req: string[]): StepAction | undefined {
    if (!Array.isArray(body) || body.length === 0 || !body.every(Array.isArray)) {
      this.error(path, 'invalid-type', '`parallel` takes a list of branches, each a list of steps');
      return undefined;
    }
    const branches = (body as unknown[][]).map((branch, i) => this.steps(branch, [...path, i], branchScope(scope), req));
    return { verb: 'parallel', branches };
  }

  repeat(body: unknown, path: DataPath, scope: Scope, req: string[]): StepAction | undefined {
    if (!isObj(body) || !Array.isArray(body.steps)) {
      this.error(path, 'invalid-type', '`repeat` takes `times`, `steps` and optionally `parallel`');
      return undefined;
    }
    const { steps: rawSteps, ...head } = body;
    const h = this.parse(stepBodies.repeat.omit({ steps: true }), head, path);
    const steps = this.steps(rawSteps, [...path, 'steps'], branchScope(scope), req);
    if (!h) return undefined;
    const action: StepAction = { verb: 'repeat', times: h.times, parallel: h.parallel ?? false, steps };
    // Report a nesting that expands too far at the outermost repeat that crosses the cap.
    const inner = { steps: expandedSteps(steps), branches: concurrentBranches(steps) };
    if (inner.steps <= MAX_EXPANDED_STEPS && inner.branches <= MAX_CONCURRENT_BRANCHES) this.loopCaps([{ action } as Step], path);
    return action;
  }

  /** An error at `path` when `steps` expand past MAX_EXPANDED_STEPS or run more than MAX_CONCURRENT_BRANCHES at once. */
  loopCaps(steps: Step[], path: DataPath): void {
    const total = expandedSteps(steps);
    if (total > MAX_EXPANDED_STEPS) this.error(path, 'too-many-steps', `these repeats expand to ${total.toExponential(2)} steps; at most ${MAX_EXPANDED_STEPS.toExponential(0)} (repeats nested multiply)`);
    const branches = concurrentBranches(steps);
    if (branches > MAX_CONCURRENT_BRANCHES) this.error(path, 'too-many-branches', `these parallel repeats run ${branches.toExponential(2)} branches at once; at most ${MAX_CONCURRENT_BRANCHES} (parallel repeats nested multiply)`);
  }
}

/** The most steps a scenario may expand to, repeats unrolled: 10^7. */
export const MAX_EXPANDED_STEPS = 10_000_000;
/** The most branches a scenario may run side by side (`parallel`, `repeat: { parallel: true }`): 10^4. */
export const MAX_CONCURRENT_BRANCHES = 10_000;

/** How many steps `steps` run, repeats unrolled (counting the steps inside a repeat or parallel, not the step itself). */
export function expandedSteps(steps: Step[]): number {
  let n = 0;
  for (const s of steps) {
    const a = s.action;
    if (a.verb === 'repeat') n += a.times * expandedSteps(a.steps);
    else if (a.verb === 'parallel') n += a.branches.reduce((k, b) => k + expandedSteps(b), 0);
    else n += 1;
  }
  return n;
}

/** How many branches `steps` can run at once. */
function concurrentBranches(steps: Step[]): number {
  let most = 1;
  for (const s of steps) {
    const a = s.action;
    if (a.verb === 'repeat') most = Math.max(most, (a.parallel ? a.times : 1) * concurrentBranches(a.steps));
    else if (a.verb === 'parallel') most = Math.max(most, a.branches.reduce((k, b) => k + concurrentBranches(b), 0));
  }
  return most;
}

function branchScope(scope: Scope): Scope {
  return { conns: new Map(scope.conns), ...(scope.last ? { last: scope.last } : {}) };
}

/** Validate and normalise scenario data from `file`. */
export function validateScenario(
  file: string,
  data: unknown,
  locate: Locate,
  requirementIds?: ReadonlySet<string>,
  /** For a property scenario: the values of one run (default: placeholders, to check the file). */
  values?: Record<string, GeneratedValue>,
): { scenario?: Scenario; diagnostics: Diagnostic[] } {
  const v = new Validator(file, locate, requirementIds);
  if (!isObj(data)) {
    v.error([], 'invalid-type', 'a scenario file holds one map with `covers` and `steps`');
    return { diagnostics: v.diagnostics };
  }
  const { script, ...rest } = data;
  const head = v.parse(scenarioHeadSchema, rest, []);
  if (script !== undefined && typeof script !== 'function') v.error(['script'], 'invalid-type', '`script` must be an async function');
  if (!head) {
    // Still check the steps, so that one run reports every problem.
    if (Array.isArray(rest.steps)) v.steps(rest.steps, ['steps'], { conns: new Map() }, []);
    return { diagnostics: v.diagnostics };
  }
  // `none`: the program does not listen; connections (if any) default to TCP.
  v.transport = head.transport === 'udp' ? 'udp' : 'tcp';
  v.role = head.role ?? 'server';
  if (head.listen !== undefined && v.role !== 'client') v.error(['listen'], 'not-for-server', '`listen` applies to a client under test (`role: client`)');
  head.covers.forEach((id, i) => v.requirement(id, ['covers', i]));
  for (const [name, spec] of Object.entries(head.vars ?? {})) {
    const bytes = v.payload(spec as Obj, ['vars', name]);
    if (bytes) v.vars.set(name, bytes);
  }
  const generate = (head.generate ?? {}) as Record<string, GeneratorSpec>;
  const given = values ?? placeholders(generate);
  const texts = new Map<string, string>();
  for (const [name, spec] of Object.entries(generate)) {
    if (name === 'port' || v.vars.has(name)) v.error(['generate', name], 'name-taken', `\`${name}\` is already ${name === 'port' ? 'the port placeholder' : 'a name under `vars`'}`);
    // A generator whose range is empty would fail only when a value is drawn.
    const [kind, body] = Object.entries(spec)[0] as [string, Obj];
    v.range(body, ['generate', name, kind]);
    if (kind === 'split') for (const k of ['pieces', 'pause']) v.range(body[k], ['generate', name, kind, k]);
    const value = given[name];
    if ('split' in spec) {
      const of = spec.split.of === undefined ? undefined : generate[spec.split.of];
      if (spec.split.of !== undefined && (!of || !('bytes' in of || 'text' in of))) v.error(['generate', name, 'split', 'of'], 'unknown-var', `\`${spec.split.of}\` is not a generated payload`, didYouMean(spec.split.of, Object.keys(generate)));
      v.splits.set(name, value as SplitValue);
    } else if (value instanceof Uint8Array) v.vars.set(name, value);
    else {
      texts.set(name, String(value));
      v.vars.set(name, encodeUtf8(String(value)));
    }
  }
  const rawSteps = texts.size ? substitute(head.steps, texts) : head.steps;
  const steps = v.steps(rawSteps as unknown[], ['steps'], { conns: new Map() }, head.covers);
  const env = scenarioEnv(v, head.env);
  // Each repeat checked itself; the steps together must keep to the same caps.
  if (!v.diagnostics.some((d) => d.code === 'too-many-steps' || d.code === 'too-many-branches')) v.loopCaps(steps, ['steps']);
  if (v.diagnostics.some((d) => d.severity === 'error')) return { diagnostics: v.diagnostics };
  const scenario: Scenario = {
    file,
    name: head.name ?? file.replace(/^.*\//, '').replace(/\.(ya?ml|[cm]?ts)$/, ''),
    covers: head.covers,
    role: v.role,
    listen: head.listen ?? true,
    transport: v.transport,
    listens: head.transport !== 'none',
    process: head.process ?? 'fresh',
    timeoutMs: head.timeout ?? DEFAULT_TIMEOUT_MS,
    stepTimeoutMs: head['step-timeout'] ?? DEFAULT_STEP_TIMEOUT_MS,
    ...(head['default-port'] ? { defaultPort: head['default-port'] } : {}),
    ...(head.skip !== undefined ? { skip: head.skip } : {}),
    ...env,
    steps,
    ...(typeof script === 'function' ? { script: script as Scenario['script'] & object } : {}),
    ...(head.generate ? { property: { generate, ...(head.runs ? { runs: head.runs } : {}), ...(head['time-limit'] ? { timeLimitMs: head['time-limit'] } : {}), materialize: (vals) => validateScenario(file, data, locate, requirementIds, vals) } } : {}),
    ...(values ? { values } : {}),
    ...(v.splitPieces.size ? { splitPieces: Object.fromEntries(v.splitPieces) } : {}),
  };
  return { scenario, diagnostics: v.diagnostics };
}

/** Names the harness sets itself for every program. */
const HARNESS_ENV = new Set(['PORT']);

/** A scenario's `env:`, as the scenario field; names the harness sets itself are refused. */
function scenarioEnv(v: Validator, env: Record<string, string> | undefined): { env?: Record<string, string> } {
  if (env === undefined) return {};
  for (const name of Object.keys(env)) {
    if (HARNESS_ENV.has(name)) v.error(['env', name], 'reserved-env', `\`${name}\` is set by the harness (the program's port)`, undefined, true);
  }
  return Object.keys(env).length ? { env: { ...env } } : {};
}

/** Values that stand in for generated ones when a property scenario is only checked. */
function placeholders(generate: Record<string, GeneratorSpec>): Record<string, GeneratedValue> {
  const out: Record<string, GeneratedValue> = {};
  for (const [name, spec] of Object.entries(generate)) {
    if ('bytes' in spec) out[name] = new Uint8Array(Math.max(1, spec.bytes.min ?? 1)).fill(0x78);
    else if ('text' in spec) out[name] = 'x'.repeat(Math.max(1, spec.text.min ?? 1));
    else if ('integer' in spec) out[name] = spec.integer.min;
    else out[name] = { cuts: [], pause: 0 };
  }
  return out;
}

/** `{name}` in every string of `data` replaced by the generated text of that name. */
function substitute(data: unknown, texts: ReadonlyMap<string, string>): unknown {
  if (typeof data === 'string') return data.replace(/\{([A-Za-z_][\w-]*)\}/g, (whole, name: string) => texts.get(name) ?? whole);
  if (Array.isArray(data)) return data.map((x) => substitute(x, texts));
  if (isObj(data)) return Object.fromEntries(Object.entries(data).map(([k, x]) => [k, substitute(x, texts)]));
  return data;
}

/** Validate one step given at run time by a TS script, with the connections open so far. */
export function validateStep(
  raw: unknown,
  file: string,
  conns: ReadonlyMap<string, Transport>,
  transport: Transport,
  req: string[],
  role: 'server' | 'client' = 'server',
): { step?: Step; diagnostics: Diagnostic[] } {
  const v = new Validator(file, () => ({ line: 0, col: 0 }));
  v.transport = transport;
  v.role = role;
  const last = [...conns.keys()].pop();
  const step = v.step(raw, ['script'], { conns: new Map(conns), ...(last ? { last } : {}) }, req);
  return { ...(step && v.diagnostics.length === 0 ? { step } : {}), diagnostics: v.diagnostics };
}
