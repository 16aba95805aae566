/**
 * The mark every launched program carries in its environment, `SOCKSPEC_OWNER=<harness
 * pid>.<program serial>`, inherited by everything it starts: a program that leaves
 * its process group (a daemon: double fork and `setsid`) is still found by it.
 * Found by reading `/proc/<pid>/environ` (Linux; processes of our own user only).
 */
import { readdirSync, readFileSync } from 'node:fs';

/** The environment variable holding the mark. */
export const OWNER_VAR = 'SOCKSPEC_OWNER';

let serial = 0;

/** A fresh mark for the next program launched by this process. */
export function nextOwnerMark(): string {
  return `${process.pid}.${++serial}`;
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
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // After "pid (comm) ": state ppid pgrp …; the command name may hold spaces and parentheses.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: rest[0] ?? '', pgid: Number(rest[2]) };
  } catch {
    return undefined;
  }
}

function commandOf(pid: string): string {
  try {
    const text = readFileSync(`/proc/${pid}/cmdline`, 'latin1').replace(/\0+$/, '').replace(/\0/g, ' ');
    return text.length > 300 ? `${text.slice(0, 299)}…` : text;
  } catch {
    return '';
  }
}

/**
 * Live processes (zombies left out) whose mark passes `wanted`, except ourselves.
 * Empty where there is no `/proc` (not Linux): there, only process groups are killed.
 */
export function markedProcesses(wanted: (mark: string) => boolean): MarkedProcess[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const found: MarkedProcess[] = [];
  for (const name of entries) {
    const c = name.charCodeAt(0);
    if (c < 48 || c > 57 || Number(name) === process.pid) continue;
    let environ: Buffer;
    try {
      environ = readFileSync(`/proc/${name}/environ`);
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
