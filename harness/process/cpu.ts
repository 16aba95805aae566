/**
 * CPU time used by a process group, read from /proc/<pid>/stat, to tell an idle
 * server from one that spins.
 */
import { readdir, readFile } from 'node:fs/promises';

/** Clock ticks per second of /proc times (`getconf CLK_TCK`): 100 on Linux for every common architecture. */
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * Fields after the `)` that ends the command name (field 2), counted from 0:
 * 0 state, 2 pgrp, 11 utime, 12 stime, 13 cutime, 14 cstime.
 */
const PGRP = 2;
const TIMES = [11, 12, 13, 14];

/** Parse one /proc/<pid>/stat line: its process group and CPU ticks (own and reaped children's); undefined if malformed. */
export function parseStat(stat: string): { pgrp: number; ticks: number } | undefined {
  const close = stat.lastIndexOf(')');
  if (close < 0) return undefined;
  const fields = stat.slice(close + 1).trim().split(/\s+/);
  const pgrp = Number(fields[PGRP]);
  const ticks = TIMES.reduce((sum, i) => sum + Number(fields[i]), 0);
  return Number.isFinite(pgrp) && Number.isFinite(ticks) ? { pgrp, ticks } : undefined;
}

// Reaped children's times (cutime, cstime) are counted too, so the sum never drops when a member reaps a child.
/** CPU milliseconds (user + system) used so far by every process in group `pgid`; NaN without /proc. */
export async function groupCpuMs(pgid: number, procRoot = '/proc'): Promise<number> {
  if (!Number.isInteger(pgid) || pgid <= 0) return NaN;
  let entries: string[];
  try {
    entries = await readdir(procRoot);
  } catch {
    return NaN;
  }
  const stats = await Promise.all(
    entries.filter((e) => /^\d+$/.test(e)).map((pid) => readFile(`${procRoot}/${pid}/stat`, 'utf8').catch(() => undefined)),
  );
  let ticks = 0;
  let seen = false;
  for (const text of stats) {
    const stat = text === undefined ? undefined : parseStat(text);
    if (stat?.pgrp !== pgid) continue; // gone since the listing, or another group
    ticks += stat.ticks;
    seen = true;
  }
  if (!seen && !(await readable(`${procRoot}/self/stat`))) return NaN;
  return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
}

async function readable(path: string): Promise<boolean> {
  return readFile(path, 'utf8').then(
    () => true,
    () => false,
  );
}
