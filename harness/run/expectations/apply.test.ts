import { describe, expect, it } from 'vitest';
import type { Catalogue, Requirement } from '../../scenario/catalogue.js';
import type { Level, Outcome, ScenarioResult } from '../result.js';
import { judgeExpectation, summariseExpectations, type ExpectationPlan } from './apply.js';
import { scenarioPattern, type ExpectationEntry, type ExpectationFile } from './file.js';

const reqs: Requirement[] = (
  [
    ['M1', 'MUST'],
    ['M2', 'MUST'],
    ['S1', 'SHOULD'],
  ] as [string, Level][]
).map(([id, level]) => ({ id, level, text: id }));
const catalogue: Catalogue = { file: 'requirements.yaml', requirements: reqs, byId: new Map(reqs.map((r) => [r.id, r])) };

/** A result of `file` against `target`, each requirement with its outcome; the scenario's is the worst. */
function result(file: string, requirements: Record<string, Outcome>, target = 'python'): ScenarioResult {
  const order: Outcome[] = ['fail', 'error', 'non-strict', 'info', 'not-run', 'pass', 'skip'];
  const outcome = Object.values(requirements).sort((a, b) => order.indexOf(a) - order.indexOf(b))[0] ?? 'pass';
  return { id: `${file} [${target}]`, file, name: file, target, covers: Object.keys(requirements), outcome, requirements, durationMs: 1, notes: [], transcript: [] };
}

type EntrySpec = Partial<Omit<ExpectationEntry, 'outcomes'>> & { outcome: Outcome | Outcome[] };

/** An expectation file `exp.yaml` at /r whose entries start on lines 1, 5, 9… */
function fileOf(...specs: EntrySpec[]): ExpectationFile {
  const entries = specs.map(({ outcome, ...s }, i): ExpectationEntry => {
    const line = 1 + 4 * i;
    const pattern = s.scenario !== undefined ? scenarioPattern('/r', s.scenario) : undefined;
    return { source: `exp.yaml:${line}`, line, reason: `reason ${i + 1}`, outcomes: typeof outcome === 'string' ? [outcome] : outcome, ...s, ...(pattern ? { matches: pattern.matches, exact: pattern.exact } : {}) };
  });
  return { file: 'exp.yaml', path: '/r/exp.yaml', base: '/r', entries };
}

const planOf = (file: ExpectationFile, only?: (r: { id: string }) => boolean): ExpectationPlan => ({ files: [file], fileOf: (r) => (!only || only(r) ? file : undefined), cwd: '/r' });

function judged(results: ScenarioResult[], plan: ExpectationPlan, strict = false) {
  for (const r of results) {
    const e = judgeExpectation(r, plan);
    if (e) r.expectation = e;
  }
  return summariseExpectations(results, plan, strict, catalogue);
}

describe('applying an expectation file to a run', () => {
  it('a listed failure the run gave: met, exit 0', () => {
    const r = result('a.yaml', { M1: 'fail' });
    const { summary, exitCode } = judged([r, result('b.yaml', { M2: 'pass' })], planOf(fileOf({ scenario: 'a.yaml', outcome: 'fail', link: 'https://example.org/1' })));
    expect(r.expectation).toEqual({ outcome: 'fail', reason: 'reason 1', link: 'https://example.org/1', source: 'exp.yaml:1', met: true });
    expect(summary).toEqual({ files: ['exp.yaml'], met: 1, unexpected: [], unused: [] });
    expect(exitCode).toBe(0);
  });

  it('a failure not listed: unexpected, exit 1', () => {
    const { summary, exitCode } = judged([result('a.yaml', { M1: 'fail' }), result('b.yaml', { M2: 'fail' })], planOf(fileOf({ scenario: 'a.yaml', outcome: 'fail' })));
    expect(summary.unexpected).toEqual([{ id: 'b.yaml [python]', message: 'fail, not listed in exp.yaml' }]);
    expect(summary.met).toBe(1);
    expect(exitCode).toBe(1);
  });

  it('a listed failure that passed: unexpected, exit 1, and says to remove the entry (or narrow a pattern)', () => {
    const exact = judged([result('a.yaml', { M1: 'pass' })], planOf(fileOf({ scenario: 'a.yaml', outcome: 'fail' })));
    expect(exact.summary.unexpected).toEqual([{ id: 'a.yaml [python]', message: 'expected fail (exp.yaml:1: reason 1) but it passed: remove the entry' }]);
    expect(exact.exitCode).toBe(1);
    const r = result('s/a.yaml', { M1: 'pass' });
    const glob = judged([r, result('s/b.yaml', { M1: 'fail' })], planOf(fileOf({ scenario: 's/*.yaml', outcome: 'fail' })));
    expect(glob.summary.unexpected).toEqual([{ id: 's/a.yaml [python]', message: 'expected fail (exp.yaml:1: reason 1) but it passed: narrow the entry' }]);
    expect(r.expectation?.met).toBe(false);
    expect(glob.exitCode).toBe(1);
  });

  it('a listed outcome the run did not give: exit 1, or 2 when the harness could not judge', () => {
    const other = judged([result('a.yaml', { M1: 'fail', S1: 'non-strict' })], planOf(fileOf({ scenario: 'a.yaml', outcome: 'non-strict' })));
    expect(other.summary.unexpected[0]!.message).toBe('expected non-strict (exp.yaml:1: reason 1) but it gave fail: update the entry');
    expect(other.exitCode).toBe(1);
    const error = judged([result('a.yaml', { M1: 'error' })], planOf(fileOf({ scenario: 'a.yaml', outcome: 'fail' })));
    expect(error.summary.unexpected[0]!.message).toBe('expected fail (exp.yaml:1: reason 1) but it gave error: update the entry');
    expect(error.exitCode).toBe(2);
  });

  it('per requirement: each listed id checked, an id not listed that does not pass is unexpected', () => {
    const r = result('a.yaml', { M1: 'fail', M2: 'fail', S1: 'pass' });
    const { summary, exitCode } = judged([r], planOf(fileOf({ scenario: 'a.yaml', requirement: 'M1', outcome: 'fail' })));
    expect(r.expectation).toEqual({ requirements: { M1: 'fail' }, reason: 'reason 1', source: 'exp.yaml:1', met: false });
    expect(summary.unexpected).toEqual([{ id: 'a.yaml [python]', message: 'M2 fail, not listed in exp.yaml' }]);
    expect(exitCode).toBe(1);
    const both = fileOf({ scenario: 'a.yaml', requirement: 'M1', outcome: 'fail' }, { scenario: 'a.yaml', requirement: 'M2', outcome: 'fail', reason: 'reason 1' });
    const r2 = result('a.yaml', { M1: 'fail', M2: 'fail', S1: 'pass' });
    const all = judged([r2], planOf(both));
    expect(r2.expectation).toEqual({ requirements: { M1: 'fail', M2: 'fail' }, reason: 'reason 1', source: 'exp.yaml:1, exp.yaml:5', met: true });
    expect(all.exitCode).toBe(0);
  });

  it('an intermittent outcome: the usual one or the other both meet the entry', () => {
    const file = fileOf({ scenario: 'a.yaml', requirement: 'S1', outcome: ['non-strict', 'pass'] });
    for (const o of ['non-strict', 'pass'] as const) {
      const r = result('a.yaml', { S1: o, M1: 'pass' });
      const { summary, exitCode } = judged([r], planOf(file), true);
      expect(r.expectation).toEqual({ requirements: { S1: 'non-strict' }, intermittent: { requirements: { S1: ['pass'] } }, reason: 'reason 1', source: 'exp.yaml:1', met: true });
      expect(summary).toMatchObject({ met: 1, unexpected: [], unused: [] });
      expect(exitCode).toBe(0);
    }
    const r = result('a.yaml', { S1: 'info' });
    expect(judged([r], planOf(file)).summary.unexpected[0]!.message).toBe('S1 expected non-strict or pass (exp.yaml:1: reason 1) but it gave info: update the entry');
  });

  it('a SHOULD not listed is unexpected, but fails the run only with --strict, as without a file', () => {
    const run = () => [result('a.yaml', { S1: 'non-strict' })];
    const file = fileOf({ scenario: 'b.yaml', outcome: 'fail' });
    const lax = judged(run(), planOf(file));
    expect(lax.summary.unexpected).toEqual([{ id: 'a.yaml [python]', message: 'non-strict, not listed in exp.yaml' }]);
    expect(lax.summary.unused).toEqual(['exp.yaml:1']);
    expect(lax.exitCode).toBe(0);
    expect(judged(run(), planOf(file), true).exitCode).toBe(1);
  });

  it('what the harness could not judge: exit 2 unless listed', () => {
    expect(judged([result('a.yaml', { M1: 'error' })], planOf(fileOf({ scenario: 'b.yaml', outcome: 'fail' }))).exitCode).toBe(2);
    expect(judged([result('a.yaml', { M1: 'error' })], planOf(fileOf({ scenario: 'a.yaml', outcome: 'error' }))).exitCode).toBe(0);
    // A MUST no check of the run reached, listed: as expected.
    expect(judged([result('a.yaml', { M1: 'not-run' })], planOf(fileOf({ scenario: 'a.yaml', outcome: 'fail' }))).exitCode).toBe(1);
    expect(judged([result('a.yaml', { M1: 'not-run' })], planOf(fileOf({ requirement: 'M1', outcome: 'not-run' }))).exitCode).toBe(0);
    expect(judged([result('a.yaml', { M1: 'not-run' })], planOf(fileOf({ scenario: 'b.yaml', outcome: 'fail' }))).exitCode).toBe(2);
  });

  it('the most specific entry speaks: a file named outright over a pattern over none, a target named over none', () => {
    const file = fileOf(
      { requirement: 'M1', outcome: 'info' },
      { scenario: '*.yaml', requirement: 'M1', outcome: 'non-strict' },
      { scenario: 'a.yaml', requirement: 'M1', outcome: 'fail' },
      { scenario: 'a.yaml', requirement: 'M1', target: 'rust', outcome: 'error' },
    );
    const a = result('a.yaml', { M1: 'fail' });
    const b = result('b.yaml', { M1: 'non-strict' });
    const c = result('sub/c.yaml', { M1: 'info' });
    const aRust = result('a.yaml', { M1: 'error' }, 'rust');
    const { summary, exitCode } = judged([a, b, c, aRust], planOf(file));
    expect([a, b, c, aRust].map((r) => r.expectation?.source)).toEqual(['exp.yaml:9', 'exp.yaml:5', 'exp.yaml:1', 'exp.yaml:13']);
    expect(summary).toMatchObject({ met: 4, unexpected: [], unused: [] });
    expect(exitCode).toBe(0);
  });

  it('a requirement entry without a scenario applies to every scenario that judges the id; an entry for a target only to it', () => {
    const file = fileOf({ requirement: 'M2', outcome: 'fail' }, { scenario: 'c.yaml', target: 'rust', outcome: 'fail' });
    const { summary, exitCode } = judged([result('a.yaml', { M1: 'pass', M2: 'fail' }), result('b.yaml', { M2: 'pass' }), result('c.yaml', { M1: 'fail' })], planOf(file));
    expect(summary.unexpected).toEqual([
      { id: 'b.yaml [python]', message: 'M2 expected fail (exp.yaml:1: reason 1) but it passed: narrow the entry' },
      { id: 'c.yaml [python]', message: 'fail, not listed in exp.yaml' },
    ]);
    expect(summary.unused).toEqual(['exp.yaml:5']);
    expect(exitCode).toBe(1);
  });

  it('results no file speaks for keep the usual rules', () => {
    const file = fileOf({ scenario: 'a.yaml', outcome: 'fail' });
    const plan = planOf(file, (r) => r.id.endsWith('[mydaemon]'));
    const mine = result('a.yaml', { M1: 'fail' }, 'mydaemon');
    const theirs = result('a.yaml', { M1: 'fail' });
    const { summary, exitCode } = judged([mine, theirs], plan);
    expect(mine.expectation?.met).toBe(true);
    expect(theirs.expectation).toBeUndefined();
    expect(summary).toEqual({ files: ['exp.yaml'], met: 1, unexpected: [], unused: [] });
    expect(exitCode).toBe(1);
    expect(judged([result('a.yaml', { M1: 'non-strict' })], planOf(file, () => false)).exitCode).toBe(0);
  });

  it('a scenario entry speaks for the whole scenario: its requirements are not checked one by one', () => {
    const r = result('a.yaml', { M1: 'fail', M2: 'fail', S1: 'non-strict' });
    const { summary, exitCode } = judged([r], planOf(fileOf({ scenario: 'a.yaml', outcome: 'fail' })));
    expect(r.expectation?.met).toBe(true);
    expect(summary.unexpected).toEqual([]);
    expect(exitCode).toBe(0);
  });
});
