/**
 * Comparing runs: which requirement × target cells and which scenarios regressed, were
 * fixed, appeared or went away, and the text a terminal shows of it.
 */
import { describe, expect, it } from 'vitest';
import { renderComparison } from '../cli/compare-command.js';
import type { Outcome, RunResult } from '../run/result.js';
import { compareRuns, moveOf } from './compare-runs.js';
import { sampleRun, sampleRunOfTwoTargets } from './sample-run.js';

/** `run` with the outcome of scenario `i` (and of each requirement it covers) set to `outcome`. */
function withOutcome(run: RunResult, i: number, outcome: Outcome): RunResult {
  const copy = structuredClone(run);
  const r = copy.scenarios[i]!;
  r.outcome = outcome;
  for (const id of Object.keys(r.requirements)) r.requirements[id] = outcome;
  return copy;
}

describe('compareRuns', () => {
  it('orders moves by severity: worse is a regression, to pass is fixed, the rest only changed', () => {
    expect(['fail', 'error', 'not-run', 'non-strict', 'info'].map((o) => moveOf('pass', o as Outcome))).toEqual(Array(5).fill('regressed'));
    expect(moveOf('error', 'fail')).toBe('regressed');
    expect(moveOf('fail', 'pass')).toBe('fixed');
    expect(moveOf('fail', 'error')).toBe('changed');
    expect(moveOf('pass', 'skip')).toBe('changed');
    expect(moveOf('skip', 'fail')).toBe('changed');
  });

  it('finds nothing between a run and itself', () => {
    const run = sampleRunOfTwoTargets();
    const c = compareRuns(run, run);
    expect(c.regression).toBe(false);
    expect(Object.values(c.requirements).flat()).toEqual([]);
    expect(Object.values(c.scenarios).flat()).toEqual([]);
    expect(c.targets).toEqual([
      { old: 'python', new: 'python' },
      { old: 'typescript', new: 'typescript' },
    ]);
  });

  it('lists per target the requirement cells and scenarios that got worse or better', () => {
    // Before, typescript passes everything; after, its pass.yaml fails, and python's fail.yaml passes.
    const old = withOutcome(sampleRunOfTwoTargets(), 7, 'pass');
    const neu = withOutcome(withOutcome(old, 6, 'fail'), 1, 'pass');
    const c = compareRuns(old, neu);
    expect(c.requirements.regressed).toEqual([
      { id: 'ECHO-4', level: 'MUST', target: 'typescript', old: 'pass', new: 'fail' },
      { id: 'ECHO-5', level: 'SHOULD', target: 'typescript', old: 'pass', new: 'fail' },
    ]);
    // python's ECHO-4 and ECHO-5 now read as the worst of the rest, its error.yaml: better, not fixed.
    expect(c.requirements.fixed).toEqual([]);
    expect(c.requirements.changed.map((q) => `${q.id} ${q.target} ${q.old}→${q.new}`)).toEqual(['ECHO-4 python fail→error', 'ECHO-5 python fail→error']);
    expect(c.scenarios.regressed).toEqual([{ id: 'scenarios/echo-ack/server/pass.yaml [typescript]', old: 'pass', new: 'fail' }]);
    expect(c.scenarios.fixed).toEqual([{ id: 'scenarios/echo-ack/server/fail.yaml [python]', old: 'fail', new: 'pass' }]);
    expect(c.regression).toBe(true);
    expect(compareRuns(neu, old).regression).toBe(true);
  });

  it('pairs the one target of each run whatever their names, and tells coverage and scenarios gained and lost', () => {
    const old = sampleRun();
    const neu = structuredClone(old);
    for (const r of neu.scenarios) r.target = 'other';
    const gone = neu.scenarios.splice(0, 1)[0]!;
    neu.scenarios.push({ ...gone, id: 'scenarios/time.yaml [other]', covers: ['TIME-2'], requirements: { 'TIME-2': 'pass' } });
    const c = compareRuns(old, neu);
    expect(c.targets).toEqual([{ old: 'python', new: 'other' }]);
    expect(c.requirements.newlyCovered).toEqual([{ id: 'TIME-2', level: 'INFO', target: 'other', oldTarget: 'python', old: 'uncovered', new: 'pass' }]);
    expect(c.scenarios.added).toEqual([{ id: 'scenarios/time.yaml [other]', outcome: 'pass' }]);
    expect(c.scenarios.gone).toEqual([{ id: gone.id, outcome: 'pass' }]);
    expect(c.regression).toBe(false);
    expect(compareRuns(neu, old).requirements.noLongerCovered).toEqual([expect.objectContaining({ id: 'TIME-2', old: 'pass', new: 'uncovered' })]);
  });

  it('prints the groups that are not empty, ids escaped, and a summary line last', () => {
    const old = withOutcome(sampleRunOfTwoTargets(), 7, 'pass');
    const neu = withOutcome(old, 6, 'fail');
    neu.scenarios[8]!.id = 'evil\x1b[2J.yaml [typescript]';
    const text = renderComparison(compareRuns(old, neu), 'main.json', 'pr.json', old, neu);
    expect(text).not.toContain('\x1b');
    expect(text).toContain('evil\\x1b[2J.yaml [typescript]');
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('Comparing main.json (12 scenarios) with pr.json (12 scenarios)');
    expect(lines).toContain('Requirements that regressed (2):');
    expect(lines).toContain('  ECHO-4 [typescript]  MUST    pass → fail');
    expect(lines).not.toContain('Requirements fixed (0):');
    expect(lines.at(-1)).toBe('regression: requirements: 2 regressed; scenarios: 1 regressed, 1 added, 1 gone');
    expect(renderComparison(compareRuns(old, old), 'a.json', 'b.json', old, old).trimEnd().split('\n').at(-1)).toBe('no regression: no change');
  });
});
