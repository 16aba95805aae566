/**
 * The plain data a run produces and reporters consume. Nothing here prints.
 */

/** The verdict on one scenario (or one requirement). */
export type Outcome = 'pass' | 'fail' | 'non-strict' | 'info' | 'not-run' | 'skip' | 'error';

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
  /** Line of the failed step (or of the script's call) in the scenario's file, when known. */
  line?: number;
}

/** How one step of a scenario went: run and held, broke, or never reached. */
export interface StepRecord {
  /** `steps[3] expect`, `steps[2].parallel[1][0] send`. */
  label: string;
  /** Line of the step in the scenario's file (0: unknown, e.g. a step a TS script built). */
  line: number;
  outcome: 'pass' | 'fail' | 'not-run';
  /** When it first started, in ms since the scenario began (absent: never started). */
  t?: number;
  /** How many times it ran, when more than once (a `repeat`). */
  runs?: number;
}

/**
 * An expectation file's word on a scenario for this implementation (a known
 * deviation): the outcomes expected, why, and whether the run gave them.
 */
export interface ScenarioExpectation {
  /** The outcome expected of the scenario as a whole (absent: only requirements are listed). */
  outcome?: Outcome;
  /** The outcome expected of each listed requirement id. */
  requirements?: Record<string, Outcome>;
  /** Other outcomes an entry also accepts (a known intermittent result), of the scenario and per requirement id. */
  intermittent?: { outcome?: Outcome[]; requirements?: Record<string, Outcome[]> };
  /** Why, in a sentence, and a link, as the file gives them. */
  reason: string;
  link?: string;
  /** `file:line` of the entry (or entries, comma-separated) that apply. */
  source: string;
  /** True when every listed outcome is the one the run gave (and every outcome not listed a pass or skip). */
  met: boolean;
}

/** How a run's outcomes compared with its expectation files. */
export interface ExpectationSummary {
  /** The expectation files used. */
  files: string[];
  /** Scenarios whose listed outcomes were met (known deviations seen as expected). */
  met: number;
  /** Each scenario whose outcome was not the expected one: a failure not listed, or a listed one that passed. */
  unexpected: { id: string; message: string }[];
  /** Entries that matched no scenario of the run, as `file:line`. */
  unused: string[];
}

export interface ScenarioResult {
  /** Unique within a run: `<file>` plus ` [target]` when there are several targets. */
  id: string;
  file: string;
  name: string;
  target: string;
  covers: string[];
  outcome: Outcome;
  /** Outcome per covered requirement id, each from its own checks. */
  requirements: Record<string, Outcome>;
  /** Why a requirement reads `not-run` or `error`, or what its `pass` rests on when the scenario ended early. */
  reasons?: Record<string, string>;
  durationMs: number;
  /** The failure that matters most: the one that ended the scenario, else the first (a SHOULD or INFO check). */
  failure?: Failure;
  /** Every check that broke, in order, `failure` included (SHOULD and INFO failures do not end a scenario). */
  failures?: Failure[];
  /** Set when outcome is `skip`. */
  skipReason?: string;
  /** Observations recorded by the scenario for `info` requirements. */
  notes: string[];
  transcript: TranscriptEntry[];
  /** Every step with its outcome and line, in the order they first ran (steps never reached last). */
  steps?: StepRecord[];
  /** What an expectation file says of this scenario, and whether the run met it. */
  expectation?: ScenarioExpectation;
  /** A property scenario: how it was run and, when it failed, the shrunk case and how to replay it. */
  property?: PropertyResult;
  /**
   * What went wrong around the program without deciding the outcome: `leaked-process`
   * (something it started outlived its stop, outside its process group, and was killed),
   * `ignored-sigterm` (killed with SIGKILL after the grace period).
   */
  problems?: { code: string; message: string }[];
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

/** Which slice of a plan a run was. */
export interface ShardInfo {
  index: number;
  count: number;
  planned: number;
}

export interface RunResult {
  startedAt: string;
  durationMs: number;
  strict: boolean;
  seed?: number;
  /** The run was stopped by a signal (Ctrl-C, SIGTERM) or an abort: scenarios not started, or not ended in time, are left out. */
  interrupted?: boolean;
  /**
   * Set when the run was one slice of a plan (`--shard K/N`): its `index` K, the `count` N
   * of slices, and how many items the whole plan `planned`, so that slices run apart can
   * be merged back into the plan's order (`sockspec merge`).
   */
  shard?: ShardInfo;
  scenarios: ScenarioResult[];
  requirements: RequirementSummary[];
  /** Present when expectation files were given: what was expected and what was not. */
  expectations?: ExpectationSummary;
  /** 0, 1 or 2, as the CLI will exit. */
  exitCode: 0 | 1 | 2;
  counts: Record<Outcome, number>;
}
