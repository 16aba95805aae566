import { describe, expect, it } from 'vitest';
import { describeExpected, describeExpectedOutcomes, describeUnexpected, expectationEntry, expectationState } from './expectation-text.js';
import { sampleScenario, withExpectation } from './sample-run.js';

describe('expectation texts', () => {
  it('tells an expected deviation from an unexpected pass and from another outcome', () => {
    expect(expectationState(sampleScenario('fail'))).toBe('none');
    expect(expectationState(withExpectation(sampleScenario('fail'), true))).toBe('expected');
    expect(expectationState(withExpectation(sampleScenario('pass'), true, 'pass'))).toBe('none');
    expect(expectationState(withExpectation(sampleScenario('pass'), false))).toBe('unexpected-pass');
    expect(expectationState(withExpectation(sampleScenario('error'), false))).toBe('unexpected-outcome');
  });

  it('says what was expected, why, and what to do with the entry', () => {
    const r = withExpectation(sampleScenario('fail'), true);
    expect(describeExpected(r, r.expectation!)).toBe('expected fail: known bug: truncates long reads (https://example.org/issues/7)');
    const e = { ...r.expectation!, outcome: undefined, requirements: { 'ECHO-4': 'fail' as const, 'ECHO-9': 'non-strict' as const }, link: undefined, met: false };
    expect(describeExpectedOutcomes(e)).toBe('ECHO-4 fail, ECHO-9 non-strict');
    expect(describeExpectedOutcomes({ ...e, outcome: 'fail' })).toBe('fail (ECHO-4 fail, ECHO-9 non-strict)');
    expect(describeUnexpected(sampleScenario('error'), e)).toBe('error (ECHO-4 error, ECHO-9 not covered) is not what expectations/python.yaml:4 expects: ECHO-4 fail, ECHO-9 non-strict (known bug: truncates long reads); update the entry');
    expect(describeUnexpected(sampleScenario('pass'), { ...e, reason: 'a\nb\u001b[31m' })).toBe('passed, but expectations/python.yaml:4 expects ECHO-4 fail, ECHO-9 non-strict (a\\nb\\x1b[31m): the deviation is gone, remove the entry');
  });

  it('finds the file and line of the first entry', () => {
    const e = withExpectation(sampleScenario('fail'), true).expectation!;
    expect(expectationEntry(e)).toEqual({ file: 'expectations/python.yaml', line: 4 });
    expect(expectationEntry({ ...e, source: 'c:/x/e.yaml:12, c:/x/f.yaml:3' })).toEqual({ file: 'c:/x/e.yaml', line: 12 });
    expect(expectationEntry({ ...e, source: 'e.yaml' })).toEqual({ file: 'e.yaml' });
  });
});
