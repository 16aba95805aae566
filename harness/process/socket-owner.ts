/**
 * Who holds a socket, from /proc: a program under test is only "listening" on its
 * port if the listening socket is provably its own — held by a live process of its
 * process group (or a live descendant of its leader, such as the program a
 * pseudo-terminal relay runs in a session of its own) — never another program's
 * that happened to hold the port. "Cannot tell" is never taken for "yes".
 */
import { readdirSync, readlinkSync } from 'node:fs';
import { readProcText } from './proc-read.js';
import { readdir } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { listeningSocketsSeen, PROC_NET } from './proc-net.js';

/** What /proc/<pid>/stat says of a process. */
export interface ProcInfo {
  pid: number;
  /** One letter: R, S, D, Z (zombie), X (dead), T … */
  state: string;
  ppid: number;
  pgrp: number;
  /** The command name (at most 15 characters), for messages. */
  comm: string;
}

/** A process that holds one of the sockets asked about. */
export interface Holder {
  pid: number;
  comm: string;
  pgrp: number;
}

/** Whether the program holds a socket: `yes` names the process; otherwise why not (`cannot-tell` is not a yes). */
export type Ownership =
  | { held: 'yes'; pid: number }
  | { held: 'no'; why: 'not-held' | 'group-gone' }
  | { held: 'cannot-tell'; why: string };

const DEAD = new Set(['Z', 'X', 'x']);

/** Whether a /proc state letter is a process that has ended (a zombie, or dead). */
export function isDeadState(state: string): boolean {
  return DEAD.has(state);
}

/** Parse /proc/<pid>/stat text; undefined when it is not one. */
export function parseStat(pid: number, text: string): ProcInfo | undefined {
  // The command name sits in parentheses and may hold spaces or parentheses itself: cut at the last ')'.
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const rest = text.slice(close + 2).split(' ');
  const ppid = Number(rest[1]);
  const pgrp = Number(rest[2]);
  if (!rest[0] || !Number.isInteger(ppid) || !Number.isInteger(pgrp)) return undefined;
  return { pid, state: rest[0], ppid, pgrp, comm: text.slice(open + 1, close) };
}

/** /proc/<pid>/stat of one process; undefined when it is gone. */
export async function readStat(pid: number, proc = '/proc'): Promise<ProcInfo | undefined> {
  // At once, as the open files are (`socketLinks`).
  let text: string;
  try {
    text = readProcText(`${proc}/${pid}/stat`);
  } catch {
    return undefined;
  }
  return parseStat(pid, text);
}

/** Every process /proc shows, zombies included. */
export async function processTable(proc = '/proc'): Promise<ProcInfo[]> {
  const entries = await readdir(proc).catch(() => [] as string[]);
  const all = await Promise.all(entries.filter((e) => /^\d+$/.test(e)).map((e) => readStat(Number(e), proc)));
  return all.filter((p): p is ProcInfo => p !== undefined);
}

/**
 * The live processes of the program whose leader (and process group) is `pgid`:
 * its group and, with `descendants`, every descendant of its leader while the leader
 * lives (a child in a session of its own, as a pseudo-terminal relay's program is).
 * Zombies hold no file and are left out.
 */
export function programProcesses(table: readonly ProcInfo[], pgid: number, descendants = false): ProcInfo[] {
  const live = table.filter((p) => !DEAD.has(p.state));
  const mine = new Map<number, ProcInfo>();
  for (const p of live) if (p.pgrp === pgid) mine.set(p.pid, p);
  const leader = live.find((p) => p.pid === pgid && p.pgrp === pgid);
  if (leader && descendants) {
    // Descendants by parent pid; each process is visited once, whatever the links say.
    const children = new Map<number, ProcInfo[]>();
    for (const p of live) {
      const siblings = children.get(p.ppid);
      if (siblings) siblings.push(p);
      else children.set(p.ppid, [p]);
    }
    const seen = new Set([leader.pid]);
    const queue = [leader.pid];
    for (let i = 0; i < queue.length; i++) {
      for (const c of children.get(queue[i]!) ?? []) {
        if (seen.has(c.pid)) continue;
        seen.add(c.pid);
        mine.set(c.pid, c);
        queue.push(c.pid);
      }
    }
  }
  // The leader first: it usually holds the socket itself.
  return [...mine.values()].sort((a, b) => (a.pid === pgid ? -1 : b.pid === pgid ? 1 : a.pid - b.pid));
}

/** The `socket:[inode]` links of a process's open files; undefined when they cannot be read. */
export async function socketLinks(pid: number, proc = '/proc'): Promise<Set<string> | undefined> {
  return socketLinksNow(pid, proc);
}

/**
 * `socketLinks`, read at once: a readiness wait looks at them every few milliseconds while
 * a program starts, and a dozen reads of /proc cost less than as many trips through the thread pool.
 */
export function socketLinksNow(pid: number, proc = '/proc'): Set<string> | undefined {
  let fds: string[];
  try {
    fds = readdirSync(`${proc}/${pid}/fd`);
  } catch {
    return undefined;
  }
  const links = new Set<string>();
  for (const fd of fds) {
    try {
      const link = readlinkSync(`${proc}/${pid}/fd/${fd}`);
      if (link.startsWith('socket:[')) links.add(link);
    } catch {
      // closed meanwhile
    }
  }
  return links;
}

const links = (inodes: readonly string[]) => new Set(inodes.filter((i) => i !== '' && i !== '0').map((i) => `socket:[${i}]`));

/**
 * Whether a live process of the program led by `pgid` (with `descendants`: or a live
 * descendant of its leader) holds one of the sockets `inodes`. `no` only when every
 * such process could be read (or none is left); `cannot-tell` when the inode is
 * unknown or a process's files are not readable.
 */
export async function programHolds(pgid: number, inodes: readonly string[], proc = '/proc', descendants = false): Promise<Ownership> {
  const wanted = links(inodes);
  if (wanted.size === 0) return { held: 'cannot-tell', why: 'the socket table gives no inode for the socket' };
  // Fast path: the leader, alive and still leading its group, holds it itself.
  const leader = await readStat(pgid, proc);
  if (leader && !DEAD.has(leader.state) && leader.pgrp === pgid) {
    const own = await socketLinks(pgid, proc);
    if (own && [...wanted].some((w) => own.has(w))) return { held: 'yes', pid: pgid };
  }
  const members = programProcesses(await processTable(proc), pgid, descendants);
  if (members.length === 0) return { held: 'no', why: 'group-gone' };
  let unreadable: number | undefined;
  for (const p of members) {
    const open = await socketLinks(p.pid, proc);
    if (open === undefined) {
      // Gone since the table was read (nothing held there), or not ours to read.
      if ((await readStat(p.pid, proc)) !== undefined) unreadable ??= p.pid;
      continue;
    }
    if ([...wanted].some((w) => open.has(w))) return { held: 'yes', pid: p.pid };
  }
  if (unreadable !== undefined) return { held: 'cannot-tell', why: `the open files of pid ${unreadable} (${proc}/${unreadable}/fd) cannot be read` };
  return { held: 'no', why: 'not-held' };
}

/** Whether `pid` is alive (not a zombie) and still the leader of its own process group. */
export async function leaderAlive(pid: number, proc = '/proc'): Promise<boolean> {
  const p = await readStat(pid, proc);
  return p !== undefined && !DEAD.has(p.state) && p.pgrp === pid;
}

/** Every process that holds one of `inodes`, and how many processes could not be looked into. */
export async function socketHolders(inodes: readonly string[], proc = '/proc'): Promise<{ holders: Holder[]; unreadable: number }> {
  const wanted = links(inodes);
  const holders: Holder[] = [];
  let unreadable = 0;
  if (wanted.size === 0) return { holders, unreadable };
  for (const p of await processTable(proc)) {
    if (DEAD.has(p.state)) continue;
    const open = await socketLinks(p.pid, proc);
    if (open === undefined) unreadable++;
    else if ([...wanted].some((w) => open.has(w))) holders.push({ pid: p.pid, comm: p.comm, pgrp: p.pgrp });
  }
  return { holders, unreadable };
}

/** Whether any process of group `pgid` is alive: false once the group is empty or holds only zombies. */
export async function groupAlive(pgid: number, proc = '/proc'): Promise<boolean> {
  if (!Number.isInteger(pgid) || pgid <= 1) return false;
  try {
    process.kill(-pgid, 0);
  } catch (e) {
    // ESRCH: nobody left. EPERM: somebody is, though not ours to signal.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  // Zombies count for kill(); they hold nothing, and who reaps them is not up to us.
  const table = await processTable(proc);
  if (table.length === 0) return true; // no /proc: the signal's answer is all there is
  return table.some((p) => p.pgrp === pgid && !DEAD.has(p.state));
}

/** The inodes of the sockets on `port` (TCP listeners, unbound-peer UDP sockets, both families) that the program led by `pgid` holds. */
export async function programSockets(pgid: number, port: number, procNet = PROC_NET, proc = '/proc'): Promise<string[]> {
  // Several reads: one of a table that changes meanwhile can miss a row, and a socket missed here is not waited for.
  const found = [...(await listeningSocketsSeen(port, 'tcp', procNet).catch(() => [])), ...(await listeningSocketsSeen(port, 'udp', procNet).catch(() => []))];
  const inodes: string[] = [];
  // Every descendant counts here: what any of them holds must be closed before the port is free.
  for (const s of found) for (const inode of s.inodes) if ((await programHolds(pgid, [inode], proc, true)).held === 'yes') inodes.push(inode);
  return inodes;
}

/** Which of `inodes` are still bound to `port` (TCP or UDP). */
async function stillBound(port: number, inodes: readonly string[], procNet: string): Promise<string[]> {
  if (inodes.length === 0) return [];
  // Several reads: a socket one read missed would pass for gone.
  const found = [...(await listeningSocketsSeen(port, 'tcp', procNet).catch(() => [])), ...(await listeningSocketsSeen(port, 'udp', procNet).catch(() => []))];
  const open = new Set(found.flatMap((s) => s.inodes));
  return inodes.filter((i) => open.has(i));
}

/** Which of `holders` still run (neither gone nor a zombie). */
async function stillRunning(holders: readonly Holder[], proc: string): Promise<Holder[]> {
  const running: Holder[] = [];
  for (const h of holders) {
    const p = await readStat(h.pid, proc);
    if (p !== undefined && !DEAD.has(p.state)) running.push(h);
  }
  return running;
}

export interface Released {
  /** True when the group is empty, none of the program's sockets is bound any more, and what was killed for holding one has ended. */
  ok: boolean;
  /** Processes outside the group that still held one of the program's sockets, and were killed for it. */
  killed: Holder[];
  /** What was still there when time ran out. */
  left?: string;
}

/**
 * After the program was stopped: wait until no live process is left in its group and
 * none of its sockets `inodes` (from `programSockets` before the stop) is bound any
 * more, so that the next program can have the port. A process that left the group
 * but still holds one of them got it from the program: it is killed (SIGKILL), and
 * waited for until it has ended (a zombie at most). Sockets in TIME_WAIT do not count.
 * Bounded by `timeoutMs`; never rejects.
 */
export async function waitReleased(pgid: number, port: number, inodes: readonly string[], timeoutMs = 5000, procNet = PROC_NET, proc = '/proc'): Promise<Released> {
  const until = performance.now() + timeoutMs;
  const killed: Holder[] = [];
  const nap = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, Math.min(ms, until - performance.now()))));
  let pause = 1;
  for (;;) {
    const inGroup = await groupAlive(pgid, proc);
    const bound = inGroup ? inodes : await stillBound(port, inodes, procNet);
    const free = !inGroup && bound.length === 0;
    // A process killed here closes its files before it has ended: the socket can be gone while it still runs.
    const dying = free ? await stillRunning(killed, proc) : [];
    if (free && dying.length === 0) return { ok: true, killed };
    if (performance.now() >= until) {
      const left = inGroup
        ? `processes of group ${pgid} still alive`
        : bound.length > 0
          ? `${bound.length} socket(s) of the program still bound to port ${port}`
          : `killed for holding port ${port}, still running: ${dying.map((h) => `pid ${h.pid} (${h.comm})`).join(', ')}`;
      return { ok: false, killed, left };
    }
    if (!inGroup) {
      for (const h of (await socketHolders(bound, proc)).holders) {
        if (h.pid === process.pid || killed.some((k) => k.pid === h.pid)) continue;
        try {
          process.kill(h.pid, 'SIGKILL');
          killed.push(h);
        } catch {
          // gone meanwhile, or not ours to signal
        }
      }
    }
    await nap(pause);
    pause = Math.min(20, pause * 2);
  }
}
