import { describe, expect, it } from 'vitest';
import type { Catalogue, Requirement } from '../scenario/catalogue.js';
import type { Failure, Level, Outcome, ScenarioResult } from './result.js';
import { exitCodeOf, judge, type Findings } from './verdict.js';

const reqs: Requirement[] = (
  [
    ['M1', 'MUST'],
    ['M2', 'MUST'],
    ['S1', 'SHOULD'],
    ['I1', 'INFO'],
  ] as [string, Level][]
).map(([id, level]) => ({ id, level, text: id }));
const catalogue = { file: 'requirements.yaml', requirements: reqs, byId: new Map(reqs.map((r) => [r.id, r])) } as Catalogue;

const failure = (requirements: string[], extra: Partial<Failure> = {}): Failure => ({ code: 'mismatch', message: 'no', stepLabel: 'steps[1] expect', requirements, ...extra });
const checks = (entries: Record<string, number>) => new Map(Object.entries(entries));
const covers = ['M1', 'M2', 'S1', 'I1'];
const outcomes = (f: Findings) => judge({ covers }, f, catalogue);

describe('judge: each requirement from its own checks', () => {
  it('every check held: pass for each id and the scenario', () => {
    const j = outcomes({ failures: [], checks: checks({ M1: 1, M2: 2, S1: 1, I1: 1 }) });
    expect(j.requirements).toEqual({ M1: 'pass', M2: 'pass', S1: 'pass', I1: 'pass' });
    expect(j.outcome).toBe('pass');
    expect(j.reasons).toEqual({});
  });

  it('a SHOULD and an INFO check that broke do not touch the MUSTs whose checks held', () => {
    const j = outcomes({ failures: [failure(['S1']), failure(['I1'])], checks: checks({ M1: 1, M2: 1, S1: 1, I1: 1 }) });
    expect(j.requirements).toEqual({ M1: 'pass', M2: 'pass', S1: 'non-strict', I1: 'info' });
    expect(j.outcome).toBe('non-strict');
  });

  it('a MUST failing after a SHOULD failed: fail for the MUST, non-strict for the SHOULD', () => {
    const must = failure(['M1'], { stepLabel: 'steps[3] expect' });
    const j = outcomes({ failures: [failure(['S1']), must], ended: must, checks: checks({ M1: 1, S1: 1, M2: 1 }) });
    expect(j.requirements).toMatchObject({ M1: 'fail', S1: 'non-strict', M2: 'pass' });
    expect(j.outcome).toBe('fail');
  });

  it('the scenario ended before an id was checked: not-run with where it ended, never skip', () => {
    const must = failure(['M1'], { stepLabel: 'steps[2] expect (line 9)', code: 'timeout' });
    const j = outcomes({ failures: [must], ended: must, checks: checks({ M1: 1, S1: 1 }) });
    expect(j.requirements).toEqual({ M1: 'fail', M2: 'not-run', S1: 'pass', I1: 'not-run' });
    expect(j.reasons.M2).toBe('none of its checks ran: the scenario ended at steps[2] expect (line 9) (timeout)');
    expect(j.reasons.S1).toMatch(/^1 check ran and held before the scenario ended at steps\[2\]/);
    expect(Object.values(j.requirements)).not.toContain('skip');
  });

  it('a step level overrides the catalogue: a SHOULD id failed as MUST is fail, a MUST failed as SHOULD non-strict', () => {
    expect(outcomes({ failures: [failure(['S1'], { level: 'MUST' })], checks: checks({ S1: 1 }) }).requirements.S1).toBe('fail');
    expect(outcomes({ failures: [failure(['M1'], { level: 'SHOULD' })], checks: checks({ M1: 1 }) }).requirements.M1).toBe('non-strict');
  });

  it('the harness could not judge: error for every id not already broken, with the reason', () => {
    const err = failure(covers, { code: 'exited-early', stepLabel: undefined });
    const j = outcomes({ failures: [failure(['S1']), err], ended: err, harnessError: true, checks: checks({ S1: 1 }) });
    expect(j.requirements).toEqual({ M1: 'error', M2: 'error', S1: 'non-strict', I1: 'error' });
    expect(j.reasons.M1).toBe('not judged: exited-early at the start');
    expect(j.outcome).toBe('error');
  });

  it('a completed scenario with no check of an id: not-run with the reason given', () => {
    const j = outcomes({ failures: [], checks: checks({ M1: 1 }), unrun: new Map([['M2', 'steps[4] expect did not run: lost its place']]) });
    expect(j.requirements).toMatchObject({ M1: 'pass', M2: 'not-run', S1: 'not-run' });
    expect(j.reasons.M2).toBe('steps[4] expect did not run: lost its place');
    expect(j.reasons.S1).toBe('no step of the scenario checks or acts on it');
    expect(j.outcome).toBe('not-run');
  });

  it('a scenario of actions only that ran to its end passes the ids it acted for, not after an early end', () => {
    const actions = new Map([['M1', 2]]);
    expect(outcomes({ failures: [], checks: checks({}), actions }).requirements.M1).toBe('pass');
    const must = failure(['M2']);
    expect(outcomes({ failures: [must], ended: must, checks: checks({}), actions }).requirements.M1).toBe('not-run');
  });

  it('ids a failure names beyond `covers` are judged too; unknown ids count as MUST', () => {
    const j = judge({ covers: ['S1'] }, { failures: [failure(['X9'])], checks: checks({ S1: 1, X9: 1 }) }, catalogue);
    expect(j.requirements).toEqual({ S1: 'pass', X9: 'fail' });
  });

  it('the scenario is the worst of its requirements: fail > error > non-strict > info > not-run > pass', () => {
    const must = failure(['M1']);
    expect(outcomes({ failures: [failure(['S1']), must], ended: must, checks: checks({ I1: 1 }) }).outcome).toBe('fail');
    const err = failure(['M2'], { code: 'harness-error' });
    expect(outcomes({ failures: [failure(['S1']), err], ended: err, harnessError: true, checks: checks({}) }).outcome).toBe('error');
    expect(outcomes({ failures: [failure(['I1']), failure(['S1'])], checks: checks({ M1: 1, M2: 1 }) }).outcome).toBe('non-strict');
    expect(outcomes({ failures: [failure(['I1'])], checks: checks({ M1: 1, M2: 1, S1: 1 }) }).outcome).toBe('info');
  });
});

describe('exit status from the MUST outcomes', () => {
  const result = (outcome: Outcome, requirements: Record<string, Outcome>): ScenarioResult => ({ id: 'a', file: 'a', name: 'a', target: 't', covers: Object.keys(requirements), outcome, requirements, durationMs: 0, notes: [], transcript: [] });

  it('0 when every MUST held, SHOULD failures only count with --strict', () => {
    const runs = [result('non-strict', { M1: 'pass', S1: 'non-strict' })];
    expect(exitCodeOf(runs, false, catalogue)).toBe(0);
    expect(exitCodeOf(runs, true, catalogue)).toBe(1);
  });
  it('1 when a MUST failed, whatever else happened', () => {
    expect(exitCodeOf([result('fail', { M1: 'fail', M2: 'not-run' }), result('error', { S1: 'error' })], false, catalogue)).toBe(1);
  });
  it('2 when something could not be judged: an error, or a MUST no check reached', () => {
    expect(exitCodeOf([result('error', { M1: 'error' })], false, catalogue)).toBe(2);
    expect(exitCodeOf([result('not-run', { M1: 'pass', M2: 'not-run' })], false, catalogue)).toBe(2);
  });
  it('a MUST check that could not run counts even where another scenario checked the id', () => {
    expect(exitCodeOf([result('not-run', { M2: 'not-run' }), result('pass', { M2: 'pass' })], false, catalogue)).toBe(2);
  });
});
