import { describe, expect, it } from 'vitest';
import type { Outcome } from '../run/result.js';
import { formatCounts, formatDuration } from './console-text.js';
import { formatSeconds } from './junit-report.js';
import { describeProblem, describeTranscriptTail } from './problem-text.js';
import { sampleScenario, sampleTranscript } from './sample-run.js';

const zero: Record<Outcome, number> = { pass: 0, fail: 0, 'non-strict': 0, info: 0, 'not-run': 0, skip: 0, error: 0 };

describe('report texts', () => {
  it('counts: passed and failed always, the rest only when not zero', () => {
    expect(formatCounts(zero)).toBe('0 passed, 0 failed');
    expect(formatCounts({ ...zero, pass: 3, skip: 2 })).toBe('3 passed, 0 failed, 2 skipped');
    expect(formatCounts({ pass: 1, fail: 2, 'non-strict': 3, info: 4, 'not-run': 7, skip: 5, error: 6 })).toBe('1 passed, 2 failed, 3 non-strict, 4 info, 7 not run, 5 skipped, 6 errors');
  });

  it('durations', () => {
    expect([formatDuration(12.4), formatDuration(999), formatDuration(1234), formatSeconds(1234), formatSeconds(-1)]).toEqual(['12 ms', '999 ms', '1.23 s', '1.234', '0.000']);
  });

  it('shows the last 20 transcript entries and at most 120 bytes of each, head and tail', () => {
    const many = Array.from({ length: 25 }, (_, i) => ({ t: i, kind: 'recv' as const, on: 'c', data: new Uint8Array(200).fill(0x41 + (i % 26)) }));
    const lines = describeTranscriptTail(many);
    expect(lines[0]).toBe('transcript (last 20 of 25 entries):');
    expect(lines).toHaveLength(21);
    expect(lines[1]).toBe(`     5 ms  recv      c  "${'F'.repeat(80)}… 80 bytes …${'F'.repeat(40)}"`);
    expect(describeTranscriptTail([])).toEqual([]);
    expect(describeTranscriptTail(sampleTranscript())[0]).toBe('transcript (6 entries):');
  });

  it('shows a lone expected or actual value, and a skip reason', () => {
    const r = sampleScenario('fail');
    delete r.failure!.expected;
    expect(describeProblem(r)).toContain('actual (15 bytes): a\\0b\\xff\\xfe]]><&>\\x01"\'\\n');
    delete r.failure!.actual;
    r.failure!.expected = Uint8Array.of(1, 2);
    expect(describeProblem(r)).toContain('expected hex: 01 02');
    expect(describeProblem(sampleScenario('skip'))).toEqual(['skipped: needs a console & <stdin>']);
  });
});
