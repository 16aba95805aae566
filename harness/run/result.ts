/**
 * The plain data a run produces and reporters consume. Nothing here prints.
 */

/** The verdict on one scenario (or one requirement). */
export type Outcome = 'pass' | 'fail' | 'non-strict' | 'info' | 'skip' | 'error';

/** A requirement's level in the catalogue. */
export type Level = 'MUST' | 'SHOULD' | 'INFO';

/** One event of an exchange, stamped in milliseconds since the scenario began. */
export interface TranscriptEntry {
  t: number;
  kind:
    | 'start'
    | 'ready'
    | 'connect'
    | 'send'
    | 'recv'
    | 'shutdown'
    | 'close'
    | 'reset'
    | 'eof'
    | 'error'
    | 'stdout'
    | 'stderr'
    | 'stdin'
    | 'exit'
    | 'note'
    /** Entries the transcript budget did not keep: how many bytes and entries, between which times (in `detail`). */
    | 'elided';
  /** The connection's name, or the process's for console entries. */
  on?: string;
  data?: Uint8Array;
  detail?: string;
}

/** Why a scenario did not pass: where, what was expected, what came. */
export interface Failure {
  /** Stable code, e.g. `mismatch`, `timeout`, `unexpected-eof`, `not-ready`. */
  code: string;
  message: string;
  /** Index of the failed step (0-based) and its short label, e.g. `steps[3] expect`. */
  step?: number;
  stepLabel?: string;
  /** Requirement ids this failure breaks. */
  requirements: string[];
  /** The level the failing step gave the failure (default: each requirement's own). */
  level?: Level;
  expected?: Uint8Array;
  actual?: Uint8Array;
  /** Offset of the first differing byte, when known. */
  at?: number;
}

export interface ScenarioResult {
  /** Unique within a run: `<file>` plus ` [target]` when there are several targets. */
  id: string;
  file: string;
  name: string;
  target: string;
  covers: string[];
  outcome: Outcome;
  /** Outcome per covered requirement id. */
  requirements: Record<string, Outcome>;
  durationMs: number;
  failure?: Failure;
  /** Set when outcome is `skip`. */
  skipReason?: string;
  /** Observations recorded by the scenario for `info` requirements. */
  notes: string[];
  transcript: TranscriptEntry[];
  /** A property scenario: how it was run and, when it failed, the shrunk case and how to replay it. */
  property?: PropertyResult;
}

/** One generated value of a counterexample, shown as a report shows it. */
export type ShownValue = { bytes: { length: number; text: string; hex: string } } | { text: string } | { integer: number } | { split: { pieces: number[]; pause: number } };

export interface PropertyResult {
  seed: number;
  /** Runs made, shrinking included. */
  runs: number;
  /** Successful shrinks of the first failing case. */
  shrinks: number;
  /** fast-check's path to the counterexample (with the seed, it replays it). */
  path?: string;
  counterexample?: Record<string, ShownValue>;
  /** The command line that runs only the counterexample again. */
  replay?: string;
  /** The time limit ended the runs before they were all made. */
  interrupted?: boolean;
}

export interface RequirementSummary {
  id: string;
  level: Level;
  text: string;
  outcome: Outcome | 'uncovered';
  scenarios: string[];
}

export interface RunResult {
  startedAt: string;
  durationMs: number;
  strict: boolean;
  seed?: number;
  scenarios: ScenarioResult[];
  requirements: RequirementSummary[];
  /** 0, 1 or 2, as the CLI will exit. */
  exitCode: 0 | 1 | 2;
  counts: Record<Outcome, number>;
}
