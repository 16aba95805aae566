import { describe, expect, it } from 'vitest';
import { jsonReportChunks, renderJsonReport, toJsonReport } from './json-report.js';
import { sampleRun, sampleRunOfTwoTargets } from './sample-run.js';

describe('json report', () => {
  it('round-trips through JSON.parse, schema version first and keys in the order of the types', () => {
    const run = sampleRun();
    const parsed = JSON.parse(renderJsonReport(run));
    expect(Object.keys(parsed)).toEqual(['schemaVersion', 'startedAt', 'durationMs', 'strict', 'scenarios', 'requirements', 'exitCode', 'counts']);
    expect(parsed.schemaVersion).toBe(2);
    expect(Object.keys(parsed.scenarios[1])).toEqual(['id', 'file', 'name', 'target', 'covers', 'outcome', 'requirements', 'durationMs', 'failure', 'notes', 'steps', 'transcript']);
    expect(Object.keys(parsed.scenarios[1].failure)).toEqual(['code', 'message', 'step', 'stepLabel', 'requirements', 'expected', 'actual', 'at', 'line']);
    expect(parsed.scenarios[1].failure.line).toBe(12);
    expect(parsed.scenarios[1].steps[3]).toEqual({ label: 'steps[3] expect', line: 12, outcome: 'fail', t: 9 });
    expect(parsed.matrix).toBeUndefined();
    expect(Object.keys(parsed.counts)).toEqual(['pass', 'fail', 'non-strict', 'info', 'not-run', 'skip', 'error']);
    expect(parsed.scenarios[4].skipReason).toBe('needs a console & <stdin>');
    expect(parsed.requirements).toEqual(run.requirements);
    expect(parsed).toEqual(toJsonReport(run));
  });

  it('carries the requirement × target matrix when the run has several targets', () => {
    const run = sampleRunOfTwoTargets();
    const parsed = JSON.parse(renderJsonReport(run));
    expect(Object.keys(parsed).slice(-4)).toEqual(['requirements', 'matrix', 'exitCode', 'counts']);
    expect(parsed.matrix.targets).toEqual(['python', 'typescript']);
    expect(parsed.matrix.rows[1].cells.typescript.outcome).toBe('fail');
    expect(parsed.matrix.rows[1].cells.python.scenarios).toHaveLength(6);
    expect(parsed.matrix.rows[2].cells.python).toEqual({ outcome: 'uncovered', scenarios: [] });
    expect(parsed).toEqual(toJsonReport(run));
  });

  it('renders every byte string as text, hex and length', () => {
    const parsed = JSON.parse(renderJsonReport(sampleRun()));
    const recv = parsed.scenarios[1].transcript[3];
    expect(recv).toEqual({ t: 9.6, kind: 'recv', on: 'c', data: { text: 'a\\0b\\xff\\xfe]]><&>\\x01"\'\\n', hex: '61 00 62 ff fe 5d 5d 3e 3c 26 3e 01 22 27 0a', length: 15 } });
    expect(parsed.scenarios[1].failure.expected).toEqual({ text: 'hello\\n', hex: '68 65 6c 6c 6f 0a', length: 6 });
    expect(parsed.scenarios[1].failure.actual.length).toBe(15);
    expect(parsed.scenarios[1].transcript[0]).toEqual({ t: 0, kind: 'start', on: 'server', detail: 'python3 server.py 40001' });
  });

  it('never hands a Uint8Array to JSON.stringify', () => {
    const report = toJsonReport(sampleRun());
    const seen: unknown[] = [];
    JSON.stringify(report, (_key, value: unknown) => {
      if (value instanceof Uint8Array) seen.push(value);
      return value;
    });
    expect(seen).toEqual([]);
    // A raw Uint8Array would have shown up as an object keyed "0", "1", …
    expect(renderJsonReport(sampleRun())).not.toMatch(/"0":/);
  });

  it('keeps a seed when the run has one and leaves unset fields out', () => {
    const parsed = JSON.parse(renderJsonReport({ ...sampleRun(), seed: 42 }));
    expect(Object.keys(parsed).slice(0, 6)).toEqual(['schemaVersion', 'startedAt', 'durationMs', 'strict', 'seed', 'scenarios']);
    expect('failure' in parsed.scenarios[0]).toBe(false);
    expect('skipReason' in parsed.scenarios[0]).toBe(false);
    expect(renderJsonReport(sampleRun())).not.toContain('null');
  });

  it('streams one scenario per piece, and the pieces joined are exactly the pretty-printed report', () => {
    for (const run of [sampleRun(), { ...sampleRun(), scenarios: [] }, { ...sampleRun(), seed: 7 }]) {
      const pieces = [...jsonReportChunks(run)];
      expect(pieces.join('')).toBe(`${JSON.stringify(toJsonReport(run), null, 2)}\n`);
      expect(pieces).toHaveLength(run.scenarios.length + 2);
    }
  });
});
