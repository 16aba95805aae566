/**
 * How busy a process group is, read from /proc, to tell an idle
 * server from one that spins: time runnable (schedstat), or CPU time (stat).
 */
import { readdir, readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';

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

/** Every process of group `pgid` (pid and parsed stat), read from `procRoot`; undefined without /proc. */
async function groupMembers(pgid: number, procRoot: string): Promise<{ pid: string; ticks: number }[] | undefined> {
  if (!Number.isInteger(pgid) || pgid <= 0) return undefined;
  let entries: string[];
  try {
    entries = await readdir(procRoot);
  } catch {
    return undefined;
  }
  const members = await Promise.all(
    entries
      .filter((e) => /^\d+$/.test(e))
      .map(async (pid) => {
        const text = await readFile(`${procRoot}/${pid}/stat`, 'utf8').catch(() => undefined);
        const stat = text === undefined ? undefined : parseStat(text);
        // gone since the listing, or another group
        return stat?.pgrp === pgid ? { pid, ticks: stat.ticks } : undefined;
      }),
  );
  return members.filter((m) => m !== undefined);
}

// Reaped children's times (cutime, cstime) are counted too, so the sum never drops when a member reaps a child.
/** CPU milliseconds (user + system) used so far by every process in group `pgid`; NaN without /proc. */
export async function groupCpuMs(pgid: number, procRoot = '/proc'): Promise<number> {
  const members = await groupMembers(pgid, procRoot);
  if (!members) return NaN;
  if (members.length === 0 && !(await readable(`${procRoot}/self/stat`))) return NaN;
  return (members.reduce((sum, m) => sum + m.ticks, 0) * 1000) / CLOCK_TICKS_PER_SECOND;
}

async function readable(path: string): Promise<boolean> {
  return readFile(path, 'utf8').then(
    () => true,
    () => false,
  );
}

/**
 * Nanoseconds every thread of every process in group `pgid` has been runnable so
 * far: on a CPU plus waiting for one on a run queue (`/proc/<pid>/task/<tid>/schedstat`,
 * fields 1 and 2). Unlike CPU time this does not depend on how busy the machine is: a
 * thread that spins is runnable all the time whether or not it gets a core, and a
 * thread that sleeps is not. NaN where schedstat cannot be read.
 */
export async function groupRunnableNs(pgid: number, procRoot = '/proc'): Promise<number> {
  const members = await groupMembers(pgid, procRoot);
  if (!members) return NaN;
  let total = 0;
  let seen = false;
  for (const { pid } of members) {
    const tids = await readdir(`${procRoot}/${pid}/task`).catch(() => [] as string[]);
    const stats = await Promise.all(tids.map((tid) => readFile(`${procRoot}/${pid}/task/${tid}/schedstat`, 'utf8').catch(() => undefined)));
    for (const text of stats) {
      const ns = parseSchedstat(text);
      if (ns === undefined) continue;
      total += ns;
      seen = true;
    }
  }
  if (!seen) return (await readable(`${procRoot}/self/schedstat`)) ? 0 : NaN;
  return total;
}

/** Time runnable in one schedstat line (`run_ns wait_ns timeslices`): run + wait; undefined if malformed. */
export function parseSchedstat(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const [run, wait] = text.trim().split(/\s+/).map(Number);
  return Number.isFinite(run) && Number.isFinite(wait) ? run! + wait! : undefined;
}

export type BusyMeasure =
  | { ok: true; percent: number; measure: 'runnable' | 'cpu' }
  | { ok: false; code: 'aborted' | 'not-measurable' };

/**
 * How busy group `pgid` is over `windowMs`: the percentage of the window its threads
 * were runnable (summed over threads: two spinning threads make 200 %). Falls back
 * to CPU time (which a loaded machine lowers) only where schedstat is missing.
 */
export async function measureGroupBusy(pgid: number, windowMs: number, wait: (ms: number) => Promise<boolean>, procRoot = '/proc'): Promise<BusyMeasure> {
  const beforeNs = await groupRunnableNs(pgid, procRoot);
  const beforeCpu = Number.isNaN(beforeNs) ? await groupCpuMs(pgid, procRoot) : NaN;
  const t0 = performance.now();
  if (!(await wait(windowMs))) return { ok: false, code: 'aborted' };
  const wall = Math.max(1, performance.now() - t0);
  if (!Number.isNaN(beforeNs)) {
    const afterNs = await groupRunnableNs(pgid, procRoot);
    if (!Number.isNaN(afterNs)) return { ok: true, percent: (Math.max(0, afterNs - beforeNs) / 1e6 / wall) * 100, measure: 'runnable' };
  }
  if (Number.isNaN(beforeCpu)) return { ok: false, code: 'not-measurable' };
  const used = ((await groupCpuMs(pgid, procRoot)) - beforeCpu) / wall * 100;
  return Number.isNaN(used) ? { ok: false, code: 'not-measurable' } : { ok: true, percent: used, measure: 'cpu' };
}
