/**
 * Programs die with the harness, even when it is killed with SIGKILL. Node cannot
 * give a child a parent-death signal (prctl PR_SET_PDEATHSIG), and each program runs
 * in a process group of its own; so the first launch of a harness process starts one
 * small watchdog (`watchdog.mjs`), in a group of its own, that holds the read end of
 * a pipe from us. We tell it "+PGID" and "-PGID" as groups start and end. When the
 * pipe ends — we exited, crashed or were killed, whatever the way — it SIGKILLs the
 * groups still registered and every process carrying our mark (owner-marker.ts),
 * then exits. It costs one process per harness process, not one per program, and
 * nothing on the way of a launch but a line written to a pipe. Neither the process
 * nor the pipe keeps the harness alive (both are unref'd), in the CLI as in a
 * test runner's worker.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { PACKAGE_ROOT } from '../package-root.js';
import { helperEnv } from './owner-marker.js';

/** The watchdog's script, shipped beside the compiled code's sources. */
export const WATCHDOG_SCRIPT = resolve(PACKAGE_ROOT, 'harness/process/watchdog.mjs');

interface Dog {
  child: ChildProcess;
  stdin: Writable;
}

/** Undefined until the first launch; null when it could not be started (we go on without it). */
let dog: Dog | null | undefined;

/** How this runtime runs a script: Deno needs `run` and its permissions. */
function scriptArgv(script: string): string[] {
  const versions = process.versions as Record<string, string | undefined>;
  if (versions.deno !== undefined) return ['run', '--allow-all', script];
  return [script];
}

function start(): Dog | null {
  if (process.platform === 'win32') return null;
  const env = helperEnv();
  try {
    const child = spawn(process.execPath, [...scriptArgv(WATCHDOG_SCRIPT), String(process.pid)], { detached: true, stdio: ['pipe', 'ignore', 'ignore'], env });
    const stdin = child.stdin!;
    // A watchdog that failed to start or died: we carry on without one.
    child.on('error', () => {
      if (dog?.child === child) dog = null;
    });
    child.on('exit', () => {
      if (dog?.child === child) dog = null;
    });
    stdin.on('error', () => {});
    child.unref();
    (stdin as unknown as { unref?: () => void }).unref?.();
    return { child, stdin };
  } catch {
    return null;
  }
}

/** Tell the watchdog (started now if need be) that group `pgid` started (`+`) or is gone (`-`). */
export function tellWatchdog(change: '+' | '-', pgid: number): void {
  if (dog === undefined) {
    if (change === '-') return;
    dog = start();
  }
  if (!dog) return;
  try {
    dog.stdin.write(`${change}${pgid}\n`);
  } catch {
    // the watchdog is gone; the exit handlers still kill the groups
  }
}

/** The watchdog's pid, or undefined when none runs (for tests). */
export function watchdogPid(): number | undefined {
  return dog?.child.pid;
}
