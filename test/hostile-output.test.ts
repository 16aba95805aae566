/**
 * Programs that flood, send an endless line, print megabytes of binary, or flood the
 * harness's listener: the CLI, run as a child, reports each with a clear code within
 * bounded time and bounded memory (its peak RSS, read by a preload at exit), writes
 * JSON and JUnit reports that parse whatever bytes came, and leaves nothing running.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';
import { wellFormednessProblems } from './xml-wellformed.js';

const tmp = mkdtempSync(join(tmpdir(), 'sockspec-hostile-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/**
 * Peak RSS the harness may reach on any of these runs (an idle run of one scenario peaks near 80 MB; the regex
 * worker thread adds its own heap; these runs measured 135–216 MiB, against 0.9–3.7 GB before the budgets).
 */
const PEAK_RSS_BOUND = 256 * 1024 * 1024;
const MiB = 1024 * 1024;

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
  peakRss: number;
  json: { scenarios: { id: string; outcome: string; failure?: { code: string; message: string }; transcript: { kind: string; detail?: string }[] }[] };
  jsonBytes: number;
  junit: string;
}

let runs = 0;

const tags: string[] = [];
afterAll(() => {
  // whatever happened, nothing this file started outlives it
  for (const pid of tags.flatMap(processesTagged)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
});

/**
 * Run the built CLI on `files` against `role` CMD (with a tag of its own, to find its
 * processes after), with every file reporter on. Past `deadlineMs` the run is
 * interrupted (SIGINT, then SIGKILL 5 s later) and the test fails on that.
 */
function run(files: string[], role: '--server' | '--client', command: string, deadlineMs: number, jobs = 2): Promise<Ran & { tag: string }> {
  const n = ++runs;
  const tag = `hostile-${process.pid}-${n}`;
  tags.push(tag);
  const rss = join(tmp, `rss-${n}`);
  const json = join(tmp, `report-${n}.json`);
  const junit = join(tmp, `report-${n}.xml`);
  const args = ['--import', './dist/bench/peak-rss.js', 'bin/sockspec.js', 'run', ...files, role, `${command} ${tag}`, '--jobs', String(jobs), '--reporter', 'console', '--reporter', `json=${json}`, '--reporter', `junit=${junit}`];
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, NO_COLOR: '1', SOCKSPEC_PEAK_RSS_FILE: rss } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout = (stdout + d).slice(-200_000)));
    child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-200_000)));
    let late = false;
    let kill: NodeJS.Timeout | undefined;
    const interrupt = setTimeout(() => {
      late = true;
      child.kill('SIGINT');
      kill = setTimeout(() => child.kill('SIGKILL'), 5000);
    }, deadlineMs);
    child.on('close', (code) => {
      clearTimeout(interrupt);
      clearTimeout(kill);
      const ms = performance.now() - started;
      if (late) return reject(new Error(`the run took more than ${deadlineMs} ms and was interrupted`));
      const text = readFileSync(json, 'utf8');
      resolve({ code, stdout, stderr, ms, tag, peakRss: Number(readFileSync(rss, 'utf8')), json: JSON.parse(text), jsonBytes: statSync(json).size, junit: readFileSync(junit, 'utf8') });
    });
  });
}

/** Pids of live processes whose command line holds `tag`. */
function processesTagged(tag: string): number[] {
  const found: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(tag)) found.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

function scenario(name: string, text: string): string {
  const p = join(tmp, `${name}.yaml`);
  writeFileSync(p, `name: ${name}\ncovers: [HELLO-3]\ntimeout: 15000\n${text}`);
  return p;
}

/** Expectations a server that sends without end can never satisfy, each with the code it must fail with. */
const AGAINST_A_STREAM: [string, string, string][] = [
  ['a-line', 'regex', `  - expect: { regex: '^[^\\n]*\\n', within: 8000 }\n`],
  ['the-end', 'timeout', `  - expect: { rest: true, within: 3000 }\n`],
  ['32-mib', 'too-much-data', `  - expect: { size: 33554432, within: 10000 }\n`],
  ['a-greeting', 'mismatch', `  - expect: { text: "hello\\n", within: 3000 }\n`],
  ['end-of-stream', 'unexpected-data', `  - expect: { eof: true, within: 3000 }\n`],
];

/** `lineCode`: what the line expectation gives (a binary flood holds newlines: it passes). */
function streamScenarios(prefix: string, copies: number, lineCode: string | null = 'mismatch'): { files: string[]; codes: Map<string, string | undefined> } {
  const files: string[] = [];
  const codes = new Map<string, string | undefined>();
  for (let i = 0; i < copies; i++) {
    for (const [name, code, step] of AGAINST_A_STREAM) {
      const f = scenario(`${prefix}-${name}-${i}`, `steps:\n  - connect: c\n${step}`);
      files.push(f);
      codes.set(f, code === 'regex' ? (lineCode ?? undefined) : code);
    }
  }
  return { files, codes };
}

/** What every run must show: valid reports, a bounded peak, nothing left running. */
function expectBounded(r: Ran & { tag: string }, scenarios: number): void {
  console.info(`${scenarios} scenarios: ${Math.round(r.ms)} ms, harness peak RSS ${(r.peakRss / MiB).toFixed(0)} MiB, JSON report ${(r.jsonBytes / 1024).toFixed(0)} KiB`);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.json.scenarios).toHaveLength(scenarios);
  expect(wellFormednessProblems(r.junit)).toEqual([]);
  expect(r.junit.match(/<testcase /g)).toHaveLength(scenarios);
  // every scenario's transcript within its budget: the report stays small whatever arrived
  expect(r.jsonBytes).toBeLessThan(scenarios * 1 * MiB);
  expect(r.peakRss).toBeGreaterThan(0);
  expect(r.peakRss).toBeLessThan(PEAK_RSS_BOUND);
  expect(processesTagged(r.tag)).toEqual([]);
}

describe('hostile programs cost bounded time and memory, and the reports stay valid', () => {
  it('10 scenarios against a server that sends one endless line', async () => {
    const { files, codes } = streamScenarios('endless', 2);
    const r = await run(files, '--server', 'python3 fixtures/hostile-output/endless-line.py {port}', 100_000);
    expect(r.code, r.stdout.slice(-3000)).toBe(1);
    for (const s of r.json.scenarios) {
      expect(s.outcome, s.id).toBe('fail');
      expect(s.failure?.code, `${s.id}: ${s.failure?.message}`).toBe(codes.get(s.id));
    }
    // too much data says how much arrived and what the window is
    expect(r.json.scenarios.find((s) => s.failure?.code === 'too-much-data')!.failure!.message).toMatch(/^[\d,]+ bytes arrived unconsumed .* at most 16 MiB ahead$/);
    // `rest` drops what it reads, and says how much came
    expect(r.json.scenarios.find((s) => s.id.includes('the-end'))!.failure!.message).toMatch(/within 3000 ms; [\d,]+ bytes arrived \(not kept\) and the stream did not end$/);
    // what was not kept is said, with where
    expect(r.json.scenarios.find((s) => s.id.includes('the-end'))!.transcript.find((e) => e.kind === 'elided')!.detail).toMatch(/^[\d,]+ bytes in [\d,]+ entries not kept, between t=/);
    expect(r.ms).toBeLessThan(90_000);
    expectBounded(r, 10);
  }, 120_000);

  it('a server that floods binary as fast as it can', async () => {
    const { files, codes } = streamScenarios('flood', 1, null);
    const r = await run(files, '--server', 'python3 fixtures/hostile-output/floods.py {port}', 70_000);
    expect(r.code).toBe(1);
    for (const s of r.json.scenarios) expect(s.failure?.code, `${s.id}: ${s.failure?.message}`).toBe(codes.get(s.id));
    expect(r.ms).toBeLessThan(60_000);
    expectBounded(r, 5);
  }, 90_000);

  it('a program that prints 8 MiB of binary on stdout', async () => {
    const files = [
      scenario('binary-served', `steps:\n  - connect: c\n  - expect: { text: "hello\\n", within: 5000 }\n`),
      scenario('binary-printed', `steps:\n  - connect: c\n  - expect: { text: "hello\\n", within: 5000 }\n  - stdout: { contains: "a line it never prints", within: 2000 }\n`),
    ];
    const r = await run(files, '--server', 'python3 fixtures/hostile-output/binary-stdout.py {port}', 70_000);
    expect(r.code, r.stdout.slice(-3000)).toBe(1);
    const [served, printed] = files.map((f) => r.json.scenarios.find((s) => s.id === f)!);
    expect(served!.outcome, served!.failure?.message).toBe('pass');
    expect(printed!.failure?.code).toBe('stdout-timeout');
    // the binary made it into the report, escaped: NUL and the escape character only as \x00 / \x1b text
    const text = readFileSync(join(tmp, `report-${runs}.json`), 'utf8');
    expect(text).toContain('\\\\x1b]0;owned');
    expect(r.junit).not.toMatch(/\x1b/);
    expect(r.ms).toBeLessThan(60_000);
    expectBounded(r, 2);
  }, 90_000);

  it('a client under test that floods the harness listener', async () => {
    const files = [
      scenario('client-flood-size', `role: client\nsteps:\n  - accept: s\n  - expect: { size: 33554432, within: 10000 }\n`),
      scenario('client-flood-rest', `role: client\nsteps:\n  - accept: s\n  - expect: { rest: true, within: 3000 }\n`),
      scenario('client-flood-line', `role: client\nsteps:\n  - accept: s\n  - expect: { regex: '^[^\\n]*\\n', within: 8000 }\n`),
    ];
    const r = await run(files, '--client', 'python3 fixtures/hostile-output/floods-listener.py {port}', 70_000);
    expect(r.code).toBe(1);
    const code = (f: string) => r.json.scenarios.find((s) => s.id === f)!.failure?.code;
    expect(files.map(code)).toEqual(['too-much-data', 'timeout', 'mismatch']);
    expect(r.ms).toBeLessThan(60_000);
    expectBounded(r, 3);
  }, 90_000);
});
