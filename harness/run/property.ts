/**
 * A property scenario: generated values, a run of the scenario per case on a fresh
 * connection (a fresh program when the scenario asks), shrinking of a failure to
 * the smallest case fast-check finds, and the seed and path that replay it.
 * fast-check is loaded on the first property scenario only.
 */
import { encodeUtf8 } from '../codec/bytes.js';
import { escapeBytes, hexBytes } from '../codec/render.js';
import { splitSizes, type GeneratedValue, type GeneratorSpec, type SplitValue } from '../codec/generated.js';
import type { Scenario } from '../scenario/model.js';
import type { PropertyResult, ScenarioResult, ShownValue } from './result.js';
import { runCase, type ReferenceOptions } from './differential.js';
import type { ScenarioRunOptions } from './run-scenario.js';

/** Runs of a property unless the scenario or `--runs` says otherwise. */
export const DEFAULT_RUNS = 100;
/** The longest a property scenario runs, shrinking included. */
export const PROPERTY_TIME_LIMIT_MS = 120_000;
/** Bytes of a generated payload a report shows. */
const SHOWN = 200;

export interface PropertyOptions extends ScenarioRunOptions {
  seed: number;
  runs?: number;
  /** Replay: only the case at this path (from a report). */
  path?: string;
  /** The command line replaying a case, given its seed and path. */
  replay(seed: number, path: string): string;
  /** Differential: the reference implementation each case also runs against. */
  reference?: ReferenceOptions;
}

/** A generated value as the report shows it. */
export function showValue(name: string, values: Record<string, GeneratedValue>, generate: Record<string, GeneratorSpec>, pieces?: Record<string, number[]>): ShownValue {
  const v = values[name]!;
  const spec = generate[name]!;
  if ('split' in spec) {
    const s = v as SplitValue;
    if (pieces?.[name]) return { split: { pieces: pieces[name]!, pause: s.pause } };
    const of = spec.split.of === undefined ? undefined : values[spec.split.of];
    const length = of instanceof Uint8Array ? of.length : encodeUtf8(String(of ?? '')).length;
    return { split: { pieces: splitSizes(s, length), pause: s.pause } };
  }
  if (v instanceof Uint8Array) return { bytes: { length: v.length, text: escapeBytes(v, SHOWN), hex: hexBytes(v, SHOWN) } };
  if (typeof v === 'number') return { integer: v };
  return { text: String(v) };
}

/** Run `scenario` (which has a `property`) as a fast-check property; never throws for anything the program does. */
export async function runProperty(scenario: Scenario, opts: PropertyOptions): Promise<ScenarioResult> {
  const property = scenario.property!;
  const { default: fc } = await import('fast-check');
  const { arbitraryFor } = await import('../codec/arbitraries.js');
  const started = performance.now();
  const arbitraries = Object.fromEntries(Object.entries(property.generate).map(([name, spec]) => [name, arbitraryFor(spec)]));
  let runs = 0;
  let lastPass: ScenarioResult | undefined;
  let failing: { values: Record<string, GeneratedValue>; result: ScenarioResult; pieces?: Record<string, number[]> } | undefined;
  let broken: ScenarioResult | undefined;
  /** Why the failing case is not shrunk: it failed before any step used its values, as any values would. */
  let unshrunk: string | undefined;
  let stopped = false;
  // The case under way: when the time limit ends the runs, fast-check does not wait for it, but we must.
  let inFlight: Promise<unknown> = Promise.resolve();
  const check = fc.asyncProperty(fc.record(arbitraries), (values) => {
    const run = runOne(values);
    inFlight = run;
    return run;
  });
  const runOne = async (values: Record<string, GeneratedValue>): Promise<boolean> => {
    // Once the run is stopped, one case "fails" so that fast-check runs no more, and every shrink candidate
    // "passes" so that it does not shrink (a loop of microtasks that holds timers and signals off); the result
    // says interrupted.
    if (opts.signal.aborted) {
      if (stopped || broken || failing) return true;
      stopped = true;
      return false;
    }
    // Once the harness cannot judge, every further case "fails" at once so that fast-check ends.
    if (broken) return false;
    // A failure no values could change: every shrink candidate "passes", and the case that failed is the one reported.
    if (unshrunk !== undefined) return true;
    const built = property.materialize(values);
    if (!built.scenario) {
      broken = errorResult(scenario, opts, 'bad-generated-value', built.diagnostics.map((d) => `${d.code}: ${d.message}`).join('; '));
      return false;
    }
    // The case's scenario is made for it: marked as a case of this one in place (a copy with a new field costs microseconds in Node 20).
    const one = built.scenario;
    one.property = undefined;
    one.caseOf = scenario;
    const r = await runCase(one, opts);
    runs++;
    if (r.outcome === 'pass' || r.outcome === 'info') {
      lastPass = r;
      return true;
    }
    if (r.outcome === 'error' || r.outcome === 'skip') broken ??= r;
    else {
      failing = { values, result: r, ...(built.scenario.splitPieces ? { pieces: built.scenario.splitPieces } : {}) };
      unshrunk = beforeAnyValue(r, property.firstUse, one);
    }
    return false;
  };
  const numRuns = opts.path !== undefined ? 1 : (opts.runs ?? property.runs ?? DEFAULT_RUNS);
  const details = await fc.check(check, {
    numRuns,
    seed: opts.seed,
    ...(opts.path !== undefined ? { path: opts.path, endOnFailure: true } : {}),
    // Runs and shrinking together stop at the time limit; what was found by then is reported.
    interruptAfterTimeLimit: property.timeLimitMs ?? Math.min(PROPERTY_TIME_LIMIT_MS, scenario.timeoutMs * numRuns),
    markInterruptAsFailure: false,
  });
  await inFlight.catch(() => undefined);
  const info: PropertyResult = { seed: details.seed, runs, shrinks: details.numShrinks, ...(details.interrupted ? { interrupted: true } : {}) };
  const durationMs = Math.round(performance.now() - started);
  if (opts.signal.aborted && !failing && !broken) return { ...errorResult(scenario, opts, 'interrupted', 'the run was interrupted'), durationMs, property: info };
  if (failing && !broken) {
    const path = details.counterexamplePath ?? opts.path ?? '';
    const counterexample = Object.fromEntries(Object.keys(property.generate).map((name) => [name, showValue(name, failing!.values, property.generate, failing!.pieces)]));
    const replay = opts.replay(details.seed, path);
    const notes = [...failing.result.notes, `property failed after ${runs} runs (seed ${details.seed}), shrunk ${details.numShrinks} times; replay: ${replay}`, ...(unshrunk ? [unshrunk] : [])];
    return { ...failing.result, durationMs, notes, property: { ...info, path, counterexample, replay } };
  }
  if (broken) return { ...broken, durationMs, property: info };
  const base = lastPass ?? errorResult(scenario, opts, 'no-runs', 'the property made no run');
  const note = `${runs} generated cases passed (seed ${details.seed})${details.interrupted ? `; stopped by the time limit before ${numRuns}` : ''}`;
  return { ...base, durationMs, notes: [...base.notes, note], property: info };
}

/**
 * Why a failing case is not worth shrinking, or undefined when it is: every failure it had
 * came at a top-level step before `firstUse`, the first that names a generated value. Up
 * to there a case does what any other does, so any values fail there alike, and each
 * shrink would only wait out the same failure again (a timeout each).
 */
function beforeAnyValue(r: ScenarioResult, firstUse: number | undefined, one: Scenario): string | undefined {
  const failures = r.failures ?? (r.failure ? [r.failure] : []);
  if (firstUse === undefined || failures.length === 0 || !failures.every((f) => f.step !== undefined && f.step < firstUse)) return undefined;
  const last = Math.max(...failures.map((f) => f.step!));
  const used = firstUse < one.steps.length ? `${one.steps[firstUse]!.label}, the first step that uses a generated value` : 'any step uses a generated value';
  return `not shrunk: it failed at ${one.steps[last]!.label}, before ${used}; any values fail there alike`;
}

function errorResult(scenario: Scenario, opts: ScenarioRunOptions, code: string, message: string): ScenarioResult {
  return {
    id: opts.id,
    file: scenario.file,
    name: scenario.name,
    target: opts.target,
    covers: scenario.covers,
    outcome: 'error',
    requirements: Object.fromEntries(scenario.covers.map((id) => [id, 'error' as const])),
    durationMs: 0,
    failure: { code, message, requirements: scenario.covers },
    notes: [],
    transcript: [],
  };
}
