/**
 * Wait until the program under test is bound to its port, by watching the
 * kernel's socket tables (never by connecting), or until it exits or time runs out.
 */
import { readlinkSync } from 'node:fs';
import { readProcText } from './proc-read.js';
import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { ExitInfo } from './exit-watch.js';
import { canReadSocketTables, connectionsOn, listeningSockets, listeningSocketsSeen, PROC_NET, type BoundSocket } from './proc-net.js';
import { leaderAlive, programHolds, socketHolders, socketLinks, type Holder } from './socket-owner.js';
import { startWaitLimit, type WaitLimit } from './wait-limit.js';

export { listeningSockets, type BoundSocket } from './proc-net.js';

export type Readiness =
  | { ok: true; addresses: BoundSocket[]; afterMs: number; note?: string }
  | {
      ok: false;
      code: 'exited' | 'timeout' | 'aborted';
      exit?: ExitInfo;
      afterMs: number;
      note?: string;
      /** True when, as the wait ended, a process outside the program's group (or one that cannot be told) held the port. */
      takenByOther?: boolean;
    };

export interface ReadinessOptions {
  port: number;
  transport: 'tcp' | 'udp';
  /** The program's end: readiness gives up at once when it resolves. */
  exited: Promise<ExitInfo>;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Where the socket tables are; default `/proc/net`. */
  procNet?: string;
  /** Where the process table is; default `/proc`. */
  proc?: string;
  /**
   * The program's leader, which leads its process group: a socket on the port counts only
   * when a live process of this group holds it. Absent: any socket on the port counts (a
   * program started elsewhere).
   */
  owner?: number;
  /** With `owner`: a live descendant of the leader counts too, in whatever group (the program a pseudo-terminal relay runs). */
  descendants?: boolean;
}

/** The first and the longest pause between two looks at the socket tables. */
const FIRST_POLL_MS = 1;
const MAX_POLL_MS = 20;
/** The pause while only sockets of other programs are on the port: each look then reads every process's stat. */
const FOREIGN_POLL_MS = 100;
/**
 * With an owner, the longest the socket tables go unread: between two reads, only a
 * change in the sockets its leader holds sends the wait to them at once. (Reading a
 * table makes the kernel write a row per socket of the machine, TIME_WAIT ones
 * included: thousands after a busy run, most of the harness's time while programs
 * start; a look at the open files of the leader and its children costs a few
 * entries.) A program whose socket is held by a process further down is seen within
 * this time.
 */
const TABLE_EVERY_MS = 100;
/** Without socket tables, how long a UDP program is given before it is assumed bound. */
const UDP_BLIND_MS = 500;
/** Without socket tables, how long a program must stay alive after a probe connected before it is taken as ready. */
const BLIND_GRACE_MS = 200;

/**
 * Resolve when the program is bound to the port, or say why not (`exited`, `timeout`,
 * `aborted`); never rejects. With `owner`, a socket counts only when a live process of
 * the program provably holds it and the program's leader is still alive.
 */
export async function waitUntilListening(options: ReadinessOptions): Promise<Readiness> {
  const t0 = performance.now();
  const limit = startWaitLimit(options);
  const procNet = options.procNet ?? PROC_NET;
  const proc = options.proc ?? '/proc';
  const { owner } = options;
  try {
    if (!(await canReadSocketTables(procNet))) return await waitBlind(options, limit, t0);
    let unclear: string | undefined;
    const leaderSockets = owner !== undefined && !options.descendants ? new LeaderSockets(owner, proc) : undefined;
    // No kernel event says "a socket started listening": poll, briefly at first.
    for (let pause = FIRST_POLL_MS; ; pause = Math.min(MAX_POLL_MS, pause * 2)) {
      if (limit.reason) break;
      if (leaderSockets && !(await leaderSockets.worthReading())) {
        await limit.nap(pause);
        continue;
      }
      const found = await listeningSockets(options.port, options.transport, procNet).catch(() => []);
      await leaderSockets?.tablesRead(found);
      if (limit.reason) break;
      if (owner === undefined) {
        if (found.length > 0) return { ok: true, addresses: found, afterMs: performance.now() - t0 };
      } else if (found.length > 0) {
        const mine = await owned(found, owner, proc, options.descendants ?? false);
        // Its socket is not enough: the program must still be alive (a leader that died is reported by `exited` soon).
        if (mine.addresses.length > 0 && (await leaderAlive(owner, proc)) && limit.reason === undefined) {
          return { ok: true, addresses: mine.addresses, afterMs: performance.now() - t0 };
        }
        unclear = mine.unclear;
        // Another program on the port is not ours being ready: ours may still bind it, or fail and exit.
        if (mine.addresses.length === 0) pause = Math.max(pause, FOREIGN_POLL_MS);
      }
      await limit.nap(pause);
    }
    const other = limit.reason!.code === 'aborted' ? undefined : await whoElse(options, procNet, proc, unclear);
    const r = notReady(limit, t0, other?.note);
    return other?.foreign && !r.ok ? { ...r, takenByOther: true } : r;
  } finally {
    limit.dispose();
  }
}

/**
 * Whether the socket tables are worth reading now, for a program whose leader is known:
 * when the leader holds a socket no read of the tables has seen it hold yet, or one it
 * made since the read before the last that the tables did not show bound (made, and
 * about to be bound); when its open files cannot be read; or when the tables have not
 * been read for TABLE_EVERY_MS. (Its standard streams are sockets too: seen at the
 * first look, before any read, they are known.)
 */
class LeaderSockets {
  #lastRead = -Infinity;
  /** Sockets the leader held at two reads of the tables or more, and those first seen at the last one. */
  readonly #known = new Set<string>();
  readonly #fresh = new Set<string>();
  #bound = new Set<string>();
  /** The sockets `worthReading` found, when it looked. */
  #seen: Set<string> | undefined;

  constructor(
    private readonly pid: number,
    private readonly proc: string,
  ) {}

  async worthReading(): Promise<boolean> {
    this.#seen = undefined;
    if (this.#lastRead === -Infinity) return this.#firstLook();
    if (performance.now() - this.#lastRead >= TABLE_EVERY_MS) return true;
    const now = (this.#seen = await this.#links());
    if (now === undefined) return true;
    for (const link of now) {
      if (this.#fresh.has(link) ? !this.#bound.has(link) : !this.#known.has(link)) return true;
    }
    return false;
  }

  /**
   * Before any read: a program just started holds its standard streams (sockets, when
   * started with pipes) and seldom anything else yet. Those are known without reading
   * the tables (dear: a row per connection of the machine, TIME_WAIT ones included), and
   * the timed read comes TABLE_EVERY_MS later; any other socket is worth a read at once.
   */
  async #firstLook(): Promise<boolean> {
    const pids = await this.#processes();
    const now = (this.#seen = pids && (await this.#links(pids)));
    const streams = pids && (await this.#streams(pids));
    if (now === undefined || streams === undefined) return true;
    for (const link of now) if (!streams.has(link)) return true;
    for (const link of now) this.#known.add(link);
    this.#lastRead = performance.now();
    return false;
  }

  /** The sockets on fds 0–2 of `pids` (the leader and its children). */
  async #streams(pids: number[]): Promise<Set<string>> {
    const links = new Set<string>();
    for (const pid of pids) {
      for (const fd of [0, 1, 2]) {
        try {
          const link = readlinkSync(`${this.proc}/${pid}/fd/${fd}`);
          if (link.startsWith('socket:[')) links.add(link);
        } catch {
          // not open, or the process is gone
        }
      }
    }
    return links;
  }

  /** The tables were just read (`found` on the port): a socket first seen at the read before is known now, a new one fresh. */
  async tablesRead(found: BoundSocket[]): Promise<void> {
    const first = this.#lastRead === -Infinity;
    this.#lastRead = performance.now();
    this.#bound = new Set(found.flatMap((f) => f.inodes.map((i) => `socket:[${i}]`)));
    // What was looked at just before this read is what the read is checked against: a socket made since is new at the next look.
    for (const link of this.#seen ?? (await this.#links()) ?? []) {
      // At the first read, what the program holds is its standard streams (or a socket not bound yet, seen by the next timed read).
      if (first || this.#fresh.delete(link)) this.#known.add(link);
      else if (!this.#known.has(link)) this.#fresh.add(link);
    }
  }

  /** The leader and its children (a shell that runs the server as its child); undefined when they cannot be read. */
  async #processes(): Promise<number[] | undefined> {
    let children: string;
    try {
      // At once, as the open files are (`socketLinks`): a look every few milliseconds while the program starts.
      children = readProcText(`${this.proc}/${this.pid}/task/${this.pid}/children`);
    } catch {
      return undefined;
    }
    return [this.pid, ...children.split(' ').filter(Boolean).map(Number)];
  }

  /** The sockets of the leader and of its children; undefined when they cannot be read. */
  async #links(pids?: number[]): Promise<Set<string> | undefined> {
    const [leader, ...children] = pids ?? (await this.#processes()) ?? [];
    const own = leader === undefined ? undefined : await socketLinks(leader, this.proc);
    if (own === undefined) return undefined;
    for (const child of children) for (const link of (await socketLinks(child, this.proc)) ?? []) own.add(link);
    return own;
  }
}

/** The sockets a live process of the program led by `pgid` holds; `unclear` says why some could not be told. */
async function owned(found: BoundSocket[], pgid: number, proc: string, descendants: boolean): Promise<{ addresses: BoundSocket[]; unclear?: string }> {
  const addresses: BoundSocket[] = [];
  let unclear: string | undefined;
  for (const s of found) {
    const r = await programHolds(pgid, s.inodes, proc, descendants);
    if (r.held === 'yes') addresses.push(s);
    else if (r.held === 'cannot-tell') unclear ??= r.why;
  }
  return unclear === undefined ? { addresses } : { addresses, unclear };
}

/** For a program found not ready: who else holds its port, as precisely as /proc tells. */
async function whoElse(options: ReadinessOptions, procNet: string, proc: string, unclear: string | undefined): Promise<{ note: string; foreign: boolean } | undefined> {
  // A verdict rests on it (another program took the port: start again elsewhere), so what any of a few reads showed.
  const found = await listeningSocketsSeen(options.port, options.transport, procNet).catch(() => [] as BoundSocket[]);
  if (found.length === 0) return options.transport === 'tcp' ? lingering(options.port, procNet) : undefined;
  const where = `${options.transport} port ${options.port} is bound on ${found.map((f) => f.address).join(', ')}`;
  if (options.owner === undefined) return { note: where, foreign: false };
  const { holders, unreadable } = await socketHolders(found.flatMap((f) => f.inodes), proc);
  const named = (h: Holder) => `pid ${h.pid} (${h.comm})`;
  const outside = holders.filter((h) => h.pgrp !== options.owner);
  const inside = holders.filter((h) => h.pgrp === options.owner);
  const parts: string[] = [];
  if (outside.length > 0) parts.push(`by ${outside.map(named).join(', ')}, outside the program's process group`);
  if (inside.length > 0) parts.push(`by ${inside.map(named).join(', ')} of the program's process group`);
  if (holders.length === 0) {
    parts.push(unreadable > 0 ? `by a process outside the program's process group that this user cannot look into` : `by a process outside the program's process group`);
  }
  const tail = unclear !== undefined && holders.length === 0 ? `; whether the program holds it cannot be told: ${unclear}` : '';
  return { note: `${where} ${parts.join(' and ')}${tail}`, foreign: outside.length > 0 || holders.length === 0 };
}

/**
 * Nothing listens on the port, but connections of an earlier program are still on it
 * (TIME_WAIT…): a program that does not set SO_REUSEADDR cannot bind it until they are
 * gone, though the free-port probe, which does, could. Not the program's doing on a port
 * the harness picked for it.
 */
async function lingering(port: number, procNet: string): Promise<{ note: string; foreign: boolean } | undefined> {
  const n = await connectionsOn(port, procNet).catch(() => undefined);
  if (!n) return undefined;
  return { note: `tcp port ${port} is not listened on, but ${n === 1 ? 'a connection' : `${n} connections`} of an earlier program ${n === 1 ? 'is' : 'are'} still on it (TIME_WAIT or closing): a program that does not set SO_REUSEADDR cannot bind it until ${n === 1 ? 'it is' : 'they are'} gone`, foreign: true };
}

function notReady(limit: WaitLimit, t0: number, note?: string): Readiness {
  const r = limit.reason!;
  const base = { ok: false as const, afterMs: performance.now() - t0, ...(note ? { note } : {}) };
  return r.code === 'exited' ? { ...base, code: 'exited', exit: r.exit } : { ...base, code: r.code };
}

/** Without /proc/net: a TCP connect probe, or for UDP a fixed allowance; both said in `note`. */
async function waitBlind(options: ReadinessOptions, limit: WaitLimit, t0: number): Promise<Readiness> {
  if (options.transport === 'udp') {
    const note = `no socket tables on this platform: assumed the UDP program ready after ${Math.min(options.timeoutMs, UDP_BLIND_MS)} ms`;
    const blind = startWaitLimit({ timeoutMs: Math.min(options.timeoutMs, UDP_BLIND_MS) });
    await Promise.race([blind.over, limit.over]);
    blind.dispose();
    if (limit.reason && limit.reason.code !== 'timeout') return notReady(limit, t0, note);
    return { ok: true, addresses: [], afterMs: performance.now() - t0, note };
  }
  const note = `no socket tables on this platform: readiness was found by connecting, which used one connection and cannot tell whose listener answered${options.owner === undefined ? '' : ` (the program was still running ${BLIND_GRACE_MS} ms later)`}`;
  for (let pause = FIRST_POLL_MS; ; pause = Math.min(MAX_POLL_MS, pause * 2)) {
    for (const host of ['127.0.0.1', '::1']) {
      if (limit.reason) return notReady(limit, t0, note);
      if (await probe(host, options.port, limit)) {
        // A program that failed to bind (another program's listener answered) usually exits at once: give it the time to.
        if (options.owner !== undefined) await limit.nap(BLIND_GRACE_MS);
        const after = limit.reason as WaitLimit['reason'];
        if (after && after.code !== 'timeout') return notReady(limit, t0, note);
        return { ok: true, addresses: [{ address: host, family: host.includes(':') ? 6 : 4, inodes: [] }], afterMs: performance.now() - t0, note };
      }
    }
    await limit.nap(pause);
  }
}

/** Whether a TCP connection to host:port succeeds; the socket is closed either way. */
function probe(host: string, port: number, limit: WaitLimit): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    void limit.over.then(() => done(false));
  });
}
