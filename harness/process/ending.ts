/**
 * Whether a process has ended or is on its way out, from /proc (Linux), and a
 * bounded wait for a program's end.
 */
import { readdir } from 'node:fs/promises';
import type { ExitInfo } from './exit-watch.js';
import { isDeadState, readStat } from './socket-owner.js';

/**
 * Whether process `pid` has ended or is ending: gone, a zombie not yet reaped, or
 * with its files already closed (the kernel closes them, and so its sockets, before
 * the process turns zombie); false where /proc cannot tell.
 */
export async function isEnding(pid: number): Promise<boolean> {
  if (process.platform !== 'linux') return false;
  const stat = await readStat(pid);
  if (stat === undefined || isDeadState(stat.state)) return true;
  return readdir(`/proc/${pid}/fd`).then(
    (fds) => fds.length === 0,
    (e: NodeJS.ErrnoException) => e.code === 'ENOENT',
  );
}

/** How `exited` ended if it does within `ms` (bounded, on the exit event itself); undefined otherwise. */
export async function exitWithin(exited: Promise<ExitInfo>, ms: number): Promise<ExitInfo | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([exited, new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
