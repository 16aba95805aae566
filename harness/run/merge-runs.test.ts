/**
 * Merging shards: the whole run back, whatever order the shards come in, and each way
 * shards can fail to be one run's refused with what is wrong.
 */
import { describe, expect, it } from 'vitest';
import { cutShard } from '../../test/helpers.js';
import { sampleScenario } from '../report/sample-run.js';
import type { Catalogue, Requirement } from '../scenario/catalogue.js';
import { mergeRuns, type RunFile } from './merge-runs.js';
import type { Outcome, RunResult, ScenarioResult } from './result.js';

const REQUIREMENTS: Requirement[] = [
  { id: 'ECHO-4', level: 'MUST', text: 'echo each line' },
  { id: 'ECHO-5', level: 'SHOULD', text: 'ack each line' },
  { id: 'TIME-2', level: 'INFO', text: 'time format' },
];
const CATALOGUE: Catalogue = { file: 'requirements.yaml', requirements: REQUIREMENTS, byId: new Map(REQUIREMENTS.map((q) => [q.id, q])) };

/** Seven scenarios; some name ids outside the catalogue (X-B first, then X-A), in different shards. */
function scenarios(): ScenarioResult[] {
  const outcomes: Outcome[] = ['pass', 'fail', 'pass', 'error', 'pass', 'non-strict', 'skip'];
  const out = outcomes.map((o, i) => sampleScenario(o, `scenarios/s${i}.yaml`));
  out[1]!.requirements['X-B'] = 'fail';
  out[2]!.requirements['X-A'] = 'pass';
  out[5]!.requirements = { 'X-A': 'non-strict', 'X-B': 'pass', ...out[5]!.requirements };
  out[4]!.property = { seed: 9, runs: 100, shrinks: 0 };
  return out;
}

/** The run of every scenario at once, as `sockspec run` reports it. */
function wholeRun(): RunResult {
  const { shard: _, ...run } = cutShard({ startedAt: '2024-05-01T12:00:00.000Z', durationMs: 5000, strict: false, seed: 9, scenarios: scenarios(), requirements: [], exitCode: 0, counts: {} as RunResult['counts'] }, 1, 1, CATALOGUE);
  return run;
}

function shards(n: number, run = wholeRun()): RunFile[] {
  return Array.from({ length: n }, (_, i) => ({ file: `shard-${i + 1}.json`, run: cutShard(run, i + 1, n, CATALOGUE) }));
}

function problemsOf(files: RunFile[]) {
  const m = mergeRuns(files);
  if (!('problems' in m)) throw new Error('expected the merge to be refused');
  return m.problems;
}

describe('mergeRuns', () => {
  it('gives back the whole run from its shards in any order, ids outside the catalogue in the order the run met them', () => {
    const whole = wholeRun();
    expect(whole.requirements.map((q) => q.id)).toEqual(['ECHO-4', 'ECHO-5', 'TIME-2', 'X-B', 'X-A']);
    const [a, b, c] = shards(3);
    // Only shard 2 ran the property scenario: the others have no seed.
    expect([a!.run.seed, b!.run.seed, c!.run.seed]).toEqual([undefined, 9, undefined]);
    expect(c!.run.requirements.map((q) => q.id)).toEqual(['ECHO-4', 'ECHO-5', 'TIME-2', 'X-A', 'X-B']);
    expect(mergeRuns([c!, a!, b!])).toEqual({ run: whole, warnings: [] });
    expect(mergeRuns(shards(7))).toEqual({ run: whole, warnings: [] });
    // More shards than scenarios: the last ones ran nothing.
    expect(mergeRuns(shards(9))).toEqual({ run: whole, warnings: [] });
  });

  it('with expectation files, exits as the shards did: expected failures pass, an unexpected one fails', () => {
    const run = wholeRun();
    const failing = run.scenarios.filter((r) => r.outcome === 'fail' || r.outcome === 'error' || r.outcome === 'non-strict');
    for (const r of failing) r.expectation = { outcome: r.outcome, reason: 'known', source: 'exp.yaml:1', met: true };
    const files = shards(2, run).map((f) => ({ ...f, run: { ...f.run, expectations: { files: ['exp.yaml'], met: f.run.scenarios.filter((r) => r.expectation).length, unexpected: [], unused: [] } } }));
    const merged = mergeRuns(files);
    if (!('run' in merged)) throw new Error('refused');
    expect(merged.run.exitCode).toBe(0);
    expect(merged.run.expectations).toEqual({ files: ['exp.yaml'], met: failing.length, unexpected: [], unused: [] });
    // The same shards, one expected failure that passed this time: the merged run fails.
    const passed = failing[0]!;
    Object.assign(passed, { outcome: 'pass', requirements: Object.fromEntries(Object.keys(passed.requirements).map((id) => [id, 'pass'])) });
    passed.expectation!.met = false;
    const again = mergeRuns(shards(2, run).map((f) => ({ ...f, run: { ...f.run, expectations: { files: ['exp.yaml'], met: 0, unexpected: [], unused: [] } } })));
    expect('run' in again && again.run.exitCode).toBe(1);
  });

  it('takes the earliest start and the latest end, and an interruption of any shard', () => {
    const [a, b] = shards(2);
    a!.run.startedAt = '2024-05-01T12:00:10.000Z';
    a!.run.durationMs = 1000;
    b!.run.startedAt = '2024-05-01T12:00:05.500Z';
    b!.run.durationMs = 2000;
    b!.run.interrupted = true;
    b!.run.scenarios.pop();
    const m = mergeRuns([a!, b!]);
    if (!('run' in m)) throw new Error(JSON.stringify(m));
    expect(m.run).toMatchObject({ startedAt: '2024-05-01T12:00:05.500Z', durationMs: 5500, interrupted: true });
    expect(m.run.scenarios).toHaveLength(6);
  });

  it('names no seed, and says why, when the shards drew different ones', () => {
    const run = wholeRun();
    const [a, b] = shards(2, run);
    // s4, the property scenario, is in shard 1 (seed 9); shard 2 drew seed 1 for one of its own.
    b!.run.scenarios[0]!.property = { seed: 1, runs: 1, shrinks: 0 };
    b!.run.seed = 1;
    const m = mergeRuns([a!, b!]);
    if (!('run' in m)) throw new Error(JSON.stringify(m));
    expect(m.run.seed).toBeUndefined();
    expect(m.warnings).toEqual([expect.stringContaining('different seeds (9, 1)')]);
  });

  it('combines the expectation summaries of the shards', () => {
    const [a, b] = shards(2);
    a!.run.expectations = { files: ['x.yaml'], met: 2, unexpected: [{ id: 'scenarios/s2.yaml [python]', message: 'two' }], unused: ['x.yaml:3', 'x.yaml:9'] };
    b!.run.expectations = { files: ['x.yaml'], met: 1, unexpected: [{ id: 'scenarios/s1.yaml [python]', message: 'one' }], unused: ['x.yaml:9'] };
    const m = mergeRuns([a!, b!]);
    if (!('run' in m)) throw new Error(JSON.stringify(m));
    expect(m.run.expectations).toEqual({ files: ['x.yaml'], met: 3, unexpected: [{ id: 'scenarios/s1.yaml [python]', message: 'one' }, { id: 'scenarios/s2.yaml [python]', message: 'two' }], unused: ['x.yaml:9'] });
  });

  it('takes one report that is not a shard as it is', () => {
    const run = wholeRun();
    expect(mergeRuns([{ file: 'all.json', run }])).toEqual({ run, warnings: [] });
  });

  it('refuses a missing shard, naming it, a shard given twice, and shards of different cuts', () => {
    const [a, b, c] = shards(3);
    expect(problemsOf([a!, c!])).toEqual([{ code: 'missing-shard', message: 'shard 2/3 missing (given: 1/3 shard-1.json, 3/3 shard-3.json)' }]);
    expect(problemsOf([a!])[0]!.message).toContain('shards 2/3, 3/3 missing');
    expect(problemsOf([a!, b!, { ...b!, file: 'again.json' }, c!])).toEqual([{ file: 'again.json', code: 'duplicate-shard', message: 'shard 2/3 is given twice (also shard-2.json)' }]);
    const [, two] = shards(2);
    expect(problemsOf([a!, two!, c!])).toEqual([expect.objectContaining({ file: 'shard-2.json', code: 'shard-mismatch' })]);
    expect(problemsOf([a!, b!, { file: 'all.json', run: wholeRun() }])).toEqual([expect.objectContaining({ file: 'all.json', code: 'not-a-shard' })]);
  });

  it('refuses shards of different catalogues, plans or options', () => {
    const [a, b, c] = shards(3);
    const other = structuredClone(b!);
    other.run.requirements[1]!.text = 'something else';
    expect(problemsOf([a!, other, c!])).toEqual([expect.objectContaining({ file: 'shard-2.json', code: 'catalogue-mismatch', message: expect.stringContaining('`ECHO-5`') })]);
    const fewer = structuredClone(c!);
    fewer.run.scenarios.pop();
    expect(problemsOf([a!, b!, fewer])).toEqual([expect.objectContaining({ code: 'plan-mismatch', message: 'shard 3/3 has 1 scenarios, but a plan of 7 gives it 2' })]);
    const strict = structuredClone(c!);
    strict.run.strict = true;
    expect(problemsOf([a!, b!, strict])).toEqual([expect.objectContaining({ file: 'shard-3.json', code: 'option-mismatch' })]);
    const twice = structuredClone(c!);
    twice.run.scenarios[0] = a!.run.scenarios[0]!;
    expect(problemsOf([a!, b!, twice])).toEqual([expect.objectContaining({ code: 'plan-mismatch', message: expect.stringContaining('is also in shard-1.json') })]);
  });
});
