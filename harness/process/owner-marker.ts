/**
 * The mark every launched program carries in its environment, `SOCKSPEC_OWNER=<harness
 * pid>.<program serial>`, inherited by everything it starts: a program that leaves
 * its process group (a daemon: double fork and `setsid`) is still found by it.
 * Found by reading `/proc/<pid>/environ` (Linux; processes of our own user only).
 */
import { readdirSync } from 'node:fs';
import { readProcText, readProcView } from './proc-read.js';

/** The environment variable holding the mark. */
export const OWNER_VAR = 'SOCKSPEC_OWNER';

let serial = 0;

/** A fresh mark for the next program launched by this process. */
export function nextOwnerMark(): string {
  return `${process.pid}.${++serial}`;
}

/**
 * The environment of a helper process of the harness (the watchdog, the spawner): ours,
 * without a mark (it is not a program under test, and an outer harness must not take it
 * for one) and without NODE_OPTIONS (a preload meant for the programs).
 */
export function helperEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env[OWNER_VAR];
  delete env.NODE_OPTIONS;
  return env;
}

/** The prefix every mark of this process starts with. */
export function ownMarkPrefix(): string {
  return `${process.pid}.`;
}

export interface MarkedProcess {
  pid: number;
  /** Its process group now. */
  pgid: number;
  /** Its command line, arguments separated by spaces (at most 300 characters). */
  command: string;
}

const NEEDLE = Buffer.from(`${OWNER_VAR}=`);

/** The mark in an `environ` block, or undefined. */
function markIn(environ: Buffer): string | undefined {
  for (let at = environ.indexOf(NEEDLE); at >= 0; at = environ.indexOf(NEEDLE, at + 1)) {
    if (at > 0 && environ[at - 1] !== 0) continue;
    const end = environ.indexOf(0, at);
    return environ.subarray(at + NEEDLE.length, end < 0 ? environ.length : end).toString('latin1');
  }
  return undefined;
}

/** State and process group from `/proc/<pid>/stat`, or undefined when it is gone. */
function statOf(pid: string): { state: string; pgid: number } | undefined {
  try {
    const stat = readProcText(`/proc/${pid}/stat`);
    // After "pid (comm) ": state ppid pgrp …; the command name may hold spaces and parentheses.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: rest[0] ?? '', pgid: Number(rest[2]) };
  } catch {
    return undefined;
  }
}

function commandOf(pid: string): string {
  try {
    const text = readProcText(`/proc/${pid}/cmdline`).replace(/\0+$/, '').replace(/\0/g, ' ');
    return text.length > 300 ? `${text.slice(0, 299)}…` : text;
  } catch {
    return '';
  }
}

/** Where the allocation of process ids stood: the last pid handed out (in our pid namespace), forks since boot, tasks now. */
export interface PidPoint {
  last: number;
  forks: number;
  tasks: number;
}

/** Pids the kernel keeps for itself: allocation wraps around to just above them. */
const RESERVED_PIDS = 300;

let pidMaxRead: number | undefined;
function pidMax(): number {
  try {
    pidMaxRead ??= Number(readProcText('/proc/sys/kernel/pid_max'));
  } catch {
    pidMaxRead = 0;
  }
  return pidMaxRead;
}

/** The allocation of pids now, or undefined where it cannot be read. */
export function pidPoint(): PidPoint | undefined {
  try {
    // "0.12 0.10 0.05 2/345 6789": runnable/all tasks (threads included: they take pids too), and the last pid
    // handed out in our pid namespace (what ns_last_pid holds): one read for both, each read of /proc costing.
    const load = /\/(\d+) (\d+)/.exec(readProcText('/proc/loadavg'));
    const forks = /^processes (\d+)$/m.exec(readProcText('/proc/stat'))?.[1];
    if (!load || forks === undefined) return undefined;
    return { last: Number(load[2]), forks: Number(forks), tasks: Number(load[1]) };
  } catch {
    return undefined;
  }
}

/**
 * Which pids can belong to a process started between `since` and `now`: those handed out
 * after `since.last` up to `now.last`, allocation going round from `max` back to the
 * reserved ones. Undefined (any pid may) when allocation may have gone all the way round
 * meanwhile: it moves one pid per fork, plus the pids in use it passes over.
 */
export function pidsSince(since: PidPoint, now: PidPoint, max: number): ((pid: number) => boolean) | undefined {
  const moved = now.forks - since.forks + 2 * Math.max(since.tasks, now.tasks) + 1000;
  if (max <= RESERVED_PIDS || moved >= max - RESERVED_PIDS) return undefined;
  const a = since.last;
  const b = now.last;
  return a <= b ? (pid) => pid > a && pid <= b : (pid) => pid > a || pid <= b;
}

/**
 * Live processes (zombies left out) whose mark passes `wanted`, except ourselves; with
 * `since` (taken before the marked program started), only those started after it: a
 * stop does not read the environment of every process on the machine.
 * Empty where there is no `/proc` (not Linux): there, only process groups are killed.
 */
export function markedProcesses(wanted: (mark: string) => boolean, since?: PidPoint): MarkedProcess[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const now = since && pidPoint();
  const younger = since && now ? pidsSince(since, now, pidMax()) : undefined;
  const found: MarkedProcess[] = [];
  for (const name of entries) {
    const c = name.charCodeAt(0);
    if (c < 48 || c > 57 || Number(name) === process.pid) continue;
    if (younger && !younger(Number(name))) continue;
    let environ: Buffer;
    try {
      environ = readProcView(`/proc/${name}/environ`); // read before the next file is
    } catch {
      continue; // another user's, or gone
    }
    const mark = markIn(environ);
    if (mark === undefined || !wanted(mark)) continue;
    const stat = statOf(name);
    if (!stat || stat.state === 'Z' || stat.state === 'X') continue;
    found.push({ pid: Number(name), pgid: stat.pgid, command: commandOf(name) });
  }
  return found;
}
