/**
 * Programs that misbehave as processes (fixtures/hostile): each is stopped in bounded
 * time, the report says what the harness had to do, and nothing it started is left
 * running — found by the mark every launched program carries (SOCKSPEC_OWNER). Then
 * how the reports show such problems, and an interrupted run.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { listGroups } from '../harness/process/launch.js';
import { markedProcesses, ownMarkPrefix } from '../harness/process/owner-marker.js';
import { waitGone } from '../harness/process/test-probes.js';
import type { Target } from '../harness/run/program.js';
import type { ScenarioResult } from '../harness/run/result.js';
import { planIds, runPlan } from '../harness/run/run-plan.js';
import { createStyle } from '../harness/report/ansi-style.js';
import { formatRunSummary } from '../harness/report/console-text.js';
import { toJsonReport } from '../harness/report/json-report.js';
import { renderJunitReport } from '../harness/report/junit-report.js';
import { sampleRun } from '../harness/report/sample-run.js';
import { bundledCatalogue, loadSuite, ROOT } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'sockspec-hostile-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Processes started by this test process that are still running. */
const left = () => markedProcesses((m) => m.startsWith(ownMarkPrefix()));

afterEach(async () => {
  // Nothing may outlive a test; kill what did so that the next test starts clean.
  const stray = left();
  for (const p of stray) process.kill(p.pid, 'SIGKILL');
  expect(stray).toEqual([]);
  expect(listGroups()).toEqual([]);
});

/** Run one echo exchange (connect, "hello", its echo, close) against a fixture of fixtures/hostile. */
async function runHostile(fixture: string, options: { readyTimeoutMs?: number } = {}): Promise<{ r: ScenarioResult; ms: number }> {
  const dir = mkdtempSync(join(tmp, 'suite-'));
  writeFileSync(join(dir, 'echo.yaml'), 'covers: [RFC862-1]\ntimeout: 10000\nsteps:\n  - connect: c\n  - send: { text: "hello\\n" }\n  - expect: { text: "hello\\n" }\n  - close: c\n');
  const [scenario] = await loadSuite(dir);
  const target: Target = { name: 'hostile', command: `python3 fixtures/hostile/${fixture.replace(/^(\S+)/, '$1 {port}')}`, cwd: ROOT, readyTimeoutMs: options.readyTimeoutMs ?? 10_000 };
  const t0 = performance.now();
  const run = await runPlan(planIds([{ scenario: scenario!, target }]), { jobs: 1, strict: false, catalogue: await bundledCatalogue(), observers: [], signal: new AbortController().signal });
  const ms = Math.round(performance.now() - t0);
  console.log(`${fixture}: ${run.scenarios[0]!.outcome} in ${ms} ms`);
  return { r: run.scenarios[0]!, ms };
}

/** The port the program was started on, from the transcript's start entry. */
function portOf(r: ScenarioResult): number {
  const start = r.transcript.find((e) => e.kind === 'start');
  return Number(/ (\d+)$/.exec(start?.detail ?? '')?.[1]);
}

/** Whether something accepts connections on 127.0.0.1:`port`. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port });
    s.setTimeout(5000);
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
    s.once('timeout', () => (s.destroy(), resolve(false)));
  });
}

/** The transcript notes of a result, as `code: message` lines. */
const notes = (r: ScenarioResult) => r.transcript.filter((e) => e.kind === 'note' && e.on === 'harness').map((e) => e.detail);

describe('hostile programs', () => {
  it('a server that ignores SIGTERM is killed with SIGKILL after the 2 s grace, and the report says so', async () => {
    const { r, ms } = await runHostile('ignores-sigterm.py');
    expect(r.outcome).toBe('pass');
    expect(r.problems).toEqual([{ code: 'ignored-sigterm', message: expect.stringMatching(/^hostile \(pid \d+\) did not exit within 2000 ms of SIGTERM: killed with SIGKILL$/) }]);
    expect(notes(r)).toEqual([`ignored-sigterm: ${r.problems![0]!.message}`]);
    expect(ms).toBeGreaterThanOrEqual(2000);
    expect(ms).toBeLessThan(20_000);
  });

  it('a running program kept for reuse is stopped once its target has no scenario left, and what its stop finds is told to its last scenario', async () => {
    const dir = mkdtempSync(join(tmp, 'suite-'));
    writeFileSync(join(dir, 'echo.yaml'), 'covers: [RFC862-1]\nprocess: reuse\ntimeout: 10000\nsteps:\n  - connect: c\n  - send: { text: "hello\\n" }\n  - expect: { text: "hello\\n" }\n  - close: c\n');
    const [scenario] = await loadSuite(dir);
    const kept: Target = { name: 'kept', command: 'python3 fixtures/hostile/ignores-sigterm.py {port}', cwd: ROOT, readyTimeoutMs: 10_000 };
    const next: Target = { name: 'next', command: 'python3 fixtures/rfc-services/reference.py echo {port}', cwd: ROOT, readyTimeoutMs: 10_000 };
    const running: number[] = [];
    const observer = { onScenarioStart: () => void running.push(left().length) };
    const plan = planIds([{ scenario: scenario!, target: kept }, { scenario: scenario!, target: kept }, { scenario: scenario!, target: next }]);
    const run = await runPlan(plan, { jobs: 1, strict: false, catalogue: await bundledCatalogue(), observers: [observer], signal: new AbortController().signal });
    expect(run.scenarios.map((r) => r.outcome)).toEqual(['pass', 'pass', 'pass']);
    // The second scenario was served by the first one's program; the third's target is another one, started after that program stopped.
    expect(running).toEqual([0, 1, 0]);
    expect(run.scenarios.map((r) => r.problems?.map((p) => p.code))).toEqual([undefined, ['ignored-sigterm'], undefined]);
  });

  it('scenarios side by side are each told what stopping their own program found, and nothing of the others\'', async () => {
    const dir = mkdtempSync(join(tmp, 'suite-'));
    writeFileSync(join(dir, 'echo.yaml'), 'covers: [RFC862-1]\ntimeout: 10000\nsteps:\n  - connect: c\n  - send: { text: "hello\\n" }\n  - expect: { text: "hello\\n" }\n  - close: c\n');
    const [scenario] = await loadSuite(dir);
    const target = (name: string, command: string): Target => ({ name, command, cwd: ROOT, readyTimeoutMs: 10_000 });
    const good = target('good', 'python3 fixtures/rfc-services/reference.py echo {port}');
    const targets = [target('ignores', 'python3 fixtures/hostile/ignores-sigterm.py {port}'), good, target('daemon', 'python3 fixtures/hostile/leaves-a-daemon.py {port}'), good];
    const t0 = performance.now();
    const run = await runPlan(planIds(targets.map((t) => ({ scenario: scenario!, target: t }))), { jobs: 4, strict: false, catalogue: await bundledCatalogue(), observers: [], signal: new AbortController().signal });
    expect(run.scenarios.map((r) => r.outcome)).toEqual(['pass', 'pass', 'pass', 'pass']);
    expect(run.scenarios.map((r) => r.problems?.map((p) => p.code))).toEqual([['ignored-sigterm'], undefined, ['leaked-process'], undefined]);
    // The four ran at once: the SIGTERM grace of the first was waited for once, not after the others.
    expect(performance.now() - t0).toBeLessThan(20_000);
  });

  it('children that ignore SIGTERM are waited for as long as the leader would be, then killed and named', async () => {
    const { r, ms } = await runHostile('children-ignore-sigterm.py');
    expect(r.outcome).toBe('pass');
    expect(r.problems).toEqual([{ code: 'ignored-sigterm', message: expect.stringMatching(/^2 processes of the group of hostile did not exit within 2000 ms of SIGTERM: killed with SIGKILL: pid \d+ \(.*children-ignore-sigterm\.py \d+\); pid \d+ \(/) }]);
    expect(ms).toBeLessThan(20_000);
  });

  it('a program that exited leaving a child in its group and is started again: the child is killed before the new start, not at the end of the run', async () => {
    const dir = mkdtempSync(join(tmp, 'suite-'));
    const echo = (c: string) => `  - connect: ${c}\n  - send: { text: "hello\\n" }\n  - expect: { text: "hello\\n" }\n  - close: ${c}\n`;
    writeFileSync(join(dir, 'again.yaml'), `covers: [RFC862-1]\ntimeout: 20000\nsteps:\n${echo('c')}  - exit: { code: 0, within: 5000 }\n  - start: { within: 10000 }\n${echo('d')}`);
    const [scenario] = await loadSuite(dir);
    const target: Target = { name: 'again', command: 'python3 fixtures/hostile/exits-leaving-a-child.py {port}', cwd: ROOT, readyTimeoutMs: 10_000 };
    const run = await runPlan(planIds([{ scenario: scenario!, target }]), { jobs: 1, strict: false, catalogue: await bundledCatalogue(), observers: [], signal: new AbortController().signal });
    expect(run.scenarios[0]!.outcome, JSON.stringify(run.scenarios[0]!.failure)).toBe('pass');
    // Both launches' children are gone when the run returns, and no group is left registered to be killed later.
    expect(left()).toEqual([]);
    expect(listGroups()).toEqual([]);
  });

  it('a daemon a server leaves behind (double fork, setsid) is found by its mark, killed and reported as leaked-process', async () => {
    const { r, ms } = await runHostile('leaves-a-daemon.py');
    expect(r.outcome).toBe('pass');
    expect(r.problems).toEqual([{ code: 'leaked-process', message: expect.stringMatching(/^pid \d+ \(.*leaves-a-daemon\.py \d+\) was still running after hostile \(pid \d+\) was stopped, outside its process group: killed with SIGKILL$/) }]);
    expect(notes(r)).toEqual([`leaked-process: ${r.problems![0]!.message}`]);
    const daemon = Number(/^pid (\d+)/.exec(r.problems![0]!.message)![1]);
    expect(await waitGone(daemon)).toBe(true);
    expect(ms).toBeLessThan(20_000);
  });

  it('a server that daemonizes with its port is stopped all the same, and its port is free again', async () => {
    const { r, ms } = await runHostile('daemonizes.py');
    // Whether the scenario may talk to the daemon at all is readiness's business (the program started exited 0);
    // either way the daemon holding the port is found, killed and named.
    expect(['pass', 'error']).toContain(r.outcome);
    expect(r.problems).toEqual([{ code: 'leaked-process', message: expect.stringMatching(/^pid \d+ \(.*daemonizes\.py \d+\) was still running after hostile \(pid \d+\) was stopped, outside its process group: killed with SIGKILL$/) }]);
    const daemon = Number(/^pid (\d+)/.exec(r.problems![0]!.message)![1]);
    expect(await waitGone(daemon)).toBe(true);
    expect(await accepts(portOf(r))).toBe(false);
    expect(ms).toBeLessThan(20_000);
  });

  it('a server that never listens is an error when the readiness timeout ends, and is stopped', async () => {
    const { r, ms } = await runHostile('never-listens.py', { readyTimeoutMs: 1500 });
    expect(r.outcome).toBe('error');
    expect(r.failure).toMatchObject({ code: 'not-ready', message: expect.stringMatching(/^the program did not listen on tcp port \d+ within 1500 ms/) });
    expect(r.problems).toBeUndefined();
    expect(ms).toBeGreaterThanOrEqual(1500);
    expect(ms).toBeLessThan(15_000);
  });

  it.each([
    ['SIGSEGV', 'dies-of-signal.py'],
    ['SIGKILL', 'dies-of-signal.py kill'],
  ])('a server that dies of %s mid-exchange fails the exchange, and the signal is named', async (signal, fixture) => {
    const { r, ms } = await runHostile(fixture);
    expect(r.outcome).toBe('fail');
    expect(r.failure?.code).toBe('mismatch');
    expect(r.problems).toEqual([{ code: 'killed-by-signal', message: expect.stringMatching(new RegExp(`^hostile \\(pid \\d+\\) died of ${signal} before the harness stopped it$`)) }]);
    expect(ms).toBeLessThan(15_000);
  });
});

describe('problems and interruptions in the reports', () => {
  /** A run of two passing scenarios, the first with a daemon left behind (its message holding a terminal escape), interrupted. */
  function runWithProblems() {
    const run = sampleRun();
    const [first] = run.scenarios;
    first!.problems = [{ code: 'leaked-process', message: 'pid 4242 (python3 daemon.py \x1b]0;title\x07) was still running after python (pid 4200) was stopped, outside its process group: killed with SIGKILL' }];
    return { ...run, interrupted: true };
  }

  it('the console shows one line per problem, escaped, and says the run was interrupted', () => {
    const lines = formatRunSummary(runWithProblems(), createStyle(false));
    const shown = lines.filter((l) => l.includes('leaked-process'));
    expect(shown).toEqual([expect.stringMatching(/^! .*: leaked-process: pid 4242 \(python3 daemon\.py .*\) was still running after python \(pid 4200\) was stopped/)]);
    expect(shown[0]).not.toContain('\x1b');
    expect(lines.at(-2)).toMatch(/, interrupted$/);
  });

  it('JUnit puts the problems in the test case\'s system-err; JSON keeps them and the interruption', () => {
    const run = runWithProblems();
    const xml = renderJunitReport(run);
    expect(xml).toMatch(/<system-err>leaked-process: pid 4242 \(python3 daemon\.py [^<]*\) was still running[^<]*\n<\/system-err>/);
    expect(xml).not.toContain('\x1b');
    const json = toJsonReport(run);
    expect(json.interrupted).toBe(true);
    expect(json.scenarios[0]!.problems).toEqual(run.scenarios[0]!.problems);
    expect(json.scenarios[1]!.problems).toBeUndefined();
  });
});
