/**
 * `sockspec merge` and `sockspec compare` on real runs: a suite run whole and in three
 * shards against the echo-ack reference and a faulty server, the shards merged into the
 * whole run's report; runs compared before and after a fault, and a folder with one of
 * its subfolders; malformed reports refused with their place.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../harness/cli/main.js';
import { renderJsonReport } from '../harness/report/json-report.js';
import { captureStdout } from '../harness/report/sample-run.js';
import { readJsonReport } from '../harness/report/read-json-report.js';
import type { RunResult } from '../harness/run/result.js';
import { sockspec, type CliRun } from './cli-process.js';
import { bundledCatalogue, cutShard, ROOT } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'sockspec-compare-merge-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A run of the built CLI, as CI starts it. */
const cli = (...args: string[]): Promise<CliRun> => sockspec(args, tmp, { limitMs: 50_000 });

/** `sockspec ARGS` in this process (merge and compare only read and write files): exit status and output. */
async function cmd(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = captureStdout();
  const err = captureStdout();
  const code = await main(args, { stdout: out.stream, stderr: err.stream, cwd: tmp, env: { NO_COLOR: '1' } });
  return { code, stdout: out.text(), stderr: err.text() };
}
const file = (name: string) => readFileSync(join(tmp, name), 'utf8');
const json = (name: string) => JSON.parse(file(name));

const ECHO = join(ROOT, 'scenarios/echo-ack/server');
/** Scenarios whose outcome against each server does not depend on how TCP cuts the traffic. */
const FILES = ['all-interfaces', 'invalid-utf8', 'empty-operator-line', 'hello-half-close', 'large-payload', 'lock-step-rounds', 'one-byte-at-a-time', 'split-send'].map((f) => join(ECHO, `${f}.yaml`));
const REFERENCE = `python3 ${join(ROOT, 'fixtures/echo-ack/server/reference.py')} {port}`;
/** Echoes only the first 1024 bytes of each read: breaks ECHO-5 (`large-payload.yaml`). */
const FAULTY = `python3 ${join(ROOT, 'fixtures/echo-ack/server/truncates-echo.py')} {port}`;

/**
 * What two runs of the same plan agree on: everything but timing and the traffic of the
 * moment (ports, how TCP cut the bytes, whether a prompt came before a reset): the
 * transcripts are left out, and so are a failure's `actual` bytes (as many as had
 * arrived when the mismatch was seen; where it is, `at`, is kept), and numbers in text
 * are masked.
 */
function steady(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(/\d+/g, 'N');
  if (Array.isArray(value)) return value.map(steady);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k]) => !['startedAt', 'durationMs', 't', 'transcript', 'actual'].includes(k))
      .map(([k, v]) => [k, steady(v)]),
  );
}

/** A JUnit report without times and element text (a failure's transcript tail), numbers masked. */
function steadyJunit(xml: string): string {
  return xml
    .replace(/ (time|timestamp)="[^"]*"/g, '')
    .replace(/>[^<]*<\/(failure|error|system-out|system-err)>/g, '></$1>')
    .replace(/\d+/g, 'N');
}

describe('sockspec merge and compare', () => {
  const shards = ['1/3', '2/3', '3/3'];
  let whole: CliRun;
  let parts: CliRun[];
  let reference: CliRun;
  let faulty: CliRun;

  beforeAll(async () => {
    writeFileSync(
      join(tmp, 'two.yaml'),
      `requirements: ${join(ROOT, 'scenarios/requirements.yaml')}\nsuites:\n  - scenarios: ${ECHO}\n    targets:\n      - { name: reference, server: "${REFERENCE}" }\n      - { name: truncating, server: "${FAULTY}" }\n`,
    );
    const run = (...args: string[]) => cli('run', '--config', 'two.yaml', ...FILES, '--seed', '5', ...args);
    whole = await run('--jobs', '4', '--reporter', 'json=whole.json', '--reporter', 'junit=whole.xml', '--reporter', 'html=whole.html');
    [reference, faulty, ...parts] = await Promise.all([
      cli('run', ...FILES, '--server', REFERENCE, '--reporter', 'json=reference.json'),
      cli('run', ...FILES, '--server', FAULTY, '--reporter', 'json=faulty.json'),
      ...shards.map((s, i) => run('--shard', s, '--jobs', '2', '--reporter', `json=shard-${i + 1}.json`)),
    ]);
  }, 60_000);

  it('merges the shards of a run into the report of the whole run', async () => {
    expect(whole.stderr).toBe('');
    expect(whole.code).toBe(1);
    expect(parts.map((p) => p.stderr)).toEqual(['', '', '']);
    expect(json('shard-2.json').shard).toEqual({ index: 2, count: 3, planned: 16 });
    const merged = await cli('merge', 'merged.json', 'shard-3.json', 'shard-1.json', 'shard-2.json', '--reporter', 'junit=merged.xml');
    expect(merged.stderr).toMatch(/^sockspec: merged 3 shards into merged\.json: 16 scenarios, 15 passed, 1 failed\n$/);
    expect(merged.code).toBe(1);
    const [a, b] = [json('merged.json'), json('whole.json')];
    expect(a.scenarios.map((r: { id: string }) => r.id)).toEqual(b.scenarios.map((r: { id: string }) => r.id));
    expect(a.matrix.targets).toEqual(['reference', 'truncating']);
    expect(steady(a)).toEqual(steady(b));
    expect(steadyJunit(file('merged.xml'))).toBe(steadyJunit(file('whole.xml')));
  });

  it('gives back exactly the report of a run from the shards that run would have given', async () => {
    // The same scenario results cut as `--shard K/3` reports them: every byte of the merge is the whole run's.
    const read = await readJsonReport('whole.json', tmp);
    if (!('run' in read)) throw new Error(JSON.stringify(read.diagnostics));
    const catalogue = await bundledCatalogue();
    for (const k of [1, 2, 3]) writeFileSync(join(tmp, `cut-${k}.json`), renderJsonReport(cutShard(read.run, k, 3, catalogue)));
    const merged = await cmd('merge', 'exact.json', 'cut-2.json', 'cut-3.json', 'cut-1.json', '--reporter', 'junit=exact.xml', '--reporter', 'html=exact.html');
    expect(merged.code).toBe(1);
    expect(file('exact.json')).toBe(file('whole.json'));
    expect(file('exact.xml')).toBe(file('whole.xml'));
    expect(file('exact.html')).toBe(file('whole.html'));
    // One report that is no shard merges into itself.
    expect((await cmd('merge', 'same.json', 'whole.json')).code).toBe(1);
    expect(file('same.json')).toBe(file('whole.json'));
  });

  it('refuses shards that are not one run, saying which and why, and writes nothing', async () => {
    const missing = await cmd('merge', 'out.json', 'shard-1.json', 'shard-3.json');
    expect(missing).toMatchObject({ code: 2, stdout: '', stderr: 'sockspec: missing-shard: shard 2/3 missing (given: 1/3 shard-1.json, 3/3 shard-3.json)\n' });
    const twice = await cmd('merge', 'out.json', 'shard-1.json', 'shard-2.json', 'shard-2.json', 'shard-3.json');
    expect(twice).toMatchObject({ code: 2, stderr: 'shard-2.json: duplicate-shard: shard 2/3 is given twice (also shard-2.json)\n' });
    const read = (await readJsonReport('whole.json', tmp)) as { run: RunResult };
    writeFileSync(join(tmp, 'half-1.json'), renderJsonReport(cutShard(read.run, 1, 2, await bundledCatalogue())));
    expect(await cmd('merge', 'out.json', 'shard-1.json', 'half-1.json', 'shard-3.json')).toMatchObject({ code: 2, stderr: expect.stringMatching(/^half-1\.json: shard-mismatch: shard 1\/2, but shard-1\.json is 1\/3/) });
    const other = json('shard-2.json');
    other.requirements[0].text = 'another catalogue';
    writeFileSync(join(tmp, 'other-2.json'), JSON.stringify(other));
    expect(await cmd('merge', 'out.json', 'shard-1.json', 'other-2.json', 'shard-3.json')).toMatchObject({ code: 2, stderr: expect.stringMatching(/^other-2\.json: catalogue-mismatch: /) });
    expect(await cmd('merge', 'out.json', 'whole.json', 'shard-1.json')).toMatchObject({ code: 2, stderr: expect.stringMatching(/^whole\.json: not-a-shard: /m) });
    const old = json('shard-1.json');
    old.schemaVersion = 1;
    writeFileSync(join(tmp, 'old-1.json'), JSON.stringify(old, null, 2));
    expect(await cmd('merge', 'out.json', 'old-1.json', 'shard-2.json', 'shard-3.json')).toMatchObject({ code: 2, stderr: 'old-1.json:2:20: unsupported-schema: a report of schemaVersion 1; this sockspec reads schemaVersion 2 (write the report again with it)\n' });
    expect(await cmd('merge', 'shard-1.json', 'shard-2.json', 'shard-3.json')).toMatchObject({ code: 2, stderr: expect.stringContaining('note: shard-1.json, the first argument, is the merged report to write') });
    expect(await cmd('merge', 'out.json', '--reporter', 'junti=x.xml', 'shard-1.json', 'shard-2.json', 'shard-3.json')).toMatchObject({ code: 2, stderr: expect.stringContaining('did you mean `junit`?') });
    expect(() => file('out.json')).toThrow();
  });

  it('lists the requirements and scenarios a faulty server breaks, and exits 1', async () => {
    expect([reference.code, faulty.code]).toEqual([0, 1]);
    const r = await cmd('compare', 'reference.json', 'faulty.json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.slice(0, 2)).toEqual(['Comparing reference.json (8 scenarios) with faulty.json (8 scenarios)', 'target reference.py of reference.json compared with truncates-echo.py of faulty.json']);
    expect(lines.slice(lines.indexOf('Requirements that regressed (1):'), lines.indexOf('Requirements that regressed (1):') + 2)).toEqual(['Requirements that regressed (1):', '  ECHO-5  MUST    pass → fail']);
    expect(lines).toContain(`  ${join(ECHO, 'large-payload.yaml')}  pass → fail`);
    expect(lines.at(-1)).toBe('regression: requirements: 1 regressed; scenarios: 1 regressed');
    const asJson = await cmd('compare', '--json', 'reference.json', 'faulty.json');
    expect(asJson.code).toBe(1);
    const c = JSON.parse(asJson.stdout);
    expect(c.requirements.regressed).toEqual([{ id: 'ECHO-5', level: 'MUST', target: 'truncates-echo.py', oldTarget: 'reference.py', old: 'pass', new: 'fail' }]);
    expect(c.scenarios.regressed).toEqual([{ id: join(ECHO, 'large-payload.yaml'), old: 'pass', new: 'fail' }]);
    expect(c).toMatchObject({ old: { file: 'reference.json', scenarios: 8, exitCode: 0 }, new: { file: 'faulty.json', exitCode: 1 }, regression: true });
  });

  it('lists what the fix repaired the other way round, and exits 0', async () => {
    const r = await cmd('compare', 'faulty.json', 'reference.json');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Requirements fixed (1):\n  ECHO-5  MUST    fail → pass\n');
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('no regression: requirements: 1 fixed; scenarios: 1 fixed');
    expect((await cmd('compare', 'whole.json', 'merged.json')).stdout).toMatch(/\nno regression: no change\n$/);
  });

  it('tells the scenarios and the coverage a run of a subfolder leaves out, and those it adds back', async () => {
    const ack = join(ROOT, 'scenarios/ack-short');
    writeFileSync(
      join(tmp, 'ack.yaml'),
      `requirements: ${join(ROOT, 'scenarios/requirements.yaml')}\nsuites:\n  - scenarios: ${ack}/server\n    targets:\n      - { name: python, server: "python3 ${join(ROOT, 'fixtures/ack-short/server/reference.py')} {port}" }\n  - scenarios: ${ack}/client\n    targets:\n      - { name: python, client: "python3 ${join(ROOT, 'fixtures/ack-short/client/reference.py')} {port}" }\n`,
    );
    const [folder, sub] = await Promise.all([cli('run', '--config', 'ack.yaml', ack, '--reporter', 'json=folder.json'), cli('run', '--config', 'ack.yaml', `${ack}/client`, '--reporter', 'json=sub.json')]);
    expect([folder.code, sub.code]).toEqual([0, 0]);
    const narrower = await cmd('compare', '--json', 'folder.json', 'sub.json');
    expect(narrower.code).toBe(0);
    const c = JSON.parse(narrower.stdout);
    const serverScenarios = (json('folder.json').scenarios as { id: string }[]).map((r) => r.id).filter((id) => id.includes('/server/'));
    expect(serverScenarios.length).toBeGreaterThan(5);
    expect(c.scenarios.gone.map((g: { id: string }) => g.id)).toEqual(serverScenarios);
    expect(c.scenarios.added).toEqual([]);
    expect(c.requirements.noLongerCovered.length).toBeGreaterThan(0);
    expect(c.requirements.regressed).toEqual([]);
    const wider = await cmd('compare', 'sub.json', 'folder.json');
    expect(wider.code).toBe(0);
    expect(wider.stdout).toContain(`Scenarios added (${serverScenarios.length}):`);
    expect(wider.stdout).toContain('Requirements newly covered');
  });

  it('refuses malformed or missing reports with file:line:col and exits 2, without a stack trace', async () => {
    writeFileSync(join(tmp, 'cut.json'), file('reference.json').slice(0, 200));
    const cut = await cmd('compare', 'cut.json', 'reference.json');
    expect(cut.code).toBe(2);
    expect(cut.stderr).toMatch(/^cut\.json:\d+:\d+: bad-json: not JSON: /);
    const bad = json('reference.json');
    bad.scenarios[1].outcome = 'passed';
    writeFileSync(join(tmp, 'bad.json'), JSON.stringify(bad, null, 2));
    const wrong = await cmd('compare', 'reference.json', 'bad.json');
    const line = file('bad.json').split('\n').findIndex((l) => l.includes('"passed"')) + 1;
    expect(wrong).toMatchObject({ code: 2, stdout: '' });
    expect(wrong.stderr).toMatch(new RegExp(`^bad\\.json:${line}:\\d+: invalid-value: expected \`scenarios\\[1\\]\\.outcome\` to be one of`));
    expect(await cmd('compare', 'nowhere.json', 'reference.json')).toMatchObject({ code: 2, stderr: 'nowhere.json: not-found: no such file\n' });
    expect(await cmd('compare', 'reference.json')).toMatchObject({ code: 2, stderr: expect.stringContaining('sockspec: usage: expected `sockspec compare OLD.json NEW.json`') });
    for (const r of [cut, wrong]) expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
