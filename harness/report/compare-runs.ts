/**
 * What changed between two runs of a suite (before and after a change to the program,
 * the scenarios or the harness): requirement × target cells that regressed or were
 * fixed, requirements newly covered or no longer covered, scenarios whose outcome
 * changed, scenarios added or gone.
 */
import type { Level, Outcome, RunResult } from '../run/result.js';
import { worse } from '../run/verdict.js';
import { requirementMatrix, type RequirementMatrix } from './matrix.js';

type Cell = Outcome | 'uncovered';

/**
 * How an outcome moved: `regressed` when worse by `worse`'s order (pass → fail, pass →
 * not-run, error → fail), `fixed` when it now passes, `changed` otherwise (better but not
 * passing, such as fail → error, or to or from `skip`, which judges nothing).
 */
export type Move = 'regressed' | 'fixed' | 'changed';

export interface RequirementChange {
  id: string;
  level: Level;
  /** The target in the new run (in the old one, `oldTarget` when its name differs). */
  target: string;
  oldTarget?: string;
  old: Cell;
  new: Cell;
}

export interface ScenarioChange {
  id: string;
  old: Outcome;
  new: Outcome;
}

export interface Comparison {
  /** Targets compared: by name, or the one target of each run whatever their names. */
  targets: { old: string; new: string }[];
  targetsAdded: string[];
  targetsGone: string[];
  requirements: Record<Move | 'newlyCovered' | 'noLongerCovered', RequirementChange[]>;
  scenarios: Record<Move, ScenarioChange[]> & { added: { id: string; outcome: Outcome }[]; gone: { id: string; outcome: Outcome }[] };
  /** A requirement cell or a scenario outcome got worse. */
  regression: boolean;
}

/** How `a` moved to `b` (two different outcomes). */
export function moveOf(a: Outcome, b: Outcome): Move {
  if (a === 'skip' || b === 'skip') return 'changed';
  if (worse(a, b) === b) return 'regressed';
  return b === 'pass' ? 'fixed' : 'changed';
}

const targetsOf = (run: RunResult) => [...new Set(run.scenarios.map((r) => r.target))];

/** Old and new target names side by side: a run of one target against a run of one target whatever they are called, else by name. */
function pairTargets(old: string[], neu: string[]): { pairs: { old: string; new: string }[]; added: string[]; gone: string[] } {
  if (old.length === 1 && neu.length === 1) return { pairs: [{ old: old[0]!, new: neu[0]! }], added: [], gone: [] };
  return {
    pairs: neu.filter((t) => old.includes(t)).map((t) => ({ old: t, new: t })),
    added: neu.filter((t) => !old.includes(t)),
    gone: old.filter((t) => !neu.includes(t)),
  };
}

function compareRequirements(old: RequirementMatrix, neu: RequirementMatrix, pairs: { old: string; new: string }[]): Comparison['requirements'] {
  const out: Comparison['requirements'] = { regressed: [], fixed: [], changed: [], newlyCovered: [], noLongerCovered: [] };
  const oldRows = new Map(old.rows.map((r) => [r.id, r]));
  const newRows = new Map(neu.rows.map((r) => [r.id, r]));
  const ids = [...new Set([...newRows.keys(), ...oldRows.keys()])];
  for (const pair of pairs) {
    for (const id of ids) {
      const before = oldRows.get(id)?.cells[pair.old]?.outcome ?? 'uncovered';
      const after = newRows.get(id)?.cells[pair.new]?.outcome ?? 'uncovered';
      if (before === after) continue;
      const change: RequirementChange = { id, level: (newRows.get(id) ?? oldRows.get(id))!.level, target: pair.new, ...(pair.old !== pair.new ? { oldTarget: pair.old } : {}), old: before, new: after };
      if (before === 'uncovered') out.newlyCovered.push(change);
      else if (after === 'uncovered') out.noLongerCovered.push(change);
      else out[moveOf(before, after)].push(change);
    }
  }
  return out;
}

function compareScenarios(old: RunResult, neu: RunResult): Comparison['scenarios'] {
  const out: Comparison['scenarios'] = { regressed: [], fixed: [], changed: [], added: [], gone: [] };
  const before = new Map(old.scenarios.map((r) => [r.id, r.outcome]));
  const after = new Set(neu.scenarios.map((r) => r.id));
  for (const r of neu.scenarios) {
    const was = before.get(r.id);
    if (was === undefined) out.added.push({ id: r.id, outcome: r.outcome });
    else if (was !== r.outcome) out[moveOf(was, r.outcome)].push({ id: r.id, old: was, new: r.outcome });
  }
  for (const r of old.scenarios) if (!after.has(r.id)) out.gone.push({ id: r.id, outcome: r.outcome });
  return out;
}

/** What changed from `old` to `neu`. */
export function compareRuns(old: RunResult, neu: RunResult): Comparison {
  const { pairs, added, gone } = pairTargets(targetsOf(old), targetsOf(neu));
  const requirements = compareRequirements(requirementMatrix(old), requirementMatrix(neu), pairs);
  const scenarios = compareScenarios(old, neu);
  return { targets: pairs, targetsAdded: added, targetsGone: gone, requirements, scenarios, regression: requirements.regressed.length > 0 || scenarios.regressed.length > 0 };
}
