/**
 * Turning what a scenario's checks found into outcomes: each requirement from its
 * own checks, the scenario as the worst of its requirements, a run's results into
 * per-requirement summaries and an exit status.
 */
import type { Catalogue } from '../scenario/catalogue.js';
import type { Scenario } from '../scenario/model.js';
import type { Failure, Level, Outcome, RequirementSummary, ScenarioResult } from './result.js';

const OUTCOME_OF_LEVEL: Record<Level, Outcome> = { MUST: 'fail', SHOULD: 'non-strict', INFO: 'info' };
/** Worst first: the order in which outcomes of one requirement win over each other. */
const SEVERITY: Outcome[] = ['fail', 'error', 'non-strict', 'info', 'not-run', 'pass', 'skip'];

/** The worse of two outcomes. */
export function worse(a: Outcome, b: Outcome): Outcome {
  return SEVERITY.indexOf(a) <= SEVERITY.indexOf(b) ? a : b;
}

/** A requirement's level; ids missing from the catalogue count as MUST. */
export function levelOf(id: string, catalogue?: Catalogue): Level {
  return catalogue?.byId.get(id)?.level ?? 'MUST';
}

/** The outcome a failure gives requirement `id`: by the level its step gave it, else the requirement's own. */
export function outcomeOfFailure(failure: Failure, id: string, catalogue?: Catalogue): Outcome {
  return OUTCOME_OF_LEVEL[failure.level ?? levelOf(id, catalogue)];
}

/** What a scenario's run found, for `judge`. */
export interface Findings {
  /** Every check that broke, in the order they broke (SHOULD and INFO ones did not end the scenario). */
  failures: Failure[];
  /** The failure that ended the scenario early, if one did (it is also in `failures`). */
  ended?: Failure;
  /** `ended` is the harness's own (the program never started, the run was interrupted…), not the program's. */
  harnessError?: boolean;
  /** Per requirement id: how many of its checks ran (held or not). */
  checks: ReadonlyMap<string, number>;
  /** Per requirement id: how many of its other steps (connect, send, close…) were done. */
  actions?: ReadonlyMap<string, number>;
  /** Per requirement id: why one of its checks could not run although the scenario went on. */
  unrun?: ReadonlyMap<string, string>;
}

export interface Judgement {
  outcome: Outcome;
  requirements: Record<string, Outcome>;
  /** Why a requirement reads `not-run` or `error`, or what a `pass` rests on when the scenario ended early. */
  reasons: Record<string, string>;
}

/** Where a failure happened, for reasons: `steps[3] expect (line 12)`. */
function where(f: Failure): string {
  return f.stepLabel ?? (f.step !== undefined ? `steps[${f.step}]` : 'the start');
}

/**
 * The outcome of each requirement a scenario covers (and of any other id its failures
 * name), from its own checks, and of the scenario as the worst of them:
 * - `fail`/`non-strict`/`info` where one of its checks broke (by the check's level);
 * - `error` where the harness could not judge it (the program never started…);
 * - `pass` where every one of its checks that ran held (or, with no check, every step
 *   done for it held and the scenario ran to its end);
 * - `not-run` where none of its checks ran, with the reason.
 */
export function judge(scenario: Pick<Scenario, 'covers'>, findings: Findings, catalogue?: Catalogue): Judgement {
  const requirements: Record<string, Outcome> = {};
  const reasons: Record<string, string> = {};
  const ids = new Set(scenario.covers);
  for (const f of findings.failures) for (const id of f.requirements) ids.add(id);
  const broken = new Map<string, Outcome>();
  for (const f of findings.failures) {
    if (f === findings.ended && findings.harnessError) continue;
    for (const id of f.requirements) {
      const o = outcomeOfFailure(f, id, catalogue);
      broken.set(id, worse(broken.get(id) ?? 'pass', o));
    }
  }
  const ended = findings.ended;
  for (const id of ids) {
    const b = broken.get(id);
    const ran = findings.checks.get(id) ?? 0;
    if (b) requirements[id] = b;
    else if (ended && findings.harnessError) {
      requirements[id] = 'error';
      reasons[id] = `not judged: ${ended.code} at ${where(ended)}`;
    } else if (ran > 0) {
      requirements[id] = 'pass';
      if (ended) reasons[id] = `${ran} check${ran === 1 ? '' : 's'} ran and held before the scenario ended at ${where(ended)}`;
    } else if (ended || findings.unrun?.has(id) || !findings.actions?.get(id)) {
      requirements[id] = 'not-run';
      reasons[id] = ended ? `none of its checks ran: the scenario ended at ${where(ended)} (${ended.code})` : (findings.unrun?.get(id) ?? 'no step of the scenario checks or acts on it');
    } else {
      // A scenario of actions only (connect, send, close…) that all held, to its end.
      requirements[id] = 'pass';
    }
  }
  let outcome: Outcome = 'pass';
  for (const o of Object.values(requirements)) outcome = worse(outcome, o);
  if (ids.size === 0 && ended) outcome = findings.harnessError ? 'error' : 'fail';
  return { outcome, requirements, reasons };
}

/** Per-requirement summary of a run, in catalogue order, then ids only scenarios name. */
export function summarise(results: ScenarioResult[], catalogue?: Catalogue): RequirementSummary[] {
  const byId = new Map<string, RequirementSummary>();
  for (const r of catalogue?.requirements ?? []) byId.set(r.id, { id: r.id, level: r.level, text: r.text, outcome: 'uncovered', scenarios: [] });
  for (const res of results) {
    for (const [id, o] of Object.entries(res.requirements)) {
      let s = byId.get(id);
      if (!s) byId.set(id, (s = { id, level: levelOf(id, catalogue), text: '', outcome: 'uncovered', scenarios: [] }));
      s.scenarios.push(res.id);
      s.outcome = s.outcome === 'uncovered' ? o : worse(s.outcome, o);
    }
  }
  return [...byId.values()];
}

/**
 * Exit status, from the MUST outcomes: 1 if a MUST requirement failed (strict: or a
 * SHOULD); else 2 if some requirement could not be judged (an `error`, or a MUST
 * that no check reached); else 0.
 */
export function exitCodeOf(results: ScenarioResult[], strict: boolean, catalogue?: Catalogue): 0 | 1 | 2 {
  let code: 0 | 1 | 2 = 0;
  const judge = (o: Outcome): boolean => {
    if (o === 'error') code = 2;
    return o === 'fail' || (strict && o === 'non-strict');
  };
  for (const r of results) {
    if (judge(r.outcome)) return 1;
    for (const id in r.requirements) if (judge(r.requirements[id]!)) return 1;
  }
  if (code === 0) {
    // A MUST no check of the whole run reached is not a MUST that held.
    for (const s of summarise(results, catalogue)) if (s.outcome === 'not-run' && s.level === 'MUST') return 2;
  }
  return code;
}
