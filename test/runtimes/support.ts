/**
 * What the runtime smoke tests (Bun, Deno) share: the project's root, the programs
 * they run, and the means to see that a run left no process behind. Node built-ins
 * only, so that every runtime loads it as it is.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root: commands run and scenario paths start there. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export const ECHO_REFERENCE = 'python3 fixtures/echo-ack/server/reference.py {port}';
export const UDP_REFERENCE = 'node dist/fixtures/udp-time/server/reference.js {port}';
export const UDP_LITTLE_ENDIAN = 'python3 fixtures/udp-time/server/little-endian.py {port}';
export const SPAWNS_GRANDCHILD = 'python3 fixtures/lifecycle/spawns-grandchild.py {port}';

/**
 * Scenario files for the process-group checks, in a temporary folder with their catalogue: `quick` connects,
 * waits 500 ms (time to look at the running processes) and closes; `stuck` waits far
 * past its 1 s scenario timeout.
 */
export function lifecycleScenarios(): { quick: string; stuck: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'sockspec-runtime-'));
  const quick = join(dir, 'quick.yaml');
  const stuck = join(dir, 'stuck.yaml');
  // A suite of its own: its catalogue beside it.
  writeFileSync(join(dir, 'requirements.yaml'), 'requirements:\n  - { id: ECHO-7, level: MUST, text: "the server keeps serving" }\n');
  writeFileSync(quick, 'covers: [ECHO-7]\nsteps:\n  - connect: c\n  - wait: 500\n  - close: c\n');
  // The scenario's time limit counts the program's start too: 5 s, so that a start slowed by a busy machine (the
  // smoke tests run beside vitest) still ends in the timeout this scenario is for, not in an interrupted start.
  writeFileSync(stuck, 'covers: [ECHO-7]\ntimeout: 5000\nsteps:\n  - connect: c\n  - wait: 60000\n');
  return { quick, stuck, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Whether `pid` is a live (non-zombie) process. */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** The process group of `pid` (from /proc), or undefined when it is gone. */
export function groupOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After "pid (comm) ": state, ppid, pgrp, …
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
  } catch {
    return undefined;
  }
}

/** A listener `spawns-grandchild.py` reports "<pid> <child pid>" to (via ANNOUNCE_PORT); resolves them on the first report. */
export async function pidWatcher(): Promise<{ port: number; pids: Promise<number[]>; close: () => void }> {
  let got!: (pids: number[]) => void;
  // Bounded: a fixture that never reports fails the test in 20 s instead of hanging it.
  const pids = new Promise<number[]>((r, reject) => {
    const timer = setTimeout(() => reject(new Error('the fixture never reported its pids')), 20_000);
    got = (p) => {
      clearTimeout(timer);
      r(p);
    };
  });
  const server = createServer((s) => {
    let text = '';
    s.on('data', (d) => {
      text += d;
      if (text.includes('\n')) got(text.trim().split(' ').map(Number));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, pids, close: () => server.close() };
}

/**
 * Run `run` against `spawns-grandchild.py` (told where to report by `env`), and look
 * at its processes while it runs: the pids it reported, the process group of each
 * then, and the run's result. Fails if the run ends before the fixture reported.
 */
export async function watchGroup<R extends RunLike>(run: (env: Record<string, string>) => Promise<R>): Promise<{ pids: number[]; groups: (number | undefined)[]; result: R }> {
  const watcher = await pidWatcher();
  try {
    const running = run({ ANNOUNCE_PORT: String(watcher.port) });
    const pids = await Promise.race([
      watcher.pids,
      running.then((r) => {
        throw new Error(`the run ended before the fixture reported its pids:\n${explain(r)}`);
      }),
    ]);
    const groups = pids.map(groupOf);
    return { pids, groups, result: await running };
  } finally {
    watcher.close();
  }
}

interface RunLike {
  scenarios: { id: string; outcome: string; failure?: { code: string; stepLabel?: string; message: string } }[];
}

/** One line per scenario that did not pass, for assertion messages. */
export function explain(run: RunLike): string {
  return run.scenarios
    .filter((s) => s.outcome !== 'pass')
    .map((s) => `${s.id}: ${s.outcome} ${s.failure?.code ?? ''} ${s.failure?.stepLabel ?? ''} ${s.failure?.message ?? ''}`)
    .join('\n');
}
