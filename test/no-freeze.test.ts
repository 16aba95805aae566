/**
 * Nothing a scenario or a program does can freeze the harness: a catastrophic regex
 * against a long line (on TCP or on stdout) and a repeat of ten million steps end
 * with a verdict in bounded time, through the real CLI, and Ctrl-C still ends the
 * run while such a match runs. Every CLI run is killed by an outer bound, so that a
 * frozen harness fails the test instead of hanging it.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'sockspec-no-freeze-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const LONG_LINE = 'python3 fixtures/hostile/sends-long-line.py {port}';
/** How long a CLI run may take before the test kills it (a frozen harness never ends by itself). */
const OUTER_MS = 45_000;
/** Each test: room for a CLI run killed at OUTER_MS, on a loaded machine. */
const TEST_MS = 90_000;

interface Ran {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  ms: number;
  killed: boolean;
}

/** Run the built CLI, killed with SIGKILL after OUTER_MS; `onSpawn` gets its pid. */
function cli(args: string[], env: Record<string, string> = {}, onSpawn?: (pid: number) => void): Promise<Ran> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['bin/sockspec.js', ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1', ...env } });
    let stdout = '';
    let stderr = '';
    let killed = false;
    const outer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, OUTER_MS);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('spawn', () => onSpawn?.(child.pid!));
    child.on('close', (code, signal) => {
      clearTimeout(outer);
      resolve({ code, signal, stdout, stderr, ms: performance.now() - t0, killed });
    });
  });
}

function write(name: string, text: string): string {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
}

interface Reported {
  outcome: string;
  durationMs: number;
  failure?: { code: string; message: string };
}

/** Run one scenario file against the long-line server; the JSON report's scenario. */
async function runOne(name: string, yaml: string, env: Record<string, string> = {}, onSpawn?: (pid: number) => void): Promise<{ ran: Ran; scenario: Reported }> {
  const report = join(tmp, `${name}.json`);
  const ran = await cli(['run', write(`${name}.yaml`, yaml), '--server', LONG_LINE, '--reporter', 'console', '--reporter', `json=${report}`], env, onSpawn);
  expect(ran.killed, `the CLI had to be killed after ${OUTER_MS} ms: the harness froze\n${ran.stdout}${ran.stderr}`).toBe(false);
  const scenario = (JSON.parse(readFileSync(report, 'utf8')) as { scenarios: Reported[] }).scenarios[0]!;
  return { ran, scenario };
}

/** Resolves when `file` exists (watching its folder), or rejects after `ms`. */
function appears(file: string, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const w = watch(tmp);
    const done = (e?: Error) => {
      clearTimeout(timer);
      w.close();
      if (e) reject(e);
      else resolve();
    };
    const timer = setTimeout(() => done(new Error(`${file} did not appear within ${ms} ms`)), ms);
    w.on('change', () => existsSync(file) && done());
    if (existsSync(file)) done();
  });
}

describe('a catastrophic regex cannot freeze the harness', { timeout: TEST_MS }, () => {
  it('on TCP: `(a+)+b` against a 50,000-character line ends at the scenario timeout', async () => {
    const { ran, scenario } = await runOne('tcp-linear', "covers: [ECHO-7]\ntimeout: 3000\nsteps:\n  - connect: c\n  - expect: { regex: '(a+)+b', within: 60000 }\n");
    expect(ran.code, ran.stdout + ran.stderr).toBe(1);
    expect(scenario.failure?.code).toBe('scenario-timeout');
    expect(scenario.durationMs).toBeLessThan(10_000);
  });

  it('on TCP: a pattern the linear-time engine cannot run (flag `i`) fails with regex-budget, not a hang', async () => {
    const { ran, scenario } = await runOne('tcp-budget', "covers: [ECHO-7]\ntimeout: 40000\nsteps:\n  - connect: c\n  - expect: { regex: '(a+)+b', flags: i, within: 40000 }\n");
    expect(ran.code, ran.stdout + ran.stderr).toBe(1);
    // The line may come in more than one read: the match that runs out of budget is against what had come.
    expect(scenario.failure?.message).toMatch(/^regex-budget: matching \/\(a\+\)\+b\/i against \d+ characters took more than 1000 ms/);
    expect(scenario.failure?.code).toBe('regex-budget');
    expect(scenario.durationMs).toBeLessThan(30_000);
  });

  it('on stdout: `(a+)+b` against the printed line ends at the scenario timeout', async () => {
    const { ran, scenario } = await runOne('stdout-linear', "covers: [ECHO-7]\ntimeout: 3000\nsteps:\n  - connect: c\n  - stdout: { regex: '(a+)+b', within: 60000 }\n");
    expect(ran.code, ran.stdout + ran.stderr).toBe(1);
    expect(['scenario-timeout', 'stdout-aborted']).toContain(scenario.failure?.code);
    expect(scenario.durationMs).toBeLessThan(10_000);
  });

  it('on stdout: a catastrophic pattern with a lookahead fails with regex-budget', async () => {
    const { ran, scenario } = await runOne('stdout-budget', "covers: [ECHO-7]\ntimeout: 40000\nsteps:\n  - connect: c\n  - stdout: { regex: '(a+)+(?=b)', within: 40000 }\n");
    expect(ran.code, ran.stdout + ran.stderr).toBe(1);
    expect(scenario.failure?.code).toBe('regex-budget');
    expect(scenario.failure?.message).toContain('took more than 1000 ms and was stopped');
    expect(scenario.durationMs).toBeLessThan(30_000);
  });

  it('Ctrl-C ends the run while a catastrophic match is going on', async () => {
    const mark = join(tmp, 'sent.mark');
    let cliPid = 0;
    const running = cli(
      ['run', write('sigint.yaml', "covers: [ECHO-7]\ntimeout: 120000\nsteps:\n  - connect: c\n  - expect: { regex: '(a+)+b', within: 120000 }\n"), '--server', LONG_LINE, '--reporter', 'console'],
      { SENT_MARK: mark },
      (pid) => (cliPid = pid),
    );
    await appears(mark, 30_000); // the line went out: the harness is matching it from now on
    const t0 = performance.now();
    process.kill(cliPid, 'SIGINT');
    const ran = await running;
    expect(ran.killed, 'the CLI ignored Ctrl-C and had to be killed').toBe(false);
    expect(ran.code).not.toBe(0);
    expect(performance.now() - t0).toBeLessThan(20_000);
  });
});

describe('a repeat cannot freeze the harness', { timeout: TEST_MS }, () => {
  it('ten million notes with `timeout: 3000` end with scenario-timeout after about 3 s', async () => {
    const yaml = 'covers: [ECHO-7]\ntimeout: 3000\nsteps:\n  - repeat:\n      times: 10000\n      steps:\n        - repeat: { times: 1000, steps: [ { note: x } ] }\n';
    const { ran, scenario } = await runOne('notes', yaml);
    expect(ran.code, ran.stderr).toBe(1);
    expect(scenario.failure?.code).toBe('scenario-timeout');
    expect(scenario.durationMs).toBeLessThan(6_000);
  });

  it('validation refuses repeats that expand past 10^7 steps or 10^4 branches at once, with file:line:col', async () => {
    const steps = write('too-many.yaml', 'covers: [ECHO-7]\nsteps:\n  - repeat:\n      times: 10000\n      steps:\n        - repeat: { times: 1001, steps: [ { note: x } ] }\n');
    const branches = write('too-wide.yaml', 'covers: [ECHO-7]\nsteps:\n  - repeat:\n      times: 200\n      parallel: true\n      steps:\n        - repeat: { times: 200, parallel: true, steps: [ { wait: 1 } ] }\n');
    const r = await cli(['validate', steps, branches]);
    expect(r.code).toBe(2);
    expect(r.stdout + r.stderr).toContain(`${steps}:4:7: too-many-steps: these repeats expand to 1.00e+7 steps`);
    expect(r.stdout + r.stderr).toContain(`${branches}:4:7: too-many-branches: these parallel repeats run 4.00e+4 branches at once`);
    expect(r.stdout + r.stderr).not.toMatch(/\n\s+at /);
  });
});
