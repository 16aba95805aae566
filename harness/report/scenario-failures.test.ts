import { describe, expect, it } from 'vitest';
import { bareStepLabel, failureLine, failureOutcome, failuresOf, isMainFailure, levelsOf } from './scenario-failures.js';
import { sampleRun, sampleScenario, sampleScenarioOfTwoFailures } from './sample-run.js';

describe('scenario failures', () => {
  const levels = levelsOf(sampleRun());

  it('lists every broken check, or the one failure of a result without the list', () => {
    const two = sampleScenarioOfTwoFailures();
    expect(failuresOf(two).map((f) => f.line)).toEqual([8, 12]);
    expect(failuresOf(sampleScenario('fail')).map((f) => f.line)).toEqual([12]);
    expect(failuresOf(sampleScenario('pass'))).toEqual([]);
    expect(two.failures!.map((f) => isMainFailure(two, f))).toEqual([false, true]);
    // Read back from a report, the main failure is a copy.
    expect(isMainFailure(two, structuredClone(two.failure!))).toBe(true);
  });

  it('gives each failure the outcome of its level, of its requirements, or error where nothing was judged', () => {
    const two = sampleScenarioOfTwoFailures();
    expect(two.failures!.map((f) => failureOutcome(two, f, levels))).toEqual(['non-strict', 'fail']);
    const byCatalogue = sampleScenario('fail');
    byCatalogue.failure!.requirements = ['ECHO-5'];
    expect(failureOutcome(byCatalogue, byCatalogue.failure!, levels)).toBe('non-strict');
    byCatalogue.failure!.requirements = ['ECHO-5', 'NOT-IN-CATALOGUE'];
    expect(failureOutcome(byCatalogue, byCatalogue.failure!, levels)).toBe('fail');
    const error = sampleScenario('error');
    expect(failureOutcome(error, error.failure!, levels)).toBe('error');
    error.failure!.requirements = [];
    expect(failureOutcome(error, error.failure!, levels)).toBe('error');
  });

  it('knows a line only when the run does, and drops the line from a label that shows it', () => {
    expect([failureLine(undefined), failureLine({ code: 'x', message: '', requirements: [], line: 0 }), failureLine({ code: 'x', message: '', requirements: [], line: 7 })]).toEqual([undefined, undefined, 7]);
    expect(bareStepLabel({ code: 'x', message: '', requirements: [], stepLabel: 'steps[4] expect (line 11)' })).toBe('steps[4] expect');
    expect(bareStepLabel({ code: 'x', message: '', requirements: [], step: 2 })).toBe('steps[2]');
    expect(bareStepLabel({ code: 'x', message: '', requirements: [] })).toBeUndefined();
  });
});
