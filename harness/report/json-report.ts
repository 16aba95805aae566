/**
 * The JSON report: the whole run result with a schema version, keys in the order of
 * the result types, and every byte string as `{ text, hex, length }` so that no
 * Uint8Array ever reaches JSON.stringify.
 */
import { escapeBytes, hexBytes } from '../codec/render.js';
import type { Failure, Outcome, RunResult, ScenarioResult, TranscriptEntry } from '../run/result.js';
import { requirementMatrix, type RequirementMatrix } from './matrix.js';

/**
 * Bump when a field changes meaning or disappears; adding fields does not (since 2:
 * `steps`, a failure's `line`, `expectation`/`expectations`, `matrix`, `shard`).
 * 2: requirement outcomes each from their own checks (`not-run`, `reasons`, `failures`).
 */
export const JSON_SCHEMA_VERSION = 2;

/** Bytes as the JSON report shows them. */
export interface JsonBytes {
  text: string;
  hex: string;
  length: number;
}

type WithBytes<T, K extends keyof T> = Omit<T, K> & { [P in K]?: JsonBytes };
export type JsonTranscriptEntry = WithBytes<TranscriptEntry, 'data'>;
export type JsonFailure = WithBytes<Failure, 'expected' | 'actual'>;
export type JsonScenarioResult = Omit<ScenarioResult, 'failure' | 'failures' | 'transcript'> & { failure?: JsonFailure; failures?: JsonFailure[]; transcript: JsonTranscriptEntry[] };
/** The run as JSON; `matrix` is there when the run had several targets. */
export type JsonRunReport = { schemaVersion: typeof JSON_SCHEMA_VERSION } & Omit<RunResult, 'scenarios'> & { scenarios: JsonScenarioResult[]; matrix?: RequirementMatrix };

const OUTCOMES: Outcome[] = ['pass', 'fail', 'non-strict', 'info', 'not-run', 'skip', 'error'];

/** `bytes` as escaped text, hex and length. */
export function toJsonBytes(bytes: Uint8Array): JsonBytes {
  return { text: escapeBytes(bytes), hex: hexBytes(bytes), length: bytes.length };
}

/** Only the fields that are set, in the order given (so optional fields never appear as null). */
function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function toJsonEntry(e: Readonly<TranscriptEntry>): JsonTranscriptEntry {
  return defined({ t: e.t, kind: e.kind, on: e.on, data: e.data && toJsonBytes(e.data), detail: e.detail });
}

function toJsonFailure(f: Readonly<Failure>): JsonFailure {
  return defined({
    code: f.code,
    message: f.message,
    step: f.step,
    stepLabel: f.stepLabel,
    requirements: [...f.requirements],
    level: f.level,
    expected: f.expected && toJsonBytes(f.expected),
    actual: f.actual && toJsonBytes(f.actual),
    at: f.at,
    line: f.line,
  });
}

function toJsonScenario(r: Readonly<ScenarioResult>): JsonScenarioResult {
  return defined({
    id: r.id,
    file: r.file,
    name: r.name,
    target: r.target,
    covers: [...r.covers],
    outcome: r.outcome,
    requirements: { ...r.requirements },
    reasons: r.reasons && { ...r.reasons },
    durationMs: r.durationMs,
    failure: r.failure && toJsonFailure(r.failure),
    failures: r.failures?.map(toJsonFailure),
    skipReason: r.skipReason,
    notes: [...r.notes],
    property: r.property && structuredClone(r.property),
    problems: r.problems?.map((q) => ({ code: q.code, message: q.message })),
    expectation: r.expectation && structuredClone(r.expectation),
    steps: r.steps?.map((s) => ({ ...s })),
    transcript: r.transcript.map(toJsonEntry),
  });
}

function severalTargets(run: Readonly<RunResult>): boolean {
  const first = run.scenarios[0]?.target;
  return run.scenarios.some((r) => r.target !== first);
}

/** The run's fields before `scenarios`. */
function headFields(run: Readonly<RunResult>) {
  return defined({ schemaVersion: JSON_SCHEMA_VERSION as typeof JSON_SCHEMA_VERSION, startedAt: run.startedAt, durationMs: run.durationMs, strict: run.strict, seed: run.seed, interrupted: run.interrupted, shard: run.shard && { ...run.shard } });
}

/** The run's fields after `scenarios`. */
function tailFields(run: Readonly<RunResult>) {
  return defined({
    requirements: run.requirements.map((q) => ({ id: q.id, level: q.level, text: q.text, outcome: q.outcome, scenarios: [...q.scenarios] })),
    matrix: severalTargets(run) ? requirementMatrix(run) : undefined,
    expectations: run.expectations && structuredClone(run.expectations),
    exitCode: run.exitCode,
    counts: Object.fromEntries(OUTCOMES.map((o) => [o, run.counts[o] ?? 0])) as Record<Outcome, number>,
  });
}

/** The run as plain JSON data, ready for JSON.stringify. */
export function toJsonReport(run: Readonly<RunResult>): JsonRunReport {
  return { ...headFields(run), scenarios: run.scenarios.map(toJsonScenario), ...tailFields(run) };
}

/** `value` as pretty-printed JSON nested `depth` levels deep (JSON strings hold no raw newline, so every newline is layout). */
function nested(value: unknown, depth: number): string {
  return JSON.stringify(value, null, 2).replace(/\n/g, `\n${'  '.repeat(depth)}`);
}

/**
 * The JSON report's text in pieces, one scenario at a time, so that a large run is
 * never one giant string: joined, exactly the pretty-printed report.
 */
export function* jsonReportChunks(run: Readonly<RunResult>): Generator<string> {
  let head = '{';
  for (const [k, v] of Object.entries(headFields(run))) head += `\n  ${JSON.stringify(k)}: ${nested(v, 1)},`;
  yield `${head}\n  "scenarios": [`;
  for (let i = 0; i < run.scenarios.length; i++) yield `${i === 0 ? '' : ','}\n    ${nested(toJsonScenario(run.scenarios[i]!), 2)}`;
  let tail = run.scenarios.length ? '\n  ]' : ']';
  for (const [k, v] of Object.entries(tailFields(run))) tail += `,\n  ${JSON.stringify(k)}: ${nested(v, 1)}`;
  yield `${tail}\n}\n`;
}

/** The JSON report's text: pretty-printed, ending with a newline. */
export function renderJsonReport(run: Readonly<RunResult>): string {
  return [...jsonReportChunks(run)].join('');
}
