/**
 * The requirement × implementation matrix: for every requirement of the run (the
 * catalogue's order, uncovered ids included) and every target, the outcome of that
 * requirement against that target and the scenarios it rests on. Reports that show
 * several implementations side by side (console, JSON, HTML, Markdown) all read it.
 */
import type { Level, Outcome, RunResult } from '../run/result.js';
import { worse } from '../run/verdict.js';

/** One cell: the worst outcome of the requirement over the target's scenarios that cover it. */
export interface MatrixCell {
  outcome: Outcome | 'uncovered';
  /** Ids of the scenarios behind the cell. */
  scenarios: string[];
}

export interface MatrixRow {
  id: string;
  level: Level;
  text: string;
  /** Per target name, in the order of `targets`. */
  cells: Record<string, MatrixCell>;
}

export interface RequirementMatrix {
  /** Target names in the order the run first met them. */
  targets: string[];
  rows: MatrixRow[];
}

/** The matrix of `run`: rows in the order of `run.requirements`, a column per target. */
export function requirementMatrix(run: Pick<Readonly<RunResult>, 'scenarios' | 'requirements'>): RequirementMatrix {
  const targets = [...new Set(run.scenarios.map((r) => r.target))];
  const rows = new Map<string, MatrixRow>();
  for (const q of run.requirements) rows.set(q.id, { id: q.id, level: q.level, text: q.text, cells: Object.fromEntries(targets.map((t) => [t, { outcome: 'uncovered', scenarios: [] }])) });
  for (const r of run.scenarios) {
    for (const [id, o] of Object.entries(r.requirements)) {
      const cell = rows.get(id)?.cells[r.target];
      if (!cell) continue;
      cell.scenarios.push(r.id);
      cell.outcome = cell.outcome === 'uncovered' ? o : worse(cell.outcome, o);
    }
  }
  return { targets, rows: [...rows.values()] };
}
