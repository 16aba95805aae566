/**
 * Runs you can stop: `sockspec run` as a real child process, stopped the ways users and
 * CI systems stop it. SIGKILL (a CI timeout) leaves no program of the run behind; the
 * first Ctrl-C or SIGTERM ends the run within 2 s with its reports written and marked
 * interrupted, exit 130; a second one ends it at once. Also a process using the
 * library (a test runner's worker) killed with SIGKILL, and one that ends by itself.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { markedProcesses } from '../harness/process/owner-marker.js';
import { isGone, pollUntil, waitGone } from '../harness/process/test-probes.js';
import { ROOT } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'sockspec-signals-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Processes started by harness process `pid` (they carry its mark) that still run. */
const runBy = (pid: number) => markedProcesses((m) => m.startsWith(`${pid}.`));

/**
 * Those of `runBy(pid)` left once the watchdog of a killed harness `pid` has had up to
 * `ms` to kill them: it kills one after another, so the announced pids may be gone
 * before the rest.
 */
const orphansOf = (pid: number, ms = 10_000) => pollUntil(() => runBy(pid), (left) => left.length === 0, ms);

/** Harness processes the tests started, and the pids their programs announced: whatever survives a failed test is killed after it. */
const harnesses: number[] = [];
const announced: number[] = [];
afterEach(() => {
  for (const pid of announced.splice(0)) {
    if (isGone(pid)) continue;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  for (const pid of harnesses.splice(0)) {
    for (const p of runBy(pid)) process.kill(p.pid, 'SIGKILL');
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
});

/** A folder of `n` scenarios that each wait 100 s on an open connection. */
function foreverSuite(n: number): string {
  const dir = mkdtempSync(join(tmp, 'forever-'));
  mkdirSync(dir, { recursive: true });
  for (let i = 1; i <= n; i++) writeFileSync(join(dir, `forever-${i}.yaml`), 'covers: [ECHO-7]\ntimeout: 120000\nsteps:\n  - connect: c\n  - wait: 100000\n');
  return dir;
}

/** Where the hostile fixtures tell their pids (ANNOUNCE_PORT): `next(n)` waits (bounded) for the first `n` reports. */
async function announcements(): Promise<{ port: number; next: (n: number) => Promise<number[][]>; close: () => void }> {
  const reports: number[][] = [];
  const waiters = new Set<() => void>();
  const server: Server = createServer((s) => {
    let text = '';
    s.on('data', (d) => {
      text += d;
      if (!text.endsWith('\n')) return;
      const pids = text.trim().split(' ').map(Number);
      reports.push(pids);
      announced.push(...pids);
      for (const w of [...waiters]) w();
    });
    s.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const next = (n: number) =>
    new Promise<number[][]>((resolve, reject) => {
      const check = () => {
        if (reports.length < n) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve(reports.slice(0, n));
      };
      const timer = setTimeout(() => (waiters.delete(check), reject(new Error(`only ${reports.length} of ${n} programs reported their pids in 30 s`))), 30_000);
      waiters.add(check);
      check();
    });
  return { port: (server.address() as AddressInfo).port, next, close: () => server.close() };
}

interface Cli {
  child: ChildProcess;
  pid: number;
  /** Exit status and signal, and when (performance.now()) it exited. */
  exited: Promise<{ code: number | null; signal: string | null; at: number }>;
  stderr: () => string;
  /** Resolves once stderr contains `text` (bounded). */
  stderrSays: (text: string) => Promise<void>;
}

/** Start `node bin/sockspec.js run …` against a hostile fixture. */
function startRun(args: string[], announcePort: number): Cli {
  const child = spawn(process.execPath, ['bin/sockspec.js', 'run', ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1', ANNOUNCE_PORT: String(announcePort) }, stdio: ['ignore', 'pipe', 'pipe'] });
  harnesses.push(child.pid!);
  let stderr = '';
  const listeners = new Set<() => void>();
  child.stdout!.resume();
  child.stderr!.on('data', (d) => {
    stderr += d;
    for (const l of [...listeners]) l();
  });
  const exited = new Promise<{ code: number | null; signal: string | null; at: number }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, at: performance.now() })));
  const stderrSays = (text: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!stderr.includes(text)) return;
        clearTimeout(timer);
        listeners.delete(check);
        resolve();
      };
      const timer = setTimeout(() => (listeners.delete(check), reject(new Error(`stderr never said ${JSON.stringify(text)}: ${stderr}`))), 20_000);
      listeners.add(check);
      check();
    });
  return { child, pid: child.pid!, exited, stderr: () => stderr, stderrSays };
}

/** Wait (bounded) for the run to exit; a run that does not is killed and the test fails. */
async function exitOf(cli: Cli, ms: number): Promise<{ code: number | null; signal: string | null; at: number }> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), ms)));
  const exit = await Promise.race([cli.exited, late]);
  clearTimeout(timer);
  if (!exit) {
    cli.child.kill('SIGKILL');
    throw new Error(`sockspec did not exit within ${ms} ms; stderr: ${cli.stderr()}`);
  }
  return exit;
}

/** Wait (bounded) until every pid is gone; returns those still running. */
async function survivors(pids: number[]): Promise<number[]> {
  const gone = await Promise.all(pids.map((p) => waitGone(p, 10_000)));
  return pids.filter((_, i) => !gone[i]);
}

const SERVER = (fixture: string) => `python3 fixtures/hostile/${fixture} {port}`;

describe('sockspec run stopped by a signal', () => {
  it('SIGKILL of sockspec: no program of the run survives it, not even a daemon', async () => {
    const watch = await announcements();
    try {
      const cli = startRun([foreverSuite(3), '--server', SERVER('leaves-a-daemon.py'), '--jobs', '3', '--reporter', 'console'], watch.port);
      const pids = (await watch.next(3)).flat();
      expect(pids).toHaveLength(6); // three servers and their three daemons
      expect(runBy(cli.pid).length).toBeGreaterThanOrEqual(6);
      const t0 = performance.now();
      cli.child.kill('SIGKILL');
      await exitOf(cli, 20_000);
      const alive = await survivors(pids);
      const orphans = await orphansOf(cli.pid);
      console.log(`after SIGKILL of sockspec: ${orphans.length} orphans, ${alive.length} of the 6 announced processes alive, all gone after ${Math.round(performance.now() - t0)} ms`);
      expect(alive).toEqual([]);
      expect(orphans).toEqual([]);
    } finally {
      watch.close();
    }
  });

  it.each(['SIGINT', 'SIGTERM'] as const)('the first %s starts no more scenarios, stops those running within 2 s, writes the reports (interrupted) and exits 130', async (signal) => {
    const watch = await announcements();
    try {
      const report = join(tmp, `interrupted-${signal}.json`);
      // Six scenarios of 100 s, two at a time, against a server that ignores SIGTERM: the worst case.
      const cli = startRun([foreverSuite(6), '--server', SERVER('ignores-sigterm.py'), '--jobs', '2', '--reporter', 'console', '--reporter', `json=${report}`], watch.port);
      const pids = (await watch.next(2)).flat();
      const t0 = performance.now();
      cli.child.kill(signal);
      const exit = await exitOf(cli, 30_000);
      const ms = Math.round(exit.at - t0);
      console.log(`first ${signal} to exit: ${ms} ms`);
      expect(exit.code).toBe(130);
      // 2 s, plus a margin for a loaded machine.
      expect(ms).toBeLessThan(4000);
      const json = JSON.parse(readFileSync(report, 'utf8'));
      expect(json.interrupted).toBe(true);
      // The two scenarios in flight, cut short; the four never started are left out.
      expect(json.scenarios.map((s: { failure?: { code: string } }) => s.failure?.code)).toEqual(['interrupted', 'interrupted']);
      expect(await survivors(pids)).toEqual([]);
      expect(runBy(cli.pid)).toEqual([]);
    } finally {
      watch.close();
    }
  });

  it('a second SIGINT ends the run at once, and kills every program, daemons included', async () => {
    const watch = await announcements();
    try {
      const cli = startRun([foreverSuite(2), '--server', SERVER('leaves-a-daemon.py'), '--jobs', '2', '--reporter', 'console'], watch.port);
      const pids = (await watch.next(2)).flat();
      cli.child.kill('SIGINT');
      await cli.stderrSays('interrupted');
      const t0 = performance.now();
      cli.child.kill('SIGINT');
      const exit = await exitOf(cli, 20_000);
      const ms = Math.round(exit.at - t0);
      console.log(`second SIGINT to exit: ${ms} ms`);
      expect(exit.code).toBe(130);
      expect(ms).toBeLessThan(2000);
      expect(await survivors(pids)).toEqual([]);
      expect(runBy(cli.pid)).toEqual([]);
    } finally {
      watch.close();
    }
  });
});

describe('a process using the library (as a test runner worker does)', () => {
  /** Run a script that launches `leaves-a-daemon.py` through the library and then does `then`. */
  function libraryUser(then: string, announcePort: number): Cli {
    const script = join(tmp, `library-user-${Math.random().toString(16).slice(2)}.mts`);
    const launchTs = join(ROOT, 'harness/process/launch.ts');
    writeFileSync(
      script,
      [
        `import { launch } from ${JSON.stringify(launchTs)};`,
        "const l = launch({ argv: ['python3', 'fixtures/hostile/leaves-a-daemon.py', '0'], cwd: process.argv[2] });",
        then,
      ].join('\n'),
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script, ROOT], { cwd: ROOT, env: { ...process.env, ANNOUNCE_PORT: String(announcePort) }, stdio: ['pipe', 'ignore', 'pipe'] });
    harnesses.push(child.pid!);
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const exited = new Promise<{ code: number | null; signal: string | null; at: number }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, at: performance.now() })));
    return { child, pid: child.pid!, exited, stderr: () => stderr, stderrSays: async () => {} };
  }

  it('killed with SIGKILL: its programs die too, daemons included', async () => {
    const watch = await announcements();
    try {
      const user = libraryUser('setInterval(() => {}, 1000);', watch.port);
      const pids = (await watch.next(1)).flat();
      user.child.kill('SIGKILL');
      await exitOf(user, 20_000);
      expect(await survivors(pids)).toEqual([]);
      expect(await orphansOf(user.pid)).toEqual([]);
    } finally {
      watch.close();
    }
  });

  it('ends by itself once its programs are stopped: the watchdog keeps it alive no longer than that', async () => {
    const watch = await announcements();
    try {
      // Told to stop on a line on stdin, then nothing is left to do: it must end by itself.
      const user = libraryUser("process.stdin.once('data', async () => { const e = await l.stop(); console.error(JSON.stringify(e.problems ?? [])); process.stdin.destroy(); });", watch.port);
      const pids = (await watch.next(1)).flat();
      user.child.stdin!.end('stop\n');
      const exit = await exitOf(user, 30_000);
      expect(exit.code, user.stderr()).toBe(0);
      expect(user.stderr()).toContain('leaked-process');
      expect(await survivors(pids)).toEqual([]);
    } finally {
      watch.close();
    }
  });
});
