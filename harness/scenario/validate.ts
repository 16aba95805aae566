/**
 * Plain data (from YAML or a TS module) to a normalised Scenario, collecting every
 * problem with its place instead of stopping at the first.
 */
import type { z } from 'zod';
import { concatBytes, encodeUtf8 } from '../codec/bytes.js';
import type { GeneratedValue, GeneratorSpec, SplitValue } from '../codec/generated.js';
import { CodecError } from '../codec/errors.js';
import { regexProblem } from '../codec/safe-regex.js';
import { checkPayload, encodePayload } from '../codec/payload.js';
import { isHarnessRef, lookup, refBytes, parseTemplate, templateBytes, valueBytes, type BuildBytes, type TemplateRef } from '../run/values.js';
import { namedGroups, planStruct, type StructBody } from '../verbs/struct-payload.js';
import type { PayloadSpec } from '../codec/types.js';
import { plainMessage } from '../codec/generated.js';
import type { Framing } from '../run/framed.js';
import { loopCaps } from '../verbs/flow.js';
import { checkFraming, checkMessageGenerator } from '../verbs/framing.js';
import { verbDef, type StepVerb } from '../verbs/index.js';
import type { Planned, Scope, ValidateCtx } from '../verbs/types.js';
import { didYouMean, type Diagnostic } from './diagnostic.js';
import { payloadKeys } from './fields.js';
import { DEFAULT_STEP_TIMEOUT_MS, DEFAULT_TIMEOUT_MS, type Scenario, type Step, type StepAction, type Transport } from './model.js';
import { scenarioHeadSchema, stepBodies, stepCommonFields, stepVerbs } from './schema.js';
import { allowedKeys, describeIssue, showPath } from './schema-walk.js';
import type { DataPath, Locate } from './yaml-source.js';

type Obj = Record<string, unknown>;
/** A scenario's top level as the schema parses it, the steps not yet checked. */
type ScenarioHead = z.infer<typeof scenarioHeadSchema>;

/**
 * What a property scenario's cases share: its top level as parsed, the names its steps
 * define, and each step body that parsed (by verb, then body object: a YAML alias may
 * put one body under two verbs). The values of a case change the steps' meaning, not
 * the shape the schema checks, so only what the values reach is checked again.
 */
interface Parsed {
  head: ScenarioHead;
  defined: ReadonlySet<string>;
  bodies: Map<StepVerb, WeakMap<object, unknown>>;
  /**
   * The top-level steps as the first validation made them, the scope before each (and
   * after the last), and which of them mention a generated name: a case checks only those
   * again, in the scope they had, and shares the others. A case whose values change what
   * a step leaves in scope (a connection named by a generated text) is validated whole.
   * Absent when the first validation found problems.
   */
  steps?: { made: Step[]; scopes: Scope[]; dependent: boolean[] };
}
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

class Validator implements ValidateCtx {
  readonly diagnostics: Diagnostic[] = [];
  vars = new Map<string, Uint8Array>();
  /** Payloads under `vars` built at each use (a struct with random values, the time, captured values). */
  builtVars = new Map<string, BuildBytes>();
  /** Every value name some step defines (captures, regex named groups, repeat indices). */
  defined: ReadonlySet<string> = new Set<string>();
  transport: Transport = 'tcp';
  role: 'server' | 'client' = 'server';
  framing?: Framing;
  /** Generated splits by name, for `send: { split }`. */
  splits = new Map<string, SplitValue>();
  /** The pieces each split gave the payload it was sent with (for reports). */
  splitPieces = new Map<string, number[]>();

  constructor(
    readonly file: string,
    readonly locate: Locate,
    readonly requirementIds?: ReadonlySet<string>,
    /** Step bodies parsed already, and where to keep those parsed now. */
    readonly bodies?: Parsed['bodies'],
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
    const p = this.plan(spec, path, undefined, keys);
    if (p && 'build' in p) {
      this.error(path, 'run-time-payload', 'these bytes must be known before the run: no captured values, `{ random }` or `{ now }` here');
      return undefined;
    }
    return p?.data;
  }

  plan(spec: Obj, path: DataPath, scope: Scope | undefined, keys: readonly string[] = payloadKeys): Planned | undefined {
    const given = keys.filter((k) => spec[k] !== undefined);
    if (given.length !== 1) {
      this.error(path, given.length ? 'ambiguous-payload' : 'missing-payload', given.length ? `give one of ${given.map((k) => `\`${k}\``).join(', ')}, not several` : `give the bytes as one of ${keys.map((k) => `\`${k}\``).join(', ')}`);
      return undefined;
    }
    const key = given[0]!;
    const value = spec[key];
    const at = [...path, key];
    if ((key === 'text' || key === 'bytes') && typeof value === 'string') return this.template(key, value, at, scope);
    if (key === 'var' && typeof value === 'string') return this.varPayload(value, at, scope);
    if (key === 'concat' && Array.isArray(value) && value.length > 0) {
      const parts = value.map((p, i) => (isObj(p) ? this.plan(p, [...at, i], scope) : (this.error([...at, i], 'bad-payload', 'a part of `concat` is a payload'), undefined)));
      if (!parts.every((p): p is Planned => p !== undefined)) return undefined;
      if (parts.every((p) => 'data' in p)) return { data: concatBytes(parts.map((p) => (p as { data: Uint8Array }).data)) };
      return { build: (ctx, step) => ({ bytes: concatBytes(parts.map((p) => ('data' in p ? p.data : p.build(ctx, step).bytes))) }) };
    }
    if (key === 'struct' && isObj(value)) return planStruct(this, value as unknown as StructBody, at, scope);
    if (key === 'head' && isObj(value) && typeof value.var === 'string' && Number.isInteger(value.size)) {
      const whole = this.varPayload(value.var, [...at, 'var'], scope);
      const size = value.size as number;
      if (!whole) return undefined;
      return 'data' in whole ? { data: whole.data.subarray(0, size) } : { build: (ctx, step) => ({ bytes: whole.build(ctx, step).bytes.subarray(0, size) }) };
    }
    const ps = { [key]: value } as PayloadSpec;
    const problem = checkPayload(ps);
    if (problem) {
      this.error(at, 'bad-payload', problem);
      return undefined;
    }
    return { data: encodePayload(ps) };
  }

  /** A `text:`/`bytes:` payload: bytes now, or built at run time when it names values known only then. */
  template(key: 'text' | 'bytes', text: string, path: DataPath, scope: Scope | undefined): Planned | undefined {
    const parts: (Uint8Array | TemplateRef)[] = [];
    for (const part of parseTemplate(text)) {
      if (typeof part === 'string') {
        try {
          parts.push(encodePayload({ [key]: part } as PayloadSpec));
        } catch (e) {
          if (!(e instanceof CodecError)) throw e;
          this.error(path, e.code, e.message);
          return undefined;
        }
      } else if (!isHarnessRef(part) && this.isStatic(part.name)) parts.push(refBytes(part, this.vars.get(part.name)!));
      else {
        if (!isHarnessRef(part)) this.refer(part.name, path, scope);
        parts.push(part);
      }
    }
    if (parts.every((p) => p instanceof Uint8Array)) return { data: concatBytes(parts as Uint8Array[]) };
    return { build: (ctx, step) => ({ bytes: templateBytes(parts, ctx, step) }) };
  }

  /** `{ var: NAME }`: a payload under `vars` or `generate`, or a value known at run time. */
  varPayload(name: string, path: DataPath, scope: Scope | undefined): Planned | undefined {
    const built = this.builtVars.get(name);
    if (built) return { build: built };
    if (this.isStatic(name)) return { data: this.vars.get(name)! };
    if (!this.defined.has(name) && !scope?.values.has(name)) {
      this.error(path, 'unknown-var', `no payload or value named \`${name}\``, didYouMean(name, [...this.vars.keys(), ...this.defined]));
      return undefined;
    }
    this.refer(name, path, scope);
    return { build: (ctx, step) => ({ bytes: valueBytes(lookup(ctx, step, name)) }) };
  }

  /** Whether `name` is a payload known before the run (under `vars` or `generate`, not captured). */
  isStatic(name: string): boolean {
    return this.vars.has(name) && !this.defined.has(name);
  }

  refer(name: string, path: DataPath, scope: Scope | undefined): void {
    if (scope?.values.has(name) || this.vars.has(name) || this.builtVars.has(name) || (!scope && this.defined.has(name))) return;
    if (this.defined.has(name)) this.error(path, 'capture-before-use', `\`${name}\` is captured only by a later step`, 'capture it before this step');
    else this.error(path, 'unknown-value', `no value named \`${name}\` (captures, repeat indices, \`vars\`, \`generate\`)`, didYouMean(name, [...this.vars.keys(), ...this.defined]) ?? 'write `{{` for a literal `{`');
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
    const short = verbDef(verb).shorthand;
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

  /** The action of a step with `verb`: its body checked against the verb's schema (unless it holds steps), then normalised by the verb. */
  action(verb: StepVerb, body: unknown, path: DataPath, scope: Scope, req: string[]): StepAction | undefined {
    const def = verbDef(verb);
    if (typeof def.body === 'function') return def.normalize(body, this, path, scope, req);
    const kept = this.bodies && isObj(body) ? this.bodies.get(verb)?.get(body) : undefined;
    const b = kept ?? this.parse(stepBodies[verb], body, path);
    if (b !== undefined && kept === undefined && this.bodies && isObj(body)) {
      const byBody = this.bodies.get(verb) ?? new WeakMap<object, unknown>();
      this.bodies.set(verb, byBody.set(body, b));
    }
    return b === undefined ? undefined : def.normalize(b, this, path, scope, req);
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
}

/** Validate and normalise scenario data from `file`. */
export function validateScenario(
  file: string,
  data: unknown,
  locate: Locate,
  requirementIds?: ReadonlySet<string>,
  /** For a property scenario: the values of one run (default: placeholders, to check the file). */
  values?: Record<string, GeneratedValue>,
  /** What an earlier validation of `data` parsed (the values of a run change only the steps). */
  parsed?: Parsed,
): { scenario?: Scenario; diagnostics: Diagnostic[] } {
  const v = new Validator(file, locate, requirementIds, parsed?.bodies ?? new Map());
  if (!isObj(data)) {
    v.error([], 'invalid-type', 'a scenario file holds one map with `covers` and `steps`');
    return { diagnostics: v.diagnostics };
  }
  // A case of a property (`parsed` given): what does not depend on its values was checked when the file was.
  const isCase = parsed !== undefined;
  const script = data.script;
  let head = parsed?.head;
  if (!head) {
    const { script: _, ...rest } = data;
    head = v.parse(scenarioHeadSchema, rest, []);
    if (script !== undefined && typeof script !== 'function') v.error(['script'], 'invalid-type', '`script` must be an async function');
    // Still check the steps, so that one run reports every problem.
    if (!head && Array.isArray(rest.steps)) v.steps(rest.steps, ['steps'], { conns: new Map(), values: new Set() }, []);
  }
  if (!head) return { diagnostics: v.diagnostics };
  // `none`: the program does not listen; connections (if any) default to TCP.
  v.transport = head.transport === 'udp' ? 'udp' : 'tcp';
  v.role = head.role ?? 'server';
  if (head.listen !== undefined && v.role !== 'client') v.error(['listen'], 'not-for-server', '`listen` applies to a client under test (`role: client`)');
  if (head.tls && v.role !== 'client') v.error(['tls'], 'not-for-server', '`tls: true` makes the harness listen with TLS: it applies to a client under test (`role: client`)', 'to speak TLS to a server, use `connect: { tls: … }`', true);
  else if (head.tls && v.transport !== 'tcp') v.error(['tls'], 'not-for-udp', '`tls: true` applies to TCP', undefined, true);
  if (!isCase) head.covers.forEach((id, i) => v.requirement(id, ['covers', i]));
  if (head.framing !== undefined && head.framing !== 'none') {
    if (v.transport === 'udp') v.error(['framing'], 'framing-udp', 'a UDP datagram is one message already: `framing` applies to TCP connections');
    else v.framing = checkFraming(v, head.framing, ['framing']);
  }
  const defined = parsed?.defined ?? definedValues(head.steps);
  v.defined = defined;
  for (const [name, spec] of Object.entries(head.vars ?? {})) {
    const p = v.plan(spec as Obj, ['vars', name], undefined);
    if (p && 'data' in p) v.vars.set(name, p.data);
    else if (p) v.builtVars.set(name, p.build);
  }
  const generate = (head.generate ?? {}) as Record<string, GeneratorSpec>;
  const given = values ?? placeholders(generate);
  const texts = new Map<string, string>();
  for (const [name, spec] of Object.entries(generate)) {
    const value = given[name];
    if (!isCase) {
      if (name === 'port' || v.vars.has(name)) v.error(['generate', name], 'name-taken', `\`${name}\` is already ${name === 'port' ? 'the port placeholder' : 'a name under `vars`'}`);
      // A generator whose range is empty would fail only when a value is drawn.
      const [kind, body] = Object.entries(spec)[0] as [string, Obj];
      v.range(body, ['generate', name, kind]);
      if (kind === 'split') for (const k of ['pieces', 'pause']) v.range(body[k], ['generate', name, kind, k]);
      if ('message' in spec) checkMessageGenerator(v, spec.message.struct, ['generate', name, 'message', 'struct']);
      if ('split' in spec) {
        const of = spec.split.of === undefined ? undefined : generate[spec.split.of];
        if (spec.split.of !== undefined && (!of || !('bytes' in of || 'text' in of || 'message' in of))) v.error(['generate', name, 'split', 'of'], 'unknown-var', `\`${spec.split.of}\` is not a generated payload`, didYouMean(spec.split.of, Object.keys(generate)));
      }
    }
    if ('split' in spec) {
      v.splits.set(name, value as SplitValue);
    } else if (value instanceof Uint8Array) v.vars.set(name, value);
    else {
      texts.set(name, String(value));
      v.vars.set(name, encodeUtf8(String(value)));
    }
  }
  const rawSteps = (texts.size ? substitute(head.steps, texts) : head.steps) as unknown[];
  let steps = parsed?.steps && sharedSteps(v, head, texts, parsed.steps);
  let made: Parsed['steps'];
  if (steps) {
    // The case's steps: those that mention no generated name are what the first validation made of them.
  } else if (head.generate && !parsed) {
    // The first validation of a property scenario: kept, with the scope around each step, for its cases.
    const scope: Scope = { conns: new Map(), framings: new Map(), values: new Set() };
    const scopes: Scope[] = [];
    steps = [];
    for (const [i, r] of rawSteps.entries()) {
      scopes.push(copyScope(scope));
      const s = v.step(r, ['steps', i], scope, head.covers);
      if (s) steps.push(s);
    }
    scopes.push(scope);
    const names = Object.keys(generate);
    if (steps.length === rawSteps.length) made = { made: steps, scopes, dependent: (head.steps as unknown[]).map((r) => mentions(r, names)) };
  } else {
    steps = v.steps(rawSteps, ['steps'], { conns: new Map(), framings: new Map(), values: new Set() }, head.covers);
  }
  const env = scenarioEnv(v, head.env);
  // Each repeat checked itself; the steps together must keep to the same caps.
  if (!v.diagnostics.some((d) => d.code === 'too-many-steps' || d.code === 'too-many-branches')) loopCaps(v, steps, ['steps']);
  if (v.diagnostics.some((d) => d.severity === 'error')) return { diagnostics: v.diagnostics };
  const scenario: Scenario = {
    file,
    name: head.name ?? file.replace(/^.*\//, '').replace(/\.(ya?ml|[cm]?ts)$/, ''),
    covers: head.covers,
    role: v.role,
    listen: head.listen ?? true,
    ...(head.tls ? { tls: true as const } : {}),
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
    // A case is a scenario of its own, not a property (it would be dropped at once: property.ts).
    ...(head.generate && !isCase ? { property: { generate, ...(head.runs ? { runs: head.runs } : {}), ...(head['time-limit'] ? { timeLimitMs: head['time-limit'] } : {}), ...(made ? { firstUse: firstUse(made.dependent) } : {}), materialize: (vals) => validateScenario(file, data, locate, requirementIds, vals, { head, defined, bodies: v.bodies!, ...(made && v.diagnostics.length === 0 ? { steps: made } : {}) }) } } : {}),
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
    else if ('message' in spec) out[name] = plainMessage(spec.message.struct);
    else out[name] = { cuts: [], pause: 0 };
  }
  return out;
}

/**
 * `{name}` in every string of `data` replaced by the generated text of that name;
 * `text:` and `bytes:` payloads are left as written (their `{name}` takes the value
 * itself, whatever characters it holds).
 */
function substitute(data: unknown, texts: ReadonlyMap<string, string>): unknown {
  if (typeof data === 'string') return data.replace(/\{([A-Za-z_][\w-]*)\}/g, (whole, name: string) => texts.get(name) ?? whole);
  if (Array.isArray(data)) return data.map((x) => substitute(x, texts));
  if (isObj(data)) return Object.fromEntries(Object.entries(data).map(([k, x]) => [k, (k === 'text' || k === 'bytes') && typeof x === 'string' ? x : substitute(x, texts)]));
  return data;
}

/** The first step that may use a generated value (`dependent`), or the number of steps when none does. */
function firstUse(dependent: readonly boolean[]): number {
  const i = dependent.indexOf(true);
  return i < 0 ? dependent.length : i;
}

/** Whether any key or string in `data` contains one of `names` (a step that may use a generated value; more is harmless). */
function mentions(data: unknown, names: readonly string[]): boolean {
  if (typeof data === 'string') return names.some((n) => data.includes(n));
  if (Array.isArray(data)) return data.some((x) => mentions(x, names));
  if (ArrayBuffer.isView(data)) return false;
  if (isObj(data)) return Object.entries(data).some(([k, x]) => names.some((n) => k.includes(n)) || mentions(x, names));
  return false;
}

/**
 * A case's steps from those the first validation made: the ones that mention a generated
 * name validated again (with the case's texts in their strings) in the scope they had;
 * undefined when one of them leaves a scope other than it did then, so that the case is
 * validated whole.
 */
function sharedSteps(v: Validator, head: ScenarioHead, texts: ReadonlyMap<string, string>, template: NonNullable<Parsed['steps']>): Step[] | undefined {
  const steps: Step[] = [];
  const reported = v.diagnostics.length;
  for (let i = 0; i < template.made.length; i++) {
    if (!template.dependent[i]) {
      steps.push(template.made[i]!);
      continue;
    }
    const raw = (head.steps as unknown[])[i];
    const scope = copyScope(template.scopes[i]!);
    const s = v.step(texts.size ? substitute(raw, texts) : raw, ['steps', i], scope, head.covers);
    if (!sameScope(scope, template.scopes[i + 1]!)) {
      // Validated whole instead: what this pass found is found again there.
      v.diagnostics.length = reported;
      return undefined;
    }
    if (s) steps.push(s);
  }
  return steps;
}

/** Whether two scopes hold the same connections, framings and values. */
function sameScope(a: Scope, b: Scope): boolean {
  const same = <K, T>(x: ReadonlyMap<K, T> | undefined, y: ReadonlyMap<K, T> | undefined): boolean => {
    if ((x?.size ?? 0) !== (y?.size ?? 0)) return false;
    for (const [k, t] of x ?? []) {
      const u = y?.get(k);
      if (u !== t && (u === undefined || JSON.stringify(u) !== JSON.stringify(t))) return false;
    }
    return true;
  };
  if (a.last !== b.last || a.values.size !== b.values.size || !same(a.conns, b.conns) || !same(a.framings, b.framings)) return false;
  for (const x of a.values) if (!b.values.has(x)) return false;
  return true;
}

/** A scope as it is now, for validating a step in it later. */
function copyScope(s: Scope): Scope {
  return { conns: new Map(s.conns), ...(s.last !== undefined ? { last: s.last } : {}), ...(s.framings ? { framings: new Map(s.framings) } : {}), values: new Set(s.values) };
}

/** Every value name the steps define anywhere: captures, named groups of `expect` regexes, repeat indices. */
function definedValues(steps: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(steps)) steps.forEach((x) => definedValues(x, out));
  else if (isObj(steps)) {
    const c = steps.capture;
    if (typeof c === 'string') out.add(c);
    else if (isObj(c)) Object.keys(c).forEach((k) => out.add(k));
    if (typeof steps.regex === 'string') namedGroups(steps.regex).forEach((k) => out.add(k));
    if (isObj(steps.repeat) && typeof steps.repeat.as === 'string') out.add(steps.repeat.as);
    Object.values(steps).forEach((x) => definedValues(x, out));
  }
  return out;
}

/** Validate one step given at run time by a TS script, with the connections open so far. */
export function validateStep(
  raw: unknown,
  file: string,
  conns: ReadonlyMap<string, Transport>,
  transport: Transport,
  req: string[],
  role: 'server' | 'client' = 'server',
  /** Names of the values captured so far. */
  values: Iterable<string> = [],
): { step?: Step; diagnostics: Diagnostic[] } {
  const v = new Validator(file, () => ({ line: 0, col: 0 }));
  v.transport = transport;
  v.role = role;
  const last = [...conns.keys()].pop();
  const known = new Set(values);
  v.defined = definedValues(raw, new Set(known));
  const step = v.step(raw, ['script'], { conns: new Map(conns), ...(last ? { last } : {}), values: known }, req);
  return { ...(step && v.diagnostics.length === 0 ? { step } : {}), diagnostics: v.diagnostics };
}
