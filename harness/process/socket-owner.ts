/**
 * Whether a socket belongs to a process group, from /proc: a program under test is
 * only "listening" on its port if the listening socket is its own, not that of
 * another program that happened to hold the port already.
 */
import { readdir, readFile, readlink } from 'node:fs/promises';

/** Pids whose process group is `pgid` (the launched program and everything it started that stayed in its group). */
async function groupMembers(pgid: number, proc: string): Promise<number[]> {
  const entries = await readdir(proc).catch(() => [] as string[]);
  const members: number[] = [];
  await Promise.all(
    entries.filter((e) => /^\d+$/.test(e)).map(async (pid) => {
      const stat = await readFile(`${proc}/${pid}/stat`, 'utf8').catch(() => '');
      // Fields after the command name (which may hold spaces): state ppid pgrp …
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(rest[2]) === pgid) members.push(Number(pid));
    }),
  );
  return members;
}

/** Whether process `pid` has one of the `wanted` sockets open. */
async function holds(pid: number, wanted: ReadonlySet<string>, proc: string): Promise<boolean> {
  const fds = await readdir(`${proc}/${pid}/fd`).catch(() => [] as string[]);
  for (const fd of fds) if (wanted.has(await readlink(`${proc}/${pid}/fd/${fd}`).catch(() => ''))) return true;
  return false;
}

/** True when a process of group `pgid` holds one of the socket `inodes`; undefined when /proc cannot tell. */
export async function groupHoldsSocket(pgid: number, inodes: readonly string[], proc = '/proc'): Promise<boolean | undefined> {
  if (inodes.length === 0 || inodes.every((i) => i === '' || i === '0')) return undefined;
  const wanted = new Set(inodes.map((i) => `socket:[${i}]`));
  // The group's leader (the program launched) usually holds it itself: look there before scanning every process.
  if (await holds(pgid, wanted, proc)) return true;
  const members = (await groupMembers(pgid, proc)).filter((pid) => pid !== pgid);
  if (members.length === 0) return (await readdir(`${proc}/${pgid}/fd`).catch(() => undefined)) ? false : undefined;
  let readable = false;
  for (const pid of members) {
    const fds = await readdir(`${proc}/${pid}/fd`).catch(() => undefined);
    if (!fds) continue;
    readable = true;
    for (const fd of fds) {
      const link = await readlink(`${proc}/${pid}/fd/${fd}`).catch(() => '');
      if (wanted.has(link)) return true;
    }
  }
  return readable ? false : undefined;
}
