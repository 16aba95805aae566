/**
 * A scenario's failures one by one, as the CI reports place them: each with the
 * outcome it gave (by its level, or `error` where the harness could not judge), the
 * line of its step in the scenario's file, and whether it is the one that matters
 * most (the one that ended the scenario, else the first).
 */
import type { Failure, Level, Outcome, RunResult, ScenarioResult } from '../run/result.js';
import { worse } from '../run/verdict.js';

/** Each requirement id's level, from the run's summary (ids it does not know count as MUST, as the verdict counts them). */
export type Levels = ReadonlyMap<string, Level>;

const OUTCOME_OF_LEVEL: Record<Level, Outcome> = { MUST: 'fail', SHOULD: 'non-strict', INFO: 'info' };

export function levelsOf(run: Pick<Readonly<RunResult>, 'requirements'>): Levels {
  return new Map(run.requirements.map((q) => [q.id, q.level]));
}

/** Every check of `r` that broke, in order; a result with only `failure` set gives that one. */
export function failuresOf(r: Readonly<ScenarioResult>): readonly Failure[] {
  return r.failures?.length ? r.failures : r.failure ? [r.failure] : [];
}

/** Whether `f` is `r.failure` (the same object, or the same failure read back from a report). */
export function isMainFailure(r: Readonly<ScenarioResult>, f: Readonly<Failure>): boolean {
  const m = r.failure;
  return m !== undefined && (m === f || (m.code === f.code && m.step === f.step && m.line === f.line && m.message === f.message));
}

/**
 * The outcome `f` gave: `error` when every id it names reads `error` (the harness
 * could not judge: the program never started…), else by the level its step gave it
 * or, without one, the worst its requirements' own levels give.
 */
export function failureOutcome(r: Readonly<ScenarioResult>, f: Readonly<Failure>, levels: Levels): Outcome {
  if (f.requirements.length === 0) return r.outcome;
  if (f.requirements.every((id) => r.requirements[id] === 'error')) return 'error';
  if (f.level) return OUTCOME_OF_LEVEL[f.level];
  return f.requirements.map((id) => OUTCOME_OF_LEVEL[levels.get(id) ?? 'MUST']).reduce(worse);
}

/** The line of `f`'s step (or script call) in the scenario's file; undefined when unknown. */
export function failureLine(f: Readonly<Failure> | undefined): number | undefined {
  return f?.line !== undefined && f.line > 0 ? f.line : undefined;
}

/** `f`'s step label without the ` (line N)` the run adds to it, for reports that show the line beside it. */
export function bareStepLabel(f: Readonly<Failure>): string | undefined {
  const label = f.stepLabel ?? (f.step !== undefined ? `steps[${f.step}]` : undefined);
  return label?.replace(/ \(line \d+\)$/, '');
}
