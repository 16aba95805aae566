/**
 * Reading JSON reports back: the run as it was (bytes from `hex`), and every problem
 * of a file given with its line and column.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../run/result.js';
import type { Diagnostic } from '../scenario/diagnostic.js';
import { findJsonSyntaxError, lineColOf, offsetOfPath } from './json-position.js';
import { renderJsonReport } from './json-report.js';
import { parseJsonReport, readJsonReport } from './read-json-report.js';
import { HOSTILE_BYTES, sampleRunOfTwoTargets, sampleScenario } from './sample-run.js';

const tmp = mkdtempSync(join(tmpdir(), 'sockspec-read-report-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function read(text: string): RunResult {
  const r = parseJsonReport('r.json', text);
  if ('diagnostics' in r) throw new Error(r.diagnostics.map((d) => d.message).join('\n'));
  return r.run;
}

function problems(text: string): Diagnostic[] {
  const r = parseJsonReport('r.json', text);
  if (!('diagnostics' in r)) throw new Error('expected problems');
  return r.diagnostics;
}

/** Line and column of the first occurrence of `needle` in `text`. */
function placeOf(text: string, needle: string): { line: number; col: number } {
  const at = text.indexOf(needle);
  expect(at).toBeGreaterThanOrEqual(0);
  return lineColOf(text, at);
}

describe('readJsonReport', () => {
  it('gives back the run a report was written from, bytes and shard included, and writes the same report again', () => {
    const run = { ...sampleRunOfTwoTargets(), seed: 42, shard: { index: 2, count: 3, planned: 36 } };
    const text = renderJsonReport(run);
    const back = read(text);
    // The report counts every outcome, those no scenario had included.
    expect(back).toEqual({ ...run, counts: { ...run.counts, 'not-run': 0 } });
    const recv = back.scenarios[1]!.transcript.find((e) => e.kind === 'recv')!;
    expect(recv.data).toBeInstanceOf(Uint8Array);
    expect([...recv.data!]).toEqual([...HOSTILE_BYTES]);
    expect([...back.scenarios[1]!.failure!.actual!]).toEqual([...HOSTILE_BYTES]);
    expect(renderJsonReport(back)).toBe(text);
  });

  it('locates text that is not JSON at its line and column', () => {
    const text = '{\n  "schemaVersion": 2,\n  "strict": tru\n}\n';
    const [d, ...rest] = problems(text);
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ file: 'r.json', code: 'bad-json', ...placeOf(text, 'tru\n'), message: 'not JSON: expected a value (an object, array, string, number, true, false or null)' });
    expect(problems('{"schemaVersion": 2,')[0]).toMatchObject({ code: 'bad-json', line: 1, col: 21, message: 'not JSON: expected a key in double quotes, got the end of the text' });
    expect(problems('{"a": "x\ny"}')[0]).toMatchObject({ line: 1, col: 9, message: expect.stringContaining('a control character in a string') });
    expect(problems('')[0]).toMatchObject({ line: 1, col: 1 });
  });

  it('tells JSON from text that is not, as JSON.parse does', () => {
    const mutated = fc.tuple(fc.json(), fc.nat(), fc.constantFrom('', '"', ',', '}', ']', '{', '[', ':', '\\', '\n', '\u0001', '0', '-', 'e', 'n'), fc.boolean());
    fc.assert(
      fc.property(mutated, ([json, at, piece, replace]) => {
        const i = at % (json.length + 1);
        const text = json.slice(0, i) + piece + json.slice(replace ? i + 1 : i);
        let valid = true;
        try {
          JSON.parse(text);
        } catch {
          valid = false;
        }
        expect(findJsonSyntaxError(text) === undefined).toBe(valid);
      }),
      { numRuns: 3000 },
    );
    expect(findJsonSyntaxError('['.repeat(200_000))).toMatchObject({ offset: 200_000 });
  });

  it('refuses a report of another schema version, or something else, where it says so', () => {
    const text = '{\n  "schemaVersion": 1,\n  "results": []\n}\n';
    expect(problems(text)).toEqual([expect.objectContaining({ code: 'unsupported-schema', ...placeOf(text, '1,') })]);
    expect(problems('[1, 2]')[0]).toMatchObject({ code: 'not-a-report', line: 1, col: 1 });
    expect(problems('{"results": []}')[0]).toMatchObject({ code: 'not-a-report' });
  });

  it('locates each field that breaks the schema, a byte string whose hex is not its bytes included', () => {
    const report = JSON.parse(renderJsonReport(sampleRunOfTwoTargets()));
    report.scenarios[2].outcome = 'passed';
    report.scenarios[1].transcript[3].data.hex = '61 00 6';
    delete report.counts;
    const text = JSON.stringify(report, null, 2);
    const found = problems(text);
    expect(found.map((d) => d.code)).toEqual(['invalid-value', 'invalid-value', 'missing-key']);
    expect(found[0]).toMatchObject({ ...placeOf(text, '"61 00 6"') });
    expect(found[0]!.message).toContain('`scenarios[1].transcript[3].data.hex`');
    expect(found[1]).toMatchObject({ ...placeOf(text, '"passed"') });
    expect(found[1]!.message).toContain('`scenarios[2].outcome`');
    expect(found[2]).toMatchObject({ line: 1, col: 1 });
  });

  it('finds the place of a path in JSON text, or of the nearest value that has one', () => {
    const text = '{ "a": [ {"b": "x\\"]}"}, { "b" : [1, {"c": null}] } ], "d": 5 }';
    expect(text.slice(offsetOfPath(text, ['a', 1, 'b', 1, 'c']))).toMatch(/^null/);
    expect(text.slice(offsetOfPath(text, ['d']))).toMatch(/^5 }/);
    expect(text.slice(offsetOfPath(text, ['a', 1, 'z']))).toMatch(/^\{ "b" : \[1/);
    expect(text.slice(offsetOfPath(text, ['a', 7]))).toMatch(/^\[ \{"b"/);
  });

  it('refuses a missing file and a FIFO without waiting on it', async () => {
    expect(await readJsonReport('none.json', tmp)).toEqual({ diagnostics: [expect.objectContaining({ file: 'none.json', code: 'not-found', line: 0 })] });
    execFileSync('mkfifo', [join(tmp, 'fifo.json')]);
    expect(await readJsonReport('fifo.json', tmp)).toEqual({ diagnostics: [expect.objectContaining({ code: 'not-a-file' })] });
  });

  it('reads a report of 326 scenarios and 6 MB at less than 1.5 times the CPU time writing it took', async () => {
    const scenarios = Array.from({ length: 326 }, (_, i) => {
      const r = sampleScenario(i % 5 === 0 ? 'fail' : 'pass', `scenarios/s${i}.yaml`);
      const chunk = Uint8Array.from({ length: 300 }, (_, j) => (i + j) % 256);
      for (let j = 0; j < 20; j++) r.transcript.push({ t: 20 + j, kind: j % 2 ? 'recv' : 'send', on: 'c', data: chunk });
      return r;
    });
    const run = { ...sampleRunOfTwoTargets(), scenarios };
    const cpuMs = (before: NodeJS.CpuUsage) => {
      const used = process.cpuUsage(before);
      return (used.user + used.system) / 1000;
    };
    // CPU time, not wall time: what the reading costs, whatever else the machine runs meanwhile. Measured against
    // writing the same report at the same moment (about half of it here: 0.4 s against 0.7 s), since a busy host
    // and coverage slow both alike; a reading that went quadratic in the scenarios or the transcripts would not hold.
    // The process's CPU time counts its other threads too (a garbage collection that an earlier test file in this
    // worker left due): the least of three tries of each is compared.
    let writeMs = Infinity;
    let readMs = Infinity;
    for (let i = 0; i < 3; i++) {
      const w0 = process.cpuUsage();
      const text = renderJsonReport(run);
      writeMs = Math.min(writeMs, cpuMs(w0));
      expect(text.length).toBeGreaterThan(6_000_000);
      writeFileSync(join(tmp, 'large.json'), text);
      const r0 = process.cpuUsage();
      const back = await readJsonReport('large.json', tmp);
      readMs = Math.min(readMs, cpuMs(r0));
      expect('run' in back && back.run.scenarios.length).toBe(326);
    }
    expect(readMs).toBeLessThan(Math.max(1.5 * writeMs, 300));
  });
});
