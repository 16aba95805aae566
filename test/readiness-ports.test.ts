/**
 * Readiness that never takes another program's socket for the program under test,
 * and fixed ports that scenarios never share at once: across targets of one run and
 * across two `sockspec` processes, each program gone and its port free before the next.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { performance } from 'node:perf_hooks';
import { freePort } from '../harness/process/free-port.js';
import { heldMachineWide, lockMachineWide, portReservationName } from '../harness/process/machine-lock.js';
import { loadScenarioFile } from '../harness/scenario/load.js';
import type { Scenario } from '../harness/scenario/model.js';
import type { Target } from '../harness/run/program.js';
import type { RunResult } from '../harness/run/result.js';
import { planIds, runPlan } from '../harness/run/run-plan.js';
import { alive } from './runtimes/support.js';
import { bundledCatalogue, explain, ROOT } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'sockspec-ports-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A scenario that connects and reads the fixtures' `hello`. */
const GREETED = 'covers: [ECHO-7]\nsteps:\n  - connect: c\n  - expect: { text: "hello", within: 5000 }\n';

function write(name: string, text: string): string {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
}

async function load(file: string): Promise<Scenario> {
  const cat = await bundledCatalogue();
  const l = await loadScenarioFile(file, ROOT, new Set(cat.byId.keys()));
  if (!l.scenario) throw new Error(JSON.stringify(l.diagnostics));
  return l.scenario;
}

/** Run every scenario against every target, `jobs` at once. */
async function run(scenarios: Scenario[], targets: Target[], jobs = 2, signal = new AbortController().signal): Promise<RunResult> {
  return runPlan(planIds(targets.flatMap((target) => scenarios.map((scenario) => ({ scenario, target })))), {
    jobs,
    strict: false,
    catalogue: await bundledCatalogue(),
    observers: [],
    signal,
  });
}

const target = (name: string, command: string, extra: Partial<Target> = {}): Target => ({ name, command, cwd: ROOT, readyTimeoutMs: 20_000, ...extra });

/** A listener of the test's own on 127.0.0.1:`port`: the "other program" that holds the port. */
function hold(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const s = createServer((c) => c.end('not the program under test\n'));
    s.once('error', reject);
    s.listen({ port, host: '127.0.0.1', exclusive: true }, () => resolve(s));
  });
}

/** A port free now, and a listener of ours holding it. */
async function heldPort(): Promise<{ port: number; server: Server }> {
  for (let i = 0; ; i++) {
    const port = await freePort('tcp');
    try {
      return { port, server: await hold(port) };
    } catch (e) {
      if (i >= 10) throw e; // someone else took it in between, ten times over
    }
  }
}

const close = (s: Server) => new Promise<void>((r) => s.close(() => r()));

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run the built CLI, reporting to the console only. */
function cli(args: string[], env: Record<string, string> = {}): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/sockspec.js', ...args, '--reporter', 'console'], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** `what pid time` lines of a lifetime log. */
function lifetimeLog(file: string): { what: string; pid: number; t: number }[] {
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [what, pid, t] = line.split(' ');
      return { what: what!, pid: Number(pid), t: Number(t) };
    });
}

describe('readiness: only the program under test, alive, counts', () => {
  it('a program that exits 1 at once while another program holds its fixed port is an error with exit 2, 10 times in 10', async () => {
    const { port, server } = await heldPort();
    const s = write('greeted.yaml', GREETED);
    try {
      const outcomes: string[] = [];
      for (let i = 0; i < 10; i++) {
        const r = await cli(['run', s, '--server', 'python3 fixtures/readiness/exits-at-once.py', '--port', String(port)]);
        outcomes.push(`${r.code}`);
        expect(r.code, r.stdout + r.stderr).toBe(2);
        expect(r.stdout).toMatch(/exited-early: the program exited before listening on tcp port \d+ \(exit status 1\)/);
        expect(r.stdout).toContain(`by pid ${process.pid} (node), outside the program's process group`);
        expect(r.stdout).toContain('exits at once, without listening');
      }
      expect(outcomes).toEqual(Array(10).fill('2'));
    } finally {
      await close(server);
    }
  }, 300_000);

  it('a server that meets EADDRINUSE on a port another program holds is never ready: each scenario is an error quoting its exit', async () => {
    const { port, server } = await heldPort();
    try {
      const scenarios = await Promise.all([1, 2, 3, 4, 5].map((i) => load(write(`in-use-${i}.yaml`, GREETED))));
      const r = await run(scenarios, [target('in-use', 'python3 fixtures/readiness/address-in-use.py {port}', { fixedPort: port })]);
      expect(r.scenarios.map((x) => x.outcome)).toEqual(Array(5).fill('error'));
      for (const x of r.scenarios) {
        expect(x.failure?.code).toBe('exited-early');
        expect(x.failure?.message).toContain('(exit status 1)');
        expect(x.failure?.message).toContain(`cannot listen on 127.0.0.1:${port}: Address already in use`);
        expect(x.failure?.message).toContain(`tcp port ${port} is bound on 127.0.0.1 by pid ${process.pid} (node), outside the program's process group`);
      }
      expect(r.exitCode).toBe(2);
    } finally {
      await close(server);
    }
  }, 180_000);

  it('a program whose kernel-picked port another program took before it could bind is started again on a new port', async () => {
    const marker = join(tmp, 'taken-marker');
    rmSync(marker, { force: true });
    const s = await load(write('taken-first.yaml', GREETED));
    try {
      const r = await run([s], [target('taken', 'python3 fixtures/readiness/port-taken-first-time.py {port}', { env: { TAKEN_MARKER: marker } })]);
      expect(explain(r), JSON.stringify(r.scenarios[0]?.transcript.map((e) => [e.t, e.kind, e.detail]))).toBe('');
      const notes = r.scenarios[0]!.transcript.filter((e) => e.kind === 'note').map((e) => e.detail);
      expect(notes).toContainEqual(expect.stringMatching(/^port \d+ was not free when the program came to bind it, through no doing of its own \(the program exited before listening on tcp port \d+ \(exit status 1\).*Address already in use\): starting it again on another port$/));
    } finally {
      const helper = Number(readFileSync(marker, 'utf8'));
      if (helper > 1 && alive(helper)) process.kill(helper, 'SIGKILL');
    }
  });

  it('what a program prints before it listens is seen by a `stdout:` step', async () => {
    const s = await load(write('printed-early.yaml', 'covers: [ECHO-7]\nsteps:\n  - stdout: { contains: "starting on port", within: 5000 }\n  - connect: c\n  - expect: { text: "hello", within: 5000 }\n'));
    const r = await run([s], [target('early', 'python3 fixtures/readiness/prints-then-listens.py {port}')]);
    expect(explain(r), JSON.stringify(r.scenarios[0]?.transcript)).toBe('');
    expect(r.scenarios[0]?.outcome).toBe('pass');
  });
});

describe('fixed ports: one scenario at a time, the last program gone first', () => {
  it('two targets on one fixed port: a listener the previous program left behind is taken down before the next starts', async () => {
    const port = await freePort('both');
    const log = join(tmp, 'left-behind.log');
    writeFileSync(log, '');
    const scenarios = await Promise.all([1, 2].map((i) => load(write(`left-${i}.yaml`, GREETED))));
    const env = { LIFETIME_LOG: log };
    const cmd = 'python3 fixtures/readiness/leaves-listener-behind.py {port}';
    let events: ReturnType<typeof lifetimeLog> = [];
    try {
      const r = await run(scenarios, [target('a', cmd, { fixedPort: port, env }), target('b', cmd, { fixedPort: port, env })]);
      events = lifetimeLog(log);
      const shown = readFileSync(log, 'utf8');
      expect(explain(r), shown).toBe('');
      expect(events.filter((e) => e.what === 'refused'), shown).toEqual([]);
      expect(events.filter((e) => e.what === 'start'), shown).toHaveLength(4);
      // Every child that escaped its group with the listener is gone by now.
      const escaped = events.filter((e) => e.what === 'escaped').map((e) => e.pid);
      expect(escaped, shown).toHaveLength(4);
      expect(escaped.filter(alive), shown).toEqual([]);
    } finally {
      for (const e of events.length ? events : lifetimeLog(log)) if (alive(e.pid)) process.kill(e.pid, 'SIGKILL');
    }
  }, 180_000);

  it('two sockspec processes on one fixed port never run their programs at once', async () => {
    const port = await freePort('both');
    const log = join(tmp, 'two-processes.log');
    writeFileSync(log, '');
    const files = [0, 1, 2].map((i) => write(`lifetime-${i}.yaml`, GREETED));
    const cmd = 'python3 fixtures/readiness/logs-lifetime.py {port}';
    const both = await Promise.all([0, 1].map(() => cli(['run', ...files, '--server', cmd, '--port', String(port), '--jobs', '2'], { LIFETIME_LOG: log })));
    for (const r of both) expect(r.code, r.stdout + r.stderr).toBe(0);
    const events = lifetimeLog(log);
    expect(events.filter((e) => e.what === 'refused')).toEqual([]);
    const lives = new Map<number, { start: number; stop: number }>();
    for (const e of events) {
      const l = lives.get(e.pid) ?? { start: NaN, stop: NaN };
      if (e.what === 'start') l.start = e.t;
      if (e.what === 'stop') l.stop = e.t;
      lives.set(e.pid, l);
    }
    const sorted = [...lives.values()].sort((a, b) => a.start - b.start);
    expect(sorted).toHaveLength(6);
    for (const l of sorted) expect(l.stop).toBeGreaterThan(l.start);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]!.start, JSON.stringify(sorted)).toBeGreaterThan(sorted[i - 1]!.stop);
  }, 180_000);

  it('the time a scenario waits for a fixed port another sockspec process holds is not its own, and an interrupted run stops the wait', async () => {
    const port = await freePort('both');
    // What another sockspec process running a scenario on the port holds.
    const other = await lockMachineWide(`port-${port}`);
    const letGo = setTimeout(other, 30_000); // bounded whatever happens
    const interrupt = new AbortController();
    try {
      const s = await load(write('waits-for-port.yaml', `timeout: 1000\n${GREETED}`));
      const t0 = performance.now();
      // Twice the scenario's own limit: it is still waiting for the port, not out of time.
      const stop = setTimeout(() => interrupt.abort(), 2000);
      const r = await run([s], [target('waits', 'python3 fixtures/readiness/logs-lifetime.py {port}', { fixedPort: port, env: { LIFETIME_LOG: join(tmp, 'never.log') } })], 2, interrupt.signal);
      clearTimeout(stop);
      expect(r.interrupted).toBe(true);
      expect(r.scenarios[0]?.failure).toMatchObject({ code: 'interrupted' });
      expect(performance.now() - t0).toBeGreaterThanOrEqual(2000);
      expect(performance.now() - t0).toBeLessThan(20_000);
      // Nothing was started: the port never came free.
      expect(existsSync(join(tmp, 'never.log'))).toBe(false);
    } finally {
      clearTimeout(letGo);
      other();
    }
  });
});

describe('free ports', () => {
  it("are never a port the run's plan uses as a fixed one, in this process or another, while the run lasts", async () => {
    // A port free now, which the plan's target takes as its fixed one (its program is started on it).
    const fixed = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const s = await load(write('fixed-port-reserved.yaml', 'covers: [ECHO-7]\nsteps:\n  - connect: c\n  - send: { text: "x" }\n  - expect: { text: "x", within: 5000 }\n'));
    const target: Target = { name: 'echo', command: 'node dist/bench/echo-server.js {port}', cwd: ROOT, readyTimeoutMs: 10_000, fixedPort: fixed };
    const seen: { reserved: boolean; drawnFixed: boolean }[] = [];
    // At the scenario's start, before its program binds the port: reserved machine-wide, so a draw that would give it passes over it.
    const onScenarioStart = async () => {
      // The fixed port, then whatever the kernel picks.
      const draws = [fixed];
      seen.push({ reserved: await heldMachineWide(portReservationName(fixed)), drawnFixed: (await freePort('tcp', () => draws.shift() ?? 0)) === fixed });
    };
    expect(await heldMachineWide(portReservationName(fixed))).toBe(false);
    const run = await runPlan(planIds([{ scenario: s, target }]), { jobs: 1, strict: false, catalogue: await bundledCatalogue(), observers: [{ onScenarioStart }], signal: new AbortController().signal });
    expect(explain(run)).toBe('');
    expect(seen).toEqual([{ reserved: true, drawnFixed: false }]);
    // Let go with the run.
    expect(await heldMachineWide(portReservationName(fixed))).toBe(false);
  });
});
