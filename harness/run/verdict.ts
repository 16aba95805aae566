/**
 * Turning a scenario's failure (or its absence) into outcomes, by the level of the
 * requirements it breaks, and a run's results into per-requirement summaries.
 */
import type { Catalogue } from '../scenario/catalogue.js';
import type { Scenario } from '../scenario/model.js';
import type { Failure, Level, Outcome, RequirementSummary, ScenarioResult } from './result.js';

const OUTCOME_OF_LEVEL: Record<Level, Outcome> = { MUST: 'fail', SHOULD: 'non-strict', INFO: 'info' };
/** Worst first: the order in which outcomes of one requirement win over each other. */
const SEVERITY: Outcome[] = ['fail', 'error', 'non-strict', 'info', 'pass', 'skip'];

/** The worse of two outcomes. */
export function worse(a: Outcome, b: Outcome): Outcome {
  return SEVERITY.indexOf(a) <= SEVERITY.indexOf(b) ? a : b;
}

/** A requirement's level; ids missing from the catalogue count as MUST. */
export function levelOf(id: string, catalogue?: Catalogue): Level {
  return catalogue?.byId.get(id)?.level ?? 'MUST';
}

/**
 * The outcome of a scenario and of each id it covers. A failure counts against the
 * ids it names (by their level); the other covered ids were not reached and are `skip`.
 */
export function judge(
  scenario: Scenario,
  failure: Failure | undefined,
  harnessError: boolean,
  catalogue?: Catalogue,
): { outcome: Outcome; requirements: Record<string, Outcome> } {
  const requirements: Record<string, Outcome> = {};
  if (!failure) {
    for (const id of scenario.covers) requirements[id] = 'pass';
    return { outcome: 'pass', requirements };
  }
  if (harnessError) {
    for (const id of scenario.covers) requirements[id] = 'error';
    return { outcome: 'error', requirements };
  }
  let outcome: Outcome = 'info';
  for (const id of scenario.covers) requirements[id] = 'skip';
  for (const id of failure.requirements) {
    const o = OUTCOME_OF_LEVEL[failure.level ?? levelOf(id, catalogue)];
    requirements[id] = o;
    outcome = worse(outcome, o);
  }
  return { outcome, requirements };
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
 * Exit status: 1 if a MUST failed (or, strict, a SHOULD); else 2 if some scenario
 * could not be judged (the program never started…); else 0.
 */
export function exitCodeOf(results: ScenarioResult[], strict: boolean): 0 | 1 | 2 {
  if (results.some((r) => r.outcome === 'fail' || (strict && r.outcome === 'non-strict'))) return 1;
  if (results.some((r) => r.outcome === 'error')) return 2;
  return 0;
}
